//! Shape, strides and offset: validation (bounds, overflow, overlap) and contiguity, in one place.
//!
//! Every view is built through [`Layout::new`] (or derived from a valid layout by an operation
//! that keeps its invariants, in `transform`), so every element a view can reach is known to lie
//! inside its buffer, and every address computation on a valid layout is free of overflow.
//!
//! # The invariants of a valid layout
//! Every `// SAFETY:` comment in this crate that reads or writes array bytes refers to these by
//! number. For a [`Layout`] of a buffer of `buffer_len` bytes:
//! 1. `shape.len() == strides.len() <= MAX_NDIM`.
//! 2. `len`, the product of the shape, is at most `isize::MAX`.
//! 3. If `len > 0`: for every index `i` in range, the element's bytes
//!    `offset + Σ i[k]·strides[k] .. + itemsize` lie inside `0..buffer_len`, and every partial
//!    sum of that expression (in any order of the axes) fits in `isize`.
//! 4. If `len == 0`: no element is reachable, and `offset <= buffer_len`.
//! 5. For a writable view: no two elements share a byte (checked by
//!    [`Layout::check_no_overlap`] when the view is built: exactly, except that large layouts
//!    whose axes interleave are refused; and kept by every derived layout).
//!
//! A view adds: 6. the layout's `itemsize` is its item type's; 7. the buffer is initialised
//! memory borrowed (or owned) for the view's lifetime, and for a writable view not aliased.
//! A typed view adds: 8. its element type matches the item type, in native byte order;
//! 9. the first element and every stride used are aligned for it; 10. every element holds a
//! valid value of it.

use alloc::vec::Vec;
use core::fmt;

use crate::error::{error, Error};

mod axes;
mod dims;
mod foreign;
mod overlap;

pub use axes::Axes;
pub(crate) use dims::Dims;
pub use foreign::Foreign;
pub use overlap::{may_overlap, Extent};

/// The most axes an array may have (as in NumPy and the buffer protocol).
pub const MAX_NDIM: usize = 64;

/// The most elements for which [`Layout::check_no_overlap`] decides interleaved axes exactly.
pub const EXACT_OVERLAP_MAX: usize = 1 << 16;

/// A multi-index stepping through a shape in logical (C) order, last axis fastest: the one
/// index-stepping loop of the crate. Each step says which axis advanced (every faster axis
/// went back to 0); with [`carry_deltas`] the caller moves its pointers by one add per step.
#[derive(Clone)]
pub(crate) struct Odometer {
    index: Axes<usize>,
    shape: Axes<usize>,
}

impl Odometer {
    /// At index `[0, 0, …]` of `shape`.
    #[inline]
    pub(crate) fn new(shape: &[usize]) -> Odometer {
        Odometer {
            index: Axes::zeroed(shape.len()),
            shape: Axes::from_slice(shape),
        }
    }

    /// Moves to the next index; `None` after the last one.
    #[inline]
    pub(crate) fn advance(&mut self) -> Option<usize> {
        for k in (0..self.shape.len()).rev() {
            if self.index[k] + 1 < self.shape[k] {
                self.index[k] += 1;
                return Some(k);
            }
            self.index[k] = 0;
        }
        None
    }
}

/// Per axis `k`, the byte distance from an element to the next one in C order when axis `k`
/// advances and every faster axis goes back to 0. For a non-empty valid layout each distance
/// used (axes longer than 1) is the distance between two of its elements, so it fits in `isize`
/// (invariant 3); the arithmetic wraps only for axes of length 1, whose entries are never used.
pub(crate) fn carry_deltas(shape: &[usize], strides: &[isize]) -> Axes<isize> {
    let mut deltas = Axes::zeroed(shape.len());
    let mut back = 0isize;
    for k in (0..shape.len()).rev() {
        deltas[k] = strides[k].wrapping_sub(back);
        if shape[k] > 1 {
            back = back.wrapping_add((shape[k] as isize - 1).wrapping_mul(strides[k]));
        }
    }
    deltas
}

