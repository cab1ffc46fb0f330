//! Typed access: a view checked once against a Rust [`Element`] type, then read at slice speed.

use alloc::vec::Vec;
use core::marker::PhantomData;

use crate::error::{error, Error};
use crate::item::element::Element;
use crate::item::ItemType;
use crate::layout::{Axes, Dims, Layout};
use crate::view::{ArrayBase, ArrayView, ArrayViewMut, Data};

mod distinct;
mod fixed;
mod foreign;
mod iter;
#[cfg(test)]
mod tests;
pub use fixed::TypedViewN;
use iter::Strided;
pub use iter::{Iter, IterMut};

/// How the elements of `T` map onto a view: the view's items are `T` itself, or `T` is a fixed
/// array whose shape is the view's last axes (C-contiguous inside). Returns the number of outer
/// axes, which become the typed view's axes.
/// With `in_place`, the inner axes must be C-contiguous so that each element can be read where
/// it lies; copies do not need that.
#[inline]
fn match_element<T: Element>(
    item: &ItemType,
    shape: &[usize],
    strides: &[isize],
    in_place: bool,
) -> Result<usize, Error> {
    // The common case, a scalar element, without building or comparing composite item types.
    if let (ItemType::Scalar(want), ItemType::Scalar(have)) = (&T::ITEM_TYPE, item) {
        if want == have {
            return Ok(shape.len());
        }
    }
    match_composite::<T>(item, shape, strides, in_place)
}

fn match_composite<T: Element>(
    item: &ItemType,
    shape: &[usize],
    strides: &[isize],
    in_place: bool,
) -> Result<usize, Error> {
    let want = T::item_type();
    if *item == want {
        return Ok(shape.len());
    }
    if let ItemType::Array(sub) = &want {
        let k = sub.shape().len();
        if sub.item() == *item && shape.len() >= k && shape[shape.len() - k..] == *sub.shape() {
            let inner = crate::layout::contiguous_strides(
                sub.shape(),
                item.itemsize(),
                crate::layout::Order::C,
            );
            let trailing = &strides[strides.len() - k..];
            let contiguous = inner.is_some_and(|c| {
                c.iter()
                    .zip(trailing)
                    .zip(sub.shape())
                    .all(|((a, b), &d)| d <= 1 || a == b)
            });
            if contiguous || !in_place {
                return Ok(shape.len() - k);
            }
            return Err(error!(
                Requirement,
                "the last {k} axes (strides {trailing:?}) must be C-contiguous to be read as {}",
                core::any::type_name::<T>()
            ));
        }
    }
    let base = match &want {
        ItemType::Array(sub) => sub.item().clone(),
        other => other.clone(),
    };
    if !item.is_native_order() && item.to_native_order() == base {
        return Err(crate::error::byte_order_error(
            &item.describe(),
            &alloc::format!("read them as {}", core::any::type_name::<T>()),
        ));
    }
    Err(error!(
        ItemType,
        "expected items of {} ({}), got {}",
        want.describe(),
        core::any::type_name::<T>(),
        item.describe()
    ))
}

/// Checks the first element and every stride that is used against `T`'s alignment.
#[inline]
fn check_alignment<T>(
    first: *const u8,
    shape: &[usize],
    strides: &[isize],
    len: usize,
) -> Result<(), Error> {
    let align = core::mem::align_of::<T>();
    if len == 0 {
        return Ok(());
    }
    // Alignments are powers of two: a multiple of one has its low bits clear, whatever its
    // sign, so one test of the bits of all addresses and strides used decides; the error names
    // the first culprit.
    let mut bits = first as usize;
    for (&d, &s) in shape.iter().zip(strides) {
        if d > 1 {
            bits |= s as usize;
        }
    }
    if bits & (align - 1) == 0 {
        return Ok(());
    }
    misaligned::<T>(first, shape, strides)
}

