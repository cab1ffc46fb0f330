//! Items only the derive macros use. Not part of the public API; no stability promises.

use alloc::boxed::Box;
use alloc::vec::Vec;

pub use crate::item::element::FormatBuf;
pub use crate::item::{Field, StructData};
pub use bytemuck;

use crate::error::{error, Error};
use crate::item::element::Element;

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
    crate::typed::check_packed_values::<T>(bytes)?;
    let n = bytes.len() / size;
    let mut out: Vec<T> = Vec::new();
    out.try_reserve_exact(n)
        .map_err(|_| crate::error::allocation_error("the elements", Some(bytes.len())))?;
    // SAFETY: the capacity holds `n * size == bytes.len()` bytes, disjoint from `bytes`.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().cast::<u8>(), bytes.len())
    };
    // SAFETY: the first `n` elements were initialised by the copy, with bit patterns checked
    // valid above.
    unsafe { out.set_len(n) };
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

pub use crate::error::inconsistent;
pub use crate::protocol::expect_len;

/// The compile-time error for a derived `Element` with implicit padding.
pub const fn padding_error(
    name: &str,
    generic: bool,
    bytes: usize,
    offset: usize,
    place: &str,
) -> ! {
    let start = if generic {
        FormatBuf::<640>::new().push_str("this instantiation of the generic record `")
    } else {
        FormatBuf::<640>::new().push_str("`")
    };
    let found = start
        .push_str(name)
        .push_str("` has ")
        .push_usize(bytes)
        .push_str(" byte(s) of implicit padding ")
        .push_str(place)
        .push_str(" (at offset ")
        .push_usize(offset)
        .push_str("): padding bytes are uninitialised memory that an array view must not expose. ");
    let message = if generic {
        found.push_str("Use type arguments that leave no gap, or declare the record `#[repr(C, packed)]` (packed to 1 byte); the gap depends on the type arguments, so an explicit `#[array(pad)]` field cannot fill it")
    } else {
        found
            .push_str("Add an explicit field `#[array(pad)] _pad: [u8; ")
            .push_usize(bytes)
            .push_str("]` there, or use `#[repr(C, packed)]`")
    };
    panic!("{}", message.as_str())
}

/// The item type of a `#[array(string)]` field of `size` bytes (`Ns`, numpy `|SN`) or of a
/// `#[array(unicode)]` field (`size / 4` UCS-4 code points, `Nw`, numpy `<UN`).
pub const fn string_item(size: usize, unicode: bool) -> crate::item::ItemType {
    assert!(size != 0, "a string field needs at least one character");
    crate::item::string_item(size, unicode)
}

/// A fixed-array element's base item and number of axes (`[[f32; 3]; 4]` → `f32`, 2).
pub fn element_parts<T: Element>() -> (crate::item::ItemType, usize) {
    let whole = T::ITEM_TYPE;
    let (item, inner) = crate::transform::element_parts(&whole);
    (item, inner.len())
}

/// A view of `items` read as elements of `Item` with the given leading axes: the item's own
/// fixed-array axes are appended; strides are C order, Fortran order, or given.
pub fn view<'a, Elem: Element, Item: Element>(
    items: &'a [Elem],
    shape: &[usize],
    strides: Option<&[isize]>,
    fortran: bool,
    data: &str,
) -> Result<crate::view::ArrayView<'a>, Error> {
    if strides.is_none() {
        exact_len::<Elem, Item>(items.len(), shape, data)?;
    }
    let (item, shape, strides) = layout_parts::<Item>(shape, strides, fortran)?;
    crate::view::ArrayView::new(
        crate::item::element::bytes_of(items),
        item,
        &shape,
        strides.as_deref(),
        0,
    )
}

/// As [`view`], writable.
pub fn view_mut<'a, Elem: Element, Item: Element>(
    items: &'a mut [Elem],
    shape: &[usize],
    strides: Option<&[isize]>,
    fortran: bool,
    data: &str,
) -> Result<crate::view::ArrayViewMut<'a>, Error> {
    if strides.is_none() {
        exact_len::<Elem, Item>(items.len(), shape, data)?;
    }
    let (item, shape, strides) = layout_parts::<Item>(shape, strides, fortran)?;
    crate::view::ArrayViewMut::new(
        crate::item::element::bytes_mut(items),
        item,
        &shape,
        strides.as_deref(),
        0,
    )
}