/// The order of the axes in memory, for contiguous arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    /// Row-major: the last axis varies fastest.
    C,
    /// Column-major: the first axis varies fastest.
    Fortran,
}

/// Where the elements of an array lie in a buffer: shape, byte strides (negative allowed) and
/// the byte offset of the first element, for items of a given size. Only valid layouts exist.
///
/// Shape and strides are stored together, inline for up to four axes, and the element count is
/// computed from the shape when asked: a view stays within 128 bytes.
#[derive(Clone)]
pub struct Layout {
    dims: Dims,
    offset: usize,
    itemsize: usize,
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layout")
            .field("shape", &self.shape())
            .field("strides", &self.strides())
            .field("offset", &self.offset)
            .field("itemsize", &self.itemsize)
            .field("len", &self.len())
            .finish()
    }
}

impl PartialEq for Layout {
    fn eq(&self, other: &Self) -> bool {
        self.shape() == other.shape()
            && self.strides() == other.strides()
            && self.offset == other.offset
            && self.itemsize == other.itemsize
    }
}

impl Eq for Layout {}

/// Whether elements of `itemsize` bytes lie back to back visiting the axes fastest first, for a
/// non-empty validated layout (so the running product stays within its extent). Axes of length
/// 1 may have any stride.
///
/// ```
/// use array_protocol::layout::contiguous_in;
///
/// // 2×3 items of 4 bytes: C order visits axis 1 first, Fortran order axis 0.
/// assert!(contiguous_in(&[2, 3], &[12, 4], 4, [1, 0].into_iter()));
/// assert!(!contiguous_in(&[2, 3], &[12, 4], 4, [0, 1].into_iter()));
/// ```
pub fn contiguous_in(
    shape: &[usize],
    strides: &[isize],
    itemsize: usize,
    fastest_first: impl Iterator<Item = usize>,
) -> bool {
    let mut expected = itemsize as isize;
    for axis in fastest_first {
        let d = shape[axis];
        if d != 1 && strides[axis] != expected {
            return false;
        }
        expected *= d as isize;
    }
    true
}

/// `start` times every value of `values`, or `None` when the product overflows `usize`: the one
/// checked product of the crate (element counts from `start = 1`, byte sizes from an item size).
/// Callers add their own limits (`isize::MAX`, a format's own).
///
/// ```
/// use array_protocol::layout::checked_product;
///
/// assert_eq!(checked_product(8, &[2, 3]), Some(48));
/// assert_eq!(checked_product(1, &[usize::MAX, 2]), None);
/// assert_eq!(checked_product(1, &[]), Some(1));
/// ```
#[inline]
pub fn checked_product(start: usize, values: &[usize]) -> Option<usize> {
    values.iter().try_fold(start, |n, &d| n.checked_mul(d))
}

/// Byte strides as strides in elements of `itemsize` bytes, for consumers that count strides
/// in elements (DLPack, ndarray, `image`): each must be a whole number of elements, except on
/// axes of length 0 or 1, whose stride is never used (rounded toward zero there). `Err(axis)`
/// names the first axis whose stride is not; zero-size items have no element strides
/// (`Err(0)`), unless there is no axis.
///
/// ```
/// use array_protocol::layout::element_strides;
///
/// assert_eq!(&element_strides(&[2, 3], &[-24, 8], 8).unwrap()[..], [-3, 1]);
/// assert_eq!(&element_strides(&[1, 3], &[5, 8], 8).unwrap()[..], [0, 1]);
/// assert_eq!(element_strides(&[2, 3], &[24, 4], 8).unwrap_err(), 1);
/// ```
#[inline]
pub fn element_strides(
    shape: &[usize],
    strides: &[isize],
    itemsize: usize,
) -> Result<Axes<isize>, usize> {
    let mut out = Axes::zeroed(shape.len());
    if shape.is_empty() {
        return Ok(out);
    }
    for (axis, (&d, &s)) in shape.iter().zip(strides).enumerate() {
        out[axis] = element_stride(s, d, itemsize).ok_or(axis)?;
    }
    Ok(out)
}

