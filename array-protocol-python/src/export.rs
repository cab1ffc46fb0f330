//! Exports: one Python object speaking the buffer protocol, `__array_interface__` and DLPack.

use std::format;
use std::prelude::rust_2021::*;

use std::any::Any;
use std::cell::UnsafeCell;
use std::ffi::{c_int, c_void, CString};
use std::sync::Arc;

use pyo3::exceptions::{PyBufferError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::{intern, Borrowed};

mod arrow_out;
mod dlpack_out;
mod inspect;
mod interface;
mod owner;

pub use arrow_out::ArrowExport;
use arrow_out::*;
use dlpack_out::*;
use interface::*;
use owner::*;

use super::exports::{Exports, Held, Hold};
use super::{arrow, Buffer, BufferMut, Imported};
use array_protocol::dlpack::{self, DLPACK_FLAG_BITMASK_READ_ONLY};
use array_protocol::item::numpy::{Descr, DescrFormat};
use array_protocol::{
    ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, Error, ErrorKind, Order,
};

/// A Rust-owned array as a Python object: `memoryview(x)`, `np.asarray(x)`, `np.from_dlpack(x)`,
/// `PIL.Image.fromarray(x)` all read its memory in place.
///
/// Every route out counts as an export while its consumer holds the memory: buffers until
/// released, DLPack tensors and Arrow arrays until deleted, and `__array_interface__` through
/// its `data` entry, a buffer object (`RustArrayMemory`) that holds an export for as long as it
/// lives (numpy keeps a reference to it in the array's `base`). While any export is alive the
/// owner cannot change ([`with_owner_mut`](Self::with_owner_mut), `resize`: a `BufferError`).
///
/// Thread safety, free-threaded CPython included: the class is frozen (no PyO3 borrow flag);
/// exports and changes exclude each other through one atomic word, so an export racing a
/// change of the owner on another thread either succeeds or raises `BufferError`, and every
/// release is counted. What consumers do with the memory they hold (two threads writing the
/// same elements through numpy) is theirs to synchronise, as with numpy's own arrays.
#[pyclass(name = "RustArray", module = "array_protocol", frozen)]
pub struct PyArray {
    /// The owner and its description: read while an export is counted, written only under the
    /// change lock (see [`exports`](super::exports)).
    state: UnsafeCell<State>,
    /// Live exports, and the lock a change of the owner takes.
    exports: Exports,
    /// What `resize(n)` does, for owners that can grow and shrink.
    resize: Option<Resize>,
    /// The names of the inner axes, for Arrow's `arrow.fixed_shape_tensor`.
    dim_names: Option<Vec<String>>,
}

// SAFETY: `state` is read only while an export is counted and written only while the change
// lock is held, which exclude each other (`exports`' rules 1 and 2), from whatever thread; every
// other field is `Sync`.
unsafe impl Sync for PyArray {}

struct State {
    owner: Box<dyn Owner>,
    /// The owner's description, as buffer requests are answered; an error when the owner,
    /// once changed, cannot be described (exports then refuse with it).
    meta: Result<Meta, Error>,
}

impl State {
    fn meta(&self) -> PyResult<&Meta> {
        self.meta.as_ref().map_err(|e| crate::to_pyerr(e.clone()))
    }
}

type Resize = Box<dyn Fn(&mut dyn Any, usize) -> Result<(), Error> + Send + Sync>;

impl PyArray {
    /// A read-only export of `owner`.
    pub fn new<P: ArrayProducer + Send + Sync + 'static>(owner: P) -> Result<PyArray, Error> {
        PyArray::with_owner(Box::new(ReadOnly(owner)))
    }

    fn with_owner(mut owner: Box<dyn Owner>) -> Result<PyArray, Error> {
        let meta = Meta::of(&mut *owner)?;
        let dim_names = inner_names(owner.axis_names(), meta.shape.len());
        Ok(PyArray {
            state: UnsafeCell::new(State {
                owner,
                meta: Ok(meta),
            }),
            exports: Exports::new(),
            resize: None,
            dim_names,
        })
    }

    /// The owner and its description, unchanged while `held` lives.
    fn state<'a>(&'a self, held: &'a Held<'_>) -> &'a State {
        let _ = held;
        // SAFETY: `held` is a counted export of this array (every `Held` passed here comes from
        // `self.exports`), so no change lock exists until it drops (`exports`' rules 1 and 2):
        // nothing writes `state` while the returned reference lives.
        unsafe { &*self.state.get() }
    }

    /// Changes the owner with `change` under the change lock, then describes it again; a
    /// `BufferError` while exports are alive or another change is under way.
    fn change<R>(
        &self,
        what: &str,
        change: impl FnOnce(&mut dyn Owner) -> PyResult<R>,
    ) -> PyResult<R> {
        let lock = self.exports.change(what)?;
        // SAFETY: the change lock is held (`lock`, dropped after the last use of `state`): no
        // export is counted and none can start (`exports`' rule 2), so nothing else reads or
        // writes `state` meanwhile.
        let state = unsafe { &mut *self.state.get() };
        // Described again below; until then (and for good, should `change` panic) exports
        // refuse rather than hand out the old description.
        state.meta = Err(Error::new(
            ErrorKind::Unsupported,
            "the array's owner was changed and could not be described again",
        ));
        let result = change(&mut *state.owner);
        state.meta = Meta::of(&mut *state.owner);
        let described = state.meta().map(drop);
        drop(lock);
        let result = result?;
        described?;
        Ok(result)
    }

    /// A writable export of `owner`: Python may write through buffers and DLPack tensors.
    pub fn new_mut<P: ArrayProducerMut + Send + Sync + 'static>(
        owner: P,
    ) -> Result<PyArray, Error> {
        PyArray::with_owner(Box::new(Writable(owner)))
    }

    /// A writable export of a `Vec` that Python can also resize with `resize(n)` (new elements
    /// are `T::default()`), refused with a `BufferError` while exports are alive, as
    /// `bytearray` refuses.
    pub fn resizable<T>(owner: Vec<T>) -> Result<PyArray, Error>
    where
        T: array_protocol::Element + Default + Send + Sync,
    {
        let mut array = PyArray::new_mut(owner)?;
        array.resize = Some(Box::new(|owner: &mut dyn Any, n: usize| {
            let Some(v) = owner.downcast_mut::<Vec<T>>() else {
                return Ok(());
            };
            // Refused before anything changes, rather than aborting on a failed allocation.
            v.try_reserve(n.saturating_sub(v.len())).map_err(|e| {
                Error::new(
                    ErrorKind::OutOfMemory,
                    format!(
                        "cannot resize the array to {n} elements of {} bytes: {e}",
                        std::mem::size_of::<T>()
                    ),
                )
            })?;
            v.resize(n, T::default());
            Ok(())
        }));
        Ok(array)
    }

    /// Runs `f` on the owner (of type `T`), unless exports of its memory are alive or another
    /// change is under way (on another thread): then a `BufferError`, since changing the owner
    /// could move or free memory Python still reads. Exports attempted while `f` runs (from
    /// Python code it calls, or other threads) are refused with a `BufferError`.
    pub fn with_owner_mut<T: 'static, R>(&self, f: impl FnOnce(&mut T) -> R) -> PyResult<R> {
        self.change("change", |owner| {
            let owner = owner.as_any_mut().downcast_mut::<T>().ok_or_else(|| {
                PyValueError::new_err("the array's owner is not of the requested type")
            })?;
            Ok(f(owner))
        })
    }

    /// The number of live exports: buffers, DLPack tensors, Arrow arrays and
    /// `__array_interface__` data objects.
    pub fn live_exports(&self) -> usize {
        self.exports.live()
    }

    /// The versioned tensor `__dlpack__(max_version=(1, 3), copy=copy)` hands out, owned by the
    /// caller: the array's memory (read-only flag set unless it may be written), or with
    /// `copy=True` a copy (`IS_COPIED`).
    pub(super) fn dlpack_tensor(
        slf: &Bound<'_, Self>,
        copy: Option<bool>,
    ) -> PyResult<*mut dlpack::DLManagedTensorVersioned> {
        let this = slf.get();
        let held = this.exports.hold()?;
        PyArray::dlpack_tensor_of(slf, &held, this.state(&held), copy)
    }

    /// As [`dlpack_tensor`](Self::dlpack_tensor), with an export of `slf` counted by `held`
    /// and its `state` read already.
    fn dlpack_tensor_of(
        slf: &Bound<'_, Self>,
        held: &Held<'_>,
        state: &State,
        copy: Option<bool>,
    ) -> PyResult<*mut dlpack::DLManagedTensorVersioned> {
        if copy == Some(true) {
            let copy = state
                .owner
                .view()
                .and_then(|v| v.to_contiguous(Order::C))
                .map_err(crate::to_pyerr)?;
            return dlpack::export_copy(copy).map_err(dlpack_error);
        }
        let meta = state.meta()?;
        let description = meta.dlpack.as_ref().map_err(|e| dlpack_error(e.clone()))?;
        let flags = if meta.writable {
            0
        } else {
            DLPACK_FLAG_BITMASK_READ_ONLY
        };
        // Counted from here until the tensor is deleted: a refused export (records, strings,
        // non-native byte order…) drops `keep` and with it the count it holds.
        let keep = KeepAlive::new(slf.clone().unbind(), held.share());
        // SAFETY: `keep` holds this object and a counted export of it, so its owner and
        // description (`meta`, which the tensor's shape and strides point into) cannot change
        // until the tensor's deleter drops `keep`.
        unsafe { dlpack::export_described(keep, description, flags) }.map_err(dlpack_error)
    }

    /// The bare `DLTensor` of the exchange API's `dltensor_from_py_object_no_sync`, borrowing
    /// from `self`. Only for arrays that may be written and need no flag: a bare tensor cannot
    /// say read-only, or that FP6/FP4 items are padded.
    pub(super) fn bare_tensor(&self) -> PyResult<dlpack::DLTensor> {
        let held = self.exports.hold()?;
        let meta = self.state(&held).meta()?;
        let description = meta.dlpack.as_ref().map_err(|e| dlpack_error(e.clone()))?;
        if !meta.writable {
            return Err(PyBufferError::new_err(
                "cannot describe a read-only array as a bare DLTensor, which cannot signal read-only; take a managed tensor (managed_tensor_from_py_object_no_sync) instead",
            ));
        }
        if self.resize.is_some() {
            // A bare tensor is not counted as an export, so nothing would stop `resize` from
            // moving the memory under it.
            return Err(PyBufferError::new_err(
                "cannot describe a resizable array as a bare DLTensor, which would not keep it from being resized; take a managed tensor instead",
            ));
        }
        if description.implied_flags() != 0 {
            return Err(PyBufferError::new_err(
                "cannot describe padded FP6/FP4 items as a bare DLTensor, which cannot say they are padded; take a managed tensor instead",
            ));
        }
        description.dl_tensor().map_err(dlpack_error)
    }
}

