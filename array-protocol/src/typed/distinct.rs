//! The distinct element addresses of a layout whose axes overlap (`sliding_window_view`: 2.5·10^11
//! indexes over 10^6 elements), found without visiting every index: what a check of every
//! element's value needs, for the types that have invalid bit patterns.

use alloc::vec::Vec;

/// The most positions (bytes of the span) a search marks: 32 MiB, one byte each.
pub(super) const MAX_SPAN: usize = 1 << 25;

/// For a valid non-empty layout's axes (`strides` in bytes, each length above 1 and each stride
/// non-zero, as `check_values` keeps them) with `indexes` indexes, every distinct address its
/// elements start at: the offset of the lowest from the first element, and one flag per byte
/// from there (set where an element starts). `None` when visiting every index costs less (at
/// most 4096 of them, or at most one per byte of the span: no index is repeated often), when
/// the span is longer than [`MAX_SPAN`], or when the flags cannot be allocated; the caller
/// then visits every index.
///
/// Each axis widens the set already found: a position is set when one of the `d` positions
/// `s` apart ending at it (or starting at it, for a negative stride) was set. Walking each
/// residue class of `|s|` in the stride's direction and remembering the last set position
/// decides that in place, in one pass: `O(span × axes)` whatever the number of indexes.
pub(super) fn starts(
    shape: &[usize],
    strides: &[isize],
    indexes: usize,
) -> Option<(isize, Vec<u8>)> {
    if indexes <= 4096 {
        return None;
    }
    // The span of the starts, from the lowest to the highest (invariant 3: it fits in `isize`).
    let (mut lo, mut width) = (0isize, 1usize);
    for (&d, &s) in shape.iter().zip(strides) {
        let reach = isize::try_from(d - 1).ok()?.checked_mul(s)?;
        lo = lo.checked_add(reach.min(0))?;
        width = width.checked_add(reach.unsigned_abs())?;
    }
    if indexes <= width || width > MAX_SPAN {
        return None;
    }
    let mut set = Vec::new();
    set.try_reserve_exact(width).ok()?;
    set.resize(width, 0u8);
    // The first element lies `-lo` bytes above the lowest.
    set[lo.unsigned_abs()] = 1;
    for (&d, &s) in shape.iter().zip(strides) {
        widen(&mut set, d, s);
    }
    Some((lo, set))
}

/// `set` widened along one axis of `d` elements `s` bytes apart.
fn widen(set: &mut [u8], d: usize, s: isize) {
    let step = s.unsigned_abs();
    let width = set.len();
    for residue in 0..step.min(width) {
        // Positions `residue, residue + step, …`, visited in the stride's direction; `last` is
        // the index (along the class) of the last position set before this axis, if any.
        let count = (width - residue).div_ceil(step);
        let mut last: Option<usize> = None;
        for i in 0..count {
            let k = if s > 0 { i } else { count - 1 - i };
            let at = residue + k * step;
            if set[at] != 0 {
                last = Some(i);
            }
            set[at] = u8::from(last.is_some_and(|l| i - l < d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use proptest::prelude::*;

    /// Every index visited: the distinct starts, relative to the first element.
    fn brute(shape: &[usize], strides: &[isize]) -> BTreeSet<isize> {
        let mut out = BTreeSet::new();
        let mut index = alloc::vec![0usize; shape.len()];
        loop {
            out.insert(
                index
                    .iter()
                    .zip(strides)
                    .map(|(&i, &s)| i as isize * s)
                    .sum(),
            );
            let mut k = shape.len();
            loop {
                if k == 0 {
                    return out;
                }
                k -= 1;
                index[k] += 1;
                if index[k] < shape[k] {
                    break;
                }
                index[k] = 0;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn starts_are_the_distinct_addresses_of_every_index(
            axes in prop::collection::vec((2usize..7, prop_oneof![-9isize..=-1, 1isize..=9]), 0..4)
        ) {
            let (shape, strides): (Vec<usize>, Vec<isize>) = axes.into_iter().unzip();
            let (lo, set) = starts(&shape, &strides, usize::MAX).unwrap();
            let found: BTreeSet<isize> = set
                .iter()
                .enumerate()
                .filter(|&(_, &f)| f != 0)
                .map(|(k, _)| lo + k as isize)
                .collect();
            prop_assert_eq!(found, brute(&shape, &strides));
        }
    }

    #[test]
    fn a_sliding_window_has_as_many_starts_as_its_base() {
        // 500,001 windows of 500,000 bytes over 10^6 bytes: 2.5·10^11 indexes, 10^6 starts.
        let (lo, set) = starts(&[500_001, 500_000], &[1, 1], 500_001 * 500_000).unwrap();
        assert_eq!(
            (lo, set.len(), set.iter().all(|&f| f == 1)),
            (0, 1_000_000, true)
        );
        // Reversed axes start at the top.
        let (lo, set) = starts(&[3, 2], &[-4, 1], usize::MAX).unwrap();
        assert_eq!((lo, set), (-8, alloc::vec![1, 1, 0, 0, 1, 1, 0, 0, 1, 1]));
        // Spans past the limit, and layouts with few indexes or no overlap, are left to the
        // caller.
        assert!(starts(&[2], &[MAX_SPAN as isize], usize::MAX).is_none());
        assert!(starts(&[100, 100], &[1, 1], 10_000).is_some());
        assert!(starts(&[50, 50], &[1, 1], 2_500).is_none());
        assert!(starts(&[10_000], &[1], 10_000).is_none());
    }
}
