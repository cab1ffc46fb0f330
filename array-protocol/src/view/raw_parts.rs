//! Views of memory that someone else describes: a pointer to the first element, a shape and
//! byte strides, as C libraries, GPU staging buffers and other array libraries hand them out.

use crate::error::Error;
use crate::item::ItemType;
use crate::layout::Foreign;
use crate::view::{ArrayView, ArrayViewMut};

use crate::layout::same_rank as check_axes;

impl<'a> ArrayView<'a> {
    /// A view of the array of `item`s whose first element (index `[0, 0, …]`) is at `ptr`,
    /// with `shape` and byte `strides` (one per axis; negative for axes that run backwards,
    /// zero for broadcast axes).
    ///
    /// Everything that can be checked without reading the memory is checked, with checked
    /// arithmetic, and refused with an [`ErrorKind::Layout`](crate::ErrorKind::Layout) error:
    /// the span from the lowest element to the end of the highest must fit `isize`, must not
    /// reach address 0 or wrap past the end of the address space, and `ptr` must not be NULL
    /// unless the array is empty. An empty array (an axis of length 0) reads nothing, so any
    /// `ptr`, dangling or NULL, is accepted. Then the view is validated as any other (see
    /// [`Layout::new`](crate::Layout::new)).
    ///
    /// ```
    /// use array_protocol::{ArrayView, Element, ErrorKind};
    ///
    /// // A C library's 3×2 image of u16 whose rows are 8 bytes apart, stored bottom-up: the
    /// // first row is the last in memory, so the row step is negative.
    /// let memory: [u16; 12] = [6, 7, 0, 0, 4, 5, 0, 0, 2, 3, 0, 0];
    /// let last_row = memory[8..].as_ptr().cast::<u8>();
    /// // SAFETY: the 24 bytes from `memory`'s start are initialised and not written while
    /// // the view lives.
    /// let view = unsafe { ArrayView::from_raw_parts(last_row, u16::item_type(), &[3, 2], &[-8, 2]) }?;
    /// assert_eq!(view.typed::<u16>()?.iter().copied().collect::<Vec<_>>(), [2, 3, 4, 5, 6, 7]);
    ///
    /// // A description whose extent overflows is refused before anything is read.
    /// let err = unsafe {
    ///     ArrayView::from_raw_parts(last_row, u16::item_type(), &[2, usize::MAX / 4], &[2, 4])
    /// }
    /// .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Layout);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    ///
    /// # Safety
    /// Unless the array is empty, the caller promises that the bytes from its lowest element to
    /// the end of its highest are initialised memory of one allocation, readable and not
    /// written by anyone for `'a`, and that every element holds a value of `item` (for item
    /// types with invalid bit patterns, such as `bool`, [`typed`](ArrayView::typed) also
    /// checks each value before handing it out).
    pub unsafe fn from_raw_parts(
        ptr: *const u8,
        item: ItemType,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<ArrayView<'a>, Error> {
        check_axes(shape, strides)?;
        let foreign = Foreign::locate(ptr.cast_mut(), shape, strides, item.itemsize())?;
        // SAFETY: the caller's promise covers the located span, which runs from the lowest
        // element to the end of the highest.
        unsafe { ArrayView::from_foreign(&foreign, item, shape, strides) }
    }

    /// The view of elements located by [`Foreign::locate`] (with the same `shape` and byte
    /// `strides`), validated as any other view of its span.
    ///
    /// # Safety
    /// Unless the array is empty, the located span (from the lowest element to the end of the
    /// highest) is initialised memory of one allocation, not written by anyone for `'a`.
    #[inline]
    pub unsafe fn from_foreign(
        foreign: &Foreign,
        item: ItemType,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<ArrayView<'a>, Error> {
        // SAFETY: the caller's contract.
        let bytes = unsafe { foreign.bytes() };
        ArrayView::new(bytes, item, shape, Some(strides), foreign.offset())
    }
}

impl<'a> ArrayViewMut<'a> {
    /// A writable view of the array of `item`s whose first element is at `ptr`, with `shape`
    /// and byte `strides`; as [`ArrayView::from_raw_parts`], and refused with
    /// [`ErrorKind::Overlap`](crate::ErrorKind::Overlap) when two elements would share bytes
    /// (zero strides, or axes that interleave), since a write through one would change the
    /// other.
    ///
    /// ```
    /// use array_protocol::{ArrayViewMut, Element, ErrorKind};
    ///
    /// let mut memory = [0f32; 6];
    /// let p = memory.as_mut_ptr().cast::<u8>();
    /// // SAFETY: `memory` is ours, initialised and not used while the view lives.
    /// let mut view = unsafe { ArrayViewMut::from_raw_parts_mut(p, f32::item_type(), &[2, 3], &[12, 4]) }?;
    /// view.typed_mut::<f32>()?.fill(1.5);
    /// // Broadcast (zero-stride) axes cannot be written: every element would be the same one.
    /// let err = unsafe { ArrayViewMut::from_raw_parts_mut(p, f32::item_type(), &[2, 3], &[0, 4]) }.unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Overlap);
    /// assert_eq!(memory, [1.5; 6]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    ///
    /// # Safety
    /// Unless the array is empty, the caller promises that the bytes from its lowest element to
    /// the end of its highest are initialised memory of one allocation that nobody else reads
    /// or writes for `'a`, and that every element holds a value of `item`.
    pub unsafe fn from_raw_parts_mut(
        ptr: *mut u8,
        item: ItemType,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<ArrayViewMut<'a>, Error> {
        check_axes(shape, strides)?;
        let foreign = Foreign::locate(ptr, shape, strides, item.itemsize())?;
        // SAFETY: the caller's promise of exclusive access covers the located span.
        let bytes = unsafe { foreign.bytes_mut() };
        ArrayViewMut::new(bytes, item, shape, Some(strides), foreign.offset())
    }
}