/// One axis of [`element_strides`]: `stride` bytes as a number of `itemsize`-byte elements on an
/// axis of length `len`, or `None` when it is not a whole number of them (on an axis of more
/// than one element) or the items have no size.
///
/// ```
/// use array_protocol::layout::element_stride;
///
/// assert_eq!(element_stride(-24, 3, 8), Some(-3));
/// assert_eq!(element_stride(12, 2, 8), None);
/// assert_eq!(element_stride(12, 1, 8), Some(1));
/// ```
#[inline]
pub fn element_stride(stride: isize, len: usize, itemsize: usize) -> Option<isize> {
    let size = isize::try_from(itemsize).ok().filter(|&n| n > 0)?;
    if stride % size != 0 && len > 1 {
        return None;
    }
    Some(stride / size)
}

/// The number of elements of `shape`, checked: 0 when an axis is 0 (whatever the others),
/// `None` above `isize::MAX`.
///
/// ```
/// use array_protocol::layout::element_count;
///
/// assert_eq!(element_count(&[2, 3, 4]), Some(24));
/// assert_eq!(element_count(&[usize::MAX, 0]), Some(0));
/// assert_eq!(element_count(&[1 << 40, 1 << 40]), None);
/// ```
#[inline]
pub fn element_count(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    checked_product(1, shape).filter(|&n| n <= isize::MAX as usize)
}

fn describe(
    shape: &[usize],
    strides: &[isize],
    offset: usize,
    itemsize: usize,
) -> alloc::string::String {
    alloc::format!("shape {shape:?}, strides {strides:?}, offset {offset}, itemsize {itemsize}")
}

/// Invariant 1: at most [`MAX_NDIM`] axes, and one stride per axis when strides are given.
#[inline]
/// One byte stride per axis, or an error saying how many of each were given.
pub(crate) fn same_rank(shape: &[usize], strides: &[isize]) -> Result<(), Error> {
    if shape.len() != strides.len() {
        return Err(error!(
            Shape,
            "{} strides for {} axes: give one byte stride per axis",
            strides.len(),
            shape.len()
        ));
    }
    Ok(())
}

pub(crate) fn check_axes(shape: &[usize], strides: Option<&[isize]>) -> Result<(), Error> {
    if shape.len() > MAX_NDIM {
        return Err(error!(
            Layout,
            "{} axes is more than the {MAX_NDIM} an array may have",
            shape.len()
        ));
    }
    match strides {
        Some(s) if s.len() != shape.len() => Err(error!(
            Layout,
            "{} strides given for {} axes (shape {shape:?}); expected one stride per axis",
            s.len(),
            shape.len()
        )),
        _ => Ok(()),
    }
}

/// Invariants 2–4 for `shape`, `strides` (as many), `offset` and `itemsize` in a buffer of
/// `buffer_len` bytes; returns the element count. Every step is checked arithmetic.
#[inline]
pub(crate) fn check_extent(
    shape: &[usize],
    strides: &[isize],
    offset: usize,
    itemsize: usize,
    buffer_len: usize,
) -> Result<usize, Error> {
    match extent_in(shape, strides, offset, itemsize, buffer_len) {
        Some(len) => Ok(len),
        None => check_extent_in_full(shape, strides, offset, itemsize, buffer_len),
    }
}

/// The element count of a non-empty layout whose elements all lie inside the buffer, in one
/// pass of checked arithmetic; `None` for anything else (an empty layout, an overflow, an
/// element outside), which [`check_extent_in_full`] then decides and describes. When it is
/// `Some`, the full check finds the same count and no error: no axis is 0, so the running
/// product never decreases and the count is checked against `isize::MAX` once, at the end.
#[inline]
fn extent_in(
    shape: &[usize],
    strides: &[isize],
    offset: usize,
    itemsize: usize,
    buffer_len: usize,
) -> Option<usize> {
    let mut len = 1usize;
    let mut lo = isize::try_from(offset).ok()?;
    let mut hi = lo;
    for (&d, &s) in shape.iter().zip(strides) {
        len = len.checked_mul(d)?;
        // Wrapping: an axis longer than isize::MAX fails the count check below.
        let span = (d as isize).wrapping_sub(1).checked_mul(s)?;
        if span < 0 {
            lo = lo.checked_add(span)?;
        } else {
            hi = hi.checked_add(span)?;
        }
    }
    let end = hi.checked_add(isize::try_from(itemsize).ok()?)?;
    let inside = len != 0 && len <= isize::MAX as usize && lo >= 0 && end as usize <= buffer_len;
    inside.then_some(len)
}