/// The error of [`check_alignment`]: the first element, or the first stride used, that is not
/// aligned for `T`.
#[cold]
#[inline(never)]
fn misaligned<T>(first: *const u8, shape: &[usize], strides: &[isize]) -> Result<(), Error> {
    let align = core::mem::align_of::<T>();
    if (first as usize) % align != 0 {
        return Err(error!(
            Alignment,
            "the first element at {first:p} is not aligned to the {align} bytes {} needs; to_vec() copies unaligned data",
            core::any::type_name::<T>()
        ));
    }
    for (axis, (&d, &s)) in shape.iter().zip(strides).enumerate() {
        if d > 1 && s.unsigned_abs() % align != 0 {
            return Err(error!(
                Alignment,
                "stride {s} of axis {axis} is not a multiple of the {align}-byte alignment of {}; to_vec() copies unaligned data",
                core::any::type_name::<T>()
            ));
        }
    }
    unreachable!("check_alignment found a misaligned address or stride")
}

/// Whether every element's bytes are a valid `T` (only types with invalid bit patterns, like
/// `bool`, need the look).
fn check_values<T: Element>(
    first: *const u8,
    shape: &[usize],
    strides: &[isize],
    len: usize,
) -> Result<(), Error> {
    if !T::HAS_INVALID_BIT_PATTERNS || len == 0 {
        return Ok(());
    }
    // Axes of zero stride repeat the same elements (a broadcast array may have 2^40 of them at
    // one address), and axes of length 1 add none: only the others are visited.
    let (mut kept_shape, mut kept_strides) = (Axes::zeroed(0), Axes::zeroed(0));
    for (&d, &s) in shape.iter().zip(strides) {
        if d > 1 && s != 0 {
            kept_shape.push(d);
            kept_strides.push(s);
        }
    }
    // A factor of `len` (non-zero, so every length is at least 1).
    let kept: usize = kept_shape.iter().product();
    let mut bad = None;
    let size = core::mem::size_of::<T>();
    let mut check = |p: *const u8| {
        // SAFETY: `p` is where an element of the validated layout starts: `size` initialised
        // bytes inside the buffer (invariant 3).
        let bytes = unsafe { core::slice::from_raw_parts(p, size) };
        if bad.is_none() && !T::is_valid_bits(bytes) {
            bad = Some(p);
        }
    };
    // Far more indexes than bytes between the first and last element: the axes overlap (a
    // sliding window), and many indexes share an element. Each distinct element is visited
    // once then, in address order.
    match distinct::starts(&kept_shape, &kept_strides, kept) {
        Some((lo, starts)) => {
            for (k, _) in starts.iter().enumerate().filter(|&(_, &f)| f != 0) {
                // `lo + k` is the offset of an element from the first (within the span).
                check(first.wrapping_offset(lo + k as isize));
            }
        }
        None => for_each_element(first, &kept_shape, &kept_strides, kept, check),
    }
    match bad {
        None => Ok(()),
        Some(p) => Err(error!(
            InvalidValue,
            "the element at byte {} from the first element is not a valid {} (found bytes {:?})",
            // Negative below the first element (negative strides); the distance between two
            // elements of a valid layout fits in `isize` (invariant 3).
            (p as isize).wrapping_sub(first as isize),
            core::any::type_name::<T>(),
            // SAFETY: as above, the element's bytes are inside the buffer.
            unsafe { core::slice::from_raw_parts(p, core::mem::size_of::<T>()) }
        )),
    }
}

/// The one element-validity scan for elements packed back to back: the first element (in that
/// order) whose bytes are not a valid `T` is an error naming it and its bytes. Free for types
/// without invalid bit patterns.
pub(crate) fn check_packed_values<T: Element>(bytes: &[u8]) -> Result<(), Error> {
    let size = core::mem::size_of::<T>();
    if !T::HAS_INVALID_BIT_PATTERNS || size == 0 {
        return Ok(());
    }
    match bytes.chunks_exact(size).position(|c| !T::is_valid_bits(c)) {
        None => Ok(()),
        Some(k) => Err(error!(
            InvalidValue,
            "element {k} (in logical order) is not a valid {} (found bytes {:?})",
            core::any::type_name::<T>(),
            &bytes[k * size..(k + 1) * size]
        )),
    }
}

