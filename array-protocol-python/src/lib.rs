//! Python for [array-protocol](array_protocol), with PyO3 (0.28 through 0.30): export any
//! producer to Python through the buffer protocol, `__array_interface__`, DLPack and Arrow at
//! once; import any array in place, shared or writable, with handles that outlive the call.
//!
//! Built on `array-protocol`'s public API only (its raw-parts views, [`layout::Foreign`](array_protocol::layout::Foreign),
//! the DLPack and Arrow C structures), as any downstream adapter would be.
//!
//! - Exports: [`PyArray::new`] / [`PyArray::new_mut`] wrap an owner into a Python object that
//!   numpy, Pillow, pyarrow, `memoryview` and any DLPack consumer read without copying. The owner
//!   stays alive as long as any of them holds the memory; [`PyArray::with_owner_mut`] refuses to
//!   touch the owner while buffer or DLPack exports are alive (a `BufferError`, as `bytearray`
//!   does). [`Export`] / [`ExportMut`] (and `#[array(python)]` on derived producers) make any
//!   producer a `#[pyfunction]` return type.
//! - Imports: [`Buffer::get`] (shared) and [`BufferMut::get`] (writable) borrow a
//!   buffer-protocol object; [`import`] tries the buffer protocol, DLPack and
//!   `__array_interface__` in turn; [`from_dlpack`] takes over an object with `__dlpack__` (CPU).
//!   Every handle is `'static + Send + Sync` and an [`ArrayProducer`](array_protocol::ArrayProducer), so
//!   it can be kept, read with the GIL released, and re-exported with [`PyArray::new`].
//! - `#[pyfunction]` argument types: [`TypedArray<T>`], [`TypedArrayMut<T>`], [`Copied<C>`],
//!   and the handles themselves; `TypedArray<T, Ix<N>>` and `TypedArrayMut<T, Ix<N>>` take
//!   exactly `N` axes, and their views' shapes are `[usize; N]`.
//!
//! # Example
//! Every kind of argument and return type in `#[pyfunction]`s (the README adds derived types):
//!
//! ```no_run
//! use array_protocol_python::{Buffer, Copied, Export, TypedArray, TypedArrayMut};
//! use array_protocol::{ArrayProducer, ArrayView, Error};
//! use pyo3::prelude::*;
//!
//! /// Any readable float64 array, in place; the GIL is released while it is read.
//! #[pyfunction]
//! fn sum_sqrt(py: Python<'_>, a: TypedArray<f64>) -> f64 {
//!     py.detach(|| a.view().iter().map(|x| (1.0 + x * x).sqrt()).sum())
//! }
//!
//! /// A writable float64 array, written in place.
//! #[pyfunction]
//! fn scale(mut a: TypedArrayMut<f64>, k: f64) {
//!     a.view_mut().iter_mut().for_each(|x| *x *= k);
//! }
//!
//! /// Any array of bytes, copied into a consumer (here a `Vec`).
//! #[pyfunction]
//! fn histogram(pixels: Copied<Vec<u8>>) -> Vec<usize> {
//!     let mut counts = vec![0; 256];
//!     pixels.iter().for_each(|&p| counts[usize::from(p)] += 1);
//!     counts
//! }
//!
//! /// A zero-copy channel of an image passed in, returned zero-copy.
//! struct Channel {
//!     image: Buffer,
//!     c: usize,
//! }
//!
//! impl ArrayProducer for Channel {
//!     fn try_array(&self) -> Result<ArrayView<'_>, Error> {
//!         self.image.view().index_axis(2, self.c)
//!     }
//! }
//!
//! #[pyfunction]
//! fn channel(image: Buffer, c: usize) -> Export<Channel> {
//!     Export(Channel { image, c })
//! }
//!
//! /// A Rust-owned array handed to Python without a copy.
//! #[pyfunction]
//! fn ramp(n: usize) -> Export<Vec<f64>> {
//!     Export((0..n).map(|k| k as f64).collect())
//! }
//! ```
//!
//! # Aliasing
//! Every import claims the bytes its elements touch for as long as it lives. While a writable
//! import ([`BufferMut`], [`TypedArrayMut`]) of some memory is alive, every other import of
//! overlapping memory is refused with a `BufferError` naming the conflict, and a writable import
//! is refused while a shared import of overlapping memory is alive; shared imports coexist.
//! Overlap is decided element by element: `a[::2]` and `a[1::2]` of one numpy array do not
//! overlap. So the `&mut` of [`BufferMut::view_mut`] is unique among this crate's imports;
//! Python code that writes an array while a Rust function reads it with the GIL released races
//! with it, as with any extension.
//!
//! # DLPack
//! [`PyArray`] exports DLPack 1.3 through `__dlpack__` (versioned capsules to consumers asking
//! `max_version >= (1, 0)`, the legacy one to the others, refused for read-only arrays since it
//! cannot say read-only) and through DLPack 1.3's **C exchange API**: its type's
//! `__dlpack_c_exchange_api__` is a `dlpack_exchange_api` capsule holding a
//! [`DLPackExchangeAPI`](array_protocol::dlpack::DLPackExchangeAPI) table, through which consumers such as
//! tvm-ffi take tensors with plain C calls, no capsule and no Python call.
//! [`DeviceArray`] (`DLPackTensor`) has a table too. The table's functions:
//! - `managed_tensor_from_py_object_no_sync`: the tensor `__dlpack__(max_version=(1, 3))`
//!   returns, without the capsule;
//! - `dltensor_from_py_object_no_sync` (`RustArray` only): a description borrowed from the
//!   object, for writable arrays only: a bare `DLTensor` cannot say read-only (or that FP6/FP4
//!   items are padded), so the others get a `BufferError`;
//! - `managed_tensor_to_py_object_no_sync`: a `RustArray` owning the tensor when its memory is
//!   host memory this crate can view (writable unless marked read-only), a `DLPackTensor`
//!   otherwise (device memory, packed FP6/FP4);
//! - `managed_tensor_allocator`: a new zeroed, C-contiguous, writable tensor on the CPU (other
//!   devices are refused: this crate allocates no device memory); callable without the GIL;
//! - `current_work_stream`: `NULL`, the default stream, for every device: this crate queues no
//!   work on any device.
//!
//! [`from_dlpack`] (and so [`import`] and [`DeviceArray::get`]) takes a tensor through the
//! producer's table when its type has one (looked up once per type), and through `__dlpack__`
//! otherwise or when the table refuses with a `BufferError`; [`from_dlpack_capsule`] always uses
//! `__dlpack__`. For CPU arrays `stream` must be `None`: there is nothing to synchronise.
//!
//! FP8, FP6 and FP4 arrays: see [`MiniFloat`](array_protocol::MiniFloat) for what users of `ml_dtypes`
//! can do (numpy cannot carry these types through DLPack or the buffer protocol; JAX can).
//!
//! # Errors
//! One mapping everywhere ([`to_pyerr`]): a wrong item type or byte order is a `TypeError`; a
//! wrong shape, number of axes, layout or format a `ValueError`; an exporter's refusal, memory
//! that cannot be described or an aliasing conflict a `BufferError`; a copy that cannot be
//! allocated a `MemoryError`; `TypeError` too for an object that is no array. A `#[pyfunction]`
//! returning this crate's [`Result`] uses `?` on array-protocol and PyO3 calls alike; one
//! returning `PyResult` converts with `.map_err(to_pyerr)`.