/// What every buffer request is answered with, computed once from the owner (again only after
/// the owner changes, which happens only while no export is alive): `__getbuffer__` points
/// consumers into it and allocates nothing.
struct Meta {
    buf: *mut c_void,
    format: CString,
    shape: Vec<ffi::Py_ssize_t>,
    strides: Vec<ffi::Py_ssize_t>,
    itemsize: ffi::Py_ssize_t,
    len: ffi::Py_ssize_t,
    c: bool,
    f: bool,
    /// The owner is writable **and** its layout can be written (no zero or overlapping
    /// strides): what every export reports, whatever was requested.
    writable: bool,
    /// The owner is writable (its layout may still forbid writing).
    owner_writable: bool,
    /// What `__dlpack__` hands out, or why it cannot.
    dlpack: Result<dlpack::Description, Error>,
}

// SAFETY: `buf` points into the owner, which is `Send + Sync`; `Meta` only hands the pointer
// to consumers under the export rules of `PyArray` and never dereferences it.
unsafe impl Send for Meta {}
// SAFETY: as above; `Meta` has no interior mutability.
unsafe impl Sync for Meta {}

impl Meta {
    fn of(owner: &mut dyn Owner) -> Result<Meta, Error> {
        let (buf, writable, owner_writable) = match owner.view_mut() {
            Some(Ok(mut v)) => (v.as_mut_ptr().cast::<c_void>(), true, true),
            other => {
                let owner_writable = other.is_some();
                let buf = owner.view()?.as_ptr().cast_mut().cast::<c_void>();
                (buf, false, owner_writable)
            }
        };
        let format = original_format(owner.as_any_mut());
        let v = owner.view()?;
        let format = match format {
            Some(f) => f,
            None => CString::new(v.item().to_pep3118()).map_err(|_| {
                Error::new(ErrorKind::Unsupported, "the item type's format has a NUL")
            })?,
        };
        let ssize = |n: usize, what: &str| {
            ffi::Py_ssize_t::try_from(n).map_err(|_| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!("{what} {n} does not fit the buffer protocol's Py_ssize_t"),
                )
            })
        };
        let shape = v
            .shape()
            .iter()
            .map(|&d| ssize(d, "axis length"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Meta {
            buf,
            format,
            shape,
            strides: v.strides().to_vec(),
            itemsize: ssize(v.itemsize(), "item size")?,
            len: ssize(v.len().saturating_mul(v.itemsize()), "byte length")?,
            c: v.is_c_contiguous(),
            f: v.is_f_contiguous(),
            writable,
            owner_writable,
            dlpack: dlpack::Description::of(&v),
        })
    }
}