/// Visits the address of every element in logical (C) order.
fn for_each_element(
    first: *const u8,
    shape: &[usize],
    strides: &[isize],
    len: usize,
    mut f: impl FnMut(*const u8),
) {
    if len == 0 {
        return;
    }
    let deltas = crate::layout::carry_deltas(shape, strides);
    let mut odometer = crate::layout::Odometer::new(shape);
    let mut p = first;
    loop {
        f(p);
        let Some(k) = odometer.advance() else { return };
        p = p.wrapping_offset(deltas[k]);
    }
}

/// A view checked against the element type `T`: native byte order, aligned, valid values.
/// Indexing, iteration and [`as_slice`](Self::as_slice) read `T`s directly.
pub struct TypedView<'a, T> {
    first: *const u8,
    dims: Dims<6>,
    len: usize,
    marker: PhantomData<&'a [T]>,
}

/// A copy of the view (no elements are copied), like cloning a `&[T]`.
impl<T> Clone for TypedView<'_, T> {
    #[inline]
    fn clone(&self) -> Self {
        TypedView {
            first: self.first,
            dims: self.dims.clone(),
            len: self.len,
            marker: PhantomData,
        }
    }
}

// SAFETY: a `TypedView` is a shared borrow of `T`s, like `&[T]`.
unsafe impl<T: Sync> Send for TypedView<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for TypedView<'_, T> {}

/// A writable [`TypedView`].
pub struct TypedViewMut<'a, T> {
    first: *mut u8,
    dims: Dims<6>,
    len: usize,
    marker: PhantomData<&'a mut [T]>,
}

// SAFETY: a `TypedViewMut` is a unique borrow of `T`s, like `&mut [T]`.
unsafe impl<T: Send> Send for TypedViewMut<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for TypedViewMut<'_, T> {}

/// Checks `T` against a view (invariants 8–10) and returns the typed view's parts.
#[inline]
fn checked<T: Element, D: Data>(a: &ArrayBase<D>) -> Result<(Dims<6>, usize), Error> {
    let (outer, len) = check_typed::<T, D>(a)?;
    Ok((a.layout.leading_dims(outer), len))
}

/// Checks `T` against a view (invariants 8–10): the number of leading axes that become the
/// typed view's (all but a fixed-array `T`'s own), and its element count.
#[inline]
pub(crate) fn check_typed<T: Element, D: Data>(a: &ArrayBase<D>) -> Result<(usize, usize), Error> {
    // The common case, items of `T` itself valid for every bit pattern, aligned: decided in
    // one fold over the view's axes, which reads them where they are (see `Dims::fold`).
    if !T::HAS_INVALID_BIT_PATTERNS && is_scalar::<T>(a.item()) {
        let first = a.as_ptr();
        let (len, bits) = a
            .layout
            .dims()
            .fold((1usize, first as usize), |(n, bits), _, d, s| {
                (
                    n.wrapping_mul(d),
                    if d > 1 { bits | s as usize } else { bits },
                )
            });
        // A valid layout's count fits (invariant 2) unless an axis is 0, and then it is 0.
        if len == 0 || bits & (core::mem::align_of::<T>() - 1) == 0 {
            return Ok((a.ndim(), len));
        }
    }
    check_typed_out_of_line::<T, D>(a)
}

/// [`check_typed`] for composite or misaligned items, values to check and errors: out of line,
/// so that the common case stays small where typed views are made.
#[inline(never)]
fn check_typed_out_of_line<T: Element, D: Data>(a: &ArrayBase<D>) -> Result<(usize, usize), Error> {
    check_elements::<T>(a.item(), a.as_ptr(), a.shape(), a.strides(), a.len())
}

/// Whether `item` is `T`'s own item type, a scalar (no fixed-array axes to split off).
#[inline]
fn is_scalar<T: Element>(item: &ItemType) -> bool {
    matches!((&T::ITEM_TYPE, item), (ItemType::Scalar(want), ItemType::Scalar(have)) if want == have)
}