/// [`check_extent`] axis by axis, naming the first problem: the path of empty layouts and of
/// errors.
#[cold]
#[inline(never)]
fn check_extent_in_full(
    shape: &[usize],
    strides: &[isize],
    offset: usize,
    itemsize: usize,
    buffer_len: usize,
) -> Result<usize, Error> {
    #[cold]
    fn overflow(shape: &[usize], strides: &[isize], offset: usize, itemsize: usize) -> Error {
        error!(
            Layout,
            "the array's extent overflows isize ({})",
            describe(shape, strides, offset, itemsize)
        )
    }
    if shape.contains(&0) {
        if offset > buffer_len {
            return Err(error!(
                Layout,
                "offset {offset} is past the end of the {buffer_len}-byte buffer (an empty array may point at most one past the end)"
            ));
        }
        return Ok(0);
    }
    if offset > isize::MAX as usize {
        return Err(overflow(shape, strides, offset, itemsize));
    }
    let mut len = 1usize;
    let mut lo = offset as isize;
    let mut hi = lo;
    for (&d, &s) in shape.iter().zip(strides) {
        len = match len.checked_mul(d) {
            Some(n) if n <= isize::MAX as usize => n,
            _ => return Err(too_many(shape)),
        };
        // d <= len <= isize::MAX, so `d - 1` is exact.
        let Some(span) = (d as isize - 1).checked_mul(s) else {
            return Err(overflow(shape, strides, offset, itemsize));
        };
        let next = if span < 0 {
            lo.checked_add(span).map(|v| lo = v)
        } else {
            hi.checked_add(span).map(|v| hi = v)
        };
        if next.is_none() {
            return Err(overflow(shape, strides, offset, itemsize));
        }
    }
    let end = isize::try_from(itemsize)
        .ok()
        .and_then(|n| hi.checked_add(n))
        .ok_or_else(|| overflow(shape, strides, offset, itemsize))?;
    if lo < 0 {
        return Err(error!(
            Layout,
            "the array reaches byte {lo}, before the start of the buffer ({})",
            describe(shape, strides, offset, itemsize)
        ));
    }
    if end as usize > buffer_len {
        return Err(error!(
            Layout,
            "the array reaches byte {end} but the buffer has {buffer_len} bytes ({})",
            describe(shape, strides, offset, itemsize)
        ));
    }
    Ok(len)
}

#[cold]
pub(crate) fn too_many(shape: &[usize]) -> Error {
    error!(Layout, "shape {shape:?} has more than isize::MAX elements")
}

/// Strides counted in units of `unit` bytes (elements, for DLPack and ndarray) as byte
/// strides, each multiplication checked.
pub(crate) fn scaled_strides<S: Copy + TryInto<isize> + fmt::Debug>(
    strides: &[S],
    unit: usize,
) -> Result<Axes<isize>, Error> {
    let unit =
        isize::try_from(unit).map_err(|_| error!(Layout, "item size {unit} overflows isize"))?;
    let mut out = Axes::zeroed(strides.len());
    for (o, &s) in out.iter_mut().zip(strides) {
        *o = s
            .try_into()
            .ok()
            .and_then(|s: isize| s.checked_mul(unit))
            .ok_or_else(|| error!(Layout, "stride {s:?} × {unit} bytes overflows isize"))?;
    }
    Ok(out)
}

