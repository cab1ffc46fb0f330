//! `RustArray`'s `__array_interface__`: the memory object its `data` entry is, counted as an export while it lives.

#[allow(unused_imports)]
use super::*;

/// The `data` of a `RustArray`'s `__array_interface__`: the bytes the array's elements lie in,
/// as a buffer of unsigned bytes (writable where the array is), holding a counted export of the
/// array for as long as it lives, so that the array cannot be resized or changed while a
/// consumer (numpy keeps it as the base of the array it makes) may read the memory.
#[pyclass(name = "RustArrayMemory", module = "array_protocol", frozen)]
pub(super) struct Memory {
    _keep: KeepAlive,
    start: *mut u8,
    len: ffi::Py_ssize_t,
    readonly: bool,
}

// SAFETY: `start` points into the memory of the array `_keep` holds, which neither moves nor
// changes while `_keep`'s export is counted; `Memory` only hands the pointer to buffer consumers
// and never dereferences it.
unsafe impl Send for Memory {}
// SAFETY: as above; `Memory` has no interior mutability.
unsafe impl Sync for Memory {}

impl Memory {
    pub(super) fn new(
        keep: KeepAlive,
        start: *mut u8,
        len: usize,
        writable: bool,
    ) -> PyResult<Memory> {
        let len = ffi::Py_ssize_t::try_from(len).map_err(|_| {
            PyBufferError::new_err(format!(
                "the array's memory of {len} bytes does not fit the buffer protocol's Py_ssize_t"
            ))
        })?;
        Ok(Memory {
            _keep: keep,
            start,
            len,
            readonly: !writable,
        })
    }
}

#[pymethods]
impl Memory {
    pub(super) unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let this = slf.get();
        // SAFETY: `view` is the caller's Py_buffer (NULL is refused by `PyBuffer_FillInfo`);
        // the memory stays valid while this object lives, which the view's `obj` (this object,
        // referenced by `PyBuffer_FillInfo`) ensures. `PyBuffer_FillInfo` refuses writable
        // requests of read-only memory and contiguity it cannot give.
        let status = unsafe {
            ffi::PyBuffer_FillInfo(
                view,
                slf.as_ptr(),
                this.start.cast(),
                this.len,
                c_int::from(this.readonly),
                flags,
            )
        };
        if status != 0 {
            return Err(PyErr::fetch(slf.py()));
        }
        Ok(())
    }

    /// The number of bytes.
    pub(super) fn __len__(&self) -> usize {
        self.len.unsigned_abs()
    }
}

/// A descr as the Python list numpy expects.
pub(super) fn descr_list<'py>(py: Python<'py>, d: &Descr) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for f in &d.0 {
        let format: Bound<'py, PyAny> = match &f.format {
            DescrFormat::Typestr(t) => t.into_pyobject(py)?.into_any(),
            DescrFormat::Fields(inner) => descr_list(py, inner)?.into_any(),
        };
        let entry = match &f.shape {
            Some(shape) => PyTuple::new(
                py,
                [
                    f.name.clone().into_pyobject(py)?.into_any(),
                    format,
                    PyTuple::new(py, shape)?.into_any(),
                ],
            )?,
            None => PyTuple::new(py, [f.name.clone().into_pyobject(py)?.into_any(), format])?,
        };
        list.append(entry)?;
    }
    Ok(list)
}
