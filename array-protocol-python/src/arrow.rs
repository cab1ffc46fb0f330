//! The Arrow PyCapsule interface: capsules of exported `ArrowSchema` / `ArrowArray` /
//! `ArrowArrayStream` structures for `PyArray`, and imports from any object with
//! `__arrow_c_array__` or `__arrow_c_stream__`.

use std::boxed::Box;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::format;
use std::prelude::rust_2021::*;
use std::sync::Arc;

use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

use array_protocol::arrow::{
    export, ArrowArray, ArrowArrayStream, ArrowDeviceArray, ArrowDeviceArrayStream, ArrowImport,
    ArrowSchema, ExportOptions,
};
use array_protocol::{ArrayProducer, ArrayView, Error};

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";
const STREAM: &CStr = c"arrow_array_stream";
const DEVICE_ARRAY: &CStr = c"arrow_device_array";
const DEVICE_STREAM: &CStr = c"arrow_device_array_stream";

/// The exported memory, kept alive (and the owner unchanged) by `keep` while any Arrow structure
/// of the export lives.
pub(super) struct Kept<K> {
    _keep: Arc<K>,
    /// Re-borrowed only for the life of a `&Kept`: the memory lives while `keep` does.
    pub(super) view: ArrayView<'static>,
}

impl<K: Send + Sync + 'static> ArrayProducer for Kept<K> {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        Ok(self.view.clone())
    }
}

/// Exports for a stream, made again for each request (`get_schema`, `get_next`) from the kept
/// view.
pub(super) struct Source<K> {
    pub(super) keep: Arc<K>,
    pub(super) view: ArrayView<'static>,
    pub(super) options: ExportOptions,
}

impl<K: Send + Sync + 'static> Source<K> {
    pub(super) fn export(&self) -> Result<(ArrowSchema, ArrowArray), Error> {
        export(
            Kept {
                _keep: self.keep.clone(),
                view: self.view.clone(),
            },
            &self.options,
        )
    }
}

macro_rules! destructor {
    ($name:ident, $ty:ty, $capsule_name:expr) => {
        unsafe extern "C" fn $name(capsule: *mut ffi::PyObject) {
            // SAFETY: called by Python with the capsule being destroyed; a capsule of this
            // name holds a box of the structure, made by `capsule`.
            let pointer = unsafe { ffi::PyCapsule_GetPointer(capsule, $capsule_name.as_ptr()) };
            if pointer.is_null() {
                // SAFETY: clears the error `PyCapsule_GetPointer` set; nothing to free.
                unsafe { ffi::PyErr_Clear() };
                return;
            }
            // SAFETY: the box leaked by `capsule`, freed once here; dropping the structure
            // calls its `release` unless a consumer moved it out (which sets `release` NULL).
            drop(unsafe { Box::from_raw(pointer.cast::<$ty>()) });
        }
    };
}

destructor!(destroy_schema, ArrowSchema, SCHEMA);
destructor!(destroy_array, ArrowArray, ARRAY);
destructor!(destroy_stream, ArrowArrayStream, STREAM);
destructor!(destroy_device_array, ArrowDeviceArray, DEVICE_ARRAY);
destructor!(destroy_device_stream, ArrowDeviceArrayStream, DEVICE_STREAM);

/// A capsule owning `value` (a box of it), released and freed by its destructor.
fn capsule<'py, T>(
    py: Python<'py>,
    value: T,
    name: &'static CStr,
    destructor: unsafe extern "C" fn(*mut ffi::PyObject),
) -> PyResult<Bound<'py, PyAny>> {
    let pointer = Box::into_raw(Box::new(value));
    // SAFETY: a non-NULL pointer, a static name, a destructor that frees exactly this box.
    let raw = unsafe { ffi::PyCapsule_New(pointer.cast(), name.as_ptr(), Some(destructor)) };
    if raw.is_null() {
        // SAFETY: the capsule was not made: the box is still ours, freed once.
        drop(unsafe { Box::from_raw(pointer) });
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference we own.
    Ok(unsafe { Bound::from_owned_ptr(py, raw) })
}