/// Strides of a contiguous array of `shape` in `order`, or `None` on overflow. An array with a
/// zero-length axis reaches no element and always has strides: those that would overflow stop
/// at `isize::MAX`.
///
/// ```
/// use array_protocol::layout::contiguous_strides;
/// use array_protocol::Order;
///
/// assert_eq!(&contiguous_strides(&[2, 3], 8, Order::C).unwrap()[..], [24, 8]);
/// assert_eq!(&contiguous_strides(&[2, 3], 8, Order::Fortran).unwrap()[..], [8, 16]);
/// ```
pub fn contiguous_strides(shape: &[usize], itemsize: usize, order: Order) -> Option<Axes<isize>> {
    let empty = shape.contains(&0);
    let mut strides = Axes::zeroed(shape.len());
    let mut step = isize::try_from(itemsize).ok()?;
    let mut fill = |axis: usize, step: &mut isize| -> Option<()> {
        strides[axis] = *step;
        // Past a zero-length axis nothing is reachable; keep the stride product finite.
        let next = isize::try_from(shape[axis].max(1))
            .ok()
            .and_then(|d| step.checked_mul(d));
        *step = match next {
            Some(next) => next,
            None if empty => isize::MAX,
            None => return None,
        };
        Some(())
    };
    match order {
        Order::C => (0..shape.len())
            .rev()
            .try_for_each(|a| fill(a, &mut step))?,
        Order::Fortran => (0..shape.len()).try_for_each(|a| fill(a, &mut step))?,
    }
    Some(strides)
}

impl Layout {
    /// Validates `shape`, `strides` (C order when `None`) and `offset` for items of `itemsize`
    /// bytes in a buffer of `buffer_len` bytes: every element must lie inside the buffer, with
    /// no arithmetic overflowing on the way. Arrays with a zero-length axis reach no element and
    /// accept any strides, with `offset <= buffer_len`.
    #[inline]
    pub fn new(
        shape: &[usize],
        strides: Option<&[isize]>,
        offset: usize,
        itemsize: usize,
        buffer_len: usize,
    ) -> Result<Layout, Error> {
        // The common case, given strides and a non-empty layout inside the buffer, decided in
        // one pass: the same checks as `check_axes` and `check_extent`, whose `Ok` is exactly
        // `extent_in`'s `Some`. Everything else (C order to compute, an empty layout, an error
        // to describe) is out of line, so that what is inlined where a view is made stays
        // small enough to be inlined at every call, with no finished layout returned through
        // memory and copied again.
        if let Some(s) = strides {
            if shape.len() <= MAX_NDIM
                && s.len() == shape.len()
                && extent_in(shape, s, offset, itemsize, buffer_len).is_some()
            {
                return Ok(Layout {
                    dims: Dims::new(shape, s),
                    offset,
                    itemsize,
                });
            }
        }
        Layout::new_out_of_line(shape, strides, offset, itemsize, buffer_len)
    }

    /// [`Layout::new`] for C order, empty layouts and errors.
    #[inline(never)]
    fn new_out_of_line(
        shape: &[usize],
        strides: Option<&[isize]>,
        offset: usize,
        itemsize: usize,
        buffer_len: usize,
    ) -> Result<Layout, Error> {
        check_axes(shape, strides)?;
        let contiguous;
        let strides = match strides {
            Some(s) => s,
            None => {
                contiguous = contiguous_strides(shape, itemsize, Order::C).ok_or_else(|| {
                    error!(
                        Layout,
                        "shape {shape:?} with {itemsize}-byte items is larger than isize::MAX bytes"
                    )
                })?;
                &contiguous
            }
        };
        check_extent(shape, strides, offset, itemsize, buffer_len)?;
        // Built once, after every check: both branches share the one construction, which the
        // compiler then writes in place instead of copying a finished layout around.
        Ok(Layout {
            dims: Dims::new(shape, strides),
            offset,
            itemsize,
        })
    }

