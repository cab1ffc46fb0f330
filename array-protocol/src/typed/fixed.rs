//! Typed views with a fixed number of axes: the path for producers whose element type and
//! number of axes are known at compile time. Nothing about item types is compared at run time
//! (the element type is the type parameter), and shape and strides are plain arrays.

use core::marker::PhantomData;

use super::{check_alignment, check_values, Iter, Strided, TypedView};
use crate::error::{error, Error};
use crate::item::element::Element;

/// A read-only view of `T`s along `N` axes: [`TypedView`](crate::typed::TypedView) for a number of
/// axes fixed at compile time, as cheap to build and index as ndarray's `ArrayView3`.
///
/// ```
/// use array_protocol::TypedViewN;
///
/// let data: Vec<f64> = (0..24).map(f64::from).collect();
/// let v = TypedViewN::<f64, 3>::from_slice(&data, [2, 3, 4], [12, 4, 1], 0)?;
/// assert_eq!(v[[1, 2, 3]], 23.0);
/// let t = TypedViewN::<f64, 2>::from_slice(&data, [4, 6], [1, 4], 0)?; // Fortran order
/// assert_eq!(t[[3, 1]], 7.0);
/// assert!(TypedViewN::<f64, 1>::from_slice(&data, [25], [1], 0).is_err());
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub struct TypedViewN<'a, T, const N: usize> {
    first: *const T,
    shape: [usize; N],
    strides: [isize; N],
    len: usize,
    marker: PhantomData<&'a [T]>,
}

// SAFETY: a shared borrow of `T`s, like `&[T]` (invariants 3, 8–10 hold for its lifetime).
unsafe impl<T: Sync, const N: usize> Send for TypedViewN<'_, T, N> {}
// SAFETY: as above.
unsafe impl<T: Sync, const N: usize> Sync for TypedViewN<'_, T, N> {}

impl<T, const N: usize> Clone for TypedViewN<'_, T, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, const N: usize> Copy for TypedViewN<'_, T, N> {}

impl<'a, T: Element, const N: usize> TypedViewN<'a, T, N> {
    /// A view of the `T`s in `bytes` with `shape`, byte `strides` and the first element at byte
    /// `offset`: the layout invariants (every element inside `bytes`, checked arithmetic), the
    /// alignment of the first element and of every stride, and valid values (for `bool` and
    /// the like) are checked; nothing else needs to be.
    #[inline]
    pub fn new(
        bytes: &'a [u8],
        shape: [usize; N],
        strides: [isize; N],
        offset: usize,
    ) -> Result<Self, Error> {
        let size = core::mem::size_of::<T>();
        let len = crate::layout::check_extent(&shape, &strides, offset, size, bytes.len())?;
        let first = bytes.as_ptr().wrapping_add(offset);
        check_alignment::<T>(first, &shape, &strides, len)?;
        check_values::<T>(first, &shape, &strides, len)?;
        Ok(TypedViewN {
            first: first.cast::<T>(),
            shape,
            strides,
            len,
            marker: PhantomData,
        })
    }

    /// A view of `data` with `shape`, `strides` counted in elements and the first element at
    /// element `offset`.
    #[inline]
    pub fn from_slice(
        data: &'a [T],
        shape: [usize; N],
        strides: [isize; N],
        offset: usize,
    ) -> Result<Self, Error> {
        let size = core::mem::size_of::<T>();
        let mut byte_strides = [0isize; N];
        byte_strides.copy_from_slice(&crate::layout::scaled_strides(&strides, size)?);
        let offset = offset
            .checked_mul(size)
            .ok_or_else(|| crate::error::error!(Layout, "offset {offset} overflows"))?;
        Self::new(
            crate::item::element::bytes_of(data),
            shape,
            byte_strides,
            offset,
        )
    }
}

impl<'a, T, const N: usize> TypedViewN<'a, T, N> {
    /// The length of each axis.
    #[inline]
    pub fn shape(&self) -> [usize; N] {
        self.shape
    }

    /// The byte step along each axis.
    #[inline]
    pub fn strides(&self) -> [isize; N] {
        self.strides
    }

    /// The number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// The address of the first element.
    #[inline]
    pub fn as_ptr(&self) -> *const T {
        self.first
    }

    /// Whether there are no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `index`, or `None` when out of range.
    #[inline]
    pub fn get(&self, index: [usize; N]) -> Option<&'a T> {
        if self.len == 0 {
            return None;
        }
        let mut at = 0isize;
        for ((&i, &d), &s) in index.iter().zip(&self.shape).zip(&self.strides) {
            if i >= d {
                return None;
            }
            // Inside the validated extent (invariant 3): no overflow.
            at += i as isize * s;
        }
        let p = self.first.cast::<u8>().wrapping_offset(at).cast::<T>();
        // SAFETY: an in-range index addresses an aligned, valid `T` inside the view
        // (invariants 3, 9, 10), borrowed for `'a`.
        Some(unsafe { &*p })
    }

    /// The elements in logical (C) order.
    pub fn iter(&self) -> Iter<'a, T> {
        Iter::strided(Strided::new(
            self.first.cast::<u8>(),
            &self.shape,
            &self.strides,
            self.len,
        ))
    }
}

impl<'a, T> TypedView<'a, T> {
    /// The same view with its number of axes fixed at `N`, or a `Shape` error naming both
    /// numbers when the view has another number of axes. Nothing else is checked: the view's
    /// checks are the fixed view's.
    ///
    /// ```
    /// use array_protocol::ArrayView;
    ///
    /// let data: Vec<f64> = (0..6).map(f64::from).collect();
    /// let view = ArrayView::from_slice(&data, &[2, 3])?.typed::<f64>()?;
    /// let matrix = view.as_fixed::<2>()?;
    /// assert_eq!(matrix.shape(), [2, 3]);
    /// assert_eq!(matrix[[1, 2]], 5.0);
    ///
    /// let err = view.as_fixed::<3>().unwrap_err();
    /// assert_eq!(err.to_string(), "expected a 3-D array, got a 2-D array");
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    #[inline]
    pub fn as_fixed<const N: usize>(&self) -> Result<TypedViewN<'a, T, N>, Error> {
        match (
            <[usize; N]>::try_from(self.shape()),
            <[isize; N]>::try_from(self.strides()),
        ) {
            (Ok(shape), Ok(strides)) => Ok(TypedViewN {
                first: self.first.cast::<T>(),
                shape,
                strides,
                len: self.len,
                marker: PhantomData,
            }),
            _ => Err(error!(
                Shape,
                "expected a {N}-D array, got a {}-D array",
                self.shape().len()
            )),
        }
    }
}

/// [`TypedView::as_fixed`].
impl<'a, T, const N: usize> TryFrom<TypedView<'a, T>> for TypedViewN<'a, T, N> {
    type Error = Error;

    #[inline]
    fn try_from(view: TypedView<'a, T>) -> Result<Self, Error> {
        view.as_fixed()
    }
}

impl<T, const N: usize> core::ops::Index<[usize; N]> for TypedViewN<'_, T, N> {
    type Output = T;

    /// # Panics
    /// When the index is out of range, as slices do.
    #[inline]
    fn index(&self, index: [usize; N]) -> &T {
        match self.get(index) {
            Some(v) => v,
            None => panic!("index {index:?} is out of range for shape {:?}", self.shape),
        }
    }
}

impl<T, const N: usize> core::fmt::Debug for TypedViewN<'_, T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TypedViewN")
            .field("shape", &self.shape)
            .field("strides", &self.strides)
            .finish()
    }
}