/// Invariants 8–10 for `T` over a valid layout of `count` `item`s whose first element is at
/// `first`: the number of leading axes that become the typed view's (all but a fixed-array
/// `T`'s own), and the typed view's element count. The one check behind every typed view,
/// whether or not an untyped view was built first.
#[inline]
fn check_elements<T: Element>(
    item: &ItemType,
    first: *const u8,
    shape: &[usize],
    strides: &[isize],
    count: usize,
) -> Result<(usize, usize), Error> {
    let outer = match_element::<T>(item, shape, strides, true)?;
    let ndim = shape.len();
    let (shape, strides) = (&shape[..outer], &strides[..outer]);
    let len = if outer == ndim || count == 0 {
        count
    } else {
        // The outer axes of a non-empty layout: a factor of its element count.
        shape.iter().product()
    };
    check_alignment::<T>(first, shape, strides, len)?;
    check_values::<T>(first, shape, strides, len)?;
    Ok((outer, len))
}

impl<'a> ArrayView<'a> {
    /// The elements as `T`s, after checking the item type (same layout, native byte order), the
    /// alignment of the first element and of every stride, and, for types such as `bool`, that
    /// every element holds a valid value. A fixed-array `T` (`[u8; 4]`) takes the last axes.
    ///
    /// ```
    /// use array_protocol::{ArrayView, Element, ErrorKind};
    ///
    /// let data = [1.0f32, 2.0, 3.0, 4.0];
    /// let v = ArrayView::new(bytemuck::cast_slice(&data), f32::item_type(), &[2, 2], None, 0)?;
    /// let t = v.typed::<f32>()?;
    /// assert_eq!(t[[1, 0]], 3.0);
    /// assert_eq!(t.iter().sum::<f32>(), 10.0);
    /// assert_eq!(v.typed::<f64>().unwrap_err().kind(), ErrorKind::ItemType);
    ///
    /// let bytes = [1u8, 2, 0];
    /// let b = ArrayView::new(&bytes, bool::item_type(), &[3], None, 0)?;
    /// assert_eq!(b.typed::<bool>().unwrap_err().kind(), ErrorKind::InvalidValue);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    #[inline]
    pub fn typed<T: Element>(&self) -> Result<TypedView<'a, T>, Error> {
        let (outer, len) = check_typed::<T, _>(self)?;
        // Built in one expression, after the checks, so that it is written in place.
        Ok(TypedView {
            first: self.as_ptr(),
            dims: self.layout.leading_dims(outer),
            len,
            marker: PhantomData,
        })
    }
}

impl<'a> ArrayViewMut<'a> {
    /// A read-only typed view borrowing this one; see [`ArrayView::typed`].
    pub fn typed<T: Element>(&self) -> Result<TypedView<'_, T>, Error> {
        self.view().typed()
    }

    /// A writable typed view borrowing this one; see [`ArrayView::typed`].
    pub fn typed_mut<T: Element>(&mut self) -> Result<TypedViewMut<'_, T>, Error> {
        self.reborrow().into_typed_mut()
    }

    /// A writable typed view for the rest of the borrow; see [`ArrayView::typed`].
    pub fn into_typed_mut<T: Element>(self) -> Result<TypedViewMut<'a, T>, Error> {
        let (dims, len) = checked::<T, _>(&self)?;
        let first = self.data.as_mut_ptr().wrapping_add(self.offset());
        Ok(TypedViewMut {
            first,
            dims,
            len,
            marker: PhantomData,
        })
    }
}

impl crate::owned::Array {
    /// A read-only typed view borrowing this array; see [`ArrayView::typed`].
    pub fn typed<T: Element>(&self) -> Result<TypedView<'_, T>, Error> {
        self.view().typed()
    }

    /// A writable typed view borrowing this array; see [`ArrayView::typed`].
    pub fn typed_mut<T: Element>(&mut self) -> Result<TypedViewMut<'_, T>, Error> {
        self.view_mut().into_typed_mut()
    }
}

