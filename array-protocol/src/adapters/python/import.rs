//! Imports: buffer-protocol objects borrowed in place, DLPack objects taken over.

use std::prelude::rust_2021::*;
use std::{format, vec};

use std::ffi::{c_char, CStr};

use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use crate::dlpack::{DLManagedTensorVersioned, DLPackArray, DLTensor};
use crate::layout::check_suboffsets;
use crate::{ArrayView, ItemType};

/// A buffer borrowed from a Python object; releases it when dropped. Hold the GIL (a
/// `Python<'py>` token) for its whole life.
pub struct Buffer<'py> {
    _py: Python<'py>,
    raw: Box<ffi::Py_buffer>,
    item: ItemType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    foreign: crate::layout::Foreign,
    readonly: bool,
}

impl Drop for Buffer<'_> {
    fn drop(&mut self) {
        // SAFETY: a buffer obtained by `PyObject_GetBuffer`, released once, with the GIL held
        // (the `'py` token).
        unsafe { ffi::PyBuffer_Release(&mut *self.raw) };
    }
}

impl<'py> Buffer<'py> {
    /// Borrows `obj`'s buffer (strided, with its format; indirect buffers are refused with a
    /// `BufferError`). The format is read with this crate's PEP 3118 parser and checked against
    /// the buffer's item size.
    pub fn get(obj: &Bound<'py, PyAny>) -> PyResult<Buffer<'py>> {
        let py = obj.py();
        // SAFETY: Py_buffer is plain data; zeroed is its "empty" state.
        let mut raw: Box<ffi::Py_buffer> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `obj` is a live object; on success `raw` holds a buffer we must release.
        if unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), &mut *raw, ffi::PyBUF_FULL_RO) } != 0 {
            return Err(PyErr::fetch(py));
        }
        let mut buffer = Buffer {
            _py: py,
            raw,
            item: ItemType::from_pep3118("B").map_err(|e| PyErr::from(crate::Error::from(e)))?,
            shape: Vec::new(),
            strides: Vec::new(),
            foreign: crate::layout::Foreign::empty(),
            readonly: true,
        };
        // From here on, dropping `buffer` releases the Python buffer.
        buffer.describe()?;
        Ok(buffer)
    }

    fn describe(&mut self) -> PyResult<()> {
        let r = &*self.raw;
        let ndim = usize::try_from(r.ndim).map_err(|_| PyBufferError::new_err("negative ndim"))?;
        if ndim > crate::MAX_NDIM {
            return Err(PyBufferError::new_err(format!(
                "{ndim} dimensions is more than {}",
                crate::MAX_NDIM
            )));
        }
        let format = if r.format.is_null() {
            "B".to_string()
        } else {
            // SAFETY: a NUL-terminated string the exporter keeps until release.
            unsafe { CStr::from_ptr(r.format as *const c_char) }
                .to_str()
                .map_err(|_| PyValueError::new_err("the buffer's format is not UTF-8"))?
                .to_string()
        };
        self.item =
            ItemType::from_pep3118(&format).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let itemsize =
            usize::try_from(r.itemsize).map_err(|_| PyBufferError::new_err("negative itemsize"))?;
        if self.item.itemsize() != itemsize {
            return Err(PyValueError::new_err(format!(
                "item size {itemsize} for PEP 3118 buffer format string {format:?} does not match the format's size {}",
                self.item.itemsize()
            )));
        }
        // SAFETY: the exporter gives `ndim` shape/strides/suboffsets entries when not NULL.
        let (shape, strides, suboffsets) = unsafe {
            let s = |p: *mut ffi::Py_ssize_t| {
                if p.is_null() || ndim == 0 {
                    None
                } else {
                    Some(std::slice::from_raw_parts(p, ndim))
                }
            };
            (s(r.shape), s(r.strides), s(r.suboffsets))
        };
        if let Some(sub) = suboffsets {
            check_suboffsets(sub).map_err(PyErr::from)?;
        }
        self.shape = match shape {
            Some(s) => s
                .iter()
                .map(|&d| {
                    usize::try_from(d)
                        .map_err(|_| PyValueError::new_err(format!("negative length {d}")))
                })
                .collect::<PyResult<_>>()?,
            None if ndim == 0 => Vec::new(),
            None => {
                let len = usize::try_from(r.len).map_err(|_| {
                    PyBufferError::new_err(format!("negative buffer length {}", r.len))
                })?;
                if itemsize == 0 || len % itemsize != 0 {
                    return Err(PyBufferError::new_err(format!(
                        "the buffer's length {len} is not a whole number of {itemsize}-byte items"
                    )));
                }
                vec![len / itemsize]
            }
        };
        self.strides = match strides {
            Some(s) => s.to_vec(),
            None => crate::layout::contiguous_strides(&self.shape, itemsize, crate::Order::C)
                .ok_or_else(|| PyValueError::new_err("shape too large"))?
                .to_vec(),
        };
        let foreign = crate::layout::Foreign::locate(
            r.buf.cast::<u8>(),
            &self.shape,
            &self.strides,
            itemsize,
        )?;
        let len = foreign.len();
        // A contiguous buffer's `len` is the size of its memory block: when it disagrees with
        // shape × itemsize, one of the two is wrong and the memory cannot be trusted to cover
        // the elements.
        let count = self
            .shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .and_then(|n| n.checked_mul(itemsize));
        let contiguous = strides.is_none()
            || count == Some(len)
                && crate::layout::contiguous_strides(&self.shape, itemsize, crate::Order::C)
                    .is_some_and(|c| c[..] == self.strides[..])
            || count == Some(len)
                && crate::layout::contiguous_strides(&self.shape, itemsize, crate::Order::Fortran)
                    .is_some_and(|f| f[..] == self.strides[..]);
        if contiguous && usize::try_from(r.len).ok() != count {
            return Err(PyBufferError::new_err(format!(
                "the buffer's length {} disagrees with its shape {:?} of {itemsize}-byte items ({} bytes)",
                r.len,
                self.shape,
                count.map_or_else(|| "overflowing".to_string(), |c| c.to_string())
            )));
        }
        self.foreign = foreign;
        self.readonly = r.readonly != 0;
        self.view().map_err(PyErr::from)?;
        Ok(())
    }

    /// The buffer as an array view, borrowed from this guard.
    pub fn view(&self) -> Result<ArrayView<'_>, crate::Error> {
        // SAFETY: the exporter keeps the memory valid until release (when `self` drops); the
        // span from the lowest to the highest element is one allocation of the exporter's.
        unsafe {
            self.foreign
                .view(self.item.clone(), &self.shape, &self.strides)
        }
    }

    /// Whether the exporter marked the buffer read-only.
    pub fn is_read_only(&self) -> bool {
        self.readonly
    }
}

