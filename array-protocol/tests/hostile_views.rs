//! Views, item types and copies given the numbers an attacker would choose: every one is a
//! clean error (or a correct result), never a panic, an abort or an overflow.

use array_protocol::{ArrayView, Element, ErrorKind, ItemType, Order};

#[test]
fn slice_steps_and_bounds_at_the_integer_limits() {
    let data: Vec<u8> = (0..10).collect();
    let v = ArrayView::from_slice(&data, &[10]).unwrap();
    // `-step` of isize::MIN overflows isize: the bounds are computed wider.
    let s = v.slice(0, None, None, isize::MIN).unwrap();
    assert_eq!(s.to_vec::<u8>().unwrap(), [9]);
    let s = v.slice(0, None, None, isize::MAX).unwrap();
    assert_eq!(s.to_vec::<u8>().unwrap(), [0]);
    let s = v
        .slice(0, Some(isize::MIN), Some(isize::MAX), isize::MIN + 1)
        .unwrap();
    assert!(s.is_empty());
    let s = v.slice(0, Some(isize::MAX), Some(isize::MIN), -3).unwrap();
    assert_eq!(s.to_vec::<u8>().unwrap(), [9, 6, 3, 0]);
}

#[test]
fn empty_views_with_axes_longer_than_isize_max_slice_and_reverse() {
    let v = ArrayView::new(&[], u8::item_type(), &[0, usize::MAX], Some(&[1, 1]), 0).unwrap();
    let s = v.slice(1, Some(0), None, 1).unwrap();
    assert_eq!(s.shape(), [0, usize::MAX]);
    let s = v.slice(1, Some(-1), None, -2).unwrap();
    assert_eq!(s.shape(), [0, usize::MAX / 2 + 1]);
    let r = v.reverse_axis(1).unwrap();
    assert_eq!(r.shape(), [0, usize::MAX]);
    assert!(r.is_empty() && r.to_vec::<u8>().unwrap().is_empty());
}

#[test]
fn strides_of_isize_min_on_length_one_axes() {
    let bytes = [1u8, 0, 1];
    let v = ArrayView::new(
        &bytes,
        bool::item_type(),
        &[1, 3],
        Some(&[isize::MIN, 1]),
        0,
    )
    .unwrap();
    assert_eq!(v.typed::<bool>().unwrap().to_vec(), [true, false, true]);
    let v = ArrayView::new(&bytes, u8::item_type(), &[3, 1], Some(&[1, isize::MIN]), 0).unwrap();
    assert_eq!(
        v.typed::<u8>().unwrap().iter().copied().collect::<Vec<_>>(),
        [1, 0, 1]
    );
    assert_eq!(v.to_vec::<u8>().unwrap(), [1, 0, 1]);
    assert_eq!(v.t().to_contiguous(Order::C).unwrap().bytes(), [1, 0, 1]);
}

#[test]
fn huge_copies_are_errors_not_aborts() {
    let one = [0u8; 8];
    // 2^61 broadcast u64s: the byte count overflows.
    let v = ArrayView::new(&one, u64::item_type(), &[1 << 61], Some(&[0]), 0).unwrap();
    assert_eq!(
        v.to_vec::<u64>().unwrap_err().kind(),
        ErrorKind::OutOfMemory
    );
    let v = ArrayView::new(
        &one,
        u64::item_type(),
        &[1 << 30, 1 << 30],
        Some(&[0, 0]),
        0,
    )
    .unwrap();
    assert_eq!(
        v.to_vec::<u64>().unwrap_err().kind(),
        ErrorKind::OutOfMemory
    );
    assert_eq!(
        v.to_vec_native::<u64>().unwrap_err().kind(),
        ErrorKind::OutOfMemory
    );
    let err = v.to_contiguous(Order::C).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::OutOfMemory | ErrorKind::Layout),
        "{err}"
    );
}

#[test]
fn sizes_of_zero_size_sub_arrays_never_overflow() {
    // 2^64 elements of nothing: refused (the element count must fit), not a debug overflow.
    let e = ItemType::from_pep3118("(4611686018427387904,4)T{}").unwrap_err();
    assert_eq!(e.position(), Some(23), "{e}");
    let t = ItemType::from_pep3118("(4611686018427387904,1)T{}").unwrap();
    assert_eq!(t.itemsize(), 0);
    let void = ItemType::from_typestr("|V0").unwrap();
    let e = ItemType::array(void.clone(), &[usize::MAX]).unwrap_err();
    assert!(e.message().contains("longer than isize::MAX"), "{e}");
    // What is accepted renders as a format that reads back.
    let ok = ItemType::array(void.clone(), &[isize::MAX as usize, 1]).unwrap();
    assert!(ItemType::array(void, &[isize::MAX as usize, 2]).is_err());
    assert_eq!(ItemType::from_pep3118(&ok.to_pep3118()).unwrap(), ok);
}

