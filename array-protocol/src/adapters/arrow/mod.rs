//! The Arrow C data interface (feature `arrow`): our own `#[repr(C)]` definitions of
//! `arrow/c/abi.h`, export of any producer as an `ArrowSchema` + `ArrowArray` pair, and import
//! of one as an array.
//!
//! ```
//! use array_protocol::arrow::{export, ArrowImport, ExportOptions};
//! use array_protocol::ArrayProducer;
//!
//! // A 2 × 3 matrix: a `arrow.fixed_shape_tensor` of two rows, each a tensor of shape [3].
//! let matrix = array_protocol::Array::zeros(
//!     <f32 as array_protocol::Element>::item_type(),
//!     &[2, 3],
//!     array_protocol::Order::C,
//! )?;
//! let (schema, mut array) = export(matrix, &ExportOptions::default())?;
//! assert_eq!(array.length, 2);
//!
//! // SAFETY: a valid array we own and the schema describing it; the import moves the array out
//! // (marking ours released) and borrows the schema.
//! let imported = unsafe { ArrowImport::from_raw(&mut array, &schema)? };
//! assert!(array.is_released());
//! assert_eq!(imported.array().shape(), [2, 3]);
//! assert_eq!(imported.extension(), Some("arrow.fixed_shape_tensor"));
//! drop(imported); // calls the array's release callback: the matrix is freed
//! drop(schema); // calls the schema's
//! # Ok::<(), array_protocol::Error>(())
//! ```
//!
//! # What maps to what
//! - A 1-D array of a number → a primitive array (formats `c C s S i I l L e f g`); `bool` →
//!   int8 storage with the canonical extension `arrow.bool8`.
//! - An N-D array (N ≥ 2) → the canonical extension `arrow.fixed_shape_tensor` on storage
//!   `+w:K` (a fixed-size list of `K` values, `K` the product of the inner axes), one row per
//!   index of the first axis. Inner axes contiguous up to a permutation that is its own
//!   inverse (swaps of axes) are exported without a copy, with `"permutation"` in the
//!   metadata: `"shape"` is then the *physical* shape (the C order of the bytes in the buffer)
//!   and logical axis `i` is physical axis `permutation[i]`, as the specification defines it.
//!   Cyclic orders of three or more axes are exported only as a copy: pyarrow reads such
//!   permutations as their inverse, so a zero-copy export would be misread. `"dim_names"`,
//!   given in logical order through [`ExportOptions::dim_names`], are written in physical
//!   order, as the specification says they are stored.
//! - A 1-D array of records → a struct array (`+s`), one child per field; Arrow keeps each
//!   field in its own buffer, so this is a copy, made only with [`ExportOptions::allow_copy`].
//! - Layouts Arrow cannot describe without a copy (gaps, negative or zero strides, Fortran order
//!   of the first axis, the other byte order, misaligned values) are copied to a C-contiguous
//!   native array with [`ExportOptions::allow_copy`], and refused without it.
//! - Import reads primitive arrays, nested fixed-size lists (an axis per level),
//!   `arrow.fixed_shape_tensor` (its permutation becomes strides, not a copy),
//!   `arrow.bool8` and `arrow.variable_shape_tensor` *one row at a time*: an array of one row
//!   is imported as that tensor; longer arrays are refused, since each row has its own shape.
//!   Nulls, bit-packed booleans (`b`), strings, dictionaries and the other types that are not
//!   plain strided memory are refused with errors that say so.
//!
//! # Ownership
//! [`export`] returns structures the caller owns: each releases itself when dropped (their
//! `Drop` calls `release` if it is not NULL), and a consumer that *moves* them, as the
//! specification allows (copy the bits, set the source's `release` to NULL), takes the release
//! over. The release callbacks run exactly once, set `release` to NULL, release the children
//! still held and free everything the export allocated; the producer lives until the last
//! array (the base one, or a child moved out of it) is released.
//!
//! [`ArrowImport::from_raw`] moves the array out of the caller's structure whatever the result
//! (the caller's copy is marked released): on success the import calls `release` once, when
//! dropped; on refusal it has called it once before returning the error
//! ([`ArrowImport::from_parts`] does the same for an array held by value). The schema is only
//! borrowed: its owner releases it.

use core::ffi::{c_char, c_int, c_void};

mod device;
mod export;
mod import;
mod schema;
mod stream;

pub use device::*;
pub use export::{export, export_device, ExportOptions};
pub use import::ArrowImport;
pub use stream::{import_device_stream, import_stream};

