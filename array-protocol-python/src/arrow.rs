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
    export, ArrowArray, ArrowArrayStream, ArrowImport, ArrowSchema, ExportOptions,
};
use array_protocol::{ArrayProducer, ArrayView, Error};

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";
const STREAM: &CStr = c"arrow_array_stream";

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

/// The schema capsule of an export (its array released at once).
pub(super) fn schema_capsule(
    py: Python<'_>,
    (schema, _array): (ArrowSchema, ArrowArray),
) -> PyResult<Bound<'_, PyAny>> {
    capsule(py, schema, SCHEMA, destroy_schema)
}

/// What a stream hands out: one array, then the end.
struct StreamState {
    make: Box<dyn Fn() -> Result<(ArrowSchema, ArrowArray), Error> + Send>,
    sent: bool,
    last_error: CString,
}

/// The state of a stream made by `stream_capsule`.
///
/// # Safety
/// `stream` is such a stream, live (not released), used by one thread at a time (the stream
/// interface's rule).
unsafe fn state<'s>(stream: *mut ArrowArrayStream) -> &'s mut StreamState {
    // SAFETY: the caller's contract: a live stream of ours.
    let private = unsafe { (*stream).private_data };
    // SAFETY: its private data is the state box `stream_capsule` leaked, freed only by
    // `stream_release`.
    unsafe { &mut *private.cast::<StreamState>() }
}

unsafe extern "C" fn stream_get_schema(
    stream: *mut ArrowArrayStream,
    out: *mut ArrowSchema,
) -> c_int {
    // SAFETY: the consumer calls this on our live stream.
    let state = unsafe { state(stream) };
    match (state.make)() {
        Ok((schema, _array)) => {
            // SAFETY: `out` is the consumer's released structure to fill; moving ours there
            // hands the release over (the moved-from value is forgotten, not dropped).
            unsafe { out.write(schema) };
            0
        }
        Err(e) => fail(state, &e),
    }
}

unsafe extern "C" fn stream_get_next(stream: *mut ArrowArrayStream, out: *mut ArrowArray) -> c_int {
    // SAFETY: as in `stream_get_schema`.
    let state = unsafe { state(stream) };
    if state.sent {
        // SAFETY: the end of the stream: a released array.
        unsafe { out.write(ArrowArray::released()) };
        return 0;
    }
    match (state.make)() {
        Ok((_schema, array)) => {
            state.sent = true;
            // SAFETY: as in `stream_get_schema`.
            unsafe { out.write(array) };
            0
        }
        Err(e) => fail(state, &e),
    }
}

fn fail(state: &mut StreamState, e: &Error) -> c_int {
    state.last_error = CString::new(e.to_string().replace('\0', " ")).unwrap_or_default();
    // EINVAL: the array cannot be exported (the same refusal `__arrow_c_array__` raises).
    22
}

unsafe extern "C" fn stream_get_last_error(stream: *mut ArrowArrayStream) -> *const c_char {
    // SAFETY: as in `stream_get_schema`.
    let state = unsafe { state(stream) };
    if state.last_error.is_empty() {
        std::ptr::null()
    } else {
        state.last_error.as_ptr()
    }
}

unsafe extern "C" fn stream_release(stream: *mut ArrowArrayStream) {
    // SAFETY: a live stream made by `stream_capsule`, released once: `release` is cleared.
    let stream = unsafe { &mut *stream };
    if !stream.private_data.is_null() {
        // SAFETY: the state box leaked by `stream_capsule`, freed once.
        drop(unsafe { Box::from_raw(stream.private_data.cast::<StreamState>()) });
        stream.private_data = std::ptr::null_mut();
    }
    stream.release = None;
}

/// A stream capsule handing out `make()`'s array once.
pub(super) fn stream_capsule(
    py: Python<'_>,
    make: Box<dyn Fn() -> Result<(ArrowSchema, ArrowArray), Error> + Send>,
) -> PyResult<Bound<'_, PyAny>> {
    // Refuse now what the stream could not hand out.
    make().map_err(arrow_error)?;
    let state = Box::new(StreamState {
        make,
        sent: false,
        last_error: CString::default(),
    });
    let stream = ArrowArrayStream {
        get_schema: Some(stream_get_schema),
        get_next: Some(stream_get_next),
        get_last_error: Some(stream_get_last_error),
        release: Some(stream_release),
        private_data: Box::into_raw(state).cast::<c_void>(),
    };
    capsule(py, stream, STREAM, destroy_stream)
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

