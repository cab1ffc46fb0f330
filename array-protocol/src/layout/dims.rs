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
        ndim: u8,
        shape: [usize; INLINE],
        strides: [isize; INLINE],
    },
    /// More axes: the shape, then the strides (as `usize` bits), in one allocation.
    Heap(Box<[usize]>),
}

impl<const INLINE: usize> Dims<INLINE> {
    /// A copy of `shape` and `strides` (as many).
    #[inline]
    pub(crate) fn new(shape: &[usize], strides: &[isize]) -> Self {
        debug_assert_eq!(shape.len(), strides.len());
        if shape.len() > INLINE {
            return Dims::heap(shape, strides);
        }
        let mut s = [0usize; INLINE];
        let mut t = [0isize; INLINE];
        // One load per slot, guarded by the length: a few moves, where a copy of `shape.len()`
        // items (which the compiler makes of a loop or of one copy per length) calls `memcpy`
        // on the hot path of every view.
        for k in 0..INLINE {
            if let (Some(&d), Some(&st)) = (shape.get(k), strides.get(k)) {
                s[k] = d;
                t[k] = st;
            }
        }
        Dims::Inline {
            ndim: shape.len() as u8,
            shape: s,
            strides: t,
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
            ndim: shape.len() as u8,
            shape: s,
            strides: [0; INLINE],
        }
    }

    /// The length of each axis.
    #[inline]
    pub(crate) fn shape(&self) -> &[usize] {
        match self {
            Dims::Inline { ndim, shape, .. } => &shape[..usize::from(*ndim)],
            Dims::Heap(all) => &all[..all.len() / 2],
        }
    }

    /// The stride of each axis.
    #[inline]
    pub(crate) fn strides(&self) -> &[isize] {
        match self {
            Dims::Inline { ndim, strides, .. } => &strides[..usize::from(*ndim)],
            Dims::Heap(all) => bytemuck::cast_slice(&all[all.len() / 2..]),
        }
    }

    /// The strides, writable.
    #[inline]
    pub(crate) fn strides_mut(&mut self) -> &mut [isize] {
        match self {
            Dims::Inline { ndim, strides, .. } => &mut strides[..usize::from(*ndim)],
            Dims::Heap(all) => {
                let n = all.len() / 2;
                bytemuck::cast_slice_mut(&mut all[n..])
            }
        }
    }
}
