//! Buffer-protocol imports: [`Buffer`] (shared) and [`BufferMut`] (writable), handles that hold
//! the exporter's `Py_buffer` and release it with the GIL attached, from any thread.

use std::format;
use std::prelude::rust_2021::*;

use std::ffi::{c_char, c_int, CStr};

use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;

use super::claims::Claim;
use array_protocol::layout::{check_suboffsets, contiguous_strides, Axes, Foreign};
use array_protocol::{
    ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, Error, ItemType, Order,
};

/// What an exporter's `Py_buffer` describes, validated, and the buffer itself, released on drop.
struct Held {
    raw: Raw,
    /// The validated view of the buffer, made once. Its `'static` is this module's to keep: the
    /// memory lives until the buffer is released (when `Held` drops), so the view is only ever
    /// handed out re-borrowed for the life of a `&Held`.
    view: ArrayView<'static>,
    foreign: Foreign,
    readonly: bool,
}

// SAFETY: `foreign` only says where the exporter's elements lie (plain bytes with no thread
// affinity); `raw` and `view` are themselves `Send + Sync`.
unsafe impl Send for Held {}
// SAFETY: as above: `&Held` gives only shared, read-only access.
unsafe impl Sync for Held {}

/// A buffer obtained by `PyObject_GetBuffer`, released when dropped.
struct Raw(Box<ffi::Py_buffer>);

// SAFETY: the `Py_buffer` is only read (its memory through views, its fields never written)
// and is released with the GIL attached (`Drop`), from whichever thread drops it; the exporter's
// memory is plain bytes with no thread affinity.
unsafe impl Send for Raw {}
// SAFETY: as above: `&Raw` gives only shared, read-only access.
unsafe impl Sync for Raw {}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: a plain query of the interpreter's state.
        if unsafe { ffi::Py_IsInitialized() } == 0 {
            // After the interpreter is gone nothing can be released: the exporter is gone too.
            return;
        }
        Python::attach(|_| {
            // SAFETY: a buffer obtained by `PyObject_GetBuffer`, released once (here), with the
            // GIL attached.
            unsafe { ffi::PyBuffer_Release(&mut *self.0) }
        });
    }
}

impl Held {
    /// `PyObject_GetBuffer(obj, flags)`, then the description validated.
    fn get(obj: &Bound<'_, PyAny>, flags: c_int) -> PyResult<Held> {
        Held::get_unless_refused(obj, flags)?
    }

    /// As [`get`](Self::get), with the exporter's own refusal (`PyObject_GetBuffer` failing)
    /// apart, as `Ok(Err(refusal))`, from the buffer's description failing this crate's checks.
    fn get_unless_refused(obj: &Bound<'_, PyAny>, flags: c_int) -> PyResult<PyResult<Held>> {
        // SAFETY: Py_buffer is plain data; zeroed is its "empty" state.
        let mut raw: Box<ffi::Py_buffer> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `obj` is a live object; on success `raw` holds a buffer we must release.
        if unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), &mut *raw, flags) } != 0 {
            return Ok(Err(PyErr::fetch(obj.py())));
        }
        // From here on, dropping `raw` releases the buffer.
        let raw = Raw(raw);
        let (view, foreign, readonly) = raw.describe().map_err(crate::to_pyerr)?;
        Ok(Ok(Held {
            raw,
            view,
            foreign,
            readonly,
        }))
    }

    fn format(&self) -> &CStr {
        self.raw.format()
    }
}

impl Raw {
    /// The format as the exporter gave it (`"B"` when it gave none).
    fn format(&self) -> &CStr {
        if self.0.format.is_null() {
            c"B"
        } else {
            // SAFETY: a NUL-terminated string the exporter keeps until release.
            unsafe { CStr::from_ptr(self.0.format as *const c_char) }
        }
    }