impl<D: Data> ArrayBase<D> {
    /// The elements as a `Vec<T>` in logical (C) order, from any valid view, aligned or not,
    /// after the same item check as [`ArrayView::typed`].
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>, Error> {
        self.copy_to_vec::<T>(false)
    }

    /// As [`to_vec`](Self::to_vec), also accepting data in the other byte order, which it swaps.
    ///
    /// ```
    /// use array_protocol::{ArrayView, ItemType};
    ///
    /// let be = [0u8, 0, 0, 1, 0, 0, 1, 0];
    /// let v = ArrayView::new(&be, ItemType::from_pep3118(">i")?, &[2], None, 0)?;
    /// assert!(v.to_vec::<i32>().is_err());
    /// assert_eq!(v.to_vec_native::<i32>()?, [1, 256]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn to_vec_native<T: Element>(&self) -> Result<Vec<T>, Error> {
        self.copy_to_vec::<T>(true)
    }

    fn copy_to_vec<T: Element>(&self, swap: bool) -> Result<Vec<T>, Error> {
        let native;
        let item = if swap && !self.item.is_native_order() {
            native = self.item.to_native_order();
            &native
        } else {
            &self.item
        };
        let outer = match_element::<T>(item, self.shape(), self.strides(), false)?;
        // At most `len` (invariant 2) when non-empty; the byte count may still be huge for a
        // broadcast view, so both are checked and the allocation may fail cleanly.
        let count: usize = if self.is_empty() {
            0
        } else {
            self.shape()[..outer].iter().product()
        };
        let bytes = count
            .checked_mul(core::mem::size_of::<T>())
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| crate::error::allocation_error("a copy of the array", None))?;
        let mut out: Vec<T> = Vec::new();
        if count == 0 {
            return Ok(out);
        }
        out.try_reserve_exact(count)
            .map_err(|_| crate::error::allocation_error("a copy of the array", Some(bytes)))?;
        let dst = Layout::new(self.shape(), None, 0, self.itemsize(), bytes)?;
        let dst_ptr = out.as_mut_ptr().cast::<u8>();
        // SAFETY: `dst` is C-contiguous over exactly the `bytes` bytes of `out`'s capacity,
        // disjoint from the source buffer; the source layout is valid for its buffer.
        unsafe {
            crate::copy::copy_elements(self.data.bytes().as_ptr(), &self.layout, dst_ptr, &dst)
        };
        // SAFETY: every byte of the first `bytes` bytes was written by the copy above.
        let written = unsafe { core::slice::from_raw_parts_mut(dst_ptr, bytes) };
        if swap {
            crate::copy::swap_to_native(written, &self.item);
        }
        check_packed_values::<T>(written)?;
        // SAFETY: `count` elements are initialised and valid `T`s (checked above when needed).
        unsafe { out.set_len(count) };
        Ok(out)
    }
}