/// Takes over the array of `obj.__arrow_c_array__()`, or the only non-empty chunk of
/// `obj.__arrow_c_stream__()`.
pub(super) fn import(obj: &Bound<'_, PyAny>) -> PyResult<ArrowImport> {
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let (schema, array): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
            pair.extract().map_err(|_| {
                PyTypeError::new_err("__arrow_c_array__ did not return a (schema, array) pair")
            })?;
        let schema: *mut ArrowSchema = pointer(&schema, SCHEMA, "__arrow_c_array__")?;
        let array: *mut ArrowArray = pointer(&array, ARRAY, "__arrow_c_array__")?;
        // SAFETY: the capsules hold a live schema and array of the exporter's, which the
        // capsules keep while they live (`schema`, `array` above); the import moves the array
        // out (marking the capsule's copy released, so its destructor only frees the box) and
        // borrows the schema for this call.
        return unsafe { ArrowImport::from_raw(array, schema) }.map_err(crate::to_pyerr);
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let stream: *mut ArrowArrayStream = pointer(&capsule, STREAM, "__arrow_c_stream__")?;
    // SAFETY: a live stream held by `capsule` (whose destructor releases it) for this call.
    let stream = unsafe { &mut *stream };
    let mut schema = ArrowSchema::released();
    let get_schema = stream
        .get_schema
        .ok_or_else(|| PyValueError::new_err("the Arrow stream has no get_schema"))?;
    // SAFETY: the stream interface's call: the stream and a released schema of ours to fill.
    let code = unsafe { get_schema(stream, &mut schema) };
    if code != 0 {
        return Err(stream_error(stream, code, "get_schema"));
    }
    let get_next = stream
        .get_next
        .ok_or_else(|| PyValueError::new_err("the Arrow stream has no get_next"))?;
    let mut chunks = Vec::new();
    loop {
        let mut chunk = ArrowArray::released();
        // SAFETY: as for `get_schema`, with a released array of ours.
        let code = unsafe { get_next(stream, &mut chunk) };
        if code != 0 {
            return Err(stream_error(stream, code, "get_next"));
        }
        if chunk.is_released() {
            break;
        }
        chunks.push(chunk);
    }
    let total = chunks.len();
    let mut non_empty: Vec<ArrowArray> = chunks.into_iter().filter(|c| c.length != 0).collect();
    let chunk = match (non_empty.len(), total) {
        (1, _) => non_empty.remove(0),
        (0, 0) => {
            return Err(PyValueError::new_err(
                "the Arrow stream has no arrays, so no shape",
            ))
        }
        (0, _) => {
            return Err(PyValueError::new_err(
                "every array of the Arrow stream is empty; import one array with __arrow_c_array__",
            ))
        }
        (n, _) => {
            return Err(PyBufferError::new_err(format!(
                "the Arrow stream has {n} non-empty chunks, which are not one strided array; combine them first (pyarrow: chunked_array.combine_chunks())"
            )))
        }
    };
    // SAFETY: an array the stream handed us (ours to release) and the schema describing it.
    unsafe { ArrowImport::from_parts(chunk, &schema) }.map_err(crate::to_pyerr)
}

/// A stream callback's failure, with the stream's own message.
fn stream_error(stream: &mut ArrowArrayStream, code: c_int, what: &str) -> PyErr {
    let message = match stream.get_last_error {
        Some(f) => {
            // SAFETY: the stream interface's call on a live stream.
            let p = unsafe { f(stream) };
            if p.is_null() {
                String::new()
            } else {
                // SAFETY: a NUL-terminated string the stream keeps until its next call.
                unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
            }
        }
        None => String::new(),
    };
    PyBufferError::new_err(format!(
        "the Arrow stream's {what} failed (error {code}): {message}"
    ))
}
