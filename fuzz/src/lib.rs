//! Checks shared by the fuzz targets: round trips of item types through every dialect, and a
//! naive model of where each element of a strided array lies.

use array_protocol::{Descr, ItemType};

/// Every item type the crate makes must render, and read back, identically in PEP 3118, and
/// survive its NumPy descr with the same size.
pub fn check_item(t: &ItemType) {
    let rendered = t.to_pep3118();
    let back = ItemType::from_pep3118(&rendered)
        .unwrap_or_else(|e| panic!("the rendering {rendered:?} of {t:?} does not read back: {e}"));
    assert_eq!(&back, t, "{rendered:?} reads back as another item type");
    assert_eq!(back.to_pep3118(), rendered, "rendering is not canonical");
    let descr = t.descr();
    let from_descr = ItemType::from_descr(&descr)
        .unwrap_or_else(|e| panic!("the descr {descr} of {rendered:?} does not read back: {e}"));
    assert_eq!(from_descr.itemsize(), t.itemsize(), "{descr}");
    assert_eq!(
        from_descr.descr(),
        descr,
        "descr of {rendered:?} is not canonical"
    );
    let typestr = t.typestr();
    let from_typestr = ItemType::from_typestr(&typestr).unwrap_or_else(|e| {
        panic!("the typestr {typestr:?} of {rendered:?} does not read back: {e}")
    });
    assert_eq!(from_typestr.itemsize(), t.itemsize(), "{typestr}");
    let native = t.to_native_order();
    assert_eq!(native.itemsize(), t.itemsize());
    assert!(native.is_native_order());
    let _ = (
        t.alignment(),
        t.has_padding(),
        t.describe(),
        format!("{descr}"),
    );
}

/// A PEP 3118 string: an item type that round-trips, or an error pointing inside the input.
pub fn check_pep3118(s: &str) {
    match ItemType::from_pep3118(s) {
        Ok(t) => check_item(&t),
        Err(e) => {
            let pos = e.position().expect("PEP 3118 errors say where");
            assert!(
                pos <= s.len(),
                "error at byte {pos} of a {}-byte input: {e}",
                s.len()
            );
            assert!(s.is_char_boundary(pos), "error inside a character: {e}");
            assert_eq!(e.input(), s);
            let _ = e.to_string();
        }
    }
}

/// A descr: refused, or an item type that round-trips; its Python literal reads back through a
/// `.npy` header as the same item type.
pub fn check_descr(d: &Descr) {
    let Ok(t) = ItemType::from_descr(d) else {
        let _ = format!("{d}");
        return;
    };
    check_item(&t);
    let dict = format!("{{'descr': {d}, 'fortran_order': False, 'shape': (0,), }}");
    if dict.is_ascii() {
        let file = npy_file(1, &dict, &[]);
        if let Ok(a) = array_protocol::mmap::MmapArray::from_bytes(&file) {
            assert_eq!(a.header().item, t, "{dict}");
        }
    }
}