    /// The C-contiguous layout of `shape` for items of `itemsize` bytes from the start of a
    /// buffer of `buffer_len` bytes: one pass computes the strides and checks that the elements
    /// fit (invariants 1–4; contiguous elements never share bytes, so 5 holds too).
    #[inline]
    pub(crate) fn c_contiguous(
        shape: &[usize],
        itemsize: usize,
        buffer_len: usize,
    ) -> Result<Layout, Error> {
        let n = shape.len();
        if n > MAX_NDIM {
            return Err(error!(
                Layout,
                "{n} axes is more than the {MAX_NDIM} an array may have"
            ));
        }
        let mut dims = Dims::with_shape(shape);
        let strides = dims.strides_mut();
        let mut bytes = itemsize;
        let mut len = 1usize;
        let mut fits = itemsize <= isize::MAX as usize;
        for k in (0..n).rev() {
            let d = shape[k];
            strides[k] = bytes as isize;
            // Past a zero-length axis nothing is reachable; keep the stride product finite.
            match (bytes.checked_mul(d.max(1)), len.checked_mul(d)) {
                (Some(b), Some(l)) if b <= isize::MAX as usize => {
                    bytes = b;
                    len = l;
                }
                _ => fits = false,
            }
        }
        if len == 0 && shape.contains(&0) {
            return Ok(Layout {
                dims,
                offset: 0,
                itemsize,
            });
        }
        if !fits || len > isize::MAX as usize {
            return Err(error!(
                Layout,
                "shape {shape:?} with {itemsize}-byte items is larger than isize::MAX bytes"
            ));
        }
        if bytes > buffer_len {
            return Err(error!(
                Layout,
                "the array reaches byte {bytes} but the buffer has {buffer_len} bytes ({})",
                describe(shape, dims.strides(), 0, itemsize)
            ));
        }
        Ok(Layout {
            dims,
            offset: 0,
            itemsize,
        })
    }

    /// A layout of the same buffer and item size derived from this valid one by an operation
    /// that keeps invariants 1–5 and selects some of its elements (a permutation, a slice, an
    /// index along an axis): never more elements, and still empty when this one is.
    #[inline]
    pub(crate) fn derived(
        &self,
        shape: Axes<usize>,
        strides: Axes<isize>,
        offset: usize,
    ) -> Layout {
        debug_assert!(shape.len() == strides.len() && shape.len() <= MAX_NDIM);
        debug_assert!(element_count(&shape)
            .is_some_and(|len| len <= self.len() || (self.is_empty() && len == 0)));
        Layout {
            dims: Dims::new(&shape, &strides),
            offset,
            itemsize: self.itemsize,
        }
    }

    /// A layout whose items are `itemsize`-byte parts at byte `shift` inside the current items,
    /// along `shape` and `strides` (the current axes, possibly with inner ones appended or the
    /// last one merged); it keeps invariants 1–5 when the parts lie inside the current items.
    /// Refused when the parts would be more than `isize::MAX` (a broadcast view split into its
    /// bytes) or when an empty layout would gain elements (merging away its only empty axis).
    pub(crate) fn reshaped_items(
        &self,
        shift: usize,
        itemsize: usize,
        shape: Axes<usize>,
        strides: Axes<isize>,
    ) -> Result<Layout, Error> {
        let len = element_count(&shape).ok_or_else(|| {
            error!(
                Layout,
                "the view would have {:?} elements, more than isize::MAX", &*shape
            )
        })?;
        if self.is_empty() && len > 0 {
            return Err(error!(
                Layout,
                "an empty array cannot become one with elements (shape {:?} from {:?})",
                &*shape,
                self.shape()
            ));
        }
        let offset = if self.is_empty() {
            self.offset
        } else {
            self.offset + shift
        };
        debug_assert!(shape.len() == strides.len() && shape.len() <= MAX_NDIM);
        Ok(Layout {
            dims: Dims::new(&shape, &strides),
            offset,
            itemsize,
        })
    }

    /// The shape and strides of the first `outer` axes, as a typed view keeps them.
    #[inline]
    pub(crate) fn leading_dims(&self, outer: usize) -> Dims<6> {
        self.dims.leading(outer)
    }

    /// The axes, to fold over; see `Dims::fold`.
    #[inline]
    pub(crate) fn dims(&self) -> &Dims {
        &self.dims
    }