fn buffer_error(message: impl Into<String>) -> PyErr {
    PyBufferError::new_err(message.into())
}

#[pymethods]
impl PyArray {
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        if view.is_null() {
            return Err(buffer_error("NULL Py_buffer"));
        }
        // An exporter that fails leaves `obj` NULL (the C API's rule), whatever the caller left
        // there; it is set below on success.
        // SAFETY: `view` is the caller's Py_buffer to fill, non-NULL and writable for this call;
        // `obj` is a plain pointer field, written without reading the old value.
        unsafe { (*view).obj = std::ptr::null_mut() };
        let this = slf.get();
        // Counted from here; a refused request drops `held` and with it the count.
        let held = this.exports.hold()?;
        let m = this.state(&held).meta()?;
        if flags & ffi::PyBUF_WRITABLE != 0 && !m.writable {
            return Err(buffer_error(if !m.owner_writable {
                "the array is read-only: a writable buffer was requested"
            } else {
                "the array's elements share memory (zero or overlapping strides): a writable buffer was requested"
            }));
        }
        let contiguous_needed = |mask: c_int| flags & mask == mask;
        if contiguous_needed(ffi::PyBUF_C_CONTIGUOUS) && !m.c {
            return Err(buffer_error(
                "the array is not C-contiguous: a C-contiguous buffer was requested",
            ));
        }
        if contiguous_needed(ffi::PyBUF_F_CONTIGUOUS) && !m.f {
            return Err(buffer_error(
                "the array is not Fortran-contiguous: a Fortran-contiguous buffer was requested",
            ));
        }
        if contiguous_needed(ffi::PyBUF_ANY_CONTIGUOUS) && !(m.c || m.f) {
            return Err(buffer_error(
                "the array is not contiguous: a contiguous buffer was requested",
            ));
        }
        if flags & ffi::PyBUF_STRIDES != ffi::PyBUF_STRIDES && !m.c {
            return Err(buffer_error(
                "the array is strided but the consumer did not ask for strides (PyBUF_STRIDES)",
            ));
        }
        let nd = flags & ffi::PyBUF_ND == ffi::PyBUF_ND;
        if !nd && flags & ffi::PyBUF_FORMAT != 0 {
            // Without a shape the buffer is unsigned bytes, which a format would contradict:
            // the C API allows PyBUF_FORMAT with every request but PyBUF_SIMPLE, and
            // `memoryview` and `_testbuffer` refuse it the same way.
            return Err(buffer_error(
                "a format was requested without a shape (PyBUF_FORMAT without PyBUF_ND): a buffer without a shape is unsigned bytes and cannot carry a format",
            ));
        }
        // SAFETY: `view` is the caller's Py_buffer to fill, valid and unaliased for this call.
        let view = unsafe { &mut *view };
        // The pointers handed out point into `meta` and the owner, which stay put while the
        // export count is non-zero (`held`, kept below until `__releasebuffer__`), with `obj`
        // keeping this object alive. Consumers only read `shape` and `strides`.
        view.buf = m.buf;
        view.obj = slf.clone().into_any().into_ptr();
        view.len = m.len;
        view.readonly = c_int::from(!m.writable);
        view.itemsize = m.itemsize;
        view.format = if flags & ffi::PyBUF_FORMAT != 0 {
            m.format.as_ptr().cast_mut()
        } else {
            std::ptr::null_mut()
        };
        // What CPython's consumers rely on: without `PyBUF_ND`, one axis and no shape (as
        // `PyBuffer_FillInfo` reports, for C-contiguous data, checked above); for 0-d arrays, no
        // shape and no strides; without `PyBUF_STRIDES`, no strides.
        let ndim = m.shape.len();
        let with_shape = nd && ndim > 0;
        view.ndim = if nd { ndim as c_int } else { 1 };
        view.shape = if with_shape {
            m.shape.as_ptr().cast_mut()
        } else {
            std::ptr::null_mut()
        };
        view.strides = if with_shape && flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES {
            m.strides.as_ptr().cast_mut()
        } else {
            std::ptr::null_mut()
        };
        view.suboffsets = std::ptr::null_mut();
        view.internal = std::ptr::null_mut();
        held.keep();
        Ok(())
    }

    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {
        // Ends the export `__getbuffer__` kept counted. The class is frozen: PyO3 takes no
        // borrow here, so the release cannot be refused or skipped.
        self.exports.release();
    }

    /// NumPy's `__array_interface__`, version 3. Its `data` is a buffer object
    /// (`RustArrayMemory`) holding a counted export of the array's memory for as long as it
    /// lives, with `offset` the first element's position in it: numpy keeps that object as the
    /// array's base, so the array cannot be resized or changed under the consumer, whichever
    /// object handed the dict on.
    #[getter]
    fn __array_interface__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let this = slf.get();
        let held = this.exports.hold()?;
        let state = this.state(&held);
        let meta = state.meta()?;
        let v = state.owner.view().map_err(crate::to_pyerr)?;
        let d = PyDict::new(py);
        d.set_item("version", 3)?;
        d.set_item("shape", PyTuple::new(py, v.shape())?)?;
        d.set_item("typestr", v.item().typestr())?;
        d.set_item("descr", descr_list(py, &v.item().descr())?)?;
        if v.is_c_contiguous() {
            d.set_item("strides", py.None())?;
        } else {
            d.set_item("strides", PyTuple::new(py, v.strides())?)?;
        }
        // The bytes the elements lie in, from the pointer buffers hand out (writable where the
        // array is), back to the start of the view's memory.
        let start = meta.buf.cast::<u8>().wrapping_sub(v.offset());
        let memory = Memory::new(
            KeepAlive::new(slf.clone().unbind(), held.share()),
            start,
            v.buffer().len(),
            meta.writable,
        )?;
        d.set_item("data", Bound::new(py, memory)?)?;
        d.set_item("offset", v.offset())?;
        Ok(d)
    }

    /// DLPack: `__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)`, a
    /// method of C that CPython calls directly (see [`DLPACK_DOC`] and [`PyArray::dlpack`]).
    #[classattr]
    #[pyo3(name = "__dlpack__")]
    fn dlpack_method(py: Python<'_>) -> PyResult<Py<PyAny>> {
        super::fastcall::method(
            &py.get_type::<PyArray>(),
            c"__dlpack__",
            DLPACK_DOC,
            dlpack_fastcall,
        )
    }

    /// The Arrow PyCapsule interface: the array's Arrow type (an `arrow_schema` capsule): a
    /// primitive type for 1-D arrays of numbers, `arrow.bool8` for booleans,
    /// `arrow.fixed_shape_tensor` for N-D arrays (one row per index of the first axis).
    fn __arrow_c_schema__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        ArrowExport::new(slf.clone().unbind(), false).__arrow_c_schema__(slf.py())
    }

    /// The Arrow PyCapsule interface: `(arrow_schema, arrow_array)` capsules sharing the array's
    /// memory, kept alive (and the owner unchanged) until the consumer releases them. A
    /// `requested_schema` is not followed (the interface lets a producer ignore it): layouts
    /// Arrow cannot describe without a copy are refused with a `BufferError`.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        ArrowExport::new(slf.clone().unbind(), false).__arrow_c_array__(slf.py(), requested_schema)
    }

    /// The Arrow PyCapsule interface: an `arrow_array_stream` capsule of one array (as
    /// `__arrow_c_array__`), for consumers that read streams (DuckDB, Polars).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        ArrowExport::new(slf.clone().unbind(), false).__arrow_c_stream__(slf.py(), requested_schema)
    }

    /// The Arrow C device interface: `(arrow_schema, arrow_device_array)` capsules, the array
    /// as `__arrow_c_array__` exports it, on the CPU (`device_type` 1, `device_id` -1, no
    /// event). Keyword arguments other than `None` raise `NotImplementedError`.
    #[pyo3(signature = (requested_schema = None, **kwargs))]
    fn __arrow_c_device_array__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        ArrowExport::new(slf.clone().unbind(), false).__arrow_c_device_array__(
            slf.py(),
            requested_schema,
            kwargs,
        )
    }

    /// The Arrow C device interface: an `arrow_device_array_stream` capsule of one CPU array
    /// (as `__arrow_c_device_array__`).
    #[pyo3(signature = (requested_schema = None, **kwargs))]
    fn __arrow_c_device_stream__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        ArrowExport::new(slf.clone().unbind(), false).__arrow_c_device_stream__(
            slf.py(),
            requested_schema,
            kwargs,
        )
    }

    /// The array for Arrow consumers with options: `pa.array(x.arrow(allow_copy=True))` copies
    /// what Arrow cannot describe in place (records become struct arrays, one buffer per field)
    /// instead of refusing it.
    #[pyo3(signature = (*, allow_copy = false))]
    fn arrow(slf: &Bound<'_, Self>, allow_copy: bool) -> ArrowExport {
        ArrowExport::new(slf.clone().unbind(), allow_copy)
    }

    fn __dlpack_device__(&self) -> (i32, i32) {
        (dlpack::DL_CPU, 0)
    }

    /// DLPack 1.3's C exchange API: a `dlpack_exchange_api` capsule holding this type's function
    /// table (see [`python`](super)'s DLPack section), for consumers that take tensors without
    /// calling `__dlpack__`.
    #[classattr]
    fn __dlpack_c_exchange_api__(py: Python<'_>) -> PyResult<Py<PyAny>> {
        super::exchange::capsule(py, &ARRAY_TABLE)
    }

    /// The number of live exports: buffers, DLPack tensors, Arrow arrays and
    /// `__array_interface__` data objects.
    #[getter]
    fn exports(&self) -> usize {
        self.live_exports()
    }

    // What `memoryview(x)` says of the array, attribute by attribute, read from the current
    // description (see `inspect`): each raises `BufferError` while the array is being resized
    // on another thread, or when it cannot be described (as `memoryview(x)` does then).

    /// The length of each axis, as `memoryview(x).shape`: `()` for a 0-d array.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.described(|m| PyTuple::new(py, &m.shape))?
    }

    /// The number of axes, as `memoryview(x).ndim`.
    #[getter]
    fn ndim(&self) -> PyResult<usize> {
        self.described(Meta::ndim)
    }

    /// The step in bytes along each axis (negative for a reversed axis, 0 for a repeated
    /// element), as `memoryview(x).strides`: `()` for a 0-d array.
    #[getter]
    fn strides<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.described(|m| PyTuple::new(py, &m.strides))?
    }

    /// The size of one element in bytes, as `memoryview(x).itemsize`.
    #[getter]
    fn itemsize(&self) -> PyResult<isize> {
        self.described(|m| m.itemsize)
    }

    /// The bytes the elements would take packed (elements × itemsize), as
    /// `memoryview(x).nbytes`: not the span of memory a strided array covers.
    #[getter]
    fn nbytes(&self) -> PyResult<isize> {
        self.described(|m| m.len)
    }

    /// The element type as a PEP 3118 format string, as `memoryview(x).format` (the format
    /// buffer consumers get: a re-exported buffer keeps its exporter's spelling).
    #[getter]
    fn format(&self) -> PyResult<String> {
        self.described(Meta::format_str)
    }

    /// Whether the memory may not be written through the array, as `memoryview(x).readonly`:
    /// `True` for read-only exports and for layouts whose elements share memory (zero or
    /// overlapping strides).
    #[getter]
    fn readonly(&self) -> PyResult<bool> {
        self.described(|m| !m.writable)
    }

    /// Whether the elements lie in C order without gaps, as `memoryview(x).c_contiguous`
    /// (CPython's rules, empty arrays included).
    #[getter]
    fn c_contiguous(&self) -> PyResult<bool> {
        self.described(|m| m.memoryview_contiguous(false))
    }

    /// Whether the elements lie in Fortran order without gaps, as `memoryview(x).f_contiguous`.
    #[getter]
    fn f_contiguous(&self) -> PyResult<bool> {
        self.described(|m| m.memoryview_contiguous(true))
    }

    /// Whether the array is C- or Fortran-contiguous, as `memoryview(x).contiguous`.
    #[getter]
    fn contiguous(&self) -> PyResult<bool> {
        self.described(|m| m.memoryview_contiguous(false) || m.memoryview_contiguous(true))
    }

    /// The length of the first axis, as `len(memoryview(x))`; for a 0-d array a `TypeError`
    /// from CPython 3.12 on, 1 before, as `memoryview` on the same interpreter.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.described(|m| m.memoryview_len(py))?
    }

    /// `RustArray(shape=(2, 3), dtype=float64)`: the dtype as numpy's `str(dtype)` spells it
    /// (a record as its descr).
    fn __repr__(&self) -> String {
        self.repr()
    }

    /// Resizes the array to `n` elements (only for arrays made resizable); a `BufferError` while
    /// memoryviews, numpy arrays, DLPack tensors, Arrow arrays or `__array_interface__` data of
    /// it are alive, or while another thread resizes it; a `MemoryError` when the memory cannot
    /// be allocated.
    #[pyo3(name = "resize")]
    fn resize_py(&self, n: usize) -> PyResult<()> {
        let resize = self
            .resize
            .as_ref()
            .ok_or_else(|| PyValueError::new_err("this array cannot be resized"))?;
        self.change("resize", |owner| {
            resize(owner.as_any_mut(), n).map_err(crate::to_pyerr)
        })
    }
}

