//! Strided copy kernels: the only loops in the crate that move array bytes in bulk.
//!
//! Axes are ordered by the destination's strides and merged where both sides are contiguous
//! across them; then each remaining run is copied with `memcpy` when both sides are contiguous,
//! in tiles when the source is contiguous along a different axis than the destination (a
//! transpose), and element by element, with the element size known at compile time for the
//! common sizes, otherwise.

use crate::layout::{Axes, Layout};

/// One axis of a copy: length, source stride, destination stride (bytes).
#[derive(Clone, Copy, Default, Debug)]
struct Axis {
    len: usize,
    src: isize,
    dst: isize,
}

const TILE: usize = 32;

/// Copies every element of the `src` layout over `src_base` to the element with the same index
/// in the `dst` layout over `dst_base`.
///
/// # Safety
/// - `src` is a valid [`Layout`] for a buffer of at least its extent starting at `src_base`, and
///   `dst` likewise at `dst_base`, which is valid for writes;
/// - both have the same shape and itemsize;
/// - no two elements of `dst` share bytes, and no byte of `dst`'s elements is one of `src`'s.
pub(crate) unsafe fn copy_elements(
    src_base: *const u8,
    src: &Layout,
    dst_base: *mut u8,
    dst: &Layout,
) {
    debug_assert_eq!(src.shape(), dst.shape());
    debug_assert_eq!(src.itemsize(), dst.itemsize());
    let n = src.itemsize();
    if src.is_empty() || n == 0 {
        return;
    }
    let mut axes: Axes<Axis> = Axes::from_slice(&[]);
    for ((&len, &s), &d) in src.shape().iter().zip(src.strides()).zip(dst.strides()) {
        if len > 1 {
            axes.push(Axis {
                len,
                src: s,
                dst: d,
            });
        }
    }
    // Outermost (largest destination step) first; insertion sort, as there are few axes.
    for i in 1..axes.len() {
        let mut j = i;
        while j > 0 && key(&axes[j - 1]) < key(&axes[j]) {
            axes.swap(j - 1, j);
            j -= 1;
        }
    }
    let axes = merge_contiguous(axes);
    // Offsets are inside the validated extents, so these pointers stay inside their buffers.
    let src0 = src_base.wrapping_add(src.offset());
    let dst0 = dst_base.wrapping_add(dst.offset());
    let Some(&inner) = axes.last() else {
        // SAFETY: one element, in bounds of both buffers by the layouts' validation.
        unsafe { core::ptr::copy_nonoverlapping(src0, dst0, n) };
        return;
    };
    let ni = n as isize;
    let outer = &axes[..axes.len() - 1];
    if inner.src == ni && inner.dst == ni {
        let run = inner.len * n;
        // SAFETY: each run is `inner.len` contiguous elements of both layouts.
        for_each_outer(outer, src0, dst0, |s, d| unsafe {
            core::ptr::copy_nonoverlapping(s, d, run)
        });
        return;
    }
    // The axis along which the source is contiguous, if it is not the destination's.
    let src_fast = (0..axes.len()).min_by_key(|&i| axes[i].src.unsigned_abs());
    if let Some(b) =
        src_fast.filter(|&b| b + 1 != axes.len() && axes[b].src == ni && inner.dst == ni)
    {
        let mut rest: Axes<Axis> = Axes::from_slice(&axes);
        rest.remove(axes.len() - 1);
        rest.remove(b);
        let slow = axes[b];
        // SAFETY: `tile` visits exactly the elements of the two axes at each outer position.
        for_each_outer(&rest, src0, dst0, |s, d| unsafe {
            tile(s, d, inner, slow, n)
        });
        return;
    }
    // SAFETY: `strided` visits exactly `inner.len` elements at each outer position.
    for_each_outer(outer, src0, dst0, |s, d| unsafe { strided(s, d, inner, n) });
}

fn key(a: &Axis) -> (usize, usize) {
    (a.dst.unsigned_abs(), a.src.unsigned_abs())
}