/// DLPack's legacy `DLManagedTensor`.
#[repr(C)]
struct LegacyManaged {
    dl_tensor: DLTensor,
    manager_ctx: *mut std::ffi::c_void,
    deleter: Option<unsafe extern "C" fn(*mut LegacyManaged)>,
}

/// A legacy tensor presented as a versioned one (read-only, as numpy treats them).
#[repr(C)]
struct Adapted {
    versioned: DLManagedTensorVersioned,
    legacy: *mut LegacyManaged,
}

unsafe extern "C" fn delete_adapted(t: *mut DLManagedTensorVersioned) {
    // SAFETY: `t` is the first field of a box leaked by `from_dlpack`; this deleter runs once.
    let boxed = unsafe { Box::from_raw(t.cast::<Adapted>()) };
    // SAFETY: the legacy tensor the adapted one owns, still live.
    let deleter = unsafe { (*boxed.legacy).deleter };
    if let Some(d) = deleter {
        // SAFETY: the legacy tensor's own deleter, called once, here.
        unsafe { d(boxed.legacy) };
    }
}

/// Takes over `obj`'s array through `__dlpack__` (asking for DLPack 1.x, falling back to the
/// legacy form); CPU arrays only. `TypeError` when `obj` has no `__dlpack__`.
pub fn from_dlpack(obj: &Bound<'_, PyAny>) -> PyResult<DLPackArray> {
    let py = obj.py();
    let type_name = obj.get_type().name()?.to_string();
    let method = obj.getattr("__dlpack__").map_err(|_| {
        PyTypeError::new_err(format!(
            "{type_name} has no __dlpack__: expected an array with DLPack or the buffer protocol"
        ))
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("max_version", (1, 0))?;
    let capsule = match method.call((), Some(&kwargs)) {
        Ok(c) => c,
        Err(e) if e.is_instance_of::<PyTypeError>(py) => method.call0()?,
        Err(e) => return Err(e),
    };
    let capsule = capsule
        .cast_into::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__dlpack__ did not return a capsule"))?;
    // SAFETY: the capsule's name is a NUL-terminated string that lives as long as the capsule,
    // which `capsule` keeps alive while it is copied.
    let name = capsule.name()?.map(|n| unsafe { n.as_cstr() }.to_owned());
    let raw = capsule.as_ptr();
    match name.as_deref().and_then(|n| n.to_str().ok()) {
        Some("dltensor_versioned") => {
            // SAFETY: a valid capsule with this name holds a DLManagedTensorVersioned; renaming
            // it to `used_…` hands ownership to us, so its destructor will not delete it.
            let t = unsafe { ffi::PyCapsule_GetPointer(raw, c"dltensor_versioned".as_ptr()) }
                .cast::<DLManagedTensorVersioned>();
            // SAFETY: `raw` is a valid capsule; the new name is a static string.
            if t.is_null() || unsafe { ffi::PyCapsule_SetName(raw, c"used_dltensor_versioned".as_ptr()) } != 0 {
                return Err(PyErr::fetch(py));
            }
            // SAFETY: we own the tensor now.
            unsafe { DLPackArray::from_raw(t) }.map_err(PyErr::from)
        }
        Some("dltensor") => {
            // SAFETY: as above, for the legacy struct.
            let t = unsafe { ffi::PyCapsule_GetPointer(raw, c"dltensor".as_ptr()) }
                .cast::<LegacyManaged>();
            // SAFETY: `raw` is a valid capsule; the new name is a static string.
            if t.is_null() || unsafe { ffi::PyCapsule_SetName(raw, c"used_dltensor".as_ptr()) } != 0 {
                return Err(PyErr::fetch(py));
            }
            // SAFETY: `t` is a live legacy tensor we own: its description may be read.
            let description = unsafe { &raw const (*t).dl_tensor };
            let adapted = Box::new(Adapted {
                versioned: DLManagedTensorVersioned {
                    version: crate::dlpack::DLPackVersion { major: 1, minor: 0 },
                    manager_ctx: std::ptr::null_mut(),
                    deleter: Some(delete_adapted),
                    flags: crate::dlpack::DLPACK_FLAG_BITMASK_READ_ONLY,
                    // SAFETY: a copy of that description (plain data; the pointers in it stay
                    // valid while the legacy tensor lives, which the adapted one ensures).
                    dl_tensor: unsafe { std::ptr::read(description) },
                },
                legacy: t,
            });
            // SAFETY: the adapted tensor owns the legacy one and deletes it once.
            unsafe { DLPackArray::from_raw(Box::into_raw(adapted).cast()) }.map_err(PyErr::from)
        }
        other => Err(PyValueError::new_err(format!("__dlpack__ returned a capsule named {other:?}, expected \"dltensor_versioned\" or \"dltensor\""))),
    }
}
