//! Import: an `ArrowArray` and the `ArrowSchema` describing it as an array, validated before
//! anything is read.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::schema::{self, Format};
use super::{ArrowArray, ArrowSchema};
use crate::error::{error, Error};

mod nodes;
mod tensor;

use crate::{ArrayProducer, ArrayView};
use nodes::{field, lists, locate, rows, strides_c, Described};

/// An Arrow array taken over from a producer: an array producer (read-only, as the C data
/// interface asks) that calls the array's `release` exactly once, when dropped.
pub struct ArrowImport {
    /// Moved out of the caller's structure; its `Drop` releases it.
    array: ArrowArray,
    parts: Described,
}

// SAFETY: the import owns the array (the C data interface hands ownership over with the
// structure), whose buffers are plain CPU memory; release callbacks carry no thread affinity in
// the specification, and producers (Arrow C++, pyarrow, arrow-rs) release from any thread.
unsafe impl Send for ArrowImport {}

impl ArrayProducer for ArrowImport {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        self.parts.view()
    }
}

impl ArrowImport {
    /// The view with the lifetime of the array's buffers rather than of `&self`, for handles
    /// that keep the import beside it.
    ///
    /// # Safety
    /// The view is not used after this import is dropped (which releases the array).
    pub unsafe fn detached_view(&self) -> Result<ArrayView<'static>, Error> {
        // SAFETY: as in `Described::view`, for as long as the caller's contract keeps the
        // import.
        unsafe {
            crate::ArrayView::from_foreign(
                &self.parts.foreign,
                self.parts.item.clone(),
                &self.parts.shape,
                &self.parts.strides,
            )
        }
    }

    /// Takes the array over (moving it out of `*array`, which is marked released) and
    /// describes it with `schema`, which stays the caller's.
    ///
    /// Ownership passes to this function whatever the result: on success the import calls the
    /// array's `release` once, when dropped; on refusal it has been called once before the
    /// error returns. A NULL or already released `array` is refused with nothing to release.
    ///
    /// # Safety
    /// `array` is NULL or a valid `ArrowArray` the caller owns, and `schema` NULL or a valid
    /// `ArrowSchema` describing it, as the C data interface defines them: the strings are
    /// NUL-terminated, the metadata's lengths describe bytes that are there, every pointer
    /// array has the advertised number of entries, and every buffer holds the values its
    /// length and offset say, valid and unchanged until the array is released.
    pub unsafe fn from_raw(
        array: *mut ArrowArray,
        schema: *const ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        if array.is_null() {
            return Err(error!(Requirement, "a NULL ArrowArray"));
        }
        // SAFETY: `array` is valid per the caller.
        if unsafe { (*array).release.is_none() } {
            return Err(error!(
                Requirement,
                "the ArrowArray has been released (or moved away): its release is NULL"
            ));
        }
        // SAFETY: a bitwise move, as the specification allows; the source is marked released
        // just below, so only `owned` releases it.
        let owned = unsafe { core::ptr::read(array) };
        // SAFETY: `array` is still valid memory of the caller's.
        unsafe { (*array).release = None };
        if schema.is_null() {
            return Err(error!(Requirement, "a NULL ArrowSchema"));
        }
        // SAFETY: valid per the caller; borrowed for this call only.
        let schema = unsafe { &*schema };
        // SAFETY: the caller's contract. `describe` reads descriptions and builds no import;
        // on its error `owned` drops here, releasing the array once.
        let parts = unsafe { describe(&owned, schema) }?;
        parts.view()?;
        Ok(ArrowImport {
            array: owned,
            parts,
        })
    }

    /// As [`from_raw`](Self::from_raw), for an array held by value (as [`export`] returns
    /// it), moved in.
    ///
    /// # Safety
    /// As for [`from_raw`](Self::from_raw).
    ///
    /// [`export`]: super::export
    pub unsafe fn from_parts(
        mut array: ArrowArray,
        schema: &ArrowSchema,
    ) -> Result<ArrowImport, Error> {
        // SAFETY: the caller's contract; `array` is ours, and left released by the move.
        unsafe { ArrowImport::from_raw(&mut array, schema) }
    }

    /// The canonical (or other) extension the schema names, if any.
    pub fn extension(&self) -> Option<&str> {
        self.parts.extension.as_deref()
    }

    /// The names of a tensor's axes, in the logical order of the imported array's axes (the
    /// specification stores them in physical order): the inner axes of an
    /// `arrow.fixed_shape_tensor` (every axis but the first), every axis of an
    /// `arrow.variable_shape_tensor`.
    pub fn dim_names(&self) -> Option<&[String]> {
        self.parts.dim_names.as_deref()
    }

    /// The number of rows (the Arrow array's length).
    pub fn arrow_length(&self) -> i64 {
        self.array.length
    }
}

/// Reads the description of `array` with `schema`.
///
/// # Safety
/// As for [`ArrowImport::from_raw`].
unsafe fn describe(array: &ArrowArray, schema: &ArrowSchema) -> Result<Described, Error> {
    let what = "the array";
    // SAFETY: the caller's contract.
    let f = unsafe { field(schema, what) }?;
    let extension = f.extension.map(|(name, _)| String::from(name));
    let mut described = match f.extension {
        Some((schema::FIXED_SHAPE_TENSOR, meta)) => {
            // SAFETY: the caller's contract.
            unsafe { tensor::fixed_tensor(array, &f, meta) }?
        }
        Some((schema::VARIABLE_SHAPE_TENSOR, meta)) => {
            // SAFETY: the caller's contract.
            unsafe { tensor::variable_tensor(array, &f, meta) }?
        }
        _ => {
            if matches!(f.format, Format::Struct | Format::List { .. }) {
                return Err(error!(
                    Unsupported,
                    "{what} is a {} array: its items are not one strided array (import its children one by one)",
                    if f.format == Format::Struct { "struct" } else { "list" }
                ));
            }
            let mut axes = Vec::new();
            let length = u64::try_from(array.length).unwrap_or(0);
            // SAFETY: the caller's contract.
            let (item, first) = unsafe { lists(array, &f, 0, length, &mut axes, what) }?;
            let mut shape = vec![rows(length)?];
            shape.extend_from_slice(&axes);
            let strides = strides_c(&shape, &item)?;
            locate(item, shape, strides, first, None)?
        }
    };
    described.extension = extension;
    Ok(described)
}
