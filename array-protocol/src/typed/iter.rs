//! Iterators over typed views.

use core::marker::PhantomData;

use crate::layout::Axes;

/// Addresses of the elements of a strided view in logical order.
pub struct Strided<'a, T> {
    pub(super) next: *const u8,
    pub(super) shape: Axes<usize>,
    pub(super) strides: Axes<isize>,
    pub(super) index: Axes<usize>,
    pub(super) remaining: usize,
    pub(super) marker: PhantomData<&'a T>,
}

impl<T> Strided<'_, T> {
    #[inline]
    fn advance(&mut self) -> Option<*const u8> {
        if self.remaining == 0 {
            return None;
        }
        let p = self.next;
        self.remaining -= 1;
        for k in (0..self.shape.len()).rev() {
            self.index[k] += 1;
            self.next = self.next.wrapping_offset(self.strides[k]);
            if self.index[k] < self.shape[k] {
                break;
            }
            self.index[k] = 0;
            self.next = self
                .next
                .wrapping_offset(-self.strides[k] * self.shape[k] as isize);
        }
        Some(p)
    }
}

/// Iterator over the elements of a [`TypedView`](crate::TypedView) in logical order.
pub enum Iter<'a, T> {
    #[doc(hidden)]
    Slice(core::slice::Iter<'a, T>),
    #[doc(hidden)]
    Strided(Strided<'a, T>),
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        match self {
            Iter::Slice(it) => it.next(),
            // SAFETY: every address is an aligned, valid `T` of the view, borrowed for `'a`.
            Iter::Strided(it) => it.advance().map(|p| unsafe { &*p.cast::<T>() }),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            Iter::Slice(it) => it.len(),
            Iter::Strided(it) => it.remaining,
        };
        (n, Some(n))
    }

    fn fold<B, F: FnMut(B, &'a T) -> B>(self, init: B, f: F) -> B {
        match self {
            Iter::Slice(it) => it.fold(init, f),
            Iter::Strided(mut it) => {
                let mut f = f;
                let mut acc = init;
                while let Some(p) = it.advance() {
                    // SAFETY: as in `next`.
                    acc = f(acc, unsafe { &*p.cast::<T>() });
                }
                acc
            }
        }
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

/// Iterator over the elements of a [`TypedViewMut`](crate::TypedViewMut) in logical order, writable.
pub enum IterMut<'a, T> {
    #[doc(hidden)]
    Slice(core::slice::IterMut<'a, T>),
    #[doc(hidden)]
    Strided(Strided<'a, T>),
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = &'a mut T;

    #[inline]
    fn next(&mut self) -> Option<&'a mut T> {
        match self {
            IterMut::Slice(it) => it.next(),
            // SAFETY: each address is visited once; elements do not overlap (checked when the
            // writable view was made), so the `&mut` are disjoint.
            IterMut::Strided(it) => it
                .advance()
                .map(|p| unsafe { &mut *p.cast_mut().cast::<T>() }),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            IterMut::Slice(it) => it.len(),
            IterMut::Strided(it) => it.remaining,
        };
        (n, Some(n))
    }

    fn fold<B, F: FnMut(B, &'a mut T) -> B>(self, init: B, f: F) -> B {
        match self {
            IterMut::Slice(it) => it.fold(init, f),
            IterMut::Strided(mut it) => {
                let mut f = f;
                let mut acc = init;
                while let Some(p) = it.advance() {
                    // SAFETY: as in `next`.
                    acc = f(acc, unsafe { &mut *p.cast_mut().cast::<T>() });
                }
                acc
            }
        }
    }
}

impl<T> ExactSizeIterator for IterMut<'_, T> {}