#[doc(hidden)]
pub mod __private;
mod arrow;
mod buffer;
mod claims;
mod device;
mod dim;
mod dlpack;
mod dtypes;
mod exchange;
mod export;
mod exports;
mod fastcall;
pub mod guide;
mod import;
mod interface;
mod numpy;

pub use array_protocol::{Ix, IxDyn};
pub use buffer::{Buffer, BufferMut};
pub use device::DeviceArray;
pub use dim::Dim;
pub use dlpack::{from_dlpack, from_dlpack_capsule};
pub use export::{ArrowExport, Export, ExportMut, PyArray};
pub use import::{import, import_chunks, Copied, Imported, TypedArray, TypedArrayMut, TypedChunks};

use std::prelude::rust_2021::*;

use pyo3::exceptions::{PyBufferError, PyMemoryError, PyOSError, PyTypeError, PyValueError};
use pyo3::PyErr;

use array_protocol::{Advice, ErrorKind};

/// An array-protocol error as the Python exception for its kind, with one mapping everywhere:
/// `TypeError` for a wrong item type (or byte order), `BufferError` for memory that cannot be
/// described or shared (an exporter's refusal, overlapping imports), `MemoryError` when a copy
/// cannot be allocated, `OSError` for files, `ValueError` otherwise (shape, number of axes,
/// layout, alignment, formats).
pub fn to_pyerr(e: array_protocol::Error) -> PyErr {
    let message = match e.advice() {
        Some(advice) => format!("{}; {}", e.message(), in_python_terms(advice)),
        None => e.to_string(),
    };
    match e.kind() {
        ErrorKind::ItemType | ErrorKind::ByteOrder => PyTypeError::new_err(message),
        ErrorKind::Unsupported | ErrorKind::Overlap => PyBufferError::new_err(message),
        ErrorKind::OutOfMemory => PyMemoryError::new_err(message),
        ErrorKind::Io => PyOSError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// The core's advice names Rust methods; a Python user gets the numpy way to do the same.
fn in_python_terms(advice: Advice) -> &'static str {
    match advice {
        Advice::NativeOrder => "convert the array with `a.astype(a.dtype.newbyteorder('='))` first",
        Advice::NativeOrderOrCast => {
            "convert the array with `a.astype(a.dtype.newbyteorder('='))` or `a.astype(dtype)` first"
        }
        Advice::Contiguous => "pass `np.ascontiguousarray(a)`",
        _ => advice.rust(),
    }
}

/// The error of a `#[pyfunction]` that uses `?` on array-protocol and PyO3 calls alike: either
/// kind converts into it, and it converts into the Python exception ([`to_pyerr`] for
/// array-protocol's errors). `PyResult` cannot take array-protocol's errors with `?` itself:
/// neither `PyErr` nor `array_protocol::Error` belongs to this crate.
///
/// ```
/// use array_protocol_python::{Imported, Result};
/// use pyo3::prelude::*;
///
/// #[pyfunction]
/// fn total(a: Imported) -> Result<f64> {
///     // `?` on an array-protocol call: its error becomes the Python exception for its kind.
///     let values = a.view().to_vec_native::<f64>()?;
///     Ok(values.iter().sum())
/// }
/// ```
#[derive(Debug)]
pub enum Error {
    /// An exception from Python or PyO3.
    Python(PyErr),
    /// An array-protocol error, raised as [`to_pyerr`] says.
    Array(array_protocol::Error),
}

/// A `#[pyfunction]`'s result with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Error {
        Error::Python(e)
    }
}

impl From<array_protocol::Error> for Error {
    fn from(e: array_protocol::Error) -> Error {
        Error::Array(e)
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::Python(e) => e,
            Error::Array(e) => to_pyerr(e),
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Python(e) => core::fmt::Display::fmt(e, f),
            Error::Array(e) => core::fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for Error {}