    /// The buffer's view, validated (its `'static` is `Held`'s to keep: see there), where its
    /// elements lie, and whether it is read-only.
    fn describe(&self) -> Result<(ArrayView<'static>, Foreign, bool), Error> {
        let r = &*self.0;
        let ndim = usize::try_from(r.ndim).map_err(|_| unsupported("a negative ndim"))?;
        if ndim > array_protocol::MAX_NDIM {
            return Err(unsupported(format!(
                "{ndim} dimensions, more than {}",
                array_protocol::MAX_NDIM
            )));
        }
        let format = self.format();
        let format = format.to_str().map_err(|_| {
            Error::new(
                array_protocol::ErrorKind::Format,
                format!("the buffer's format {format:?} is not UTF-8"),
            )
        })?;
        let item = ItemType::from_pep3118(format)?;
        let itemsize =
            usize::try_from(r.itemsize).map_err(|_| unsupported("a negative itemsize"))?;
        if item.itemsize() != itemsize {
            return Err(unsupported(format!(
                "item size {itemsize} for PEP 3118 buffer format string {format:?}, whose size is {}",
                item.itemsize()
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
            check_suboffsets(sub)?;
        }
        let shape: Axes<usize> = match shape {
            Some(s) => {
                let mut out = Axes::zeroed(ndim);
                for (o, &d) in out.iter_mut().zip(s) {
                    *o = usize::try_from(d)
                        .map_err(|_| unsupported(format!("a negative length {d}")))?;
                }
                out
            }
            None if ndim == 0 => Axes::zeroed(0),
            None => {
                let len = usize::try_from(r.len)
                    .map_err(|_| unsupported(format!("a negative buffer length {}", r.len)))?;
                if itemsize == 0 || len % itemsize != 0 {
                    return Err(unsupported(format!(
                        "a length of {len} bytes, not a whole number of {itemsize}-byte items"
                    )));
                }
                Axes::from_slice(&[len / itemsize])
            }
        };
        let c_order = contiguous_strides(&shape, itemsize, Order::C);
        let strides_vec: Axes<isize> =
            match strides {
                Some(s) => Axes::from_slice(s),
                None => Axes::from_slice(c_order.as_ref().ok_or_else(|| {
                    unsupported(format!("a shape {shape:?} whose size overflows"))
                })?),
            };
        let foreign = Foreign::locate(r.buf.cast::<u8>(), &shape, &strides_vec, itemsize)?;
        // A contiguous buffer's `len` is the size of its memory block: when it disagrees with
        // shape × itemsize, one of the two is wrong and the memory cannot be trusted to cover
        // the elements.
        let count = array_protocol::layout::checked_product(1usize, &shape)
            .and_then(|n| n.checked_mul(itemsize));
        let span = foreign.len();
        let contiguous = strides.is_none()
            || count == Some(span)
                && (c_order.as_ref().is_some_and(|c| c[..] == strides_vec[..])
                    || contiguous_strides(&shape, itemsize, Order::Fortran)
                        .is_some_and(|f| f[..] == strides_vec[..]));
        if contiguous && usize::try_from(r.len).ok() != count {
            return Err(unsupported(format!(
                "a length of {} bytes, which disagrees with its shape {shape:?} of {itemsize}-byte items ({} bytes)",
                r.len,
                count.map_or_else(|| "overflowing".to_string(), |c| c.to_string())
            )));
        }
        // SAFETY: the exporter keeps the memory valid until release (when `self` drops, which
        // `Held` does after its last use of the view); the span from the lowest to the highest
        // element is one allocation of the exporter's.
        let view = unsafe {
            array_protocol::ArrayView::from_foreign(&foreign, item, &shape, &strides_vec)
        }?;
        Ok((view, foreign, r.readonly != 0))
    }
}

impl Held {
    fn view(&self) -> ArrayView<'_> {
        self.view.clone()
    }

    fn view_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        // SAFETY: as in `describe`; the exporter granted a writable buffer (checked by
        // `BufferMut::get`), and the exclusive claim held beside this buffer keeps every other
        // import through this crate away from these bytes while `&mut self` is borrowed.
        let bytes = unsafe { self.foreign.bytes_mut() };
        let v = &self.view;
        ArrayViewMut::new(
            bytes,
            v.item().clone(),
            v.shape(),
            Some(v.strides()),
            self.foreign.offset(),
        )
    }
}

fn unsupported(what: impl Into<String>) -> Error {
    Error::new(
        array_protocol::ErrorKind::Unsupported,
        format!("the exporter's buffer has {}", what.into()),
    )
}

/// An array borrowed in place from any buffer-protocol object (numpy arrays of any strides and
/// byte order, `bytes`, `bytearray`, `memoryview`, `array.array`, this crate's own exports):
/// `'static`, `Send` and `Sync`, so it can be kept in a struct, moved into `py.detach(…)` to
/// be read with the GIL released, or re-exported with [`PyArray::new`](super::PyArray::new),
/// which shares its memory and keeps its exact format string. Dropping it releases the buffer,
/// attaching to the interpreter if needed, from any thread.
///
/// The format is read with this crate's PEP 3118 parser and checked against the item size;
/// indirect buffers (suboffsets) are refused. While it lives, a [`BufferMut`] of overlapping
/// memory is refused (see the module's aliasing policy).
///
/// As a `#[pyfunction]` argument it is extracted with [`Buffer::get`].
pub struct Buffer {
    held: Held,
    _claim: Claim,
}

impl Buffer {
    /// Borrows `obj`'s buffer (strided, with its format): `TypeError` when `obj` has no buffer
    /// protocol, `BufferError` when the buffer cannot be described or overlaps a live
    /// [`BufferMut`], `ValueError` when its format cannot be read.
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<Buffer> {
        Buffer::get_unless_refused(obj)?
    }