#[test]
fn nesting_is_limited_in_the_model() {
    let mut t = u8::item_type();
    let mut depth = 0;
    let err = loop {
        match ItemType::array(t.clone(), &[1]) {
            Ok(a) => match ItemType::record(vec![array_protocol::Field::new(Some("x"), 0, a)], 1) {
                Ok(r) => t = r,
                Err(e) => break e,
            },
            Err(e) => break e,
        }
        depth += 1;
        assert!(depth <= array_protocol::item::MAX_NESTING + 2, "no limit");
    };
    assert!(err.message().contains("levels deep"), "{err}");
    assert!(t.depth() <= array_protocol::item::MAX_NESTING);
}

#[test]
fn fixed_axis_typed_views_check_what_the_dynamic_ones_check() {
    use array_protocol::TypedViewN;
    let data: Vec<i32> = (0..12).collect();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    // Negative and zero strides, within bounds.
    let v = TypedViewN::<i32, 2>::new(bytes, [3, 4], [-16, 4], 32).unwrap();
    assert_eq!(v[[0, 0]], 8);
    assert_eq!(
        v.iter().copied().collect::<Vec<_>>(),
        [8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]
    );
    let b = TypedViewN::<i32, 1>::new(bytes, [5], [0], 4).unwrap();
    assert_eq!(b.iter().copied().collect::<Vec<_>>(), [1; 5]);
    // Out of bounds, overflow, misalignment, invalid values, all errors.
    let kind = |r: Result<TypedViewN<'_, i32, 2>, array_protocol::Error>| r.unwrap_err().kind();
    assert_eq!(
        kind(TypedViewN::new(bytes, [3, 5], [16, 4], 0)),
        ErrorKind::Layout
    );
    assert_eq!(
        kind(TypedViewN::new(bytes, [2, 2], [isize::MAX, 4], 0)),
        ErrorKind::Layout
    );
    assert_eq!(
        kind(TypedViewN::new(bytes, [2, 2], [16, 4], 2)),
        ErrorKind::Alignment
    );
    assert_eq!(
        kind(TypedViewN::new(bytes, [2, 2], [16, 2], 0)),
        ErrorKind::Alignment
    );
    let flags = [1u8, 3, 0];
    let e = TypedViewN::<bool, 1>::new(&flags, [3], [1], 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    // Empty views accept any strides and read nothing.
    let e = TypedViewN::<i32, 2>::new(bytes, [0, usize::MAX], [isize::MIN, 1], 48).unwrap();
    assert!(e.is_empty() && e.get([0, 0]).is_none() && e.iter().next().is_none());
    assert!(TypedViewN::<i32, 1>::new(bytes, [0], [4], 49).is_err());
}

#[test]
fn splitting_a_broadcast_view_into_more_than_isize_max_parts_is_refused() {
    let bytes = [2u8; 8];
    let v = ArrayView::new(&bytes, u64::item_type(), &[1usize << 61], Some(&[0]), 0).unwrap();
    // 2^61 × 8 bools would wrap the element count: refused, so no bool byte of 2 is ever read.
    assert_eq!(
        v.split_items::<bool>().unwrap_err().kind(),
        ErrorKind::Layout
    );
    let pairs = ItemType::from_pep3118("T{(8)B:b:}").unwrap();
    let r = ArrayView::new(&bytes, pairs, &[1usize << 61], Some(&[0]), 0).unwrap();
    assert_eq!(r.field("b").unwrap_err().kind(), ErrorKind::Layout);
    // Fewer parts are fine and still checked for valid values.
    let v = ArrayView::new(&bytes, u64::item_type(), &[4], Some(&[0]), 0).unwrap();
    let s = v.split_items::<bool>().unwrap();
    assert_eq!(
        s.typed::<bool>().unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
}

#[test]
fn typed_views_of_empty_arrays_have_no_elements() {
    let bytes = [0u8; 8];
    let v = ArrayView::new(&bytes, u32::item_type(), &[3, 0], Some(&[1, 4]), 0).unwrap();
    let t = v.typed::<[u32; 0]>().unwrap();
    assert_eq!(t.shape(), [3]);
    assert!(t.is_empty() && t.get(&[1]).is_none() && t.iter().next().is_none());
    // Merging away the only empty axis would create elements out of nothing: refused.
    let v = ArrayView::new(&bytes, u8::item_type(), &[3, 0], Some(&[1, 1]), 0).unwrap();
    assert_eq!(
        v.merge_items::<[u8; 0]>().unwrap_err().kind(),
        ErrorKind::Layout
    );
}
