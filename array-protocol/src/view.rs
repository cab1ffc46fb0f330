//! Views: a borrowed byte buffer, an item type and a validated layout; the constructors that
//! validate, and the borrowing transforms (transpose, slice, field, cast, …) that derive new
//! views of the same bytes in O(ndim).

use core::fmt;

mod raw_parts;

use crate::error::{error, Error};
use crate::item::element::Element;
use crate::item::ItemType;
use crate::layout::{Layout, Order};
use crate::transform::{self, Meta};

pub(crate) mod sealed {
    pub trait Sealed {}
    impl Sealed for &[u8] {}
    impl Sealed for &mut [u8] {}
}

/// The storage of an [`ArrayBase`]: a shared slice, a mutable slice or owned aligned bytes.
pub trait Data: sealed::Sealed {
    /// Whether views over this storage write, and so must not have overlapping elements.
    const WRITABLE: bool;
    /// What the array is called in `Debug` output.
    #[doc(hidden)]
    const NAME: &'static str;
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
    const NAME: &'static str = "ArrayView";
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl Data for &mut [u8] {
    const WRITABLE: bool = true;
    const NAME: &'static str = "ArrayViewMut";
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
}

impl DataMut for &mut [u8] {
    #[inline]
    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }
}

/// An N-dimensional array over some storage: an [`ItemType`], a shape, byte strides and the
/// byte offset of the first element. Use it through [`ArrayView`], [`ArrayViewMut`] and
/// [`Array`](crate::owned::Array).
pub struct ArrayBase<D: Data> {
    pub(crate) data: D,
    pub(crate) item: ItemType,
    pub(crate) layout: Layout,
}

/// A read-only view of an array in borrowed memory. Zero strides (broadcasting) are allowed.
/// It is at most 128 bytes, so it moves in registers and copies inline; cloning one copies a
/// few words and never allocates for up to four axes (more axes keep their shape and strides in
/// one allocation: storing six inline would make every view larger).
///
/// ```
/// use array_protocol::ArrayView;
///
/// let data: Vec<f64> = (0..6).map(f64::from).collect();
/// let view = ArrayView::from_slice(&data, &[2, 3])?;
/// assert_eq!((view.shape(), view.strides()), (&[2, 3][..], &[24, 8][..]));
/// assert!(view.is_c_contiguous() && !view.is_f_contiguous());
///
/// // The transpose borrows the same bytes; only the metadata changes.
/// let t = view.t();
/// assert_eq!(t.strides(), [8, 24]);
/// assert_eq!(t.to_vec::<f64>()?, [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
/// assert_eq!(view.index_axis(0, 1)?.to_vec::<f64>()?, [3.0, 4.0, 5.0]);
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub type ArrayView<'a> = ArrayBase<&'a [u8]>;

/// A writable view of an array in borrowed memory; its elements never overlap.
///
/// ```
/// use array_protocol::{ArrayViewMut, Element};
///
/// let mut data = [0u16; 6];
/// let mut view = ArrayViewMut::from_slice_mut(&mut data, &[2, 3])?;
/// view.typed_mut::<u16>()?.iter_mut().enumerate().for_each(|(i, x)| *x = i as u16);
/// view.index_axis_mut(0, 1)?.typed_mut::<u16>()?.fill(9);
/// assert_eq!(data, [0, 1, 2, 9, 9, 9]);
///
/// let mut broadcast = [0u8; 4];
/// let err = ArrayViewMut::new(&mut broadcast, u8::item_type(), &[3], Some(&[0]), 0).unwrap_err();
/// assert_eq!(err.kind(), array_protocol::ErrorKind::Overlap);
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub type ArrayViewMut<'a> = ArrayBase<&'a mut [u8]>;

/// Item type, shape and (when strided) byte strides of a slice's view.
type SliceParts = (
    ItemType,
    crate::layout::Axes<usize>,
    Option<crate::layout::Axes<isize>>,
);

