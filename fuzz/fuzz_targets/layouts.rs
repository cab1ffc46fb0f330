//! Arbitrary buffers, item types, shapes, strides and offsets, then chains of views and copies,
//! each checked against a naive model of where every element lies.
#![no_main]

use array_protocol::{ArrayView, ErrorKind, ItemType, Order};
use array_protocol_fuzz::{data_mask, Model, SliceIndices};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const ITEMS: &[&str] = &[
    "B",
    "H",
    "i",
    "d",
    ">i",
    "Zd",
    "?",
    "T{B:a:xxxi:b:}",
    "T{(2)H:p:I:q:}",
    "T{}",
    "3s",
    "(2,2)h",
];

/// Copies are checked only up to this many bytes (the fuzzer's memory is bounded too).
const COPY_LIMIT: u128 = 1 << 16;
/// Elements enumerated by the model at most.
const ENUM_LIMIT: u128 = 4096;

fn wild_isize(u: &mut Unstructured<'_>, small: isize) -> Result<isize> {
    Ok(match u.int_in_range(0..=9)? {
        0..=6 => u.int_in_range(-small..=small)?,
        7 => *u.choose(&[
            isize::MIN,
            isize::MIN + 1,
            isize::MAX,
            1 << 32,
            -(1 << 32),
            1 << 62,
            -(1 << 62),
            i32::MAX as isize,
        ])?,
        _ => u.arbitrary()?,
    })
}

