//! The shape and strides of a [`Layout`](super::Layout) or a typed view, stored together:
//! inline for up to a few axes, in one allocation beyond.

use alloc::boxed::Box;

/// Shape and strides, one stride per axis, inline for up to `INLINE` axes. A layout keeps four
/// (the default): four axes of shape and strides are 64 bytes, which keeps a whole view (buffer,
/// item type and layout) within 128 bytes, small enough to be moved in registers and copied
/// inline; more axes are rare and cost one allocation. A typed view, which holds nothing else
/// but a pointer and a count, keeps six.
#[derive(Clone)]
pub(crate) enum Dims<const INLINE: usize = 4> {
    /// Up to `INLINE` axes: `shape[..ndim]` and `strides[..ndim]`; the rest are zero.
    Inline {
        ndim: Ndim,
        shape: [usize; INLINE],
        strides: [isize; INLINE],
    },
    /// More axes: the shape, then the strides (as `usize` bits), in one allocation.
    Heap(Box<[usize]>),
}

/// The number of inline axes, a whole word: the enum's tag lives in its unused values (no byte
/// of tag and a byte of count beside it, which copies of a view moved as bytes and words mixed,
/// and which a read of the whole word right after a write of one byte stalls on).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum Ndim {
    N0,
    N1,
    N2,
    N3,
    N4,
    N5,
    N6,
}

impl Ndim {
    /// `n` axes, `n <= 6`.
    #[inline]
    fn new(n: usize) -> Ndim {
        match n {
            0 => Ndim::N0,
            1 => Ndim::N1,
            2 => Ndim::N2,
            3 => Ndim::N3,
            4 => Ndim::N4,
            5 => Ndim::N5,
            6 => Ndim::N6,
            _ => unreachable!("at most six inline axes"),
        }
    }
}

impl<const INLINE: usize> Dims<INLINE> {
    const FITS: () = assert!(INLINE <= 6, "at most six inline axes");

    /// A copy of `shape` and `strides` (as many).
    #[inline]
    pub(crate) fn new(shape: &[usize], strides: &[isize]) -> Self {
        debug_assert_eq!(shape.len(), strides.len());
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS;
        if shape.len() > INLINE {
            return Dims::heap(shape, strides);
        }
        let n = shape.len();
        let strides = &strides[..n];
        // One load per slot, guarded by the length, in the expression that builds the value: a
        // few moves, where a copy of `shape.len()` items (which the compiler makes of a loop or
        // of one copy per length) calls `memcpy` on the hot path of every view.
        Dims::Inline {
            ndim: Ndim::new(n),
            shape: core::array::from_fn(|k| if k < n { shape[k] } else { 0 }),
            strides: core::array::from_fn(|k| if k < n { strides[k] } else { 0 }),
        }
    }

    /// More than `INLINE` axes, out of line: the inline case stays small enough to be inlined
    /// where views are made.
    #[cold]
    #[inline(never)]
    fn heap(shape: &[usize], strides: &[isize]) -> Self {
        let mut all = alloc::vec::Vec::with_capacity(2 * shape.len());
        all.extend_from_slice(shape);
        all.extend_from_slice(bytemuck::cast_slice::<isize, usize>(strides));
        Dims::Heap(all.into_boxed_slice())
    }

    /// The first `outer` axes (at most all of them) with room for `WIDE >= INLINE` inline: the
    /// inline slots are selected without a branch per axis (those past `outer` become zero, as
    /// unused slots are), so a typed view is written in place from a layout's axes.
    #[inline]
    pub(crate) fn leading<const WIDE: usize>(&self, outer: usize) -> Dims<WIDE> {
        match self {
            Dims::Inline {
                ndim,
                shape,
                strides,
            } if INLINE <= WIDE && outer <= *ndim as usize => {
                let mut s = [0usize; WIDE];
                let mut t = [0isize; WIDE];
                for k in 0..INLINE {
                    let keep = k < outer;
                    s[k] = if keep { shape[k] } else { 0 };
                    t[k] = if keep { strides[k] } else { 0 };
                }
                Dims::Inline {
                    ndim: Ndim::new(outer),
                    shape: s,
                    strides: t,
                }
            }
            _ => Dims::<WIDE>::leading_out_of_line(self.shape(), self.strides(), outer),
        }
    }

    #[cold]
    #[inline(never)]
    fn leading_out_of_line(shape: &[usize], strides: &[isize], outer: usize) -> Self {
        Dims::new(&shape[..outer], &strides[..outer])
    }

    /// `shape` with zero strides, to be filled through [`strides_mut`](Self::strides_mut).
    #[inline]
    pub(crate) fn with_shape(shape: &[usize]) -> Self {
        if shape.len() > INLINE {
            return Dims::heap(shape, &alloc::vec![0isize; shape.len()]);
        }
        let mut s = [0usize; INLINE];
        for (k, slot) in s.iter_mut().enumerate() {
            if let Some(&d) = shape.get(k) {
                *slot = d;
            }
        }
        Dims::Inline {
            ndim: Ndim::new(shape.len()),
            shape: s,
            strides: [0; INLINE],
        }
    }

    /// `f` folded over the axes in order: `f(acc, axis, length, stride)`. Inline axes are
    /// visited by a loop of fixed count, each slot read at a constant place, so that a view
    /// only read this way can live in registers instead of being copied through memory.
    #[inline]
    pub(crate) fn fold<B>(&self, init: B, mut f: impl FnMut(B, usize, usize, isize) -> B) -> B {
        match self {
            Dims::Inline {
                ndim,
                shape,
                strides,
            } => {
                let n = *ndim as usize;
                let mut acc = init;
                for k in 0..INLINE {
                    if k < n {
                        acc = f(acc, k, shape[k], strides[k]);
                    }
                }
                acc
            }
            Dims::Heap(_) => self
                .shape()
                .iter()
                .zip(self.strides())
                .enumerate()
                .fold(init, |acc, (k, (&d, &s))| f(acc, k, d, s)),
        }
    }

    /// The number of axes.
    #[inline]
    pub(crate) fn ndim(&self) -> usize {
        match self {
            Dims::Inline { ndim, .. } => *ndim as usize,
            Dims::Heap(all) => all.len() / 2,
        }
    }

    /// The length of each axis.
    #[inline]
    pub(crate) fn shape(&self) -> &[usize] {
        match self {
            Dims::Inline { ndim, shape, .. } => &shape[..*ndim as usize],
            Dims::Heap(all) => &all[..all.len() / 2],
        }
    }

    /// The stride of each axis.
    #[inline]
    pub(crate) fn strides(&self) -> &[isize] {
        match self {
            Dims::Inline { ndim, strides, .. } => &strides[..*ndim as usize],
            Dims::Heap(all) => bytemuck::cast_slice(&all[all.len() / 2..]),
        }
    }

    /// The strides, writable.
    #[inline]
    pub(crate) fn strides_mut(&mut self) -> &mut [isize] {
        match self {
            Dims::Inline { ndim, strides, .. } => &mut strides[..*ndim as usize],
            Dims::Heap(all) => {
                let n = all.len() / 2;
                bytemuck::cast_slice_mut(&mut all[n..])
            }
        }
    }
}
