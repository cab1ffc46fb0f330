//! Per-axis values stored inline for up to six axes.

use alloc::vec::Vec;
use core::fmt;
use core::ops::{Deref, DerefMut};

const INLINE: usize = 6;

/// Per-axis values, stored inline for up to six axes so that views of ordinary arrays never
/// allocate.
#[derive(Clone)]
pub struct Axes<T: Copy + Default>(AxesRepr<T>);

#[derive(Clone)]
enum AxesRepr<T: Copy + Default> {
    Inline { len: u8, items: [T; INLINE] },
    Heap(Vec<T>),
}

impl<T: Copy + Default> Axes<T> {
    /// A copy of `values`.
    #[inline]
    pub fn from_slice(values: &[T]) -> Self {
        if values.len() <= INLINE {
            let mut items = [T::default(); INLINE];
            // One copy of a size known at compile time per length: a few moves, where a copy
            // of `values.len()` items (or an element loop, which the compiler turns into one)
            // calls `memcpy` on the hot path of every view.
            match values.len() {
                0 => {}
                1 => items[..1].copy_from_slice(&values[..1]),
                2 => items[..2].copy_from_slice(&values[..2]),
                3 => items[..3].copy_from_slice(&values[..3]),
                4 => items[..4].copy_from_slice(&values[..4]),
                5 => items[..5].copy_from_slice(&values[..5]),
                _ => items.copy_from_slice(&values[..INLINE]),
            }
            Axes(AxesRepr::Inline {
                len: values.len() as u8,
                items,
            })
        } else {
            Axes::heap(values)
        }
    }

    /// A copy of more than six values, out of line: the inline case stays small enough to be
    /// inlined where views are made.
    #[cold]
    #[inline(never)]
    fn heap(values: &[T]) -> Self {
        Axes(AxesRepr::Heap(Vec::from(values)))
    }

    /// `len` default values.
    #[inline]
    pub fn zeroed(len: usize) -> Self {
        if len <= INLINE {
            Axes(AxesRepr::Inline {
                len: len as u8,
                items: [T::default(); INLINE],
            })
        } else {
            Axes(AxesRepr::Heap(alloc::vec![T::default(); len]))
        }
    }

    /// Appends `value`.
    pub fn push(&mut self, value: T) {
        match &mut self.0 {
            AxesRepr::Inline { len, items } if usize::from(*len) < INLINE => {
                items[usize::from(*len)] = value;
                *len += 1;
            }
            AxesRepr::Inline { len, items } => {
                let mut v = Vec::from(&items[..usize::from(*len)]);
                v.push(value);
                self.0 = AxesRepr::Heap(v);
            }
            AxesRepr::Heap(v) => v.push(value),
        }
    }

    /// Removes the value at `axis`.
    pub fn remove(&mut self, axis: usize) {
        let mut values = Vec::new();
        let slice: &[T] = self;
        if slice.len() > INLINE {
            values.extend(
                slice
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != axis)
                    .map(|(_, v)| *v),
            );
            *self = Axes::from_slice(&values);
        } else {
            let mut items = [T::default(); INLINE];
            let mut n = 0;
            for (i, v) in slice.iter().enumerate() {
                if i != axis {
                    items[n] = *v;
                    n += 1;
                }
            }
            *self = Axes(AxesRepr::Inline {
                len: n as u8,
                items,
            });
        }
    }
}

impl<T: Copy + Default> FromIterator<T> for Axes<T> {
    #[inline]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut axes = Axes::from_slice(&[]);
        for v in iter {
            axes.push(v);
        }
        axes
    }
}

impl<T: Copy + Default> Deref for Axes<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.0 {
            AxesRepr::Inline { len, items } => &items[..usize::from(*len)],
            AxesRepr::Heap(v) => v,
        }
    }
}

impl<T: Copy + Default> DerefMut for Axes<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.0 {
            AxesRepr::Inline { len, items } => &mut items[..usize::from(*len)],
            AxesRepr::Heap(v) => v,
        }
    }
}

impl<T: Copy + Default + fmt::Debug> fmt::Debug for Axes<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Copy + Default + PartialEq> PartialEq for Axes<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Copy + Default + Eq> Eq for Axes<T> {}