/// `(schema, array)` capsules of an export.
pub(super) fn array_capsules<'py>(
    py: Python<'py>,
    (schema, array): (ArrowSchema, ArrowArray),
) -> PyResult<Bound<'py, PyTuple>> {
    let schema = capsule(py, schema, SCHEMA, destroy_schema)?;
    let array = capsule(py, array, ARRAY, destroy_array)?;
    PyTuple::new(py, [schema, array])
}

/// `(schema, device array)` capsules of an export, on the CPU.
pub(super) fn device_array_capsules<'py>(
    py: Python<'py>,
    (schema, array): (ArrowSchema, ArrowArray),
) -> PyResult<Bound<'py, PyTuple>> {
    device_capsules(py, (schema, ArrowDeviceArray::cpu(array)))
}

/// `(schema, device array)` capsules of a device export.
pub(super) fn device_capsules<'py>(
    py: Python<'py>,
    (schema, array): (ArrowSchema, ArrowDeviceArray),
) -> PyResult<Bound<'py, PyTuple>> {
    let schema = capsule(py, schema, SCHEMA, destroy_schema)?;
    let array = capsule(py, array, DEVICE_ARRAY, destroy_device_array)?;
    PyTuple::new(py, [schema, array])
}

/// Refuses keyword arguments of the device interface that are not `None` (none is defined
/// yet; the interface asks consumers to pass new ones only when set).
pub(super) fn check_device_kwargs(
    method: &str,
    kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
) -> PyResult<()> {
    let Some(kwargs) = kwargs else { return Ok(()) };
    let set: Vec<String> = kwargs
        .iter()
        .filter(|(_, v)| !v.is_none())
        .map(|(k, _)| k.to_string())
        .collect();
    if set.is_empty() {
        Ok(())
    } else {
        Err(pyo3::exceptions::PyNotImplementedError::new_err(format!(
            "{method} received keyword arguments it does not support: {}",
            set.join(", ")
        )))
    }
}

/// The schema capsule of an export (its array released at once).
pub(super) fn schema_capsule(
    py: Python<'_>,
    (schema, _array): (ArrowSchema, ArrowArray),
) -> PyResult<Bound<'_, PyAny>> {
    capsule(py, schema, SCHEMA, destroy_schema)
}

/// What a stream hands out: one array, then the end.
struct StreamState {
    make: Make,
    sent: bool,
    last_error: CString,
}

/// The state of a stream made by `stream_capsule` or `device_stream_capsule`, from its
/// private data.
///
/// # Safety
/// `private` is the private data of such a stream, live (not released), used by one thread at
/// a time (the stream interface's rule).
unsafe fn state<'s>(private: *mut c_void) -> &'s mut StreamState {
    // SAFETY: the state box the capsule function leaked, freed only by the stream's release.
    unsafe { &mut *private.cast::<StreamState>() }
}

fn fail(state: &mut StreamState, e: &Error) -> c_int {
    state.last_error = CString::new(e.to_string().replace('\0', " ")).unwrap_or_default();
    // EINVAL: the array cannot be exported (the same refusal `__arrow_c_array__` raises).
    22
}