/// The item type and axes of a slice of `len` elements of `T` with leading axes `shape`,
/// `T`'s own fixed-array axes appended: C order over exactly `len` elements when `strides` is
/// `None` (the caller lays it out contiguously), else those element strides in bytes, the inner
/// axes C-contiguous inside each element.
fn slice_parts<T: Element>(
    len: usize,
    shape: &[usize],
    strides: Option<&[isize]>,
) -> Result<SliceParts, Error> {
    let item = T::ITEM_TYPE;
    let (base, inner) = transform::element_parts(&item);
    if shape.len() + inner.len() > crate::layout::MAX_NDIM {
        return Err(error!(
            Layout,
            "{} axes is more than the {} an array may have",
            shape.len() + inner.len(),
            crate::layout::MAX_NDIM
        ));
    }
    let mut all = crate::layout::Axes::from_slice(shape);
    let Some(s) = strides else {
        let count = crate::layout::checked_product(1usize, shape);
        if count != Some(len) {
            return Err(error!(
                Shape,
                "shape {shape:?} does not hold the {len} elements of the slice"
            ));
        }
        inner.iter().for_each(|&d| all.push(d));
        return Ok((base, all, None));
    };
    if s.len() != shape.len() {
        return Err(error!(
            Layout,
            "{} strides given for {} axes (shape {shape:?}); expected one stride per axis",
            s.len(),
            shape.len()
        ));
    }
    let mut byte_strides = crate::layout::scaled_strides(s, core::mem::size_of::<T>())?;
    transform::push_inner_axes(&mut all, &mut byte_strides, inner, base.itemsize());
    Ok((base, all, Some(byte_strides)))
}

/// [`slice_parts`] with element strides and an element offset, both in bytes.
type StridedParts = (
    ItemType,
    crate::layout::Axes<usize>,
    crate::layout::Axes<isize>,
    usize,
);

