//! A downstream adapter: a matrix type such as a C imaging library hands out (a pointer to its
//! first row, a row step in bytes that may be negative for bottom-up images, rows and columns)
//! made an [`ArrayProducer`] with array-protocol's public API only.

use array_protocol::{ArrayProducer, ArrayView, Element, Error};

/// A borrowed matrix of `T` described the C way, as a foreign library returns it.
#[derive(Clone, Copy, Debug)]
pub struct ForeignMatrix<T> {
    /// The first element of the first row.
    pub data: *const T,
    /// Rows and columns.
    pub rows: usize,
    pub cols: usize,
    /// Bytes from one row to the next; negative for bottom-up storage.
    pub step: isize,
}

impl<T: Element> ForeignMatrix<T> {
    /// The validated view of the matrix.
    ///
    /// # Safety
    /// The memory the description covers is readable and unchanged while the view lives.
    pub unsafe fn view<'a>(&self) -> Result<ArrayView<'a>, Error> {
        let elem = isize::try_from(core::mem::size_of::<T>()).unwrap_or(isize::MAX);
        // SAFETY: the caller's promise.
        unsafe {
            ArrayView::from_raw_parts(
                self.data.cast::<u8>(),
                T::item_type(),
                &[self.rows, self.cols],
                &[self.step, elem],
            )
        }
    }
}

/// A matrix that owns its pixels and describes them with a `ForeignMatrix`, as a C library's
/// handle would: a producer any consumer of the protocol can read.
pub struct OwnedMatrix<T> {
    pixels: Vec<T>,
    desc: ForeignMatrix<T>,
}

impl<T: Element> OwnedMatrix<T> {
    /// `rows` × `cols` values of `pixels`, `pitch` elements apart, stored bottom-up when
    /// `bottom_up` (the last row first in memory).
    pub fn new(pixels: Vec<T>, rows: usize, cols: usize, pitch: usize, bottom_up: bool) -> Self {
        let step = (pitch * core::mem::size_of::<T>()) as isize;
        let (first, step) = if bottom_up && rows > 0 {
            ((rows - 1) * pitch, -step)
        } else {
            (0, step)
        };
        let data = pixels.as_ptr().wrapping_add(first);
        OwnedMatrix {
            desc: ForeignMatrix {
                data,
                rows,
                cols,
                step,
            },
            pixels,
        }
    }

    pub fn len(&self) -> usize {
        self.pixels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pixels.is_empty()
    }
}

impl<T: Element> ArrayProducer for OwnedMatrix<T> {
    fn array(&self) -> ArrayView<'_> {
        match self.try_array() {
            Ok(v) => v,
            Err(e) => panic!("the matrix does not describe its pixels: {e}"),
        }
    }

    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        // SAFETY: `desc` points into `pixels`, which `&self` keeps alive and unchanged.
        unsafe { self.desc.view() }
    }
}
