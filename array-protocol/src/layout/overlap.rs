//! Whether two strided arrays can touch a common byte: the question behind NumPy's
//! `may_share_memory`, answered exactly for the layouts met in practice (slices, steps,
//! transposes, halves of one array) and conservatively ("they may") when the search for a
//! common byte would take too long.
//!
//! Two elements overlap when the difference of their addresses lies in a short interval set by
//! the item sizes; that difference is a sum of strides times indices, so the question is a
//! bounded linear Diophantine problem. Equal strides are merged, a gcd test settles the
//! interleaved cases (`a[::2]` against `a[1::2]`), and a bounded depth-first search settles
//! the rest.

use alloc::vec;
use alloc::vec::Vec;

/// Where a strided array's elements lie: the address of its first element (index
/// `[0, 0, …]`), its shape, byte strides and item size.
#[derive(Clone, Copy, Debug)]
pub struct Extent<'a> {
    /// The address of the first element.
    pub first: usize,
    /// The length of each axis.
    pub shape: &'a [usize],
    /// The byte stride of each axis (one per axis).
    pub strides: &'a [isize],
    /// The size of one element in bytes.
    pub itemsize: usize,
}

/// The most nodes the search visits before answering "they may overlap".
const BUDGET: usize = 1 << 14;

/// Whether some byte belongs to an element of `a` and to an element of `b`. Exact unless the
/// search runs out of budget, when the answer is `true`: a caller refusing on `true` never lets
/// overlapping arrays through.
///
/// ```
/// use array_protocol::layout::{may_overlap, Extent};
///
/// // The even and odd elements of one array of 4-byte items never meet; a row and a column do.
/// let even = Extent { first: 0x1000, shape: &[4], strides: &[8], itemsize: 4 };
/// let odd = Extent { first: 0x1004, ..even };
/// assert!(!may_overlap(&even, &odd));
/// let row = Extent { first: 0x1000, shape: &[4], strides: &[4], itemsize: 4 };
/// let column = Extent { first: 0x1000, shape: &[4], strides: &[16], itemsize: 4 };
/// assert!(may_overlap(&row, &column));
/// ```
pub fn may_overlap(a: &Extent<'_>, b: &Extent<'_>) -> bool {
    let empty = |e: &Extent<'_>| e.itemsize == 0 || e.shape.contains(&0);
    if empty(a) || empty(b) {
        return false;
    }
    // Every quantity fits i128: addresses and itemsizes are below 2^64, each axis's reach is a
    // product of two values below 2^63, and at most 2 × 64 of them are added.
    let mut base = a.first as i128 - b.first as i128;
    let mut terms: Vec<(i128, i128)> = Vec::with_capacity(a.shape.len() + b.shape.len());
    let mut push = |coef: i128, bound: i128, base: &mut i128| {
        // `coef · z` with `z` in `0..=bound`; a negative coefficient becomes a positive one on
        // `bound - z`, moving the base.
        if coef == 0 || bound == 0 {
            return;
        }
        if coef < 0 {
            *base += coef * bound;
        }
        terms.push((coef.abs(), bound));
    };
    for (&d, &s) in a.shape.iter().zip(a.strides) {
        push(s as i128, d as i128 - 1, &mut base);
    }
    for (&d, &s) in b.shape.iter().zip(b.strides) {
        push(-(s as i128), d as i128 - 1, &mut base);
    }
    // addr_a - addr_b = base + Σ c·z must lie in -(itemsize_a - 1) ..= itemsize_b - 1.
    let lo = -(a.itemsize as i128 - 1) - base;
    let hi = b.itemsize as i128 - 1 - base;
    solvable(terms, lo, hi)
}

/// Whether `Σ c_k · z_k` with `0 <= z_k <= u_k` (every `c_k > 0`) can lie in `lo..=hi`.
fn solvable(mut terms: Vec<(i128, i128)>, lo: i128, hi: i128) -> bool {
    // Equal coefficients merge: the sums of two ranges of integers form one range.
    terms.sort_unstable_by_key(|t| core::cmp::Reverse(t.0));
    let mut merged: Vec<(i128, i128)> = Vec::with_capacity(terms.len());
    for (c, u) in terms {
        match merged.last_mut() {
            Some(last) if last.0 == c => last.1 += u,
            _ => merged.push((c, u)),
        }
    }
    let max: i128 = merged.iter().map(|&(c, u)| c * u).sum();
    let lo = lo.max(0);
    let hi = hi.min(max);
    if lo > hi {
        return false;
    }
    let g = merged.iter().fold(0i128, |g, &(c, _)| gcd(g, c));
    if g > 1 && hi.div_euclid(g) * g < lo {
        // No multiple of the gcd in the interval: no sum reaches it.
        return false;
    }
    // rest[k]: the largest sum of the terms after k.
    let mut rest = vec![0i128; merged.len()];
    for k in (0..merged.len().saturating_sub(1)).rev() {
        rest[k] = rest[k + 1] + merged[k + 1].0 * merged[k + 1].1;
    }
    let mut budget = BUDGET;
    search(&merged, &rest, 0, lo, hi, &mut budget)
}