    /// The offset moved by `delta` bytes, which lead from the first element to another one of
    /// this non-empty layout (so the result is inside the buffer, invariant 3).
    #[inline]
    pub(crate) fn offset_by(&self, delta: isize) -> usize {
        (self.offset as isize + delta) as usize
    }

    fn describe(&self) -> alloc::string::String {
        describe(self.shape(), self.strides(), self.offset, self.itemsize)
    }

    /// The length of each axis.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        self.dims.shape()
    }

    /// The byte step along each axis (negative for reversed axes).
    #[inline]
    pub fn strides(&self) -> &[isize] {
        self.dims.strides()
    }

    /// The byte offset of the first element (index `[0, 0, …]`) in the buffer.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Bytes per element.
    #[inline]
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// The number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        // The product of a valid layout's shape fits (invariant 2) unless an axis is 0, and a
        // wrapping product with a factor 0 is 0.
        self.dims.fold(1usize, |n, _, d, _| n.wrapping_mul(d))
    }

    /// Whether there are no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.shape().contains(&0)
    }

    /// Whether the elements lie back to back in row-major order. Axes of length 1 may have any
    /// stride, and empty arrays count as contiguous, as in NumPy.
    pub fn is_c_contiguous(&self) -> bool {
        self.is_contiguous_in((0..self.shape().len()).rev())
    }

    /// Whether the elements lie back to back in column-major order.
    pub fn is_f_contiguous(&self) -> bool {
        self.is_contiguous_in(0..self.shape().len())
    }

    fn is_contiguous_in(&self, fastest_first: impl Iterator<Item = usize>) -> bool {
        self.is_empty() || contiguous_in(self.shape(), self.strides(), self.itemsize, fastest_first)
    }

    /// Refuses layouts in which two elements share bytes, as writable views must. Exact for
    /// every layout made of nested, non-interleaved axes (all usual ones, in O(ndim)), and for
    /// layouts of up to [`EXACT_OVERLAP_MAX`] elements whose axes interleave (their elements'
    /// positions are sorted); larger interleaved layouts are refused even where the elements
    /// happen not to meet.
    ///
    /// ```
    /// use array_protocol::layout::Layout;
    ///
    /// // Rows 2 bytes apart, columns 3: the axes interleave, yet no two 1-byte elements meet
    /// // (they lie at 0, 3, 2, 5, 4, 7).
    /// let apart = Layout::new(&[3, 2], Some(&[2, 3]), 0, 1, 8).unwrap();
    /// assert!(apart.check_no_overlap().is_ok());
    /// // Columns 4 bytes apart: the elements at [2, 0] and [0, 1] are the same byte.
    /// let meet = Layout::new(&[3, 2], Some(&[2, 4]), 0, 1, 9).unwrap();
    /// assert!(meet.check_no_overlap().is_err());
    /// ```
    pub fn check_no_overlap(&self) -> Result<(), Error> {
        match self.nested_axes_apart() {
            Ok(()) => Ok(()),
            Err(_) if self.len() <= EXACT_OVERLAP_MAX && self.elements_apart() == Some(true) => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Whether no two elements share a byte, decided by sorting the elements' positions; `None`
    /// when the positions cannot be held (no memory).
    fn elements_apart(&self) -> Option<bool> {
        let mut starts: Vec<isize> = Vec::new();
        starts.try_reserve_exact(self.len()).ok()?;
        // Positions relative to the first element, stepped as the iterators step: each one is
        // an element's, inside the validated extent (invariant 3), so none overflows.
        let deltas = carry_deltas(self.shape(), self.strides());
        let mut odometer = Odometer::new(self.shape());
        let mut p = 0isize;
        loop {
            starts.push(p);
            match odometer.advance() {
                Some(k) => p = p.wrapping_add(deltas[k]),
                None => break,
            }
        }
        starts.sort_unstable();
        // `itemsize <= isize::MAX` (invariant 3: an element fits in the buffer).
        let itemsize = self.itemsize as isize;
        Some(starts.windows(2).all(|w| w[1] - w[0] >= itemsize))
    }

    /// The nested-axes test of [`check_no_overlap`](Self::check_no_overlap): axes longer than
    /// 1, slowest last, each stepping over everything the faster ones span.
    fn nested_axes_apart(&self) -> Result<(), Error> {
        if self.len() <= 1 || self.itemsize == 0 {
            return Ok(());
        }
        let (shape, strides) = (self.shape(), self.strides());
        let mut axes: Axes<usize> = Axes::from_slice(&[]);
        for (axis, &d) in shape.iter().enumerate() {
            if d > 1 {
                axes.push(axis);
            }
        }
        axes.sort_unstable_by_key(|&a| strides[a].unsigned_abs());
        let mut extent = self.itemsize;
        for &axis in axes.iter() {
            let step = strides[axis].unsigned_abs();
            if step < extent {
                return Err(error!(
                    Overlap,
                    "a writable view's elements must not overlap, but axis {axis} (length {}) steps {} bytes while the elements and faster axes inside it span {extent} bytes ({})",
                    shape[axis],
                    strides[axis],
                    self.describe()
                ));
            }
            extent += step * (shape[axis] - 1);
        }
        Ok(())
    }

    /// The byte position of the element at `index` (one entry per axis, each in range).
    #[inline]
    pub fn position(&self, index: &[usize]) -> Option<usize> {
        if index.len() != self.shape().len() || index.iter().zip(self.shape()).any(|(i, d)| i >= d)
        {
            return None;
        }
        let mut pos = self.offset as isize;
        for (&i, &s) in index.iter().zip(self.strides()) {
            pos += i as isize * s; // inside the validated extent
        }
        Some(pos as usize)
    }
}

/// Memory that shape, strides and offset cannot describe. A consumer refuses it with a clear
/// error instead of misreading it ("punts"); adapters turn what they import into this.
///
/// ```
/// use array_protocol::layout::{check_suboffsets, Unrepresentable};
/// use array_protocol::ErrorKind;
///
/// assert!(check_suboffsets(&[-1, -1]).is_ok());
/// let err = check_suboffsets(&[-1, 0]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Unsupported);
/// assert_eq!(err, Unrepresentable::Suboffsets { axis: 1 }.into());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unrepresentable {
    /// PEP 3118 suboffsets: along this axis the buffer holds pointers to follow (PIL-style).
    Suboffsets {
        /// The first axis with a non-negative suboffset.
        axis: usize,
    },
    /// An indirect buffer (`PyBUF_INDIRECT` exports without suboffsets information).
    Indirect,
    /// A masked array: some elements are missing, which strides cannot say.
    Masked,
    /// Memory on a device other than the CPU.
    Device {
        /// The device, as the producer names it (`CUDA:0`).
        name: alloc::string::String,
    },
}

impl fmt::Display for Unrepresentable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unrepresentable::Suboffsets { axis } => write!(
                f,
                "the buffer uses suboffsets (pointers to follow along axis {axis}), which shape, strides and offset cannot describe; copy it to a contiguous array first"
            ),
            Unrepresentable::Indirect => f.write_str(
                "the buffer is indirect (arrays of pointers), which shape, strides and offset cannot describe; copy it to a contiguous array first",
            ),
            Unrepresentable::Masked => f.write_str(
                "the array is masked (some elements are missing), which shape, strides and offset cannot describe; fill or compress it first",
            ),
            Unrepresentable::Device { name } => write!(
                f,
                "the array lives on device {name}, not in CPU memory; copy it to the CPU first"
            ),
        }
    }
}

impl From<Unrepresentable> for Error {
    fn from(u: Unrepresentable) -> Error {
        error!(Unsupported, "{u}")
    }
}

/// Refuses PEP 3118 suboffsets that ask for indirection (any entry `>= 0`).
pub fn check_suboffsets(suboffsets: &[isize]) -> Result<(), Error> {
    match suboffsets.iter().position(|&s| s >= 0) {
        Some(axis) => Err(Unrepresentable::Suboffsets { axis }.into()),
        None => Ok(()),
    }
}