/// Merges each axis into the next inner one when both sides step over it as one run.
fn merge_contiguous(axes: Axes<Axis>) -> Axes<Axis> {
    let mut merged: Axes<Axis> = Axes::from_slice(&[]);
    for &a in axes.iter() {
        merged.push(a);
    }
    let mut i = merged.len();
    while i >= 2 {
        let (o, inner) = (merged[i - 2], merged[i - 1]);
        let len = inner.len as isize;
        if o.src == inner.src * len && o.dst == inner.dst * len {
            merged[i - 1] = Axis {
                len: o.len * inner.len,
                src: inner.src,
                dst: inner.dst,
            };
            merged.remove(i - 2);
        }
        i -= 1;
    }
    merged
}

/// Calls `f` with the source and destination address of the first element of every position of
/// the `outer` axes (odometer order).
fn for_each_outer(
    outer: &[Axis],
    src: *const u8,
    dst: *mut u8,
    mut f: impl FnMut(*const u8, *mut u8),
) {
    let shape: Axes<usize> = outer.iter().map(|a| a.len).collect();
    let src_strides: Axes<isize> = outer.iter().map(|a| a.src).collect();
    let dst_strides: Axes<isize> = outer.iter().map(|a| a.dst).collect();
    let src_deltas = crate::layout::carry_deltas(&shape, &src_strides);
    let dst_deltas = crate::layout::carry_deltas(&shape, &dst_strides);
    let mut odometer = crate::layout::Odometer::new(&shape);
    let (mut s, mut d) = (src, dst);
    loop {
        f(s, d);
        let Some(k) = odometer.advance() else { return };
        s = s.wrapping_offset(src_deltas[k]);
        d = d.wrapping_offset(dst_deltas[k]);
    }
}

/// `axis.len` elements of `n` bytes, stepping by the axis' strides.
///
/// # Safety
/// Every element visited is inside its buffer; destination elements do not overlap the source.
unsafe fn strided(s: *const u8, d: *mut u8, axis: Axis, n: usize) {
    match n {
        // SAFETY: the caller's contract, with `n` the element size (each arm).
        1 => unsafe { strided_n::<1>(s, d, axis) },
        // SAFETY: as above.
        2 => unsafe { strided_n::<2>(s, d, axis) },
        // SAFETY: as above.
        4 => unsafe { strided_n::<4>(s, d, axis) },
        // SAFETY: as above.
        8 => unsafe { strided_n::<8>(s, d, axis) },
        // SAFETY: as above.
        16 => unsafe { strided_n::<16>(s, d, axis) },
        _ => {
            let (mut s, mut d) = (s, d);
            for _ in 0..axis.len {
                // SAFETY: `n` bytes at `s` and at `d` are inside their buffers (the caller's
                // contract) and do not overlap.
                unsafe { core::ptr::copy_nonoverlapping(s, d, n) };
                s = s.wrapping_offset(axis.src);
                d = d.wrapping_offset(axis.dst);
            }
        }
    }
}

/// As [`strided`], for elements of `N` bytes.
///
/// # Safety
/// As for [`strided`].
#[inline(always)]
unsafe fn strided_n<const N: usize>(s: *const u8, d: *mut u8, axis: Axis) {
    let (mut s, mut d) = (s, d);
    for _ in 0..axis.len {
        // SAFETY: `N` bytes at `s` are inside the source (the caller's contract); unaligned.
        let v = unsafe { s.cast::<[u8; N]>().read_unaligned() };
        // SAFETY: `N` bytes at `d` are inside the destination; unaligned.
        unsafe { d.cast::<[u8; N]>().write_unaligned(v) };
        s = s.wrapping_offset(axis.src);
        d = d.wrapping_offset(axis.dst);
    }
}

