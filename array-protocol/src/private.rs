//! Items only the derive macros use. Not part of the public API; no stability promises.

use alloc::boxed::Box;
use alloc::vec::Vec;

pub use crate::item::element::FormatBuf;
pub use bytemuck;

use crate::error::{error, Error};
use crate::Element;

/// The bytes of a slice of elements.
pub fn slice_bytes<T: Element>(items: &[T]) -> &[u8] {
    crate::protocol::bytes_of(items)
}

/// The bytes of a slice of elements, writable; a compile-time error for element types with
/// invalid bit patterns.
pub fn slice_bytes_mut<T: Element>(items: &mut [T]) -> &mut [u8] {
    crate::protocol::bytes_mut(items)
}

/// Elements read from `bytes`, which hold whole elements back to back in logical order; each
/// is checked for a valid bit pattern.
pub fn vec_from_bytes<T: Element>(bytes: &[u8]) -> Result<Vec<T>, Error> {
    let size = core::mem::size_of::<T>();
    if size == 0 {
        return Err(error!(
            ItemType,
            "cannot build elements of size zero from bytes"
        ));
    }
    if bytes.len() % size != 0 {
        return Err(error!(
            Shape,
            "{} bytes are not a whole number of {size}-byte {} elements",
            bytes.len(),
            core::any::type_name::<T>()
        ));
    }
    if let Some(k) = bytes.chunks_exact(size).position(|c| !T::is_valid_bits(c)) {
        return Err(error!(
            InvalidValue,
            "element {k} is not a valid {}",
            core::any::type_name::<T>()
        ));
    }
    let n = bytes.len() / size;
    let mut out: Vec<T> = Vec::with_capacity(n);
    // SAFETY: the capacity holds `n * size == bytes.len()` bytes, disjoint from `bytes`; after
    // the copy the first `n` elements are initialised with bit patterns checked valid above.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().cast::<u8>(), bytes.len());
        out.set_len(n);
    }
    Ok(out)
}

/// Containers a derived consumer can fill from a `Vec` of elements.
pub trait FromVec<T>: Sized {
    /// The container holding `items`, or an error if it cannot hold that many.
    fn from_vec(items: Vec<T>) -> Result<Self, Error>;
}

impl<T> FromVec<T> for Vec<T> {
    fn from_vec(items: Vec<T>) -> Result<Self, Error> {
        Ok(items)
    }
}

impl<T> FromVec<T> for Box<[T]> {
    fn from_vec(items: Vec<T>) -> Result<Self, Error> {
        Ok(items.into_boxed_slice())
    }
}

impl<T> FromVec<T> for alloc::sync::Arc<[T]> {
    fn from_vec(items: Vec<T>) -> Result<Self, Error> {
        Ok(items.into())
    }
}

impl<T> FromVec<T> for alloc::rc::Rc<[T]> {
    fn from_vec(items: Vec<T>) -> Result<Self, Error> {
        Ok(items.into())
    }
}

impl<T, const N: usize> FromVec<T> for [T; N] {
    fn from_vec(items: Vec<T>) -> Result<Self, Error> {
        let len = items.len();
        items.try_into().map_err(|_| {
            error!(
                Shape,
                "expected {N} elements for a fixed-size array, got {len}"
            )
        })
    }
}

/// A shape or stride field's value as a `usize`.
pub fn dim<F: TryInto<usize> + Copy + core::fmt::Debug>(
    value: F,
    what: &str,
) -> Result<usize, Error> {
    value
        .try_into()
        .map_err(|_| error!(Shape, "{what} is {value:?}, which is not a valid length"))
}

/// A stride field's value as an `isize`.
pub fn stride<F: TryInto<isize> + Copy + core::fmt::Debug>(
    value: F,
    what: &str,
) -> Result<isize, Error> {
    value
        .try_into()
        .map_err(|_| error!(Shape, "{what} is {value:?}, which is not a valid stride"))
}

/// A length from an array, converted to the type of the field that stores it.
pub fn field_value<F: TryFrom<usize>>(value: usize, what: &str) -> Result<F, Error> {
    F::try_from(value).map_err(|_| {
        error!(
            Shape,
            "{what} is {value}, which does not fit the field's type {}",
            core::any::type_name::<F>()
        )
    })
}

/// Refuses an array whose axis `axis` is not `expected` long (a constant in the shape).
pub fn expect_len(shape: &[usize], axis: usize, expected: usize) -> Result<(), Error> {
    match shape.get(axis) {
        Some(&n) if n == expected => Ok(()),
        Some(&n) => Err(error!(
            Shape,
            "expected axis {axis} of length {expected}, got {n} (shape {shape:?})"
        )),
        None => Err(error!(
            Shape,
            "expected an axis {axis} of length {expected}, got shape {shape:?}"
        )),
    }
}

/// Panics with a producer's inconsistent-fields error (see the derive's documentation).
#[cold]
#[track_caller]
pub fn inconsistent(type_name: &str, e: &Error) -> ! {
    panic!("{type_name}: its fields do not describe its data: {e}")
}

/// The compile-time error for a derived `Element` with implicit padding.
pub const fn padding_error(name: &str, bytes: usize, offset: usize, place: &str) -> ! {
    let message = FormatBuf::<640>::new()
        .push_str("`")
        .push_str(name)
        .push_str("` has ")
        .push_usize(bytes)
        .push_str(" byte(s) of implicit padding ")
        .push_str(place)
        .push_str(" (at offset ")
        .push_usize(offset)
        .push_str("): padding bytes are uninitialised memory that an array view must not expose. Add an explicit field `#[array(pad)] _pad: [u8; ")
        .push_usize(bytes)
        .push_str("]` there, or use `#[repr(C, packed)]`");
    panic!("{}", message.as_str())
}