/// The four callbacks of a stream of `$stream` handing out `$out`s (`$wrap` makes one of an
/// exported array).
macro_rules! stream_callbacks {
    ($stream:ty, $out:ty, $wrap:expr, $get_schema:ident, $get_next:ident, $last_error:ident, $release:ident) => {
        unsafe extern "C" fn $get_schema(stream: *mut $stream, out: *mut ArrowSchema) -> c_int {
            // SAFETY: the consumer calls this on our live stream.
            let state = unsafe { state((*stream).private_data) };
            match (state.make)() {
                Ok((schema, _array)) => {
                    // SAFETY: `out` is the consumer's released structure to fill; moving ours
                    // there hands the release over (the moved-from value is not dropped).
                    unsafe { out.write(schema) };
                    0
                }
                Err(e) => fail(state, &e),
            }
        }

        unsafe extern "C" fn $get_next(stream: *mut $stream, out: *mut $out) -> c_int {
            // SAFETY: as in the schema callback.
            let state = unsafe { state((*stream).private_data) };
            if state.sent {
                // SAFETY: the end of the stream: a released array.
                unsafe { out.write(<$out>::released()) };
                return 0;
            }
            match (state.make)() {
                Ok((_schema, array)) => {
                    state.sent = true;
                    // SAFETY: as in the schema callback.
                    unsafe { out.write($wrap(array)) };
                    0
                }
                Err(e) => fail(state, &e),
            }
        }

        unsafe extern "C" fn $last_error(stream: *mut $stream) -> *const c_char {
            // SAFETY: as in the schema callback.
            let state = unsafe { state((*stream).private_data) };
            if state.last_error.is_empty() {
                std::ptr::null()
            } else {
                state.last_error.as_ptr()
            }
        }

        unsafe extern "C" fn $release(stream: *mut $stream) {
            // SAFETY: a live stream made by the capsule function, released once: `release` is
            // cleared.
            let stream = unsafe { &mut *stream };
            if !stream.private_data.is_null() {
                // SAFETY: the state box leaked by the capsule function, freed once.
                drop(unsafe { Box::from_raw(stream.private_data.cast::<StreamState>()) });
                stream.private_data = std::ptr::null_mut();
            }
            stream.release = None;
        }
    };
}

stream_callbacks!(
    ArrowArrayStream,
    ArrowArray,
    |a| a,
    stream_get_schema,
    stream_get_next,
    stream_get_last_error,
    stream_release
);
stream_callbacks!(
    ArrowDeviceArrayStream,
    ArrowDeviceArray,
    ArrowDeviceArray::cpu,
    device_stream_get_schema,
    device_stream_get_next,
    device_stream_get_last_error,
    device_stream_release
);

type Make = Box<dyn Fn() -> Result<(ArrowSchema, ArrowArray), Error> + Send>;

/// The state of a stream handing out `make()`'s array once, refused now if it could not.
fn stream_state(make: Make) -> PyResult<*mut c_void> {
    make().map_err(arrow_error)?;
    let state = Box::new(StreamState {
        make,
        sent: false,
        last_error: CString::default(),
    });
    Ok(Box::into_raw(state).cast::<c_void>())
}

/// A stream capsule handing out `make()`'s array once.
pub(super) fn stream_capsule(py: Python<'_>, make: Make) -> PyResult<Bound<'_, PyAny>> {
    let stream = ArrowArrayStream {
        get_schema: Some(stream_get_schema),
        get_next: Some(stream_get_next),
        get_last_error: Some(stream_get_last_error),
        release: Some(stream_release),
        private_data: stream_state(make)?,
    };
    capsule(py, stream, STREAM, destroy_stream)
}

/// A device stream capsule (on the CPU) handing out `make()`'s array once.
pub(super) fn device_stream_capsule(py: Python<'_>, make: Make) -> PyResult<Bound<'_, PyAny>> {
    let stream = ArrowDeviceArrayStream {
        device_type: array_protocol::arrow::ARROW_DEVICE_CPU,
        get_schema: Some(device_stream_get_schema),
        get_next: Some(device_stream_get_next),
        get_last_error: Some(device_stream_get_last_error),
        release: Some(device_stream_release),
        private_data: stream_state(make)?,
    };
    capsule(py, stream, DEVICE_STREAM, destroy_device_stream)
}

/// An array Arrow cannot carry: a `BufferError`, as for DLPack.
pub(super) fn arrow_error(e: Error) -> PyErr {
    PyBufferError::new_err(e.to_string())
}

/// The pointer of a capsule named `name`, or a `TypeError` naming what was found.
fn pointer<T>(capsule: &Bound<'_, PyAny>, name: &CStr, method: &str) -> PyResult<*mut T> {
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err(format!("{method} did not return a capsule")))?;
    // SAFETY: a live capsule; the name check is `PyCapsule_GetPointer`'s own.
    let p = unsafe { ffi::PyCapsule_GetPointer(capsule.as_ptr(), name.as_ptr()) };
    if p.is_null() {
        return Err(PyErr::take(capsule.py()).unwrap_or_else(|| {
            PyValueError::new_err(format!("{method} returned a NULL {name:?} capsule"))
        }));
    }
    Ok(p.cast())
}

/// Whether `obj` offers one Arrow array (`__arrow_c_device_array__` or `__arrow_c_array__`).
pub(super) fn has_array(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.hasattr("__arrow_c_device_array__")? || obj.hasattr("__arrow_c_array__")?)
}

