//! Chunked imports: every array of an `ArrowArrayStream` (or `ArrowDeviceArrayStream`), each
//! taken over in place, checked to be chunks of one array.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{c_char, c_int, CStr};

use super::device::{ArrowDeviceArray, ArrowDeviceArrayStream};
use super::{ArrowArray, ArrowArrayStream, ArrowImport, ArrowSchema};
use crate::error::{error, Error};

/// Takes over every array `stream` hands out, in order, each imported in place as
/// [`ArrowImport::from_raw`] does, and returns the non-empty ones: the chunks of one array
/// (a pyarrow `ChunkedArray`, a table column, a Polars series after a concat). A stream of a
/// one-column table (struct arrays of one child) gives that column's chunks.
///
/// The chunks share one schema, so one item type and, for tensor columns, one row shape (an
/// `arrow.variable_shape_tensor` is read one row at a time, so its chunks must be of one row
/// each). A refusal names the chunk (counted from 0 over every array of the stream, empty ones
/// included) and why; every array taken before it is released. The stream stays the caller's:
/// it is not released here.
///
/// ```
/// use array_protocol::arrow::{export, import_stream, ArrowArray, ArrowArrayStream, ArrowSchema, ExportOptions};
/// use array_protocol::ArrayProducer;
/// use core::ffi::c_int;
///
/// // A stream of two exported chunks, [0, 1, 2] and [3, 4].
/// struct Chunks(Vec<Vec<f64>>);
/// unsafe extern "C" fn get_schema(_: *mut ArrowArrayStream, out: *mut ArrowSchema) -> c_int {
///     let (schema, _) = export(vec![0.0f64], &ExportOptions::default()).unwrap();
///     // SAFETY: the consumer's released schema, to fill.
///     unsafe { out.write(schema) };
///     0
/// }
/// unsafe extern "C" fn get_next(s: *mut ArrowArrayStream, out: *mut ArrowArray) -> c_int {
///     // SAFETY: our live stream, whose private data is the chunks still to hand out.
///     let chunks = unsafe { &mut *(*s).private_data.cast::<Chunks>() };
///     let next = if chunks.0.is_empty() {
///         ArrowArray::released()
///     } else {
///         export(chunks.0.remove(0), &ExportOptions::default()).unwrap().1
///     };
///     // SAFETY: the consumer's released array, to fill.
///     unsafe { out.write(next) };
///     0
/// }
/// unsafe extern "C" fn release(s: *mut ArrowArrayStream) {
///     // SAFETY: our live stream, released once: its chunks box is freed once.
///     unsafe {
///         drop(Box::from_raw((*s).private_data.cast::<Chunks>()));
///         (*s).release = None;
///     }
/// }
/// let chunks = Box::new(Chunks(vec![vec![0.0, 1.0, 2.0], vec![], vec![3.0, 4.0]]));
/// let mut stream = ArrowArrayStream {
///     get_schema: Some(get_schema),
///     get_next: Some(get_next),
///     get_last_error: None,
///     release: Some(release),
///     private_data: Box::into_raw(chunks).cast(),
/// };
/// // SAFETY: a valid stream of ours, used by this thread only.
/// let imported = unsafe { import_stream(&mut stream) }?;
/// let lengths: Vec<usize> = imported.iter().map(|c| c.shape()[0]).collect();
/// assert_eq!(lengths, [3, 2]); // the empty chunk is skipped
/// drop(stream); // releases the stream; the chunks live on
/// assert_eq!(imported[1].array().typed::<f64>()?.iter().sum::<f64>(), 7.0);
/// # Ok::<(), array_protocol::Error>(())
/// ```
///
/// # Safety
/// `stream` is NULL or a valid, live `ArrowArrayStream` used by this thread only for the call,
/// whose schema and arrays are valid as [`ArrowImport::from_raw`] requires.
pub unsafe fn import_stream(stream: *mut ArrowArrayStream) -> Result<Vec<ArrowImport>, Error> {
    // SAFETY: the caller's contract.
    unsafe { drain(stream) }
}

/// As [`import_stream`], for an `ArrowDeviceArrayStream`: each array is taken over as
/// [`ArrowImport::from_device_raw`] does (in place on the host; described, never touched, on
/// other devices), and must be on the device type the stream names.
///
/// # Safety
/// As for [`import_stream`], with arrays valid as [`ArrowImport::from_device_raw`] requires.
pub unsafe fn import_device_stream(
    stream: *mut ArrowDeviceArrayStream,
) -> Result<Vec<ArrowImport>, Error> {
    // SAFETY: the caller's contract.
    unsafe { drain(stream) }
}

type GetSchema<S> = unsafe extern "C" fn(*mut S, *mut ArrowSchema) -> c_int;
type GetNext<S, A> = unsafe extern "C" fn(*mut S, *mut A) -> c_int;
type LastError<S> = unsafe extern "C" fn(*mut S) -> *const c_char;
type Callbacks<S, A> = (GetSchema<S>, GetNext<S, A>);

/// What the chunk loop needs of a stream structure: its callbacks, and how one of its arrays
/// is taken over.
trait Stream: Sized {
    type Array;
    const NAME: &'static str;
    fn callbacks(&self) -> Option<Callbacks<Self, Self::Array>>;
    fn last_error(&self) -> Option<LastError<Self>>;
    fn released() -> Self::Array;
    fn is_end(array: &Self::Array) -> bool;
    /// Takes `array` over (it is left released whatever the result).
    ///
    /// # Safety
    /// `array` is one the stream handed out, ours to release, described by `schema`.
    unsafe fn take(
        &self,
        array: &mut Self::Array,
        schema: &ArrowSchema,
    ) -> Result<ArrowImport, Error>;
}