/// `ARROW_FLAG_DICTIONARY_ORDERED`.
pub const ARROW_FLAG_DICTIONARY_ORDERED: i64 = 1;
/// `ARROW_FLAG_NULLABLE`.
pub const ARROW_FLAG_NULLABLE: i64 = 2;
/// `ARROW_FLAG_MAP_KEYS_SORTED`.
pub const ARROW_FLAG_MAP_KEYS_SORTED: i64 = 4;

/// `struct ArrowSchema`: the type of an array (its format string, name, metadata, children).
///
/// Dropping it calls `release` when that is not NULL, so a structure that is moved away (its
/// `release` set to NULL, as the specification's moves do) is not released twice.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowSchema {
    /// The format string (`"f"`, `"+w:3"`), NUL-terminated.
    pub format: *const c_char,
    /// The field name, NUL-terminated, or NULL.
    pub name: *const c_char,
    /// The metadata (int32 pair count, then length-prefixed keys and values), or NULL.
    pub metadata: *const c_char,
    /// `ARROW_FLAG_*`.
    pub flags: i64,
    /// The number of children.
    pub n_children: i64,
    /// `n_children` pointers to the children.
    pub children: *mut *mut ArrowSchema,
    /// The dictionary's type, for dictionary-encoded arrays; NULL otherwise.
    pub dictionary: *mut ArrowSchema,
    /// Releases the structure; NULL once released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    /// The producer's bookkeeping.
    pub private_data: *mut c_void,
}

/// `struct ArrowArray`: the buffers of an array of the type an [`ArrowSchema`] describes.
///
/// Dropping it calls `release` when that is not NULL, as for [`ArrowSchema`].
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArray {
    /// The number of items.
    pub length: i64,
    /// The number of null items, or -1 when not computed.
    pub null_count: i64,
    /// The number of items from the start of the buffers to the first one.
    pub offset: i64,
    /// The number of buffers.
    pub n_buffers: i64,
    /// The number of children.
    pub n_children: i64,
    /// `n_buffers` pointers to the buffers (validity first).
    pub buffers: *mut *const c_void,
    /// `n_children` pointers to the children.
    pub children: *mut *mut ArrowArray,
    /// The dictionary, for dictionary-encoded arrays; NULL otherwise.
    pub dictionary: *mut ArrowArray,
    /// Releases the structure; NULL once released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    /// The producer's bookkeeping.
    pub private_data: *mut c_void,
}

/// `struct ArrowArrayStream`: a producer of a sequence of arrays of one schema (the C stream
/// interface), defined here for adapters that exchange streams.
///
/// Dropping it calls `release` when that is not NULL.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArrayStream {
    /// Writes the stream's schema; 0 on success, an `errno` code otherwise.
    pub get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    /// Writes the next array (a released one at the end); 0 on success, an `errno` code
    /// otherwise.
    pub get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    /// The description of the last error, NUL-terminated, or NULL.
    pub get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    /// Releases the stream; NULL once released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    /// The producer's bookkeeping.
    pub private_data: *mut c_void,
}

macro_rules! released_structure {
    ($ty:ident { $($field:ident: $value:expr),* $(,)? }) => {
        impl $ty {
            /// A released structure (every pointer NULL): what a consumer hands a producer to
            /// fill.
            pub const fn released() -> $ty {
                $ty { $($field: $value,)* release: None, private_data: core::ptr::null_mut() }
            }

            /// Whether the structure has been released (or moved away): `release` is NULL.
            pub fn is_released(&self) -> bool {
                self.release.is_none()
            }
        }

        impl Default for $ty {
            fn default() -> $ty {
                $ty::released()
            }
        }

        impl Drop for $ty {
            fn drop(&mut self) {
                if let Some(release) = self.release {
                    // SAFETY: a structure with a non-NULL `release` is live and owned by this
                    // value (moves mark their source released, so no other copy releases it);
                    // the callback releases it once and sets `release` to NULL.
                    unsafe { release(self) };
                }
            }
        }
    };
}

released_structure!(ArrowSchema {
    format: core::ptr::null(),
    name: core::ptr::null(),
    metadata: core::ptr::null(),
    flags: 0,
    n_children: 0,
    children: core::ptr::null_mut(),
    dictionary: core::ptr::null_mut(),
});
released_structure!(ArrowArray {
    length: 0,
    null_count: 0,
    offset: 0,
    n_buffers: 0,
    n_children: 0,
    buffers: core::ptr::null_mut(),
    children: core::ptr::null_mut(),
    dictionary: core::ptr::null_mut(),
});
released_structure!(ArrowArrayStream {
    get_schema: None,
    get_next: None,
    get_last_error: None,
});