macro_rules! typed_common {
    ($name:ident) => {
        impl<'a, T> $name<'a, T> {
            /// The length of each axis.
            #[inline]
            pub fn shape(&self) -> &[usize] {
                self.dims.shape()
            }

            /// The byte step along each axis.
            #[inline]
            pub fn strides(&self) -> &[isize] {
                self.dims.strides()
            }

            /// The address of the first element (index `[0, 0, …]`).
            #[inline]
            pub fn as_ptr(&self) -> *const T {
                self.first as *const T
            }

            /// The number of axes.
            #[inline]
            pub fn ndim(&self) -> usize {
                self.dims.shape().len()
            }

            /// The number of elements.
            #[inline]
            pub fn len(&self) -> usize {
                self.len
            }

            /// Whether there are no elements.
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            #[inline]
            fn position(&self, index: &[usize]) -> Option<isize> {
                // An empty view has no element, even at indexes inside its axes (a fixed-array
                // `T` whose own axes are the empty ones).
                if index.len() != self.dims.ndim() || self.len == 0 {
                    return None;
                }
                // Wrapping: the sum is only used when every index is in range, and then it is
                // inside the validated extent.
                let (inside, at) = self.dims.fold((true, 0isize), |(inside, at), k, d, s| {
                    let i = index[k];
                    (
                        inside & (i < d),
                        at.wrapping_add((i as isize).wrapping_mul(s)),
                    )
                });
                inside.then_some(at)
            }

            #[inline]
            fn is_slice(&self) -> bool {
                let n = self.dims.shape().len();
                self.len == 0
                    || crate::layout::contiguous_in(
                        self.dims.shape(),
                        self.dims.strides(),
                        core::mem::size_of::<T>(),
                        (0..n).rev(),
                    )
            }

            /// The element at `index`, or `None` when out of range.
            #[inline]
            pub fn get(&self, index: &[usize]) -> Option<&T> {
                let at = self.position(index)?;
                // SAFETY: an in-range index addresses an aligned, valid `T` inside the view.
                Some(unsafe { &*self.first.wrapping_offset(at).cast::<T>() })
            }

            /// The elements in logical (C) order.
            pub fn iter(&self) -> Iter<'_, T> {
                if self.is_slice() {
                    return Iter::slice(self.slice_parts());
                }
                Iter::strided(Strided::new(
                    self.first as *const u8,
                    self.dims.shape(),
                    self.dims.strides(),
                    self.len,
                ))
            }

            fn slice_parts(&self) -> &[T] {
                if self.len == 0 {
                    return &[];
                }
                // SAFETY: C-contiguous: `len` aligned, valid `T`s back to back from `first`.
                unsafe { core::slice::from_raw_parts(self.first.cast::<T>(), self.len) }
            }

            /// The elements as a copy in logical (C) order.
            ///
            /// # Panics
            /// When the copy cannot be allocated (a broadcast view may have 2^40 elements);
            /// [`try_to_vec`](Self::try_to_vec) reports that as an error.
            pub fn to_vec(&self) -> Vec<T>
            where
                T: Copy,
            {
                match self.try_to_vec() {
                    Ok(v) => v,
                    Err(e) => panic!("{e}"),
                }
            }

            /// The elements as a copy in logical (C) order, or an
            /// [`OutOfMemory`](crate::ErrorKind::OutOfMemory) error when the copy cannot be
            /// allocated.
            ///
            /// ```
            /// use array_protocol::{ArrayView, ErrorKind};
            ///
            /// let data = [1u16, 2, 3, 4, 5, 6];
            /// let v = ArrayView::from_slice(&data, &[2, 3])?;
            /// assert_eq!(v.t().typed::<u16>()?.try_to_vec()?, [1, 4, 2, 5, 3, 6]);
            /// // 2^62 elements at one address (a broadcast view): no copy can hold them.
            /// let all = ArrayView::from_slice_strided(&data, &[1 << 62], &[0], 0)?;
            /// let err = all.typed::<u16>()?.try_to_vec().unwrap_err();
            /// assert_eq!(err.kind(), ErrorKind::OutOfMemory);
            /// # Ok::<(), array_protocol::Error>(())
            /// ```
            pub fn try_to_vec(&self) -> Result<Vec<T>, Error>
            where
                T: Copy,
            {
                let mut out = Vec::new();
                out.try_reserve_exact(self.len).map_err(|_| {
                    let bytes = self.len.checked_mul(core::mem::size_of::<T>());
                    crate::error::allocation_error("a copy of the array", bytes)
                })?;
                out.extend(self.iter().copied());
                Ok(out)
            }
        }

        impl<T, const N: usize> core::ops::Index<[usize; N]> for $name<'_, T> {
            type Output = T;

            /// # Panics
            /// When the index is out of range or has the wrong number of axes, as slices do.
            fn index(&self, index: [usize; N]) -> &T {
                match self.get(&index) {
                    Some(v) => v,
                    None => panic!(
                        "index {index:?} is out of range for shape {:?}",
                        self.shape()
                    ),
                }
            }
        }

        impl<T: core::fmt::Debug> core::fmt::Debug for $name<'_, T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("shape", &self.shape())
                    .field("strides", &self.strides())
                    .finish()
            }
        }
    };
}

typed_common!(TypedView);
typed_common!(TypedViewMut);

