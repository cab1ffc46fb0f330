//! Typed views at their edges; `TypedView::from_foreign` against the route it shortens:
//! `Foreign::locate`, a view of the located span, then `typed::<T>()`. Both must accept and
//! refuse the same descriptions, with the same kind of error, and give the same view.

use crate::error::ErrorKind;
use crate::ArrayView;
use alloc::string::ToString;

#[test]
fn an_invalid_value_below_the_first_element_is_an_error_naming_it() {
    // Three bools read backwards from the last byte: the invalid one lies 2 bytes below the
    // first element.
    let bytes = [2u8, 1, 0];
    let v = ArrayView::new(
        &bytes,
        <bool as crate::Element>::item_type(),
        &[3],
        Some(&[-1]),
        2,
    )
    .unwrap();
    let err = v.typed::<bool>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(
        err.to_string()
            .contains("at byte -2 from the first element"),
        "{err}"
    );
}

#[test]
fn a_broadcast_bool_view_is_checked_without_its_repeats() {
    // 3·2^40 elements, 3 distinct: checked at once, not element by element.
    let bool_item = <bool as crate::Element>::item_type();
    let bytes = [1u8, 0, 1];
    let v = ArrayView::new(&bytes, bool_item.clone(), &[1 << 40, 3], Some(&[0, 1]), 0).unwrap();
    let t = v.typed::<bool>().unwrap();
    assert_eq!((t.len(), t[[(1 << 40) - 1, 2]]), (3 << 40, true));
    let bad = [1u8, 2];
    let v = ArrayView::new(&bad, bool_item, &[1 << 40, 2, 1 << 20], Some(&[0, 1, 0]), 0).unwrap();
    let err = v.typed::<bool>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(
        err.to_string().contains("at byte 1 from the first element"),
        "{err}"
    );
}

#[test]
fn an_overlapping_bool_view_is_checked_once_per_distinct_element() {
    // 500,001 windows of 500,000 over 10^6 bools: 2.5·10^11 indexes, 10^6 elements.
    let bool_item = <bool as crate::Element>::item_type();
    let mut bytes = alloc::vec![1u8; 1_000_000];
    let v = ArrayView::new(
        &bytes,
        bool_item.clone(),
        &[500_001, 500_000],
        Some(&[1, 1]),
        0,
    )
    .unwrap();
    assert_eq!(v.typed::<bool>().unwrap().len(), 500_001 * 500_000);
    bytes[999_999] = 7;
    // The same, read backwards from the last byte.
    let v = ArrayView::new(
        &bytes,
        bool_item,
        &[500_001, 500_000],
        Some(&[-1, -1]),
        999_999,
    )
    .unwrap();
    let err = v.typed::<bool>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(
        err.to_string().contains("at byte 0 from the first element"),
        "{err}"
    );
}

#[test]
fn a_copy_too_large_to_allocate_is_an_error_or_a_panic_not_an_abort() {
    let data = [1.0f64];
    let broadcast = |n: usize| {
        ArrayView::new(
            bytemuck::cast_slice(&data),
            <f64 as crate::Element>::item_type(),
            &[n],
            Some(&[0]),
            0,
        )
        .unwrap()
    };
    // 2^60 float64s at one address: a copy would take 2^63 bytes, past isize::MAX (refused
    // before any allocator is asked, so the test does not depend on the machine's memory).
    let v = broadcast(1 << 60);
    let t = v.typed::<f64>().unwrap();
    let err = t.try_to_vec().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfMemory);
    assert!(
        err.to_string().contains("9223372036854775808 bytes"),
        "{err}"
    );
    let panic = std::panic::catch_unwind(|| t.to_vec()).unwrap_err();
    let message = panic.downcast_ref::<alloc::string::String>().unwrap();
    assert!(message.contains("cannot allocate"), "{message}");
    // 2^61 of them: the byte count itself overflows.
    let v = broadcast(1 << 61);
    let err = v.typed::<f64>().unwrap().try_to_vec().unwrap_err();
    assert!(err.to_string().contains("its size overflows"), "{err}");
    // A copy that fits is made.
    let v = broadcast(3);
    assert_eq!(v.typed::<f64>().unwrap().try_to_vec().unwrap(), [1.0; 3]);
}

#[cfg(any(feature = "ndarray", feature = "dlpack", feature = "arrow"))]
mod foreign {

    use alloc::vec;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use crate::error::{Error, ErrorKind};
    use crate::item::element::Element;
    use crate::layout::Foreign;
    use crate::typed::TypedView;

    /// What a route gave: the elements, or the kind of its error.
    type Outcome<T> = Result<Vec<T>, ErrorKind>;