fn strided_parts<T: Element>(
    len: usize,
    shape: &[usize],
    strides: &[isize],
    offset: usize,
) -> Result<StridedParts, Error> {
    let (item, shape, byte_strides) = slice_parts::<T>(len, shape, Some(strides))?;
    let byte_strides =
        byte_strides.unwrap_or_else(|| unreachable!("strides given, strides returned"));
    let offset = offset
        .checked_mul(core::mem::size_of::<T>())
        .ok_or_else(|| error!(Layout, "offset {offset} overflows"))?;
    Ok((item, shape, byte_strides, offset))
}

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

    /// A C-order view of `data` with `shape`, whose product must be `data.len()`. A fixed-array
    /// element (`[u8; 4]`) adds its axes at the end.
    ///
    /// ```
    /// use array_protocol::ArrayView;
    ///
    /// let pixels = vec![[1u8, 2, 3, 4]; 6];
    /// let v = ArrayView::from_slice(&pixels, &[2, 3])?;
    /// assert_eq!((v.shape(), v.strides()), (&[2, 3, 4][..], &[12, 4, 1][..]));
    /// assert!(ArrayView::from_slice(&pixels, &[4, 2]).is_err());
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    #[inline]
    pub fn from_slice<T: Element>(data: &'a [T], shape: &[usize]) -> Result<Self, Error> {
        let (item, shape, _) = slice_parts::<T>(data.len(), shape, None)?;
        ArrayBase::c_contiguous(crate::item::element::bytes_of(data), item, &shape)
    }

    /// A view of `data` with `shape` and `strides` counted in elements of `T` (negative and
    /// zero allowed), starting at element `offset`; every element must lie inside `data`.
    ///
    /// ```
    /// use array_protocol::ArrayView;
    ///
    /// let data: Vec<i32> = (0..6).collect();
    /// let columns = ArrayView::from_slice_strided(&data, &[3, 2], &[1, 3], 0)?; // Fortran order
    /// assert_eq!(columns.to_vec::<i32>()?, [0, 3, 1, 4, 2, 5]);
    /// let reversed = ArrayView::from_slice_strided(&data, &[6], &[-1], 5)?;
    /// assert_eq!(reversed.to_vec::<i32>()?, [5, 4, 3, 2, 1, 0]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn from_slice_strided<T: Element>(
        data: &'a [T],
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, Error> {
        let (item, shape, byte_strides, offset) =
            strided_parts::<T>(data.len(), shape, strides, offset)?;
        let bytes = crate::item::element::bytes_of(data);
        ArrayBase::from_parts(bytes, item, &shape, Some(&byte_strides), offset)
    }

    /// The whole underlying buffer, with the view's lifetime.
    #[inline]
    pub fn buffer(&self) -> &'a [u8] {
        self.data
    }

    /// The bytes of a contiguous view in `order`, for the view's lifetime; `None` when the view
    /// is not contiguous in that order.
    pub fn as_bytes(&self, order: Order) -> Option<&'a [u8]> {
        let ok = match order {
            Order::C => self.is_c_contiguous(),
            Order::Fortran => self.is_f_contiguous(),
        };
        if !ok {
            return None;
        }
        // Invariants 3/4: a contiguous layout covers `len * itemsize` bytes from its offset.
        let len = self.len() * self.itemsize();
        self.data.get(self.offset()..self.offset() + len)
    }

    #[inline]
    fn with(&self, (item, layout): Meta) -> ArrayView<'a> {
        ArrayBase::from_valid(self.data, item, layout)
    }

    /// Reverses the order of the axes (a matrix transpose for 2-D).
    #[inline]
    pub fn transpose(&self) -> ArrayView<'a> {
        self.with(transform::transpose(&self.item, &self.layout))
    }

    /// Shorthand for [`transpose`](Self::transpose).
    #[inline]
    pub fn t(&self) -> ArrayView<'a> {
        self.transpose()
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

    /// A writable C-order view of `data`; see [`ArrayView::from_slice`]. Only for element types
    /// valid for every bit pattern (not `bool`): checked at compile time.
    #[inline]
    pub fn from_slice_mut<T: Element>(data: &'a mut [T], shape: &[usize]) -> Result<Self, Error> {
        let (item, shape, _) = slice_parts::<T>(data.len(), shape, None)?;
        ArrayBase::c_contiguous(crate::item::element::bytes_mut(data), item, &shape)
    }

    /// A writable strided view of `data`; see [`ArrayView::from_slice_strided`]. Elements must
    /// not overlap.
    pub fn from_slice_mut_strided<T: Element>(
        data: &'a mut [T],
        shape: &[usize],
        strides: &[isize],
        offset: usize,
    ) -> Result<Self, Error> {
        let (item, shape, byte_strides, offset) =
            strided_parts::<T>(data.len(), shape, strides, offset)?;
        let bytes = crate::item::element::bytes_mut(data);
        ArrayBase::from_parts(bytes, item, &shape, Some(&byte_strides), offset)
    }

    /// The address of the first element, for writing.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.data.as_mut_ptr().wrapping_add(self.layout.offset())
    }

    /// A writable view borrowing this one.
    #[inline]
    pub fn reborrow(&mut self) -> ArrayViewMut<'_> {
        ArrayBase::from_valid(&mut *self.data, self.item.clone(), self.layout.clone())
    }

    /// This view, read-only, for the rest of its lifetime.
    #[inline]
    pub fn into_view(self) -> ArrayView<'a> {
        ArrayBase::from_valid(self.data, self.item, self.layout)
    }

    /// Copies `src` into this view, element by element in logical order; see
    /// [`copy_into`](ArrayBase::copy_into).
    pub fn copy_from<S: Data>(&mut self, src: &ArrayBase<S>) -> Result<(), Error> {
        src.copy_into(self)
    }

    #[inline]
    fn with_mut(&mut self, (item, layout): Meta) -> ArrayViewMut<'_> {
        ArrayBase::from_valid(&mut *self.data, item, layout)
    }

    #[inline]
    fn into_with(self, (item, layout): Meta) -> ArrayViewMut<'a> {
        ArrayBase::from_valid(self.data, item, layout)
    }

    /// The transpose, read-only; see [`ArrayView::transpose`].
    #[inline]
    pub fn transpose(&self) -> ArrayView<'_> {
        self.view().transpose()
    }

    /// Shorthand for [`transpose`](Self::transpose).
    #[inline]
    pub fn t(&self) -> ArrayView<'_> {
        self.transpose()
    }

    /// The transpose, writable, borrowing this view.
    #[inline]
    pub fn transpose_mut(&mut self) -> ArrayViewMut<'_> {
        let meta = transform::transpose(&self.item, &self.layout);
        self.with_mut(meta)
    }

    /// The transpose, writable, for the rest of this view's lifetime.
    #[inline]
    pub fn into_transpose(self) -> ArrayViewMut<'a> {
        let meta = transform::transpose(&self.item, &self.layout);
        self.into_with(meta)
    }
}