    /// As [`get`](Self::get), with the exporter's refusal to export a buffer apart (as
    /// `Ok(Err(refusal))`): JAX arrays of FP8 items have the buffer protocol but refuse it,
    /// while their DLPack works.
    pub(crate) fn get_unless_refused(obj: &Bound<'_, PyAny>) -> PyResult<PyResult<Buffer>> {
        let held = match Held::get_unless_refused(obj, ffi::PyBUF_FULL_RO)? {
            Ok(held) => held,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let claim = Claim::new(obj.py(), &held.view, false, "a buffer").map_err(crate::to_pyerr)?;
        Ok(Ok(Buffer {
            held,
            _claim: claim,
        }))
    }

    /// The buffer as an array view.
    pub fn view(&self) -> ArrayView<'_> {
        self.held.view()
    }

    /// The view with the lifetime of the memory, for handles that keep `self` beside it.
    ///
    /// # Safety
    /// Nothing made from the view (clones, typed views) is used after `self` is dropped.
    pub(crate) unsafe fn detached_view(&self) -> &ArrayView<'static> {
        &self.held.view
    }

    /// Whether the exporter marked the buffer read-only.
    pub fn is_read_only(&self) -> bool {
        self.held.readonly
    }

    /// The format string as the exporter gave it (`"B"` when it gave none), which
    /// [`PyArray::new`](super::PyArray::new) hands on unchanged.
    pub fn format(&self) -> &CStr {
        self.held.format()
    }
}

impl ArrayProducer for Buffer {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        Ok(self.held.view())
    }
}

/// A writable array borrowed in place from a buffer-protocol object (`PyBUF_WRITABLE`): the
/// exporter must allow writing, and no other import through this crate of overlapping memory may
/// be alive, for as long as this one lives; then [`view_mut`](Self::view_mut) is an
/// [`ArrayViewMut`] no one else writes or reads through this crate. `'static`, `Send` and
/// `Sync`, like [`Buffer`].
pub struct BufferMut {
    held: Held,
    _claim: Claim,
}

impl BufferMut {
    /// Borrows `obj`'s buffer for writing: `BufferError` when the exporter is read-only (a
    /// message saying so), when the array's elements share memory (zero or overlapping
    /// strides), or when an import of overlapping memory is alive; `TypeError` when `obj` has
    /// no buffer protocol.
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<BufferMut> {
        let held = match Held::get(obj, ffi::PyBUF_FULL) {
            Ok(held) => held,
            Err(e) => {
                // Exporters word "read-only" differently (numpy a ValueError, bytes a
                // BufferError): when a read-only request succeeds, say so plainly.
                if let Ok(ro) = Held::get(obj, ffi::PyBUF_FULL_RO) {
                    if ro.readonly {
                        return Err(read_only(obj));
                    }
                }
                return Err(e);
            }
        };
        if held.readonly {
            return Err(read_only(obj));
        }
        let mut held = held;
        held.view_mut().map_err(crate::to_pyerr)?;
        let claim =
            Claim::new(obj.py(), &held.view, true, "a writable buffer").map_err(crate::to_pyerr)?;
        Ok(BufferMut {
            held,
            _claim: claim,
        })
    }

    /// The buffer as a read-only view.
    pub fn view(&self) -> ArrayView<'_> {
        self.held.view()
    }

    /// The buffer as a writable view.
    pub fn view_mut(&mut self) -> ArrayViewMut<'_> {
        self.held
            .view_mut()
            .expect("a writable buffer's description is validated when it is borrowed")
    }

    /// The format string as the exporter gave it (`"B"` when it gave none).
    pub fn format(&self) -> &CStr {
        self.held.format()
    }
}

impl ArrayProducer for BufferMut {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        Ok(self.held.view())
    }
}

impl ArrayProducerMut for BufferMut {
    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        self.held.view_mut()
    }
}

fn read_only(obj: &Bound<'_, PyAny>) -> PyErr {
    let name = obj
        .get_type()
        .name()
        .map_or_else(|_| "the object".to_string(), |n| n.to_string());
    PyBufferError::new_err(format!(
        "{name} is read-only: a writable array is needed (for a numpy array, a writeable one: a.flags.writeable)"
    ))
}

impl<'a, 'py> FromPyObject<'a, 'py> for Buffer {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Buffer> {
        Buffer::get(&obj)
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for BufferMut {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<BufferMut> {
        BufferMut::get(&obj)
    }
}