/// A version `major`.0 `.npy` file with header text `dict` (padded to 64 bytes) and `data`.
pub fn npy_file(major: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[major, 0]);
    let prefix = if major == 1 { 10 } else { 12 };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    let len = total - prefix;
    if major == 1 {
        out.extend_from_slice(&(len.min(usize::from(u16::MAX)) as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out.extend_from_slice(data);
    out
}

/// Which bytes of an item hold data (not padding), for comparing copies.
pub fn data_mask(item: &ItemType) -> Vec<bool> {
    let mut mask = vec![false; item.itemsize()];
    mark(item, 0, &mut mask);
    mask
}

fn mark(item: &ItemType, at: usize, mask: &mut [bool]) {
    match item {
        ItemType::Scalar(s) => mask[at..at + s.size()].iter_mut().for_each(|m| *m = true),
        ItemType::Array(a) => {
            let n: usize = a.shape().iter().product();
            let size = a.item().itemsize();
            for k in 0..n {
                mark(&a.item(), at + k * size, mask);
            }
        }
        ItemType::Struct(s) => {
            for f in s.fields() {
                mark(f.item(), at + f.offset(), mask);
            }
        }
    }
}

/// A strided array as plain numbers: where element `index` lies is
/// `offset + Σ index[k] × strides[k]`, in `i128` (saturating far outside any buffer, so
/// bounds checks stay exact).
#[derive(Clone, Debug)]
pub struct Model {
    pub item: ItemType,
    pub shape: Vec<usize>,
    pub strides: Vec<i128>,
    pub offset: i128,
}

impl Model {
    /// The number of elements.
    pub fn count(&self) -> u128 {
        self.shape
            .iter()
            .fold(1u128, |n, &d| n.saturating_mul(d as u128))
    }

    /// The byte position of every element in C order, or `None` when there are more than
    /// `limit`.
    pub fn positions(&self, limit: u128) -> Option<Vec<i128>> {
        if self.count() > limit {
            return None;
        }
        let mut out = Vec::new();
        if self.count() == 0 {
            return Some(out);
        }
        let mut index = vec![0usize; self.shape.len()];
        loop {
            let pos = index
                .iter()
                .zip(&self.strides)
                .fold(self.offset, |p, (&i, &s)| {
                    p.saturating_add((i as i128).saturating_mul(s))
                });
            out.push(pos);
            let mut axis = self.shape.len();
            loop {
                if axis == 0 {
                    return Some(out);
                }
                axis -= 1;
                index[axis] += 1;
                if index[axis] < self.shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
    }

    /// The lowest and one past the highest byte the elements touch (`None` when empty).
    pub fn extent(&self) -> Option<(i128, i128)> {
        if self.count() == 0 {
            return None;
        }
        let (mut lo, mut hi) = (self.offset, self.offset);
        for (&d, &s) in self.shape.iter().zip(&self.strides) {
            let reach = (d as i128 - 1).saturating_mul(s);
            if reach < 0 {
                lo = lo.saturating_add(reach);
            } else {
                hi = hi.saturating_add(reach);
            }
        }
        Some((lo, hi.saturating_add(self.item.itemsize() as i128)))
    }

    /// Python's `range(len)[start:stop:step]` on `axis`, by [`SliceIndices`].
    pub fn slice(&mut self, axis: usize, start: Option<isize>, stop: Option<isize>, step: isize) {
        let kept = SliceIndices::new(self.shape[axis], start, stop, step);
        if kept.count > 0 && self.count() > 0 {
            self.offset = self
                .offset
                .saturating_add(kept.first.saturating_mul(self.strides[axis]));
        }
        self.strides[axis] = self.strides[axis].saturating_mul(step as i128);
        self.shape[axis] = kept.count as usize;
    }

    pub fn transpose(&mut self) {
        self.shape.reverse();
        self.strides.reverse();
    }

    pub fn index_axis(&mut self, axis: usize, index: usize) {
        if self.count() > 0 {
            self.offset = self
                .offset
                .saturating_add((index as i128).saturating_mul(self.strides[axis]));
        }
        self.shape.remove(axis);
        self.strides.remove(axis);
    }

    /// One field of a record: its item, at its offset; a sub-array field's axes come last.
    pub fn field(&mut self, name: &str) -> bool {
        let Some(f) = self.item.field(name).cloned() else {
            return false;
        };
        self.offset += f.offset() as i128;
        match f.item() {
            ItemType::Array(a) => {
                let size = a.item().itemsize() as i128;
                let mut inner = vec![0i128; a.shape().len()];
                let mut step = size;
                for k in (0..a.shape().len()).rev() {
                    inner[k] = step;
                    step *= a.shape()[k] as i128;
                }
                self.shape.extend_from_slice(a.shape());
                self.strides.extend(inner);
                self.item = a.item().clone();
            }
            other => self.item = other.clone(),
        }
        true
    }
}

/// The indices of an axis of length `len` that Python's `range(len)[start:stop:step]` keeps:
/// `first`, `first + step`, … (`count` of them).
///
/// Found without clamping bounds or dividing: a negative bound counts from the end
/// (`x + len`); the walk starts at the normalised `start` (or the first index at that end of
/// the axis) pulled back onto the axis, and keeps every index it reaches that is on the axis and
/// has not reached `stop`. Those indices form one run, so `count` is where the walk first
/// leaves: found by stepping for short runs, by bisection for long ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceIndices {
    pub first: i128,
    pub step: i128,
    pub count: u128,
}

impl SliceIndices {
    pub fn new(len: usize, start: Option<isize>, stop: Option<isize>, step: isize) -> SliceIndices {
        assert_ne!(step, 0);
        let len = len as i128;
        let step = step as i128;
        let from_end = |x: isize| {
            let x = x as i128;
            if x < 0 {
                x + len
            } else {
                x
            }
        };
        let forward = step > 0;
        let first = match (start.map(from_end), forward) {
            (None, true) => 0,
            (None, false) => len - 1,
            (Some(s), true) => s.max(0),
            (Some(s), false) => s.min(len - 1),
        };
        let stop = stop.map(from_end);
        let kept = |k: u128| -> bool {
            let Some(i) = i128::try_from(k)
                .ok()
                .and_then(|k| k.checked_mul(step))
                .and_then(|d| d.checked_add(first))
            else {
                return false;
            };
            let before_stop = match stop {
                None => true,
                Some(e) if forward => i < e,
                Some(e) => i > e,
            };
            (0..len).contains(&i) && before_stop
        };
        // Short runs: step along.
        let mut count = 0u128;
        while count < 4096 && kept(count) {
            count += 1;
        }
        if count == 4096 {
            // `kept` holds at `good` and fails at `bad` (no run is longer than the axis).
            let mut good = count - 1;
            let mut bad = len as u128 + 1;
            while bad - good > 1 {
                let mid = good + (bad - good) / 2;
                if kept(mid) {
                    good = mid;
                } else {
                    bad = mid;
                }
            }
            count = good + 1;
        }
        SliceIndices { first, step, count }
    }

    /// Index `j` of the run.
    pub fn get(&self, j: u128) -> i128 {
        self.first + j as i128 * self.step
    }
}

/// For the `layouts` fuzz target: the typed view [`TypedView::from_foreign`] makes of a valid
/// view's description (its first element's address, item type, shape and strides) against
/// `view.typed::<T>()`, for a few element types: both accept or both refuse with the same kind
/// of error, and accepted views agree in shape, strides, length, address and elements.
///
/// # Panics
/// On any disagreement (which is what the fuzzer looks for).
///
/// [`TypedView::from_foreign`]: array_protocol::TypedView::from_foreign
pub fn check_from_foreign(view: &array_protocol::ArrayView<'_>) {
    fn one<T: array_protocol::Element>(view: &array_protocol::ArrayView<'_>) {
        // SAFETY: the description is a valid view's: its elements lie in the buffer the view
        // borrows (invariant 3), initialised and not written while `view` lives.
        let short = unsafe {
            array_protocol::TypedView::<T>::from_foreign(
                view.as_ptr().cast_mut(),
                view.item(),
                view.shape(),
                view.strides(),
            )
        };
        match (short, view.typed::<T>()) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    (a.shape(), a.strides(), a.len()),
                    (b.shape(), b.strides(), b.len())
                );
                if !a.is_empty() {
                    assert_eq!(a.as_ptr(), b.as_ptr());
                }
                // The same elements: the same addresses in the same order (values may be NaN).
                let at = |x: &T| x as *const T;
                assert!(a.iter().take(4096).map(at).eq(b.iter().take(4096).map(at)));
            }
            (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{a} / {b}"),
            (a, b) => panic!(
                "from_foreign: {:?}, typed: {:?}",
                a.map(|v| v.len()),
                b.map(|v| v.len())
            ),
        }
    }
    one::<u8>(view);
    one::<u16>(view);
    one::<i32>(view);
    one::<f64>(view);
    one::<bool>(view);
    one::<[u16; 2]>(view);
}