impl Clone for ArrayView<'_> {
    #[inline]
    fn clone(&self) -> Self {
        ArrayBase::from_valid(self.data, self.item.clone(), self.layout.clone())
    }
}

impl<D: Data> fmt::Debug for ArrayBase<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(D::NAME)
            .field("item", &format_args!("{}", self.item))
            .field("shape", &self.shape())
            .field("strides", &self.strides())
            .field("offset", &self.offset())
            .field("buffer_len", &self.data.bytes().len())
            .finish()
    }
}

impl<D: Data> ArrayBase<D> {
    /// The one constructor that validates: every view and array is built here or derived from
    /// one built here.
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
        Ok(ArrayBase::from_valid(data, item, layout))
    }

    /// An array over `data` with a layout that is already valid for it: one derived from a
    /// validated array of the same bytes by a transform (invariants 1–5 kept, see
    /// `transform`), or the same array through another handle (a view of an owned array, a
    /// reborrow). The only constructor besides the validating ones below.
    #[inline]
    pub(crate) fn from_valid(data: D, item: ItemType, layout: Layout) -> Self {
        debug_assert_eq!(layout.itemsize(), item.itemsize());
        ArrayBase { data, item, layout }
    }

    /// A C-contiguous array over `data` from its start, validated in one pass (the layout of a
    /// typed slice or a packed image).
    #[inline]
    pub(crate) fn c_contiguous(data: D, item: ItemType, shape: &[usize]) -> Result<Self, Error> {
        let layout = Layout::c_contiguous(shape, item.itemsize(), data.bytes().len())?;
        Ok(ArrayBase::from_valid(data, item, layout))
    }

    /// A read-only view borrowing this array.
    #[inline]
    pub fn view(&self) -> ArrayView<'_> {
        ArrayBase::from_valid(self.data.bytes(), self.item.clone(), self.layout.clone())
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

    /// Row-major contiguous (NumPy's `C_CONTIGUOUS`).
    pub fn is_c_contiguous(&self) -> bool {
        self.layout.is_c_contiguous()
    }

    /// Column-major contiguous (NumPy's `F_CONTIGUOUS`).
    pub fn is_f_contiguous(&self) -> bool {
        self.layout.is_f_contiguous()
    }

    /// Contiguous in either order.
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
}

