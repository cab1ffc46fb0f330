//! Typed views of foreign arrays (what an importer is given: the address of the first element,
//! a shape, byte strides), checked by the rules of a view and built without the untyped view.

use core::marker::PhantomData;

use super::{check_elements, TypedView};
use crate::error::Error;
use crate::item::element::Element;
use crate::item::ItemType;
use crate::layout::Dims;

impl<'a, T: Element> TypedView<'a, T> {
    /// The typed view of the array of `T` whose first element (index `[0, 0, …]`) is at `ptr`,
    /// with `shape` and byte `strides` (one per axis, as everywhere in this crate; negative for
    /// axes that run backwards, zero for broadcast axes): the typed form of
    /// [`ArrayView::from_raw_parts`](crate::ArrayView::from_raw_parts), checked the same way
    /// (extent, address range, NULL only when empty), and then as
    /// [`typed::<T>`](crate::ArrayView::typed) checks: the pointer and every stride aligned
    /// for `T`, every element a valid `T` (for `bool` and types like it).
    ///
    /// ```
    /// use array_protocol::TypedView;
    ///
    /// let memory = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// // The columns of a 2×3 row-major matrix: shape [3, 2], strides [8, 24] bytes.
    /// // SAFETY: `memory` is initialised and unchanged while the view lives.
    /// let columns = unsafe { TypedView::from_raw_parts(memory.as_ptr(), &[3, 2], &[8, 24]) }?;
    /// assert_eq!(columns.iter().copied().collect::<Vec<_>>(), [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    ///
    /// // A stride that is not a multiple of the alignment is refused.
    /// let err = unsafe { TypedView::<f64>::from_raw_parts(memory.as_ptr(), &[2], &[12]) }.unwrap_err();
    /// assert_eq!(err.kind(), array_protocol::ErrorKind::Alignment);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    ///
    /// # Safety
    /// Unless the array is empty, the bytes from its lowest element to the end of its highest
    /// are initialised memory of one allocation, not written by anyone for `'a`.
    pub unsafe fn from_raw_parts(
        ptr: *const T,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<TypedView<'a, T>, Error> {
        crate::layout::same_rank(shape, strides)?;
        // SAFETY: the caller's promise is `from_foreign`'s.
        unsafe { Self::from_foreign(ptr.cast::<u8>().cast_mut(), &T::ITEM_TYPE, shape, strides) }
    }

    /// The typed view of a foreign array of `item`s whose first element (index `[0, 0, …]`) is
    /// at `first`, with byte `strides`: located ([`Foreign::locate`](crate::layout::Foreign))
    /// and validated by the same rules as [`ArrayView::new`](crate::ArrayView::new) over the
    /// located span followed by [`typed::<T>`](crate::ArrayView::typed) (invariants 1–4 and
    /// 8–10), without building the untyped view. For importers that hand out typed views of
    /// arrays described by others.
    ///
    /// # Safety
    /// When the array is not empty, the located span (from its lowest element to the end of
    /// its highest) is initialised memory of one allocation, not written by anyone else for
    /// `'a`.
    #[inline]
    pub unsafe fn from_foreign(
        first: *mut u8,
        item: &ItemType,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<TypedView<'a, T>, Error> {
        // SAFETY: the caller's contract.
        let (outer, len) = unsafe { Self::check_foreign(first, item, shape, strides) }?;
        // SAFETY: just checked.
        Ok(unsafe { Self::from_checked(first, &shape[..outer], &strides[..outer], len) })
    }

    /// The checks of [`from_foreign`](Self::from_foreign) alone: the number of axes the typed
    /// view keeps (all but a fixed-array `T`'s own) and its element count. Apart from the view
    /// itself, so that a caller can build the view in place, where it is kept.
    ///
    /// # Safety
    /// As for [`from_foreign`](Self::from_foreign).
    #[inline]
    pub unsafe fn check_foreign(
        first: *mut u8,
        item: &ItemType,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<(usize, usize), Error> {
        crate::layout::check_axes(shape, Some(strides))?;
        let itemsize = item.itemsize();
        let foreign = crate::layout::Foreign::locate(first, shape, strides, itemsize)?;
        // Invariants 3 and 4 hold over the located span by its construction: it runs from the
        // lowest element to the end of the highest, every sum on the way checked in `isize`.
        // What `Layout::new` would check besides is invariant 2, the element count.
        let count =
            crate::layout::element_count(shape).ok_or_else(|| crate::layout::too_many(shape))?;
        debug_assert_eq!(
            crate::layout::check_extent(shape, strides, foreign.offset(), itemsize, foreign.len())
                .ok(),
            Some(count),
            "a located span passes the view's checks"
        );
        check_elements::<T>(item, first, shape, strides, count)
    }

    /// The typed view of a description [`check_foreign`](Self::check_foreign) accepted: `shape`
    /// and `strides` are its first `outer` axes, `len` its count.
    ///
    /// # Safety
    /// `check_foreign::<T>(first, …)` returned `Ok((outer, len))` for this description, and the
    /// memory is as its contract says for `'a`.
    #[inline(always)]
    pub unsafe fn from_checked(
        first: *mut u8,
        shape: &[usize],
        strides: &[isize],
        len: usize,
    ) -> TypedView<'a, T> {
        TypedView {
            first,
            dims: Dims::new(shape, strides),
            len,
            marker: PhantomData,
        }
    }

    /// For `T` with invalid bit patterns (`bool`), whether the elements still hold valid values:
    /// the view was checked when it was made, and importers whose memory others may write
    /// meanwhile (Python code) check again before reading. Free for types without invalid bit
    /// patterns.
    #[inline]
    pub fn recheck_values(&self) -> Result<(), Error> {
        // `check_values` returns at once for types without invalid bit patterns.
        super::check_values::<T>(self.first, self.dims.shape(), self.dims.strides(), self.len)
    }
}