impl Stream for ArrowArrayStream {
    type Array = ArrowArray;
    const NAME: &'static str = "ArrowArrayStream";
    fn callbacks(&self) -> Option<Callbacks<Self, ArrowArray>> {
        Some((self.get_schema?, self.get_next?))
    }
    fn last_error(&self) -> Option<LastError<Self>> {
        self.get_last_error
    }
    fn released() -> ArrowArray {
        ArrowArray::released()
    }
    fn is_end(array: &ArrowArray) -> bool {
        array.is_released()
    }
    unsafe fn take(
        &self,
        array: &mut ArrowArray,
        schema: &ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        // SAFETY: the caller's contract.
        unsafe { ArrowImport::from_raw(array, schema) }
    }
}

impl Stream for ArrowDeviceArrayStream {
    type Array = ArrowDeviceArray;
    const NAME: &'static str = "ArrowDeviceArrayStream";
    fn callbacks(&self) -> Option<Callbacks<Self, ArrowDeviceArray>> {
        Some((self.get_schema?, self.get_next?))
    }
    fn last_error(&self) -> Option<LastError<Self>> {
        self.get_last_error
    }
    fn released() -> ArrowDeviceArray {
        ArrowDeviceArray::released()
    }
    fn is_end(array: &ArrowDeviceArray) -> bool {
        array.is_released()
    }
    unsafe fn take(
        &self,
        array: &mut ArrowDeviceArray,
        schema: &ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        let (on, device_type) = (array.device_type, self.device_type);
        // SAFETY: the caller's contract; the import moves the array out, whatever the result.
        let import = unsafe { ArrowImport::from_device_raw(array, schema) }?;
        if on != device_type {
            return Err(error!(
                Requirement,
                "the array is on device type {on}, but the stream says its arrays are on device type {device_type}"
            ));
        }
        Ok(import)
    }
}

/// Every array of `stream`, taken over in order; the non-empty ones are returned.
///
/// # Safety
/// As for [`import_stream`].
unsafe fn drain<S: Stream>(stream: *mut S) -> Result<Vec<ArrowImport>, Error> {
    if stream.is_null() {
        return Err(error!(Requirement, "a NULL {}", S::NAME));
    }
    // SAFETY: valid per the caller.
    let s = unsafe { &*stream };
    let Some((get_schema, get_next)) = s.callbacks() else {
        return Err(error!(
            Requirement,
            "the {} has been released or lacks get_schema / get_next",
            S::NAME
        ));
    };
    let last_error = s.last_error().map(|f| (f, stream));
    let mut schema = ArrowSchema::released();
    // SAFETY: the stream interface's call on a live stream, with a released schema to fill.
    let code = unsafe { get_schema(stream, &mut schema) };
    if code != 0 {
        // SAFETY: after a failed call, as the interface allows.
        return Err(unsafe { failure(last_error, code, "get_schema") });
    }
    let mut chunks = Chunks::new();
    loop {
        let mut array = S::released();
        // SAFETY: as for `get_schema`, with a released array to fill.
        let code = unsafe { get_next(stream, &mut array) };
        if code != 0 {
            // SAFETY: as above.
            return Err(unsafe { failure(last_error, code, "get_next") });
        }
        if S::is_end(&array) {
            return Ok(chunks.imports);
        }
        // SAFETY: the live stream, read between its callbacks only.
        let s = unsafe { &*stream };
        // SAFETY: an array the stream handed us (ours to release) and its schema.
        let import = unsafe { s.take(&mut array, &schema) };
        chunks.push(import)?;
    }
}

/// The non-empty chunks taken so far, checked against the first.
struct Chunks {
    imports: Vec<ArrowImport>,
    /// Every array taken, empty ones included: the number of the next.
    taken: usize,
}

impl Chunks {
    fn new() -> Chunks {
        Chunks {
            imports: Vec::new(),
            taken: 0,
        }
    }

    fn push(&mut self, import: Result<ArrowImport, Error>) -> Result<(), Error> {
        let i = self.taken;
        self.taken += 1;
        let import = import.map_err(|e| in_chunk(i, &e))?;
        if import.shape().first() == Some(&0) {
            return Ok(());
        }
        if let Some(first) = self.imports.first() {
            // One schema gives every chunk one item type and one row shape; the device is the
            // array's own.
            if import.device() != first.device() {
                return Err(error!(
                    Requirement,
                    "chunk {i} of the Arrow stream is on device {:?}, the first chunk on {:?}: not chunks of one array",
                    import.device(),
                    first.device()
                ));
            }
        }
        self.imports.push(import);
        Ok(())
    }
}

fn in_chunk(i: usize, e: &Error) -> Error {
    let chunk = Error::new(
        e.kind(),
        format!("chunk {i} of the Arrow stream: {}", e.message()),
    );
    match e.advice() {
        Some(advice) => chunk.with_advice(advice),
        None => chunk,
    }
}

/// A stream callback's failure, with the stream's own message.
///
/// # Safety
/// `last_error`, when given, is the stream's callback and the stream, live, after a failed call.
unsafe fn failure<S>(last_error: Option<(LastError<S>, *mut S)>, code: c_int, what: &str) -> Error {
    let message = match last_error {
        Some((f, stream)) => {
            // SAFETY: the interface's call after a failure, on a live stream.
            let p = unsafe { f(stream) };
            if p.is_null() {
                String::new()
            } else {
                // SAFETY: a NUL-terminated string the stream keeps until its next call.
                let text = unsafe { CStr::from_ptr(p) }.to_string_lossy();
                format!(": {text}")
            }
        }
        None => String::new(),
    };
    error!(
        Requirement,
        "the Arrow stream's {what} failed (error {code}){message}"
    )
}