/// The transforms, each as `(doc, name, name_mut, into_name, [generics], (args), |item, layout|
/// body)`, handed to `$m`, which writes them for one kind of storage.
macro_rules! for_each_transform {
    ($m:ident) => {
        $m! {
            /// Puts axis `axes[i]` at position `i`; `axes` must be a permutation of `0..ndim`.
            permute_axes, permute_axes_mut, into_permute_axes, [] [], (axes: &[usize])
                |item, layout| $crate::transform::permute_axes(item, layout, axes);
            /// Reverses `axis`: the same elements, read from the other end (a negative stride).
            reverse_axis, reverse_axis_mut, into_reverse_axis, [] [], (axis: usize)
                |item, layout| $crate::transform::slice(item, layout, axis, None, None, -1);
            /// The sub-array at `index` along `axis`, with that axis removed.
            index_axis, index_axis_mut, into_index_axis, [] [], (axis: usize, index: usize)
                |item, layout| $crate::transform::index_axis(item, layout, axis, index);
            /// Python's `a[start:stop:step]` along `axis`: negative `start`/`stop` count from the
            /// end, out-of-range bounds are clipped, `None` means the natural end for the step's
            /// direction, and a negative `step` walks backwards. A `step` of 0 is an error.
            ///
            /// ```
            /// use array_protocol::ArrayView;
            ///
            /// let data: Vec<i32> = (0..10).collect();
            /// let v = ArrayView::from_slice(&data, &[10])?;
            /// assert_eq!(v.slice(0, Some(1), None, 3)?.to_vec::<i32>()?, [1, 4, 7]);
            /// assert_eq!(v.slice(0, None, None, -4)?.to_vec::<i32>()?, [9, 5, 1]);
            /// assert_eq!(v.slice(0, Some(-2), Some(100), 1)?.to_vec::<i32>()?, [8, 9]);
            /// # Ok::<(), array_protocol::Error>(())
            /// ```
            slice, slice_mut, into_slice, [] [],
                (axis: usize, start: Option<isize>, stop: Option<isize>, step: isize)
                |item, layout| $crate::transform::slice(item, layout, axis, start, stop, step);
            /// The real parts of a complex array: items of half the size, the same strides.
            ///
            /// ```
            /// use array_protocol::{ArrayView, ItemType};
            ///
            /// let z = [1.0f64, -1.0, 2.0, -2.0]; // 1 - 1j, 2 - 2j
            /// let v = ArrayView::new(bytemuck::cast_slice(&z), ItemType::from_pep3118("Zd")?, &[2], None, 0)?;
            /// let re = v.real()?;
            /// assert_eq!((re.itemsize(), re.strides()), (8, &[16][..]));
            /// assert_eq!(re.to_vec::<f64>()?, [1.0, 2.0]);
            /// assert_eq!(v.imag()?.to_vec::<f64>()?, [-1.0, -2.0]);
            /// # Ok::<(), array_protocol::Error>(())
            /// ```
            real, real_mut, into_real, [] [], ()
                |item, layout| $crate::transform::complex_part(item, layout, false);
            /// The imaginary parts of a complex array: the real parts' view, offset by their size.
            imag, imag_mut, into_imag, [] [], ()
                |item, layout| $crate::transform::complex_part(item, layout, true);
            /// One field of a record array. A sub-array field adds its axes at the end, as in
            /// NumPy.
            ///
            /// ```
            /// use array_protocol::{ArrayView, ItemType};
            ///
            /// let t = ItemType::from_pep3118("T{(3)f:pos:I:id:d:mass:}")?;
            /// let bytes = vec![0u8; 2 * 24];
            /// let v = ArrayView::new(&bytes, t, &[2], None, 0)?;
            /// let pos = v.field("pos")?;
            /// assert_eq!((pos.shape(), pos.strides()), (&[2, 3][..], &[24, 4][..]));
            /// assert_eq!(v.field("mass")?.offset(), 16);
            /// # Ok::<(), array_protocol::Error>(())
            /// ```
            field, field_mut, into_field, [] [], (name: &str)
                |item, layout| $crate::transform::field(item, layout, name);
            /// The same bytes as items of `item`, which must have the same size (signed as
            /// unsigned, a pixel record as `u32`). Items with padding, or in the other byte order
            /// (unless `item` is made of single bytes), are refused.
            cast_item, cast_item_mut, into_cast_item, [] [], (target: $crate::item::ItemType)
                |item, layout| $crate::transform::cast_item(item, layout, target);
            /// The same bytes as items of `U`; see [`cast_item`](Self::cast_item).
            ///
            /// ```
            /// use array_protocol::ArrayView;
            ///
            /// let v = ArrayView::from_slice(&[-1i32, 2], &[2])?;
            /// assert_eq!(v.cast::<u32>()?.to_vec::<u32>()?, [u32::MAX, 2]);
            /// # Ok::<(), array_protocol::Error>(())
            /// ```
            cast, cast_mut, into_cast, [U: $crate::item::element::Element] [U], ()
                |item, layout| $crate::transform::cast_item(item, layout, U::ITEM_TYPE);
            /// Each item seen as several items of `U`, along a new last axis: 512×512 `u32`
            /// pixels as a 512×512×4 array of `u8`.
            ///
            /// ```
            /// use array_protocol::ArrayView;
            ///
            /// let pixels = [0x0403_0201u32, 0x0807_0605];
            /// let v = ArrayView::from_slice(&pixels, &[2])?;
            /// let channels = v.split_items::<u8>()?;
            /// assert_eq!((channels.shape(), channels.strides()), (&[2, 4][..], &[4, 1][..]));
            /// let back = channels.merge_items::<u32>()?;
            /// assert_eq!(back.to_vec::<u32>()?, pixels);
            /// # Ok::<(), array_protocol::Error>(())
            /// ```
            split_items, split_items_mut, into_split_items, [U: $crate::item::element::Element] [U], ()
                |item, layout| $crate::transform::split_items(item, layout, U::ITEM_TYPE);
            /// [`split_items`](Self::split_items) with an item type known at run time.
            split_items_as, split_items_as_mut, into_split_items_as, [] [], (part: $crate::item::ItemType)
                |item, layout| $crate::transform::split_items(item, layout, part);
            /// The inverse of [`split_items`](Self::split_items): the last axis, which must be
            /// contiguous, becomes one item of `U`.
            merge_items, merge_items_mut, into_merge_items, [U: $crate::item::element::Element] [U], ()
                |item, layout| $crate::transform::merge_items(item, layout, U::ITEM_TYPE);
            /// [`merge_items`](Self::merge_items) with an item type known at run time.
            merge_items_as, merge_items_as_mut, into_merge_items_as, [] [], (whole: $crate::item::ItemType)
                |item, layout| $crate::transform::merge_items(item, layout, whole);
        }
    };
}
pub(crate) use for_each_transform;

