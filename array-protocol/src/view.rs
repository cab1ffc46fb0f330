//! Views: a borrowed (or owned) byte buffer, an item type and a validated layout.

use core::fmt;

use crate::error::{error, Error};
use crate::item::ItemType;
use crate::layout::{Layout, Order};

mod sealed {
    pub trait Sealed {}
    impl Sealed for &[u8] {}
    impl Sealed for &mut [u8] {}
    impl Sealed for crate::owned::AlignedBytes {}
}

/// The storage of an [`ArrayBase`]: a shared slice, a mutable slice or owned aligned bytes.
pub trait Data: sealed::Sealed {
    /// Whether views over this storage write, and so must not have overlapping elements.
    const WRITABLE: bool;
    /// The whole buffer.
    fn bytes(&self) -> &[u8];
}

/// Storage that can be written.
pub trait DataMut: Data {
    /// The whole buffer, writable.
    fn bytes_mut(&mut self) -> &mut [u8];
}

impl Data for &[u8] {
    const WRITABLE: bool = false;
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl Data for &mut [u8] {
    const WRITABLE: bool = true;
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl DataMut for &mut [u8] {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }
}

/// An N-dimensional array over some storage: an [`ItemType`], a shape, byte strides and the
/// byte offset of the first element. Use it through [`ArrayView`], [`ArrayViewMut`] and
/// [`Array`](crate::Array).
pub struct ArrayBase<D: Data> {
    pub(crate) data: D,
    pub(crate) item: ItemType,
    pub(crate) layout: Layout,
}

/// A read-only view of an array in borrowed memory. Zero strides (broadcasting) are allowed.
///
/// ```
/// use array_protocol::{ArrayView, Element};
///
/// let data: Vec<f64> = (0..6).map(f64::from).collect();
/// let bytes = bytemuck::cast_slice(&data);
/// let view = ArrayView::new(bytes, f64::item_type(), &[2, 3], None, 0)?;
/// assert_eq!((view.shape(), view.strides()), (&[2, 3][..], &[24, 8][..]));
/// assert!(view.is_c_contiguous() && !view.is_f_contiguous());
///
/// // The transpose shares the bytes; only the metadata changes.
/// let t = view.clone().transpose();
/// assert_eq!(t.strides(), [8, 24]);
/// assert_eq!(t.to_vec::<f64>()?, [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub type ArrayView<'a> = ArrayBase<&'a [u8]>;

/// A writable view of an array in borrowed memory; its elements never overlap.
///
/// ```
/// use array_protocol::{ArrayViewMut, Element};
///
/// let mut data = [0u16; 6];
/// let bytes = bytemuck::cast_slice_mut(&mut data);
/// let mut view = ArrayViewMut::new(bytes, u16::item_type(), &[2, 3], None, 0)?;
/// view.typed_mut::<u16>()?.iter_mut().enumerate().for_each(|(i, x)| *x = i as u16);
/// assert_eq!(data, [0, 1, 2, 3, 4, 5]);
///
/// let mut broadcast = [0u8; 4];
/// let err = ArrayViewMut::new(&mut broadcast, u8::item_type(), &[3], Some(&[0]), 0).unwrap_err();
/// assert_eq!(err.kind(), array_protocol::ErrorKind::Overlap);
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub type ArrayViewMut<'a> = ArrayBase<&'a mut [u8]>;

impl<'a> ArrayView<'a> {
    /// A view of `bytes` holding items of `item` with `shape`, byte `strides` (C order when
    /// `None`) and the first element at byte `offset`. Fails unless every element lies inside
    /// `bytes`; see [`Layout::new`].
    #[inline]
    pub fn new(
        bytes: &'a [u8],
        item: ItemType,
        shape: &[usize],
        strides: Option<&[isize]>,
        offset: usize,
    ) -> Result<Self, Error> {
        ArrayBase::from_parts(bytes, item, shape, strides, offset)
    }

    /// The whole underlying buffer, with the view's lifetime.
    #[inline]
    pub fn buffer(&self) -> &'a [u8] {
        self.data
    }
}

impl<'a> ArrayViewMut<'a> {
    /// A writable view; as [`ArrayView::new`], and refused if two elements would share bytes.
    #[inline]
    pub fn new(
        bytes: &'a mut [u8],
        item: ItemType,
        shape: &[usize],
        strides: Option<&[isize]>,
        offset: usize,
    ) -> Result<Self, Error> {
        ArrayBase::from_parts(bytes, item, shape, strides, offset)
    }

    /// The address of the first element, for writing.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.data.as_mut_ptr().wrapping_add(self.layout.offset())
    }

    /// A writable view borrowing this one.
    pub fn reborrow(&mut self) -> ArrayViewMut<'_> {
        ArrayBase {
            data: &mut *self.data,
            item: self.item.clone(),
            layout: self.layout.clone(),
        }
    }

    /// Copies `src` into this view, element by element in logical order; see
    /// [`copy_into`](ArrayBase::copy_into).
    pub fn copy_from<S: Data>(&mut self, src: &ArrayBase<S>) -> Result<(), Error> {
        src.copy_into(self)
    }
}