fn wild_usize(u: &mut Unstructured<'_>, small: usize) -> Result<usize> {
    Ok(match u.int_in_range(0..=9)? {
        0..=7 => u.int_in_range(0..=small)?,
        8 => *u.choose(&[
            usize::MAX,
            isize::MAX as usize,
            isize::MAX as usize + 1,
            1 << 32,
            1 << 40,
            1 << 63,
        ])?,
        _ => u.arbitrary()?,
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let len = u.int_in_range(0..=256usize)?;
    let shift = u.int_in_range(0..=7usize)?;
    let mut storage = vec![0u64; (len + shift).div_ceil(8) + 1];
    let all: &mut [u8] = bytemuck::cast_slice_mut(&mut storage);
    for b in &mut all[shift..shift + len] {
        *b = u.arbitrary()?;
    }
    let bytes: &[u8] = &all[shift..shift + len];
    let item = ItemType::from_pep3118(ITEMS[u.choose_index(ITEMS.len())?]).expect("a valid format");
    let ndim = u.int_in_range(0..=4usize)?;
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    for _ in 0..ndim {
        shape.push(wild_usize(u, 5)?);
        strides.push(wild_isize(u, 40)?);
    }
    let offset = wild_usize(u, len + 8)?;
    let mut model = Model {
        item: item.clone(),
        shape: shape.clone(),
        strides: strides.iter().map(|&s| s as i128).collect(),
        offset: offset as i128,
    };
    let made = ArrayView::new(bytes, item, &shape, Some(&strides), offset);
    check_validation(&model, bytes.len(), made.as_ref().err());
    let Ok(mut v) = made else {
        return Ok(());
    };
    check_view(&model, &v, bytes);
    reads(&model, &v, bytes);
    // The importers' typed shortcut agrees with the typed view of the validated view.
    array_protocol_fuzz::check_from_foreign(&v);
    for _ in 0..u.int_in_range(0..=8)? {
        let ndim = v.ndim();
        let axis = if u.ratio(1, 8)? {
            u.int_in_range(0..=8usize)?
        } else {
            u.int_in_range(0..=ndim.max(1) - 1)?
        };
        match u.int_in_range(0..=10)? {
            0 => {
                let start = if u.arbitrary()? {
                    Some(wild_isize(u, 8)?)
                } else {
                    None
                };
                let stop = if u.arbitrary()? {
                    Some(wild_isize(u, 8)?)
                } else {
                    None
                };
                let step = wild_isize(u, 4)?;
                match v.slice(axis, start, stop, step) {
                    Ok(w) => {
                        let kept = SliceIndices::new(v.shape()[axis], start, stop, step);
                        check_slice(&v, &w, axis, &kept);
                        model.slice(axis, start, stop, step);
                        v = w;
                    }
                    Err(e) => assert!(
                        slice_may_refuse(&model, axis, start, stop, step, &e),
                        "slice({axis}, {start:?}, {stop:?}, {step}) of {v:?} refused: {e}"
                    ),
                }
            }
            1 => {
                v = v.transpose();
                model.transpose();
            }
            2 => {
                let index = wild_usize(u, 6)?;
                match v.index_axis(axis, index) {
                    Ok(w) => {
                        model.index_axis(axis, index);
                        v = w;
                    }
                    Err(e) => assert!(
                        axis >= ndim || index >= v.shape()[axis],
                        "index_axis({axis}, {index}) of {v:?} refused: {e}"
                    ),
                }
            }
            3 => match v.reverse_axis(axis) {
                Ok(w) => {
                    let kept = SliceIndices::new(v.shape()[axis], None, None, -1);
                    check_slice(&v, &w, axis, &kept);
                    model.slice(axis, None, None, -1);
                    v = w;
                }
                Err(e) => assert!(
                    slice_may_refuse(&model, axis, None, None, -1, &e),
                    "reverse_axis({axis}) of {v:?} refused: {e}"
                ),
            },
            4 => {
                let name = *u.choose(&["a", "b", "p", "q", "zz"])?;
                let expected = model.item.field(name).is_some();
                match v.field(name) {
                    Ok(w) => {
                        assert!(model.field(name), "field {name} of {v:?} should not exist");
                        v = w;
                    }
                    Err(e) => {
                        // A sub-array field of a broadcast view may hold more than isize::MAX
                        // elements in all, which no view may have.
                        let parts = model
                            .item
                            .field(name)
                            .and_then(|f| f.item().as_subarray().map(|a| a.len() as u128))
                            .unwrap_or(1);
                        let too_many = model.count().saturating_mul(parts) > isize::MAX as u128;
                        assert!(
                            !expected || (too_many && e.kind() == ErrorKind::Layout),
                            "field {name} of {v:?} refused: {e}"
                        )
                    }
                }
            }
            5 | 6 => {
                let imaginary = u.arbitrary()?;
                let part = if imaginary { v.imag() } else { v.real() };
                let complex = model
                    .item
                    .as_scalar()
                    .is_some_and(|s| s.kind() == array_protocol::ScalarKind::Complex);
                match part {
                    Ok(w) => {
                        assert!(complex, "real/imag of {v:?}");
                        let half = model.item.itemsize() / 2;
                        if imaginary {
                            model.offset += half as i128;
                        }
                        model.item = w.item().clone();
                        assert_eq!(model.item.itemsize(), half);
                        v = w;
                    }
                    Err(e) => assert!(!complex, "real/imag of {v:?} refused: {e}"),
                }
            }
            7 => {
                if let Ok(w) = v.clone().cast::<u32>() {
                    assert_eq!(model.item.itemsize(), 4, "cast to u32 of {v:?}");
                    model.item = w.item().clone();
                    v = w;
                }
            }
            9 => {
                // Each item as its bytes along a new last axis.
                match v.split_items::<u8>() {
                    Ok(w) => {
                        assert!(!model.item.has_padding(), "split of padded items of {v:?}");
                        let size = model.item.itemsize();
                        model.shape.push(size);
                        model.strides.push(1);
                        model.item = <u8 as array_protocol::Element>::ITEM_TYPE;
                        v = w;
                    }
                    Err(e) => {
                        let too_many = model.count().saturating_mul(model.item.itemsize() as u128)
                            > isize::MAX as u128;
                        assert!(
                            model.item.has_padding() || v.ndim() >= 64 || too_many,
                            "split of {v:?} refused: {e}"
                        )
                    }
                }
            }
            10 => {
                // Two contiguous bytes of the last axis as one u16.
                if model.item != <u8 as array_protocol::Element>::ITEM_TYPE {
                    continue;
                }
                let n = model.shape.len();
                let mergeable = n > 0 && model.shape[n - 1] == 2 && model.strides[n - 1] == 1;
                match v.merge_items::<u16>() {
                    Ok(w) => {
                        assert!(mergeable, "merge of {v:?} should be refused");
                        model.shape.pop();
                        model.strides.pop();
                        model.item = <u16 as array_protocol::Element>::ITEM_TYPE;
                        v = w;
                    }
                    Err(e) => assert!(!mergeable, "merge of {v:?} refused: {e}"),
                }
            }
            _ => {
                if let Ok(w) = v.clone().cast::<i16>() {
                    assert_eq!(model.item.itemsize(), 2, "cast to i16 of {v:?}");
                    model.item = w.item().clone();
                    v = w;
                }
            }
        }
        check_view(&model, &v, bytes);
        reads(&model, &v, bytes);
        array_protocol_fuzz::check_from_foreign(&v);
    }
    Ok(())
}

/// A slice is refused only for a missing axis, a zero step, or a new stride (stride × step)
/// that does not fit `isize` (refused even where no element is reached, in an empty array).
fn slice_may_refuse(
    model: &Model,
    axis: usize,
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
    e: &array_protocol::Error,
) -> bool {
    if axis >= model.shape.len() || step == 0 {
        return true;
    }
    let mut sliced = model.clone();
    sliced.slice(axis, start, stop, step);
    let overflows = sliced.shape[axis] >= 2 && isize::try_from(sliced.strides[axis]).is_err();
    overflows && e.kind() == ErrorKind::Layout
}

/// The sliced view `w` has, at index `j` of `axis`, the element `v` has at index
/// `kept.get(j)` (checked for the first and last 64 indices, the other axes at 0), and the other
/// axes as `v` has them.
fn check_slice(v: &ArrayView<'_>, w: &ArrayView<'_>, axis: usize, kept: &SliceIndices) {
    assert_eq!(
        w.shape()[axis] as u128,
        kept.count,
        "axis {axis} of {w:?} sliced from {v:?}: {kept:?}"
    );
    assert_eq!(w.ndim(), v.ndim());
    for k in (0..v.ndim()).filter(|&k| k != axis) {
        assert_eq!(
            (w.shape()[k], w.strides()[k]),
            (v.shape()[k], v.strides()[k]),
            "axis {k} of {w:?} sliced on {axis} from {v:?}"
        );
    }
    if w.is_empty() {
        return;
    }
    let at = |x: &ArrayView<'_>, i: i128| x.offset() as i128 + i * x.strides()[axis] as i128;
    let n = kept.count;
    for j in (0..n.min(64)).chain(n.saturating_sub(64).max(64)..n) {
        assert_eq!(
            at(w, j as i128),
            at(v, kept.get(j)),
            "element {j} of axis {axis} of {w:?} sliced from {v:?}: {kept:?}"
        );
    }
}

/// `ArrayView::new` accepts exactly the layouts whose elements lie inside the buffer.
fn check_validation(model: &Model, len: usize, refused: Option<&array_protocol::Error>) {
    let inside = match model.extent() {
        None => model.offset <= len as i128,
        Some((lo, hi)) => lo >= 0 && hi <= len as i128,
    };
    match refused {
        None => assert!(
            inside,
            "accepted a layout reaching outside the buffer: {model:?}, {len} bytes"
        ),
        Some(e) => {
            // Plain layouts (no huge numbers) inside the buffer are accepted.
            let plain = model.shape.iter().all(|&d| d <= 1 << 16)
                && model.strides.iter().all(|&s| s.abs() <= 1 << 20)
                && model.offset <= 1 << 20;
            assert!(
                !(plain && inside),
                "refused a valid layout {model:?} over {len} bytes: {e}"
            );
        }
    }
}

/// The view's metadata puts every element where the model does, inside the buffer.
fn check_view(model: &Model, v: &ArrayView<'_>, bytes: &[u8]) {
    assert_eq!(v.shape(), &model.shape[..], "{v:?} vs {model:?}");
    assert_eq!(v.item(), &model.item);
    assert_eq!(v.itemsize(), model.item.itemsize());
    assert_eq!(v.len() as u128, model.count());
    assert_eq!(v.buffer().as_ptr(), bytes.as_ptr());
    let Some(expected) = model.positions(ENUM_LIMIT) else {
        return;
    };
    let own = Model {
        item: model.item.clone(),
        shape: v.shape().to_vec(),
        strides: v.strides().iter().map(|&s| s as i128).collect(),
        offset: v.offset() as i128,
    };
    let got = own.positions(ENUM_LIMIT).expect("same length");
    assert_eq!(got, expected, "element positions of {v:?} vs {model:?}");
    for &p in &got {
        assert!(p >= 0 && p + model.item.itemsize() as i128 <= bytes.len() as i128);
    }
    if !got.is_empty() {
        assert_eq!(v.as_ptr(), bytes.as_ptr().wrapping_add(got[0] as usize));
    }
    // Writable views are refused exactly when two elements share a byte (the model's
    // positions, up to `ENUM_LIMIT` elements, are within the exact bound).
    let mut starts = got;
    starts.sort_unstable();
    let size = model.item.itemsize() as i128;
    let meet = size > 0 && starts.windows(2).any(|w| w[1] - w[0] < size);
    assert_eq!(
        v.layout().check_no_overlap().is_err(),
        meet,
        "overlap of {v:?}"
    );
}

fn element(bytes: &[u8], pos: i128, size: usize) -> &[u8] {
    &bytes[pos as usize..pos as usize + size]
}

/// Copies and typed reads equal the bytes at the model's positions.
fn reads(model: &Model, v: &ArrayView<'_>, bytes: &[u8]) {
    let size = model.item.itemsize();
    if model.count().saturating_mul(size.max(1) as u128) > COPY_LIMIT {
        return;
    }
    let Some(positions) = model.positions(ENUM_LIMIT) else {
        return;
    };
    let mask = data_mask(&model.item);
    let same = |copy: &[u8], k: usize, pos: i128| {
        let src = element(bytes, pos, size);
        let dst = &copy[k * size..(k + 1) * size];
        (0..size).all(|b| !mask[b] || src[b] == dst[b])
    };
    // An array of zero elements copies to zero bytes, however long its other axes.
    let c = v.to_contiguous(Order::C).expect("a small contiguous copy");
    assert_eq!(c.bytes().len(), positions.len() * size);
    assert!(
        positions
            .iter()
            .enumerate()
            .all(|(k, &p)| same(c.bytes(), k, p)),
        "C copy of {v:?}"
    );
    let mut reversed = model.clone();
    reversed.transpose();
    let f_positions = reversed.positions(ENUM_LIMIT).expect("same length");
    let f = v
        .to_contiguous(Order::Fortran)
        .expect("a small contiguous copy");
    assert!(
        f_positions
            .iter()
            .enumerate()
            .all(|(k, &p)| same(f.bytes(), k, p)),
        "F copy of {v:?}"
    );
    typed_reads(model, v, bytes, &positions);
}

fn typed_reads(model: &Model, v: &ArrayView<'_>, bytes: &[u8], positions: &[i128]) {
    macro_rules! check {
        ($t:ty, $n:expr, $decode:expr) => {{
            let expected: Vec<$t> = positions
                .iter()
                .map(|&p| {
                    let mut raw = [0u8; $n];
                    raw.copy_from_slice(element(bytes, p, $n));
                    $decode(raw)
                })
                .collect();
            let bits = |xs: &[$t]| xs.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>();
            let got = v
                .to_vec::<$t>()
                .expect("to_vec of the view's own item type");
            assert_eq!(bits(&got), bits(&expected), "to_vec of {v:?}");
            {
                match v.typed::<$t>() {
                    Ok(t) => {
                        let read: Vec<$t> = t.iter().copied().collect();
                        assert_eq!(bits(&read), bits(&expected), "typed view of {v:?}");
                    }
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::Alignment, "typed view of {v:?}: {e}")
                    }
                }
            }
        }};
    }
    let native = |s: &str| ItemType::from_pep3118(s).expect("a valid format");
    let item = &model.item;
    if *item == native("B") {
        check!(u8, 1, |r: [u8; 1]| r[0]);
    } else if *item == native("H") {
        check!(u16, 2, u16::from_ne_bytes);
    } else if *item == native("h") {
        check!(i16, 2, i16::from_ne_bytes);
    } else if *item == native("i") {
        check!(i32, 4, i32::from_ne_bytes);
    } else if *item == native("I") {
        check!(u32, 4, u32::from_ne_bytes);
    } else if *item == native("d") {
        check!(f64, 8, f64::from_ne_bytes);
    } else if *item == native(">i") {
        let expected: Vec<i32> = positions
            .iter()
            .map(|&p| i32::from_be_bytes(element(bytes, p, 4).try_into().expect("4 bytes")))
            .collect();
        let e = v
            .to_vec::<i32>()
            .expect_err("big-endian data read as native");
        assert_eq!(e.kind(), ErrorKind::ByteOrder, "{e}");
        assert_eq!(v.to_vec_native::<i32>().expect("swapped copy"), expected);
    } else if *item == native("?") {
        let valid = positions.iter().all(|&p| bytes[p as usize] <= 1);
        match v.to_vec::<bool>() {
            Ok(got) => {
                assert!(valid, "bools of {v:?} read although a byte is above 1");
                let expected: Vec<bool> =
                    positions.iter().map(|&p| bytes[p as usize] == 1).collect();
                assert_eq!(got, expected);
            }
            Err(e) => {
                assert!(!valid, "valid bools of {v:?} refused: {e}");
                assert_eq!(e.kind(), ErrorKind::InvalidValue);
            }
        }
    }
}
