//! Foreign arrays located in memory: what the importers (buffer protocol, DLPack, ndarray) are
//! given — the address of the first element, a shape, strides — turned into the span of bytes a
//! view borrows, with every step checked and nothing read.

use crate::error::{error, Error};

/// Where the elements of a strided array lie relative to its first element: the byte offset of
/// the lowest element (zero or negative) and the length of the span from it to the end of the
/// highest one; `(0, 0)` for an empty array, `None` on overflow.
fn span(shape: &[usize], strides: &[isize], itemsize: usize) -> Option<(isize, usize)> {
    if shape.contains(&0) {
        return Some((0, 0));
    }
    let (mut lo, mut hi) = (0isize, 0isize);
    for (&d, &s) in shape.iter().zip(strides) {
        let reach = isize::try_from(d - 1).ok()?.checked_mul(s)?;
        if reach < 0 {
            lo = lo.checked_add(reach)?;
        } else {
            hi = hi.checked_add(reach)?;
        }
    }
    let len = hi
        .checked_sub(lo)?
        .checked_add(isize::try_from(itemsize).ok()?)?;
    Some((lo, len as usize))
}

/// A foreign array located in memory: the one routine that turns what an importer is given
/// (the address of the first element, shape, byte strides, item size) into the bytes a view
/// borrows. Nothing is read; every step is checked: the extent's arithmetic, a NULL address for
/// a non-empty array, elements at or below address 0 or past the end of the address space.
/// The view built over [`bytes`](Self::bytes) ([`ArrayView::from_foreign`](crate::ArrayView::from_foreign))
/// is then validated as any other. Every importer of
/// the crate and of its adapters goes through it; [`ArrayView::from_raw_parts`](crate::ArrayView::from_raw_parts)
/// is the one-call form.
///
/// ```
/// use array_protocol::layout::Foreign;
/// use array_protocol::{ArrayView, Element, ErrorKind};
///
/// let memory = [1u32, 2, 3, 4, 5, 6];
/// // Two rows of three, bottom-up: the first row starts at element 3, rows 12 bytes apart
/// // going down in memory.
/// let first = memory[3..].as_ptr().cast::<u8>().cast_mut();
/// let located = Foreign::locate(first, &[2, 3], &[-12, 4], 4)?;
/// assert_eq!((located.offset(), located.len()), (12, 24));
/// // SAFETY: the located span is `memory`, initialised and unchanged while the view lives.
/// let view = unsafe { ArrayView::from_foreign(&located, u32::item_type(), &[2, 3], &[-12, 4]) }?;
/// assert_eq!(view.typed::<u32>()?.iter().copied().collect::<Vec<_>>(), [4, 5, 6, 1, 2, 3]);
///
/// // Elements below address 0 are refused before anything is read.
/// let err = Foreign::locate(8 as *mut u8, &[2], &[-16], 4).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Layout);
/// # Ok::<(), array_protocol::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Foreign {
    /// The lowest byte any element touches (NULL for an empty array).
    low: *mut u8,
    /// The length of the span from `low` to the end of the highest element.
    len: usize,
    /// The first element's offset from `low`.
    offset: usize,
}

impl Foreign {
    /// Locates the elements of `shape` and byte `strides`, of `itemsize` bytes, whose first
    /// element (index `[0, 0, …]`) is at `first`.
    #[inline]
    pub fn locate(
        first: *mut u8,
        shape: &[usize],
        strides: &[isize],
        itemsize: usize,
    ) -> Result<Foreign, Error> {
        let (lo, len) = span(shape, strides, itemsize).ok_or_else(|| {
            error!(
                Layout,
                "the array's extent overflows (shape {shape:?}, strides {strides:?})"
            )
        })?;
        if len == 0 {
            // No element: nothing is read, whatever the address says.
            return Ok(Foreign {
                low: core::ptr::null_mut(),
                len: 0,
                offset: 0,
            });
        }
        if first.is_null() {
            return Err(error!(
                Layout,
                "the data pointer is NULL for a non-empty array (shape {shape:?})"
            ));
        }
        let below = lo.unsigned_abs();
        let addr = first as usize;
        let low = addr.checked_sub(below).filter(|&a| a != 0).ok_or_else(|| {
            error!(
                Layout,
                "the array's lowest element is {below} bytes below its first element at {addr:#x}: at or below address 0"
            )
        })?;
        if low.checked_add(len).is_none() {
            return Err(error!(
                Layout,
                "the array's elements ({len} bytes from {low:#x}) run past the end of the address space"
            ));
        }
        Ok(Foreign {
            // The producer's own pointer moved inside its array (checked above not to wrap),
            // so it keeps the producer's provenance.
            low: first.wrapping_sub(below),
            len,
            offset: below,
        })
    }

    /// The first element's byte offset in [`bytes`](Self::bytes).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The address of the first element (index `[0, 0, …]`), NULL for an empty array: what
    /// exporters that only pass the memory on (DLPack) hand on.
    pub fn first(&self) -> *mut u8 {
        self.low.wrapping_add(self.offset)
    }

    /// The length of the span, from the lowest element to the end of the highest.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the span is empty (the array has no element).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The span of the elements, to view.
    ///
    /// # Safety
    /// When the array is not empty, the span's bytes are initialised memory of one allocation,
    /// not written by anyone else for `'a`.
    pub unsafe fn bytes<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `low` is non-NULL and `low + len` does not wrap (checked in `locate`); the
        // caller's contract covers the memory.
        unsafe { core::slice::from_raw_parts(self.low, self.len) }
    }

    /// The span of the elements, writable.
    ///
    /// # Safety
    /// As for [`bytes`](Self::bytes), and no one else reads or writes the span for `'a`.
    pub unsafe fn bytes_mut<'a>(&self) -> &'a mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: as for `bytes`, with the caller's promise of exclusive access.
        unsafe { core::slice::from_raw_parts_mut(self.low, self.len) }
    }
}