/// Depth-first search for `Σ_{j >= k} c_j z_j` in `lo..=hi`; `true` when the budget runs out.
fn search(
    terms: &[(i128, i128)],
    rest: &[i128],
    k: usize,
    lo: i128,
    hi: i128,
    budget: &mut usize,
) -> bool {
    if lo <= 0 && 0 <= hi {
        return true;
    }
    let Some(&(c, u)) = terms.get(k) else {
        return false;
    };
    if *budget == 0 {
        return true;
    }
    *budget -= 1;
    // c·z + (the rest, in 0..=rest[k]) must reach lo..=hi.
    let first = (lo - rest[k]).max(0).div_euclid(c) + i128::from((lo - rest[k]).max(0) % c != 0);
    let last = hi.div_euclid(c).min(u);
    let mut z = first;
    while z <= last {
        if search(terms, rest, k + 1, lo - c * z, hi - c * z, budget) {
            return true;
        }
        z += 1;
    }
    false
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::{may_overlap, Extent};
    use alloc::collections::BTreeSet;
    use alloc::vec;
    use alloc::vec::Vec;

    fn e<'a>(
        first: usize,
        shape: &'a [usize],
        strides: &'a [isize],
        itemsize: usize,
    ) -> Extent<'a> {
        Extent {
            first,
            shape,
            strides,
            itemsize,
        }
    }

    /// Every byte of every element, by brute force.
    fn bytes(x: &Extent<'_>) -> BTreeSet<i128> {
        let mut out = BTreeSet::new();
        let n: usize = x.shape.iter().product();
        for flat in 0..n {
            let (mut rem, mut addr) = (flat, x.first as i128);
            for (&d, &s) in x.shape.iter().zip(x.strides).rev() {
                addr += (rem % d) as i128 * s as i128;
                rem /= d;
            }
            out.extend((0..x.itemsize as i128).map(|b| addr + b));
        }
        out
    }

    #[test]
    fn interleaved_steps_and_halves_do_not_overlap() {
        // a[::2] and a[1::2] of a million float64s.
        let (s, n) = ([16isize], [500_000usize]);
        assert!(!may_overlap(&e(1000, &n, &s, 8), &e(1008, &n, &s, 8)));
        // The left and right halves of the columns of a 1000 x 10 float64 matrix.
        let (s2, half) = ([80isize, 8], [1000usize, 5]);
        assert!(!may_overlap(&e(0, &half, &s2, 8), &e(40, &half, &s2, 8)));
        // a[::2] against a[2::2] does overlap; so does a 4-byte view inside one of its elements does, one inside the other half does not.
        assert!(may_overlap(&e(1000, &n, &s, 8), &e(1016, &n, &s, 8)));
        assert!(may_overlap(&e(0, &half, &s2, 8), &e(84, &[1], &[0], 4)));
        assert!(!may_overlap(&e(0, &half, &s2, 8), &e(44, &[1], &[0], 4)));
        // A reversed view of the same memory overlaps; an empty one does not.
        assert!(may_overlap(&e(0, &[10], &[8], 8), &e(72, &[10], &[-8], 8)));
        assert!(!may_overlap(&e(0, &[10], &[8], 8), &e(0, &[0], &[8], 8)));
    }

    #[test]
    fn agrees_with_brute_force() {
        // Small layouts over a 64-byte region, every combination of a few shapes and strides.
        let layouts: Vec<(usize, Vec<usize>, Vec<isize>, usize)> = vec![
            (0, vec![4], vec![8], 8),
            (8, vec![3], vec![16], 8),
            (4, vec![2, 3], vec![24, 8], 4),
            (40, vec![3, 2], vec![-12, 4], 4),
            (60, vec![5], vec![-12], 2),
            (2, vec![2, 2, 2], vec![20, 6, 1], 1),
            (33, vec![3], vec![0], 3),
            (7, vec![4, 2], vec![3, 17], 2),
        ];
        for x in &layouts {
            for y in &layouts {
                for shift in 0..16 {
                    let a = e(x.0 + 64, &x.1, &x.2, x.3);
                    let b = e(y.0 + 64 + shift, &y.1, &y.2, y.3);
                    let truth = !bytes(&a).is_disjoint(&bytes(&b));
                    assert_eq!(may_overlap(&a, &b), truth, "{a:?} {b:?}");
                }
            }
        }
    }
}