impl Clone for ArrayView<'_> {
    fn clone(&self) -> Self {
        ArrayBase {
            data: self.data,
            item: self.item.clone(),
            layout: self.layout.clone(),
        }
    }
}

impl<D: Data> fmt::Debug for ArrayBase<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(if D::WRITABLE {
            "ArrayViewMut"
        } else {
            "ArrayView"
        })
        .field("item", &format_args!("{}", self.item))
        .field("shape", &self.shape())
        .field("strides", &self.strides())
        .field("offset", &self.offset())
        .field("buffer_len", &self.data.bytes().len())
        .finish()
    }
}

impl<D: Data> ArrayBase<D> {
    #[inline]
    pub(crate) fn from_parts(
        data: D,
        item: ItemType,
        shape: &[usize],
        strides: Option<&[isize]>,
        offset: usize,
    ) -> Result<Self, Error> {
        let layout = Layout::new(shape, strides, offset, item.itemsize(), data.bytes().len())?;
        if D::WRITABLE {
            layout.check_no_overlap()?;
        }
        Ok(ArrayBase { data, item, layout })
    }

    /// The same storage with new metadata, validated again.
    pub(crate) fn remake(
        self,
        item: ItemType,
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, Error> {
        ArrayBase::from_parts(self.data, item, shape, Some(strides), offset)
    }

    /// A read-only view borrowing this array.
    pub fn view(&self) -> ArrayView<'_> {
        ArrayBase {
            data: self.data.bytes(),
            item: self.item.clone(),
            layout: self.layout.clone(),
        }
    }

    /// The item type of each element.
    #[inline]
    pub fn item(&self) -> &ItemType {
        &self.item
    }

    /// The validated layout: shape, strides, offset and itemsize.
    #[inline]
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The length of each axis.
    #[inline]
    pub fn shape(&self) -> &[usize] {
        self.layout.shape()
    }

    /// The byte step along each axis.
    #[inline]
    pub fn strides(&self) -> &[isize] {
        self.layout.strides()
    }

    /// The byte offset of the first element in the buffer.
    #[inline]
    pub fn offset(&self) -> usize {
        self.layout.offset()
    }

    /// The number of axes.
    #[inline]
    pub fn ndim(&self) -> usize {
        self.layout.shape().len()
    }