impl<'a, T: Element> TypedView<'a, T> {
    /// A one-axis typed view of `items`, with nothing to check.
    #[inline]
    pub fn from_slice(items: &'a [T]) -> Self {
        TypedView {
            first: items.as_ptr().cast::<u8>(),
            dims: Dims::new(&[items.len()], &[core::mem::size_of::<T>() as isize]),
            len: items.len(),
            marker: PhantomData,
        }
    }
}

impl<'a, T> TypedView<'a, T> {
    /// The elements as a slice, when they are C-contiguous.
    pub fn as_slice(&self) -> Option<&'a [T]> {
        if !self.is_slice() {
            return None;
        }
        if self.len == 0 {
            return Some(&[]);
        }
        // SAFETY: C-contiguous: `len` aligned, valid `T`s back to back, borrowed for `'a`.
        Some(unsafe { core::slice::from_raw_parts(self.first.cast::<T>(), self.len) })
    }
}

impl<'a, T> TypedViewMut<'a, T> {
    /// The elements as a mutable slice, when they are C-contiguous.
    pub fn as_slice_mut(&mut self) -> Option<&mut [T]> {
        if !self.is_slice() {
            return None;
        }
        if self.len == 0 {
            return Some(&mut []);
        }
        // SAFETY: C-contiguous, non-overlapping (checked when the view was made), uniquely
        // borrowed through `&mut self`.
        Some(unsafe { core::slice::from_raw_parts_mut(self.first.cast::<T>(), self.len) })
    }

    /// The element at `index`, writable, or `None` when out of range.
    pub fn get_mut(&mut self, index: &[usize]) -> Option<&mut T> {
        let at = self.position(index)?;
        // SAFETY: an in-range index addresses an aligned, valid `T`; elements do not overlap
        // and `&mut self` borrows the view uniquely.
        Some(unsafe { &mut *self.first.wrapping_offset(at).cast::<T>() })
    }

    /// The elements in logical (C) order, writable.
    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        if let Some(slice) = self.as_slice_mut() {
            // Re-borrow with the lifetime of `&mut self`.
            let (ptr, len) = (slice.as_mut_ptr(), slice.len());
            // SAFETY: the same slice as just obtained.
            return IterMut::slice(unsafe { core::slice::from_raw_parts_mut(ptr, len) });
        }
        IterMut::strided(Strided::new(
            self.first as *const u8,
            self.dims.shape(),
            self.dims.strides(),
            self.len,
        ))
    }

    /// Sets every element to `value`.
    pub fn fill(&mut self, value: T)
    where
        T: Copy,
    {
        self.iter_mut().for_each(|x| *x = value);
    }
}

impl<T, const N: usize> core::ops::IndexMut<[usize; N]> for TypedViewMut<'_, T> {
    fn index_mut(&mut self, index: [usize; N]) -> &mut T {
        let shape = Axes::from_slice(self.shape());
        match self.get_mut(&index) {
            Some(v) => v,
            None => panic!("index {index:?} is out of range for shape {:?}", &*shape),
        }
    }
}

/// `bytes` as a slice of elements, without copying: size, alignment and values are checked.
pub fn slice_from_bytes<T: Element>(bytes: &[u8]) -> Result<&[T], Error> {
    let size = core::mem::size_of::<T>();
    if size == 0 || bytes.len() % size != 0 {
        return Err(crate::error::error!(
            Shape,
            "{} bytes are not a whole number of {} elements",
            bytes.len(),
            core::any::type_name::<T>()
        ));
    }
    if bytes.as_ptr() as usize % core::mem::align_of::<T>() != 0 {
        return Err(crate::error::error!(
            Alignment,
            "the data is not aligned for {}; copy it instead",
            core::any::type_name::<T>()
        ));
    }
    check_packed_values::<T>(bytes)?;
    // SAFETY: aligned for `T`, a whole number of `T`s, every one a valid bit pattern (checked
    // above, or all patterns are valid), borrowed for as long as `bytes`.
    Ok(unsafe { core::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) })
}