/// Keeps the exported object alive for a DLPack tensor, an Arrow array or an
/// `__array_interface__` data object, and counts the export: the [`Hold`] it keeps is one
/// counted export, ended when it drops, whatever happens to the export.
pub(super) struct KeepAlive {
    object: Option<Py<PyArray>>,
    _hold: Hold,
}

impl KeepAlive {
    pub(super) fn new(object: Py<PyArray>, hold: Hold) -> KeepAlive {
        KeepAlive {
            object: Some(object),
            _hold: hold,
        }
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        let Some(object) = self.object.take() else {
            return;
        };
        // SAFETY: a plain query of the interpreter's state.
        if unsafe { ffi::Py_IsInitialized() } == 0 {
            // At interpreter shutdown Python can no longer be used: leak the reference.
            std::mem::forget(object);
            return;
        }
        release(object);
    }
}

/// A `#[pyfunction]` return type for producers that PyO3 already converts otherwise (`Vec<T>`
/// becomes a list) or that are not this crate's to convert (ndarray arrays): returned as a
/// read-only [`PyArray`], zero-copy. Derived producers convert directly with
/// `#[array(python)]`.
///
/// ```no_run
/// use array_protocol_python::Export;
/// use pyo3::prelude::*;
///
/// #[pyfunction]
/// fn squares(n: usize) -> Export<Vec<f64>> {
///     Export((0..n).map(|k| (k * k) as f64).collect())
/// }
/// ```
pub struct Export<P>(pub P);

/// As [`Export`], writable: Python may write through the array.
pub struct ExportMut<P>(pub P);

impl<'py, P: ArrayProducer + Send + Sync + 'static> IntoPyObject<'py> for Export<P> {
    type Target = PyArray;
    type Output = Bound<'py, PyArray>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyArray>> {
        Bound::new(py, PyArray::new(self.0).map_err(crate::to_pyerr)?)
    }
}

impl<'py, P: ArrayProducerMut + Send + Sync + 'static> IntoPyObject<'py> for ExportMut<P> {
    type Target = PyArray;
    type Output = Bound<'py, PyArray>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyArray>> {
        Bound::new(py, PyArray::new_mut(self.0).map_err(crate::to_pyerr)?)
    }
}
