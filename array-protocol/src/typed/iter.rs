//! Iterators over typed views.

use core::marker::PhantomData;

use crate::layout::{carry_deltas, Axes, Odometer};

/// Addresses of the elements of a strided view in logical order.
pub(super) struct Strided<'a, T> {
    next: *const u8,
    deltas: Axes<isize>,
    odometer: Odometer,
    remaining: usize,
    marker: PhantomData<&'a T>,
}

impl<T> Strided<'_, T> {
    /// From the first element of a non-overlapping or read-only valid layout of `len` elements.
    pub(super) fn new(first: *const u8, shape: &[usize], strides: &[isize], len: usize) -> Self {
        Strided {
            next: first,
            deltas: carry_deltas(shape, strides),
            odometer: Odometer::new(shape),
            remaining: len,
            marker: PhantomData,
        }
    }

    #[inline]
    fn advance(&mut self) -> Option<*const u8> {
        if self.remaining == 0 {
            return None;
        }
        let p = self.next;
        self.remaining -= 1;
        if let Some(k) = self.odometer.advance() {
            self.next = self.next.wrapping_offset(self.deltas[k]);
        }
        Some(p)
    }
}

/// Iterator over the elements of a [`TypedView`](crate::typed::TypedView) in logical order.
pub struct Iter<'a, T>(Repr<core::slice::Iter<'a, T>, Strided<'a, T>>);

/// Iterator over the elements of a [`TypedViewMut`](crate::typed::TypedViewMut) in logical order,
/// writable.
pub struct IterMut<'a, T>(Repr<core::slice::IterMut<'a, T>, Strided<'a, T>>);

enum Repr<S, P> {
    Slice(S),
    Strided(P),
}

impl<'a, T> Iter<'a, T> {
    pub(super) fn slice(items: &'a [T]) -> Self {
        Iter(Repr::Slice(items.iter()))
    }

    pub(super) fn strided(s: Strided<'a, T>) -> Self {
        Iter(Repr::Strided(s))
    }
}

impl<'a, T> IterMut<'a, T> {
    pub(super) fn slice(items: &'a mut [T]) -> Self {
        IterMut(Repr::Slice(items.iter_mut()))
    }

    pub(super) fn strided(s: Strided<'a, T>) -> Self {
        IterMut(Repr::Strided(s))
    }
}

// SAFETY: an `Iter` hands out `&T`s, as `core::slice::Iter` does.
unsafe impl<T: Sync> Send for Iter<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for Iter<'_, T> {}
// SAFETY: an `IterMut` hands out disjoint `&mut T`s, as `core::slice::IterMut` does.
unsafe impl<T: Send> Send for IterMut<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for IterMut<'_, T> {}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        match &mut self.0 {
            Repr::Slice(it) => it.next(),
            // SAFETY: every address is an aligned, valid `T` of the view (invariants 3, 9, 10),
            // borrowed for `'a`.
            Repr::Strided(it) => it.advance().map(|p| unsafe { &*p.cast::<T>() }),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.0 {
            Repr::Slice(it) => it.len(),
            Repr::Strided(it) => it.remaining,
        };
        (n, Some(n))
    }

    fn fold<B, F: FnMut(B, &'a T) -> B>(self, init: B, mut f: F) -> B {
        match self.0 {
            Repr::Slice(it) => it.fold(init, f),
            Repr::Strided(mut it) => {
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

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = &'a mut T;

    #[inline]
    fn next(&mut self) -> Option<&'a mut T> {
        match &mut self.0 {
            Repr::Slice(it) => it.next(),
            // SAFETY: each address is visited once; elements do not overlap (invariant 5), so
            // the `&mut` are disjoint; aligned and valid as in `Iter::next`.
            Repr::Strided(it) => it
                .advance()
                .map(|p| unsafe { &mut *p.cast_mut().cast::<T>() }),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.0 {
            Repr::Slice(it) => it.len(),
            Repr::Strided(it) => it.remaining,
        };
        (n, Some(n))
    }

    fn fold<B, F: FnMut(B, &'a mut T) -> B>(self, init: B, mut f: F) -> B {
        match self.0 {
            Repr::Slice(it) => it.fold(init, f),
            Repr::Strided(mut it) => {
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