/// A contiguous producer's data holds exactly the elements its shape says: more would be
/// dropped silently by every consumer, fewer is out of bounds.
fn exact_len<Elem: Element, Item: Element>(
    len: usize,
    shape: &[usize],
    data: &str,
) -> Result<(), Error> {
    let (elem, item) = (core::mem::size_of::<Elem>(), core::mem::size_of::<Item>());
    let needed = crate::layout::checked_product(item, shape)
        .ok_or_else(|| error!(Shape, "the shape {shape:?} of `{data}` overflows"))?;
    let held = len
        .checked_mul(elem)
        .ok_or_else(|| error!(Shape, "`{data}` overflows"))?;
    if held != needed {
        return Err(error!(
            Layout,
            "`{data}` holds {len} elements ({held} bytes), but the shape {shape:?} of {item}-byte items needs {needed} bytes"
        ));
    }
    Ok(())
}

/// A field named by two axes of a consumer's shape (`shape = [n, n]`) gets its length from
/// both, which must agree.
pub fn same_len(shape: &[usize], first: usize, other: usize, field: &str) -> Result<(), Error> {
    match (shape.get(first), shape.get(other)) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err(error!(
            Shape,
            "`{field}` gives the length of axes {first} and {other}, but the array has {a} and {b} there"
        )),
        _ => Err(error!(
            Shape,
            "expected at least {} axes, got {}",
            other + 1,
            shape.len()
        )),
    }
}

/// `#[array(item = ...)]` whose element is not one item times the constant trailing axes:
/// a compile-time error with the sizes found.
pub const fn item_size_error(name: &str, elem: usize, item: usize, axes: usize) -> ! {
    let found = FormatBuf::<640>::new()
        .push_str("`#[array(item = ...)]` on `")
        .push_str(name)
        .push_str("`: each data element is ")
        .push_usize(elem)
        .push_str(" bytes, but the item is ")
        .push_usize(item)
        .push_str(" bytes and the constant axes after the last field axis hold ")
        .push_usize(axes)
        .push_str(" of them (")
        .push_usize(item.saturating_mul(axes))
        .push_str(" bytes). ");
    let message = if item != 0 && elem % item == 0 {
        found
            .push_str("End the shape with constant axes whose lengths multiply to ")
            .push_usize(elem / item)
            .push_str(" (after the last field axis)")
    } else {
        found.push_str("The element's size is not a whole number of items: choose another `item`")
    };
    panic!("{}", message.as_str())
}

type Parts = (
    crate::item::ItemType,
    crate::layout::Axes<usize>,
    Option<crate::layout::Axes<isize>>,
);

fn layout_parts<Item: Element>(
    shape: &[usize],
    strides: Option<&[isize]>,
    fortran: bool,
) -> Result<Parts, Error> {
    let whole = Item::ITEM_TYPE;
    let (item, inner) = crate::transform::element_parts(&whole);
    let mut full = crate::layout::Axes::from_slice(shape);
    let strides = match (strides, fortran) {
        (Some(s), _) => {
            let mut all = crate::layout::Axes::from_slice(s);
            crate::transform::push_inner_axes(&mut full, &mut all, inner, item.itemsize());
            return Ok((item, full, Some(all)));
        }
        (None, true) => {
            if !inner.is_empty() {
                return Err(error!(
                    Layout,
                    "Fortran order with fixed-array elements is not supported"
                ));
            }
            let s = crate::layout::contiguous_strides(
                &full,
                item.itemsize(),
                crate::layout::Order::Fortran,
            )
            .ok_or_else(|| error!(Layout, "shape {full:?} is too large"))?;
            Some(s)
        }
        (None, false) => None,
    };
    // C order or no inner axes: the item's own axes follow, contiguous.
    inner.iter().for_each(|&d| full.push(d));
    Ok((item, full, strides))
}

/// The bytes of a contiguous view (C order, or Fortran order with `fortran`), borrowed for the
/// view's lifetime: what a zero-copy consumer's slice covers.
pub fn contiguous_bytes<'a>(
    view: &crate::view::ArrayView<'a>,
    fortran: bool,
) -> Result<&'a [u8], Error> {
    let order = if fortran {
        crate::layout::Order::Fortran
    } else {
        crate::layout::Order::C
    };
    view.as_bytes(order).ok_or_else(|| {
        error!(
            Requirement,
            "a zero-copy consumer needs a {order:?}-contiguous array"
        )
        .with_advice(crate::error::Advice::Contiguous)
    })
}

pub use crate::typed::slice_from_bytes;

/// A consumer's contiguous copy does not have the constant stride its struct declares.
pub fn stride_error(axis: usize, actual: isize) -> Error {
    error!(
        Layout,
        "the type declares a constant stride for axis {axis}, but a contiguous copy has stride {actual} there"
    )
}