/// A 2-D copy where the destination is contiguous along `fast` and the source along `slow`, in
/// `TILE`×`TILE` blocks staged through a buffer on the stack: each block is read as contiguous
/// source runs and written as contiguous destination runs, so no cache line is needed twice
/// (strides that are multiples of 4 KiB would otherwise evict each other).
///
/// # Safety
/// Every element of the two axes is inside its buffer; no overlap between source and destination.
unsafe fn tile(s: *const u8, d: *mut u8, fast: Axis, slow: Axis, n: usize) {
    match n {
        // SAFETY: the caller's contract, with `n` the element size (each arm).
        1 => unsafe { tile_n::<1>(s, d, fast, slow) },
        // SAFETY: as above.
        2 => unsafe { tile_n::<2>(s, d, fast, slow) },
        // SAFETY: as above.
        4 => unsafe { tile_n::<4>(s, d, fast, slow) },
        // SAFETY: as above.
        8 => unsafe { tile_n::<8>(s, d, fast, slow) },
        // SAFETY: as above.
        16 => unsafe { tile_n::<16>(s, d, fast, slow) },
        _ => {
            for j in 0..slow.len {
                let s_row = s.wrapping_offset(j as isize * slow.src);
                let d_row = d.wrapping_offset(j as isize * slow.dst);
                // SAFETY: row `j` of the two axes: inside both buffers, no overlap.
                unsafe { strided(s_row, d_row, fast, n) };
            }
        }
    }
}

/// As [`tile`], for elements of `N` bytes.
///
/// # Safety
/// As for [`tile`].
unsafe fn tile_n<const N: usize>(s: *const u8, d: *mut u8, fast: Axis, slow: Axis) {
    let mut buf = [[0u8; N]; TILE * TILE];
    let mut j0 = 0;
    while j0 < slow.len {
        let jn = (slow.len - j0).min(TILE);
        let mut i0 = 0;
        while i0 < fast.len {
            let i_n = (fast.len - i0).min(TILE);
            let corner = j0 as isize * slow.src + i0 as isize * fast.src;
            // Gather: source runs along `slow` (contiguous), one per `i`.
            for i in 0..i_n {
                let row = s.wrapping_offset(corner + i as isize * fast.src);
                // SAFETY: elements (i0 + i, j0..j0 + jn) are inside the source; `buf` holds
                // TILE × TILE elements and `jn <= TILE`.
                unsafe { core::ptr::copy_nonoverlapping(row, buf[i * TILE].as_mut_ptr(), jn * N) };
            }
            // Scatter: destination runs along `fast` (contiguous), one per `j`.
            for j in 0..jn {
                let row = d
                    .wrapping_offset((j0 + j) as isize * slow.dst + i0 as isize * fast.dst)
                    .cast::<[u8; N]>();
                for i in 0..i_n {
                    let at = row.wrapping_add(i);
                    // SAFETY: element (i0 + i, j0 + j) is inside the destination; unaligned write.
                    unsafe { at.write_unaligned(buf[i * TILE + j]) };
                }
            }
            i0 += i_n;
        }
        j0 += jn;
    }
}

/// Swaps, in place, the bytes of every scalar of the items of `item` packed back to back in
/// `bytes` that are not in native byte order.
pub(crate) fn swap_to_native(bytes: &mut [u8], item: &crate::item::ItemType) {
    let size = item.itemsize();
    if size == 0 || item.is_native_order() {
        return;
    }
    for chunk in bytes.chunks_exact_mut(size) {
        swap_item(chunk, item);
    }
}

fn swap_item(bytes: &mut [u8], item: &crate::item::ItemType) {
    use crate::item::ItemType;
    match item {
        ItemType::Scalar(s) if !s.order().is_native() => {
            if s.kind() == crate::item::ScalarKind::Complex {
                let (re, im) = bytes.split_at_mut(s.size() / 2);
                re.reverse();
                im.reverse();
            } else if s.kind() == crate::item::ScalarKind::Ucs4 {
                bytes.chunks_exact_mut(4).for_each(<[u8]>::reverse);
            } else {
                bytes.reverse();
            }
        }
        ItemType::Scalar(_) => {}
        ItemType::Array(a) => {
            let item = a.item();
            let n = item.itemsize();
            if n > 0 {
                bytes.chunks_exact_mut(n).for_each(|c| swap_item(c, &item));
            }
        }
        ItemType::Struct(s) => {
            for f in s.fields() {
                let end = f.offset() + f.item().itemsize();
                swap_item(&mut bytes[f.offset()..end], f.item());
            }
        }
    }
}