macro_rules! view_transforms {
    ($( $(#[$doc:meta])* $name:ident, $name_mut:ident, $into:ident, [$($gen:tt)*] [$($tf:tt)*],
        ($($arg:ident: $ty:ty),*) |$i:ident, $l:ident| $body:expr; )*) => {
        impl<'a> ArrayView<'a> {
            $(
                $(#[$doc])*
                ///
                /// The result borrows the same bytes for the same lifetime `'a`.
                #[inline]
                pub fn $name<$($gen)*>(&self, $($arg: $ty),*) -> Result<ArrayView<'a>, Error> {
                    let ($i, $l) = (&self.item, &self.layout);
                    $body.map(|meta| self.with(meta))
                }
            )*
        }

        impl<'a> ArrayViewMut<'a> {
            $(
                #[doc = concat!("As [`ArrayView::", stringify!($name), "`], read-only, borrowing this view.")]
                #[inline]
                pub fn $name<$($gen)*>(&self, $($arg: $ty),*) -> Result<ArrayView<'_>, Error> {
                    self.view().$name::<$($tf)*>($($arg),*)
                }

                #[doc = concat!("As [`ArrayView::", stringify!($name), "`], writable, borrowing this view.")]
                #[inline]
                pub fn $name_mut<$($gen)*>(&mut self, $($arg: $ty),*) -> Result<ArrayViewMut<'_>, Error> {
                    let ($i, $l) = (&self.item, &self.layout);
                    let meta = $body?;
                    Ok(self.with_mut(meta))
                }

                #[doc = concat!("As [`ArrayView::", stringify!($name), "`], writable, for the rest of this view's lifetime.")]
                #[inline]
                pub fn $into<$($gen)*>(self, $($arg: $ty),*) -> Result<ArrayViewMut<'a>, Error> {
                    let ($i, $l) = (&self.item, &self.layout);
                    let meta = $body?;
                    Ok(self.into_with(meta))
                }
            )*
        }
    };
}

for_each_transform!(view_transforms);