/// Whether `obj` offers an Arrow stream (`__arrow_c_device_stream__` or `__arrow_c_stream__`).
pub(super) fn has_stream(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.hasattr("__arrow_c_device_stream__")? || obj.hasattr("__arrow_c_stream__")?)
}

/// Takes over the array of `obj.__arrow_c_device_array__()` (on any device) or
/// `obj.__arrow_c_array__()`.
pub(super) fn import_array(obj: &Bound<'_, PyAny>) -> PyResult<ArrowImport> {
    let device = obj.hasattr("__arrow_c_device_array__")?;
    let method = if device {
        "__arrow_c_device_array__"
    } else {
        "__arrow_c_array__"
    };
    let pair = obj.call_method0(method)?;
    let (schema, array): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract().map_err(|_| {
        PyTypeError::new_err(format!("{method} did not return a (schema, array) pair"))
    })?;
    let schema: *mut ArrowSchema = pointer(&schema, SCHEMA, method)?;
    if device {
        let array: *mut ArrowDeviceArray = pointer(&array, DEVICE_ARRAY, method)?;
        // SAFETY: the capsules hold a live schema and device array of the exporter's, which the
        // capsules keep while they live (`schema`, `array` above); the import moves the array
        // out (marking the capsule's copy released, so its destructor only frees the box) and
        // borrows the schema for this call.
        return unsafe { ArrowImport::from_device_raw(array, schema) }.map_err(crate::to_pyerr);
    }
    let array: *mut ArrowArray = pointer(&array, ARRAY, method)?;
    // SAFETY: as above, for a plain array.
    unsafe { ArrowImport::from_raw(array, schema) }.map_err(crate::to_pyerr)
}

/// Takes over every chunk of `obj.__arrow_c_device_stream__()` or `obj.__arrow_c_stream__()`:
/// the non-empty ones, in order, each in place.
pub(super) fn import_stream(obj: &Bound<'_, PyAny>) -> PyResult<Vec<ArrowImport>> {
    if obj.hasattr("__arrow_c_device_stream__")? {
        let method = "__arrow_c_device_stream__";
        let capsule = obj.call_method0(method)?;
        let stream: *mut ArrowDeviceArrayStream = pointer(&capsule, DEVICE_STREAM, method)?;
        // SAFETY: a live stream held by `capsule` (whose destructor releases it) for this call,
        // used by this thread only.
        return unsafe { array_protocol::arrow::import_device_stream(stream) }
            .map_err(crate::to_pyerr);
    }
    let method = "__arrow_c_stream__";
    let capsule = obj.call_method0(method)?;
    let stream: *mut ArrowArrayStream = pointer(&capsule, STREAM, method)?;
    // SAFETY: as above.
    unsafe { array_protocol::arrow::import_stream(stream) }.map_err(crate::to_pyerr)
}

/// Takes over `obj`'s one Arrow array, or the only non-empty chunk of its stream.
pub(super) fn import(obj: &Bound<'_, PyAny>) -> PyResult<ArrowImport> {
    if has_array(obj)? {
        return import_array(obj);
    }
    let mut chunks = import_stream(obj)?;
    match chunks.len() {
        1 => Ok(chunks.remove(0)),
        0 => Err(PyValueError::new_err(
            "the Arrow stream has no non-empty array, so no shape to import (import_chunks gives its chunks: none)",
        )),
        n => Err(PyBufferError::new_err(format!(
            "the Arrow stream has {n} non-empty chunks, which are not one strided array: import_chunks gives one view per chunk, in place (array_protocol_python::import_chunks, or a TypedChunks argument); combining them (pyarrow: chunked_array.combine_chunks()) copies"
        ))),
    }
}