    /// The two routes for `T`s at byte `at` of `buffer`, described by `shape` and byte `strides`:
    /// `None` when the located span leaves the buffer (neither route may be run on it then).
    fn both<T: Element + Copy + PartialEq + core::fmt::Debug>(
        buffer: &[u64],
        at: usize,
        shape: &[usize],
        strides: &[isize],
    ) -> Option<(Outcome<T>, Outcome<T>)> {
        let base = buffer.as_ptr().cast::<u8>().cast_mut();
        let first = base.wrapping_add(at);
        let item = T::item_type();
        let inside = match Foreign::locate(first, shape, strides, item.itemsize()) {
            Ok(f) if f.is_empty() => true,
            Ok(f) => {
                let low = first as usize - f.offset();
                low >= base as usize && low + f.len() <= base as usize + buffer.len() * 8
            }
            // Refused before any memory is named: both routes may run.
            Err(_) => true,
        };
        if !inside {
            return None;
        }
        // The address of an empty view is never read (the untyped route's is its empty span's).
        let parts = |v: &TypedView<'_, T>| {
            let at = if v.is_empty() { None } else { Some(v.as_ptr()) };
            (v.shape().to_vec(), v.strides().to_vec(), v.len(), at)
        };
        // SAFETY: the located span lies inside `buffer` (checked above), which nobody writes.
        let short = unsafe { TypedView::<T>::from_foreign(first, &item, shape, strides) };
        let long = Foreign::locate(first, shape, strides, item.itemsize()).and_then(|f| {
            // SAFETY: as above.
            let view = unsafe { crate::ArrayView::from_foreign(&f, item.clone(), shape, strides) }?;
            let typed = view.typed::<T>()?;
            Ok((parts(&typed), elements(&typed)))
        });
        let short = short.map(|v| (parts(&v), elements(&v)));
        if let (Ok((a, _)), Ok((b, _))) = (&short, &long) {
            assert_eq!(a, b, "shape {shape:?} strides {strides:?}");
        }
        let kind = |r: Result<(_, Vec<T>), Error>| r.map(|(_, v)| v).map_err(|e| e.kind());
        Some((kind(short), kind(long)))
    }

    /// The elements, for views small enough to copy (broadcast ones may have 2^40).
    fn elements<T: Copy>(v: &TypedView<'_, T>) -> Vec<T> {
        if v.len() <= 4096 {
            v.to_vec()
        } else {
            v.iter().take(4096).copied().collect()
        }
    }

    fn stride() -> impl Strategy<Value = isize> {
        prop_oneof![
            -24isize..=24,
            Just(isize::MAX),
            Just(isize::MIN),
            Just(isize::MAX / 2),
            Just(1 << 40),
        ]
    }

    fn description() -> impl Strategy<Value = (usize, Vec<(usize, isize)>)> {
        (
            0usize..512,
            prop::collection::vec(
                (
                    prop_oneof![0usize..5, Just(usize::MAX), Just(1 << 40)],
                    stride(),
                ),
                0..5,
            ),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn from_foreign_agrees_with_a_typed_view_of_the_located_span(
            (at, axes) in description(),
            fill in prop::collection::vec(any::<u64>(), 64),
        ) {
            // Bytes of 0, 1 and 2: valid and invalid `bool`s.
            let buffer: Vec<u64> = fill.iter().map(|w| w & 0x0101_0101_0101_0103).collect();
            let (shape, strides): (Vec<usize>, Vec<isize>) = axes.into_iter().unzip();
            if let Some((a, b)) = both::<f64>(&buffer, at, &shape, &strides) {
                prop_assert_eq!(a, b);
            }
            if let Some((a, b)) = both::<u8>(&buffer, at, &shape, &strides) {
                prop_assert_eq!(a, b);
            }
            if let Some((a, b)) = both::<bool>(&buffer, at, &shape, &strides) {
                prop_assert_eq!(a, b);
            }
            if let Some((a, b)) = both::<u32>(&buffer, at, &shape, &strides) {
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn hostile_descriptions_are_refused_before_any_memory_is_named() {
        let buffer = [0u64; 4];
        let first = buffer.as_ptr().cast::<u8>().cast_mut();
        let refuse = |first: *mut u8, shape: &[usize], strides: &[isize]| {
            // SAFETY: every description here is refused before any memory is read or named.
            let r =
                unsafe { TypedView::<f64>::from_foreign(first, &f64::item_type(), shape, strides) };
            r.map(|_| ()).unwrap_err().kind()
        };
        // NULL with elements.
        assert_eq!(refuse(core::ptr::null_mut(), &[2], &[8]), ErrorKind::Layout);
        // An extent past isize.
        assert_eq!(refuse(first, &[3], &[isize::MAX]), ErrorKind::Layout);
        assert_eq!(
            refuse(first, &[2, 2], &[isize::MAX / 2 + 1, isize::MAX / 2 + 1]),
            ErrorKind::Layout
        );
        // More than isize::MAX elements, all at one address (zero strides).
        assert_eq!(
            refuse(first, &[1 << 40, 1 << 40], &[0, 0]),
            ErrorKind::Layout
        );
        // A length past isize::MAX.
        assert_eq!(refuse(first, &[usize::MAX], &[0]), ErrorKind::Layout);
        // Below address 0.
        assert_eq!(refuse(8 as *mut u8, &[3], &[-8]), ErrorKind::Layout);
        // Too many axes, and strides that do not match the axes.
        assert_eq!(refuse(first, &vec![1; 65], &vec![8; 65]), ErrorKind::Layout);
        assert_eq!(refuse(first, &[1, 1], &[8]), ErrorKind::Layout);
        // Misaligned first element, and a stride that is not a multiple of the alignment.
        assert_eq!(
            refuse(first.wrapping_add(1), &[2], &[8]),
            ErrorKind::Alignment
        );
        assert_eq!(refuse(first, &[2], &[4]), ErrorKind::Alignment);
        // An empty array at NULL is fine, and names no memory.
        // SAFETY: no element: nothing is read.
        let empty = unsafe {
            TypedView::<f64>::from_foreign(
                core::ptr::null_mut(),
                &f64::item_type(),
                &[0, 3],
                &[8, 8],
            )
        }
        .unwrap();
        assert_eq!((empty.len(), empty.as_slice()), (0, Some(&[][..])));
    }
}

#[test]
fn a_fixed_view_keeps_the_description_and_refuses_another_number_of_axes() {
    let data: alloc::vec::Vec<f32> = (0..24).map(|k| k as f32).collect();
    // Axes reversed and strided: shape [4, 3, 2], steps of 1, 4 and 12 elements.
    let view = ArrayView::from_slice(&data, &[2, 3, 4])
        .unwrap()
        .t()
        .typed::<f32>()
        .unwrap();
    let fixed = view.as_fixed::<3>().unwrap();
    assert_eq!(fixed.shape(), [4, 3, 2]);
    assert_eq!(fixed.strides(), [4, 16, 48]);
    assert_eq!(fixed.len(), 24);
    assert_eq!(fixed.as_ptr(), view.as_ptr());
    assert_eq!(fixed[[3, 1, 1]], 3.0 + 4.0 + 12.0);
    assert!(fixed.iter().eq(view.iter()));

    for (n, err) in [
        (2, view.as_fixed::<2>().map(|_| ()).unwrap_err()),
        (4, view.as_fixed::<4>().map(|_| ()).unwrap_err()),
        (0, view.as_fixed::<0>().map(|_| ()).unwrap_err()),
    ] {
        assert_eq!(err.kind(), ErrorKind::Shape);
        assert_eq!(
            err.to_string(),
            alloc::format!("expected a {n}-D array, got a 3-D array")
        );
    }
}

#[test]
fn a_fixed_view_of_zero_axes_is_one_element_and_of_an_empty_array_none() {
    let data = [7.5f64];
    let scalar = ArrayView::from_slice(&data, &[]).unwrap();
    let fixed = scalar.typed::<f64>().unwrap().as_fixed::<0>().unwrap();
    assert_eq!(fixed.shape(), []);
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[[]], 7.5);

    let empty = ArrayView::from_slice::<f64>(&[], &[3, 0]).unwrap();
    let fixed = empty.typed::<f64>().unwrap().as_fixed::<2>().unwrap();
    assert_eq!(fixed.shape(), [3, 0]);
    assert!(fixed.is_empty());
    assert_eq!(fixed.get([0, 0]), None);
    assert_eq!(fixed.iter().count(), 0);
}

#[test]
fn a_fixed_view_of_fixed_array_items_counts_the_outer_axes() {
    let data: alloc::vec::Vec<u8> = (0..24).collect();
    let view = ArrayView::from_slice(&data, &[2, 3, 4]).unwrap();
    let pixels = view.typed::<[u8; 4]>().unwrap();
    let fixed = pixels.as_fixed::<2>().unwrap();
    assert_eq!(fixed.shape(), [2, 3]);
    assert_eq!(fixed[[1, 2]], [20, 21, 22, 23]);
    let err = pixels.as_fixed::<3>().map(|_| ()).unwrap_err();
    assert_eq!(err.to_string(), "expected a 3-D array, got a 2-D array");
}
