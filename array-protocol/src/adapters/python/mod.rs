//! Python (feature `python`, PyO3): export any producer to Python through the buffer protocol,
//! `__array_interface__` and DLPack at once, and import buffer-protocol and DLPack objects.
//!
//! - [`PyArray::new`] / [`PyArray::new_mut`] wrap an owner into a Python object that numpy,
//!   Pillow, pyarrow, `memoryview` and any DLPack consumer read without copying. The owner stays
//!   alive as long as any of them holds the memory; [`PyArray::with_owner_mut`] refuses to touch
//!   the owner while buffer or DLPack exports are alive (a `BufferError`, as `bytearray` does).
//! - [`Buffer::get`] borrows any buffer-protocol object (numpy arrays of any strides and byte
//!   order, `bytes`, `bytearray`, `memoryview`, `array.array`) as an [`ArrayView`](crate::ArrayView); the format is
//!   read by this crate's parser, suboffsets are refused.
//! - [`from_dlpack`] takes over any object with `__dlpack__` (CPU only).
//!
//! Errors reach Python as `TypeError` (not an array), `ValueError` (wrong type, shape or
//! layout) or `BufferError` (an export that cannot be made, memory that cannot be described).

mod buffer;
mod claims;
mod dlpack;
mod export;
mod import;
mod interface;

pub use buffer::{Buffer, BufferMut};
pub use dlpack::from_dlpack;
pub use export::{Export, ExportMut, PyArray};
pub use import::{import, Copied, Imported, TypedArray, TypedArrayMut};

use std::prelude::rust_2021::*;

use pyo3::exceptions::{PyBufferError, PyMemoryError, PyOSError, PyTypeError, PyValueError};
use pyo3::PyErr;

use crate::{Error, ErrorKind};

/// An array-protocol error as the Python exception for its kind, so `?` works in a
/// `#[pyfunction]`, with one mapping everywhere: `TypeError` for a wrong item type (or byte
/// order), `BufferError` for memory that cannot be described or shared (an exporter's refusal,
/// overlapping imports), `MemoryError` when a copy cannot be allocated, `OSError` for files,
/// `ValueError` otherwise (shape, number of axes, layout, alignment, formats).
impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e.kind() {
            ErrorKind::ItemType | ErrorKind::ByteOrder => PyTypeError::new_err(e.to_string()),
            ErrorKind::Unsupported | ErrorKind::Overlap => PyBufferError::new_err(e.to_string()),
            ErrorKind::OutOfMemory => PyMemoryError::new_err(e.to_string()),
            ErrorKind::Io => PyOSError::new_err(e.to_string()),
            _ => PyValueError::new_err(e.to_string()),
        }
    }
}