    /// The number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.layout.len()
    }

    /// Whether there are no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.layout.is_empty()
    }

    /// Bytes per element.
    #[inline]
    pub fn itemsize(&self) -> usize {
        self.layout.itemsize()
    }

    /// The address of the first element (one past the buffer's end only for an empty array).
    #[inline]
    pub fn as_ptr(&self) -> *const u8 {
        self.data
            .bytes()
            .as_ptr()
            .wrapping_add(self.layout.offset())
    }

    /// Row-major contiguous (NumPy's `C_CONTIGUOUS`, the seed's `iscarray`).
    pub fn is_c_contiguous(&self) -> bool {
        self.layout.is_c_contiguous()
    }

    /// Column-major contiguous (NumPy's `F_CONTIGUOUS`, the seed's `isfortran`).
    pub fn is_f_contiguous(&self) -> bool {
        self.layout.is_f_contiguous()
    }

    /// Contiguous in either order (the seed's `iscontiguous`).
    pub fn is_contiguous(&self) -> bool {
        self.is_c_contiguous() || self.is_f_contiguous()
    }

    /// The contiguous order this array is in, if any (C when it is both).
    pub fn contiguous_order(&self) -> Option<Order> {
        if self.is_c_contiguous() {
            Some(Order::C)
        } else if self.is_f_contiguous() {
            Some(Order::Fortran)
        } else {
            None
        }
    }

    fn axis_error(&self, axis: usize) -> Error {
        error!(
            Shape,
            "axis {axis} is out of range for a {}-D array",
            self.ndim()
        )
    }

    /// Reverses the order of the axes (a matrix transpose for 2-D).
    pub fn transpose(self) -> Self {
        let shape: crate::layout::Axes<usize> = self.shape().iter().rev().copied().collect_axes();
        let strides: crate::layout::Axes<isize> =
            self.strides().iter().rev().copied().collect_axes();
        let (item, offset) = (self.item.clone(), self.offset());
        // A permutation of a valid layout is valid.
        let layout = Layout::new(
            &shape,
            Some(&strides),
            offset,
            self.itemsize(),
            self.data.bytes().len(),
        );
        match layout {
            Ok(layout) => ArrayBase {
                data: self.data,
                item,
                layout,
            },
            Err(_) => self,
        }
    }

    /// Puts axis `axes[i]` at position `i`; `axes` must be a permutation of `0..ndim`.
    pub fn permute_axes(self, axes: &[usize]) -> Result<Self, Error> {
        let n = self.ndim();
        let mut seen = crate::layout::Axes::<bool>::zeroed(n);
        if axes.len() != n
            || axes
                .iter()
                .any(|&a| a >= n || core::mem::replace(&mut seen[a], true))
        {
            return Err(error!(
                Shape,
                "{axes:?} is not a permutation of the {n} axes"
            ));
        }
        let shape: crate::layout::Axes<usize> =
            axes.iter().map(|&a| self.shape()[a]).collect_axes();
        let strides: crate::layout::Axes<isize> =
            axes.iter().map(|&a| self.strides()[a]).collect_axes();
        let (item, offset) = (self.item.clone(), self.offset());
        self.remake(item, &shape, &strides, offset)
    }

    /// Reverses `axis`: the same elements, read from the other end (a negative stride).
    pub fn reverse_axis(self, axis: usize) -> Result<Self, Error> {
        self.slice(axis, None, None, -1)
    }

    /// The sub-array at `index` along `axis`, with that axis removed.
    pub fn index_axis(self, axis: usize, index: usize) -> Result<Self, Error> {
        if axis >= self.ndim() {
            return Err(self.axis_error(axis));
        }
        let len = self.shape()[axis];
        if index >= len {
            return Err(error!(
                Shape,
                "index {index} is out of range for axis {axis} of length {len}"
            ));
        }
        // Inside the validated extent, so no overflow. An empty array (another axis of length 0)
        // has no elements and no extent: its offset stays as it is.
        let offset = if self.is_empty() {
            self.offset()
        } else {
            (self.offset() as isize + index as isize * self.strides()[axis]) as usize
        };
        let mut shape = crate::layout::Axes::from_slice(self.shape());
        let mut strides = crate::layout::Axes::from_slice(self.strides());
        shape.remove(axis);
        strides.remove(axis);
        let item = self.item.clone();
        self.remake(item, &shape, &strides, offset)
    }

    /// Python's `a[start:stop:step]` along `axis`: negative `start`/`stop` count from the end,
    /// out-of-range bounds are clipped, `None` means the natural end for the step's direction,
    /// and a negative `step` walks backwards. A `step` of 0 is an error.
    ///
    /// ```
    /// use array_protocol::{ArrayView, Element};
    ///
    /// let data: Vec<i32> = (0..10).collect();
    /// let v = ArrayView::new(bytemuck::cast_slice(&data), i32::item_type(), &[10], None, 0)?;
    /// assert_eq!(v.clone().slice(0, Some(1), None, 3)?.to_vec::<i32>()?, [1, 4, 7]);
    /// assert_eq!(v.clone().slice(0, None, None, -4)?.to_vec::<i32>()?, [9, 5, 1]);
    /// assert_eq!(v.slice(0, Some(-2), Some(100), 1)?.to_vec::<i32>()?, [8, 9]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn slice(
        self,
        axis: usize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Self, Error> {
        if axis >= self.ndim() {
            return Err(self.axis_error(axis));
        }
        if step == 0 {
            return Err(error!(Shape, "slice step cannot be zero"));
        }
        let len = self.shape()[axis] as isize;
        let clip = |i: isize, lo: isize, hi: isize| {
            let i = if i < 0 { i.saturating_add(len) } else { i };
            i.clamp(lo, hi)
        };
        let (first, end) = if step > 0 {
            (
                start.map_or(0, |s| clip(s, 0, len)),
                stop.map_or(len, |s| clip(s, 0, len)),
            )
        } else {
            (
                start.map_or(len - 1, |s| clip(s, -1, len - 1)),
                stop.map_or(-1, |s| clip(s, -1, len - 1)),
            )
        };
        let count = if step > 0 {
            if end > first {
                (end - first - 1) / step + 1
            } else {
                0
            }
        } else if first > end {
            (first - end - 1) / (-step) + 1
        } else {
            0
        };
        let stride = self.strides()[axis];
        let offset = if count > 0 && !self.is_empty() {
            // `first` is a valid index: inside the validated extent.
            (self.offset() as isize + first * stride) as usize
        } else {
            self.offset()
        };
        // With fewer than two elements the stride is never used; otherwise stride × step is a
        // distance between two elements inside the validated extent.
        let new_stride = if count < 2 {
            stride
        } else {
            stride
                .checked_mul(step)
                .ok_or_else(|| error!(Layout, "stride {stride} × step {step} overflows"))?
        };
        let mut shape = crate::layout::Axes::from_slice(self.shape());
        let mut strides = crate::layout::Axes::from_slice(self.strides());
        shape[axis] = count as usize;
        strides[axis] = new_stride;
        let item = self.item.clone();
        self.remake(item, &shape, &strides, offset)
    }
}

trait CollectAxes<T: Copy + Default> {
    fn collect_axes(self) -> crate::layout::Axes<T>;
}

impl<T: Copy + Default, I: Iterator<Item = T>> CollectAxes<T> for I {
    fn collect_axes(self) -> crate::layout::Axes<T> {
        let mut axes = crate::layout::Axes::from_slice(&[]);
        for v in self {
            axes.push(v);
        }
        axes
    }
}
