//! Views: every refusal, and the edges of the unsafe code (empty, zero-size items, one element,
//! negative and zero strides, overflow, misalignment).

use array_protocol::{ArrayView, ArrayViewMut, Element, ErrorKind, ItemType, Order, MAX_NDIM};

fn f64s(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

fn view<'a>(
    bytes: &'a [u8],
    item: ItemType,
    shape: &[usize],
    strides: Option<&[isize]>,
    offset: usize,
) -> ArrayView<'a> {
    ArrayView::new(bytes, item, shape, strides, offset).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(
    bytes: &[u8],
    item: ItemType,
    shape: &[usize],
    strides: Option<&[isize]>,
    offset: usize,
) -> (ErrorKind, String) {
    let e = ArrayView::new(bytes, item, shape, strides, offset).expect_err("should be refused");
    (e.kind(), e.to_string())
}

#[test]
fn bounds_are_checked_at_construction() {
    let data = f64s(6);
    let b: &[u8] = bytemuck::cast_slice(&data);
    let f = f64::item_type;
    assert_eq!(
        refused(b, f(), &[7], None, 0),
        (ErrorKind::Layout, "the array reaches byte 56 but the buffer has 48 bytes (shape [7], strides [8], offset 0, itemsize 8)".into())
    );
    assert_eq!(
        refused(b, f(), &[3], Some(&[-8]), 8),
        (ErrorKind::Layout, "the array reaches byte -8, before the start of the buffer (shape [3], strides [-8], offset 8, itemsize 8)".into())
    );
    assert_eq!(refused(b, f(), &[1], None, 48).0, ErrorKind::Layout);
    assert_eq!(refused(b, f(), &[1], None, 41).0, ErrorKind::Layout);
    assert_eq!(
        refused(b, f(), &[2, 3], Some(&[8]), 0),
        (
            ErrorKind::Layout,
            "1 strides given for 2 axes (shape [2, 3]); expected one stride per axis".into()
        )
    );
    let too_many = vec![1usize; MAX_NDIM + 1];
    assert_eq!(refused(b, f(), &too_many, None, 0).0, ErrorKind::Layout);
    // The last valid positions are accepted.
    assert_eq!(
        view(b, f(), &[3], Some(&[-8]), 16).to_vec::<f64>().unwrap(),
        [2.0, 1.0, 0.0]
    );
    assert_eq!(view(b, f(), &[1], None, 40).to_vec::<f64>().unwrap(), [5.0]);
    let max_axes = vec![1usize; MAX_NDIM];
    assert_eq!(view(b, f(), &max_axes, None, 0).len(), 1);
}

#[test]
fn overflow_is_an_error_at_every_step() {
    let b = [0u8; 64];
    let u8t = u8::item_type;
    // Element count.
    assert!(refused(&b, u8t(), &[usize::MAX, 2], Some(&[0, 0]), 0)
        .1
        .contains("more than isize::MAX elements"));
    // C strides of the default layout.
    assert!(refused(&b, f64::item_type(), &[usize::MAX / 4], None, 0)
        .1
        .contains("larger than isize::MAX"));
    // (d - 1) × stride.
    assert!(refused(&b, u8t(), &[3], Some(&[isize::MAX]), 0)
        .1
        .contains("overflows isize"));
    assert!(refused(&b, u8t(), &[3], Some(&[isize::MIN]), 0)
        .1
        .contains("overflows isize"));
    // Sum of spans.
    assert!(
        refused(&b, u8t(), &[2, 2], Some(&[isize::MAX, isize::MAX]), 0)
            .1
            .contains("overflows isize")
    );
    // Offset beyond isize.
    assert!(refused(&b, u8t(), &[1], None, usize::MAX)
        .1
        .contains("overflows isize"));
    // Span plus itemsize.
    let big = ItemType::from_pep3118(&format!("{}s", isize::MAX)).unwrap();
    assert!(refused(&b, big, &[2], Some(&[1]), 0)
        .1
        .contains("overflows isize"));
}

#[test]
fn empty_arrays_accept_any_strides() {
    let b = [0u8; 8];
    let v = view(
        &b,
        f64::item_type(),
        &[0, 5],
        Some(&[isize::MAX, isize::MIN]),
        8,
    );
    assert_eq!(
        (
            v.len(),
            v.is_empty(),
            v.is_c_contiguous(),
            v.is_f_contiguous()
        ),
        (0, true, true, true)
    );
    assert!(v.to_vec::<f64>().unwrap().is_empty());
    assert!(v.typed::<f64>().unwrap().as_slice().unwrap().is_empty());
    assert_eq!(v.to_contiguous(Order::C).unwrap().bytes().len(), 0);
    assert_eq!(
        refused(&b, f64::item_type(), &[0], None, 9).0,
        ErrorKind::Layout
    );
    let empty: [u8; 0] = [];
    assert_eq!(
        view(&empty, f64::item_type(), &[0], None, 0).as_ptr(),
        empty.as_ptr()
    );
}

#[test]
fn zero_size_items() {
    let empty: [u8; 0] = [];
    let zst = ItemType::from_pep3118("T{}").unwrap();
    assert_eq!(zst.itemsize(), 0);
    let v = view(&empty, zst.clone(), &[4, 3], Some(&[0, 0]), 0);
    assert_eq!(v.len(), 12);
    assert_eq!(v.to_contiguous(Order::C).unwrap().bytes().len(), 0);
    assert_eq!(
        v.to_vec::<[u8; 0]>().unwrap_err().kind(),
        ErrorKind::ItemType
    );
    let arr0 = <[u8; 0]>::item_type();
    let v = view(&empty, arr0.clone(), &[3], None, 0);
    let mut none: [u8; 0] = [];
    let mut dst = ArrayViewMut::new(&mut none, arr0, &[3], Some(&[0]), 0).unwrap();
    v.copy_into(&mut dst).unwrap();
}

#[test]
fn negative_and_zero_strides() {
    let data = f64s(6);
    let b: &[u8] = bytemuck::cast_slice(&data);
    let reversed = view(b, f64::item_type(), &[2, 3], Some(&[-24, -8]), 40);
    assert_eq!(
        reversed.to_vec::<f64>().unwrap(),
        [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    );
    let t = reversed.typed::<f64>().unwrap();
    assert_eq!((t[[0, 0]], t[[1, 2]]), (5.0, 0.0));
    assert!(t.as_slice().is_none());
    assert_eq!(
        t.iter().copied().collect::<Vec<_>>(),
        [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    );
    assert_eq!(
        reversed
            .to_contiguous(Order::Fortran)
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    );
    // Zero strides broadcast, read-only.
    let row = view(b, f64::item_type(), &[3, 2], Some(&[0, 8]), 0);
    assert_eq!(row.to_vec::<f64>().unwrap(), [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    let mut w = data.clone();
    let e = ArrayViewMut::new(
        bytemuck::cast_slice_mut(&mut w),
        f64::item_type(),
        &[3, 2],
        Some(&[0, 8]),
        0,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Overlap);
    // A zero stride on an axis of length 1 overlaps nothing.
    ArrayViewMut::new(
        bytemuck::cast_slice_mut(&mut w),
        f64::item_type(),
        &[1, 2],
        Some(&[0, 8]),
        0,
    )
    .unwrap();
}

#[test]
fn writable_views_refuse_overlap() {
    let mut w = [0u8; 64];
    let u32t = u32::item_type;
    for (shape, strides) in [
        (&[2][..], &[2][..]),
        (&[2, 2], &[4, 4]),
        // [2, 0] and [0, 1] are both at byte 16.
        (&[3, 3], &[8, 16]),
    ] {
        let e = ArrayViewMut::new(&mut w, u32t(), shape, Some(strides), 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Overlap, "{shape:?} {strides:?}: {e}");
    }
    // Disjoint layouts, including negative strides and gaps, are accepted.
    for (shape, strides, offset) in [
        (&[2, 2][..], &[8, 4][..], 0),
        (&[2, 2], &[-8, -4], 12),
        (&[2, 3], &[4, 16], 0),
        (&[3], &[20], 0),
        // Interleaved axes whose elements never meet (at 0, 8, 12, 16, …, 40).
        (&[3, 3], &[8, 12], 0),
    ] {
        ArrayViewMut::new(&mut w, u32t(), shape, Some(strides), offset)
            .unwrap_or_else(|e| panic!("{shape:?} {strides:?}: {e}"));
    }
}

/// Writable views are refused exactly when two elements share a byte: checked against brute
/// force on every small 2-D layout, interleaved axes included; above
/// `layout::EXACT_OVERLAP_MAX` elements, interleaved axes are refused whether or not they meet.
#[test]
fn overlap_is_decided_exactly_for_small_layouts() {
    use array_protocol::item::{ByteOrder, ScalarKind};
    use array_protocol::layout::{Layout, EXACT_OVERLAP_MAX};
    let mut w = [0u8; 256];
    let mut accepted_interleaved = 0;
    for itemsize in [1usize, 2, 3] {
        for (n0, n1) in [(2usize, 2usize), (3, 2), (2, 3), (4, 3)] {
            for s0 in -7isize..=7 {
                for s1 in -7isize..=7 {
                    let shape = [n0, n1];
                    let strides = [s0, s1];
                    let lo = s0.min(0) * (n0 as isize - 1) + s1.min(0) * (n1 as isize - 1);
                    let offset = lo.unsigned_abs();
                    let item =
                        ItemType::scalar(ScalarKind::Void, itemsize, ByteOrder::NotApplicable)
                            .unwrap();
                    let mut starts: Vec<isize> = Vec::new();
                    for i in 0..n0 as isize {
                        for j in 0..n1 as isize {
                            starts.push(i * s0 + j * s1);
                        }
                    }
                    starts.sort_unstable();
                    let meet = starts.windows(2).any(|p| p[1] - p[0] < itemsize as isize);
                    let got = ArrayViewMut::new(&mut w, item, &shape, Some(&strides), offset);
                    assert_eq!(got.is_err(), meet, "{itemsize} {shape:?} {strides:?}");
                    if let Err(e) = got {
                        assert_eq!(e.kind(), ErrorKind::Overlap);
                    }
                    let (a0, a1) = (s0.unsigned_abs(), s1.unsigned_abs());
                    let (slow, fast, nfast) = if a0 >= a1 { (a0, a1, n1) } else { (a1, a0, n0) };
                    if !meet && slow < fast * (nfast - 1) + itemsize && fast >= itemsize {
                        accepted_interleaved += 1;
                    }
                }
            }
        }
    }
    assert!(accepted_interleaved > 20, "{accepted_interleaved}");
    // Interleaved rows 2 apart and columns 3 apart never meet; past the exact bound the
    // nested-axes rule alone decides, and refuses them.
    let small = Layout::new(&[3, 2], Some(&[2, 3]), 0, 1, 8).unwrap();
    assert!(small.check_no_overlap().is_ok());
    let rows = EXACT_OVERLAP_MAX / 2 + 1;
    let big = Layout::new(&[rows, 2], Some(&[2, 3]), 0, 1, 2 * rows + 2).unwrap();
    assert_eq!(
        big.check_no_overlap().unwrap_err().kind(),
        ErrorKind::Overlap
    );
}

#[test]
fn alignment_is_checked_for_typed_reads_and_not_for_copies() {
    let data: Vec<u64> = vec![0x0101_0101_0101_0101; 4];
    let b: &[u8] = bytemuck::cast_slice(&data);
    let misaligned = view(b, u32::item_type(), &[3], None, 1);
    let e = misaligned.typed::<u32>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Alignment);
    assert!(
        e.to_string()
            .contains("not aligned to the 4 bytes u32 needs"),
        "{e}"
    );
    assert_eq!(misaligned.to_vec::<u32>().unwrap(), [0x0101_0101; 3]);
    let odd_stride = view(b, f64::item_type(), &[2], Some(&[12]), 0);
    let e = odd_stride.typed::<f64>().unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().contains("stride 12 of axis 0")),
        (ErrorKind::Alignment, true)
    );
    assert_eq!(odd_stride.to_vec::<f64>().unwrap().len(), 2);
    // Strides need not be multiples of the item size, only of its alignment (a record field).
    let field = view(b, u16::item_type(), &[4], Some(&[6]), 0);
    assert_eq!(field.typed::<u16>().unwrap().to_vec(), [0x0101; 4]);
}

#[test]
fn item_types_and_values_are_checked() {
    let data = [1i32, -2];
    let b: &[u8] = bytemuck::cast_slice(&data);
    let v = view(b, i32::item_type(), &[2], None, 0);
    let e = v.typed::<f32>().unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::ItemType,
            "expected items of <f4 (f32), got <i4".into()
        )
    );
    let be = view(b, ItemType::from_pep3118(">i").unwrap(), &[2], None, 0);
    let e = be.typed::<i32>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ByteOrder);
    assert_eq!(
        be.to_vec_native::<i32>().unwrap(),
        [1i32.swap_bytes(), (-2i32).swap_bytes()]
    );
    let bools = [0u8, 1, 2, 1];
    let bv = view(&bools, bool::item_type(), &[4], None, 0);
    assert_eq!(
        bv.typed::<bool>().unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        bv.to_vec::<bool>().unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    let ok = view(&bools, bool::item_type(), &[2], None, 0);
    assert_eq!(ok.to_vec::<bool>().unwrap(), [false, true]);
    // Skipping the bad byte with a stride makes the rest readable.
    let strided = view(&bools, bool::item_type(), &[2], Some(&[2]), 1);
    assert_eq!(strided.typed::<bool>().unwrap().to_vec(), [true, true]);
}

#[test]
fn fixed_array_elements_take_the_last_axes() {
    let px: Vec<u8> = (0..24).collect();
    let v = view(&px, u8::item_type(), &[2, 3, 4], None, 0);
    let t = v.typed::<[u8; 4]>().unwrap();
    assert_eq!((t.shape(), t[[1, 2]]), (&[2, 3][..], [20, 21, 22, 23]));
    assert_eq!(v.to_vec::<[[u8; 4]; 3]>().unwrap()[1][0], [12, 13, 14, 15]);
    let shuffled = v.permute_axes(&[0, 2, 1]).unwrap();
    assert_eq!(
        shuffled.typed::<[u8; 3]>().unwrap_err().kind(),
        ErrorKind::Requirement
    );
    assert_eq!(
        v.typed::<[u8; 5]>().unwrap_err().kind(),
        ErrorKind::ItemType
    );
}

#[test]
fn axis_operations() {
    let data: Vec<i32> = (0..24).collect();
    let b: &[u8] = bytemuck::cast_slice(&data);
    let v = view(b, i32::item_type(), &[2, 3, 4], None, 0);
    let p = v.permute_axes(&[2, 0, 1]).unwrap();
    assert_eq!((p.shape(), p.strides()), (&[4, 2, 3][..], &[4, 48, 16][..]));
    assert_eq!(p.typed::<i32>().unwrap()[[3, 1, 2]], 23);
    for bad in [&[0, 1][..], &[0, 1, 1], &[0, 1, 3]] {
        assert_eq!(v.permute_axes(bad).unwrap_err().kind(), ErrorKind::Shape);
    }
    let row = v.index_axis(1, 2).unwrap();
    assert_eq!(row.to_vec::<i32>().unwrap(), [8, 9, 10, 11, 20, 21, 22, 23]);
    assert_eq!(
        v.index_axis(1, 3).unwrap_err().to_string(),
        "index 3 is out of range for axis 1 of length 3"
    );
    assert_eq!(
        v.index_axis(3, 0).unwrap_err().to_string(),
        "axis 3 is out of range for a 3-D array"
    );
    let rev = v
        .clone()
        .reverse_axis(2)
        .unwrap()
        .index_axis(0, 0)
        .unwrap()
        .index_axis(0, 0)
        .unwrap();
    assert_eq!(rev.to_vec::<i32>().unwrap(), [3, 2, 1, 0]);
    let line = view(b, i32::item_type(), &[24], None, 0);
    let s = |start, stop, step| {
        line.clone()
            .slice(0, start, stop, step)
            .unwrap()
            .to_vec::<i32>()
            .unwrap()
    };
    assert_eq!(s(Some(2), Some(10), 3), [2, 5, 8]);
    assert_eq!(s(Some(-3), None, 1), [21, 22, 23]);
    assert_eq!(s(None, Some(-20), -7), [23, 16, 9]);
    assert_eq!(s(Some(100), Some(-100), -10), [23, 13, 3]);
    assert_eq!(s(Some(5), Some(5), 1), Vec::<i32>::new());
    assert_eq!(s(Some(5), Some(2), 1), Vec::<i32>::new());
    assert_eq!(
        line.slice(0, None, None, 0).unwrap_err().kind(),
        ErrorKind::Shape
    );
    assert_eq!(line.slice(0, None, None, isize::MAX).unwrap().len(), 1);
    let t = v.transpose();
    assert_eq!((t.shape(), t.strides()), (&[4, 3, 2][..], &[4, 16, 48][..]));
    assert!(t.is_f_contiguous() && !t.is_c_contiguous());
}

#[test]
fn reinterpreting_views_share_memory() {
    let z: Vec<num_complex::Complex64> = (0..6)
        .map(|k| num_complex::Complex64::new(k as f64, -(k as f64)))
        .collect();
    let b: &[u8] = bytemuck::cast_slice(&z);
    let v = view(b, num_complex::Complex64::item_type(), &[2, 3], None, 0).transpose();
    let re = v.real().unwrap();
    let im = v.imag().unwrap();
    assert_eq!(
        (re.strides(), im.offset(), re.as_ptr()),
        (&[16, 48][..], 8, b.as_ptr())
    );
    assert_eq!(
        im.to_vec::<f64>().unwrap(),
        [0.0, -3.0, -1.0, -4.0, -2.0, -5.0]
    );
    assert_eq!(
        re.real().unwrap_err().to_string(),
        "expected an array of complex numbers, got items of <f8"
    );

    let rec = ItemType::from_pep3118("T{(3)f:pos:I:id:d:mass:}").unwrap();
    let mut bytes = vec![0u8; 48];
    bytes[16..24].copy_from_slice(&2.5f64.to_ne_bytes());
    bytes[24 + 4..24 + 8].copy_from_slice(&7.0f32.to_ne_bytes());
    let rv = view(&bytes, rec, &[2], None, 0);
    assert_eq!(
        rv.field("mass").unwrap().to_vec::<f64>().unwrap(),
        [2.5, 0.0]
    );
    assert_eq!(
        rv.field("pos").unwrap().typed::<f32>().unwrap()[[1, 1]],
        7.0
    );
    assert!(rv
        .clone()
        .field("velocity")
        .unwrap_err()
        .to_string()
        .contains(r#"fields: ["pos", "id", "mass"]"#));
    // Padding is never exposed as data.
    let padded = view(
        &bytes,
        ItemType::from_pep3118("T{B:a:d:b:}").unwrap(),
        &[3],
        None,
        0,
    );
    let e = padded
        .cast_item(ItemType::from_pep3118("(2)Q").unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("padding"), "{e}");

    let pixels: Vec<u32> = (0..512 * 512).collect();
    let pv = view(
        bytemuck::cast_slice(&pixels),
        u32::item_type(),
        &[512, 512],
        None,
        0,
    );
    let channels = pv.clone().split_items::<u8>().unwrap();
    assert_eq!(
        (channels.shape(), channels.strides(), channels.as_ptr()),
        (&[512, 512, 4][..], &[2048, 4, 1][..], pv.as_ptr())
    );
    assert_eq!(
        channels.typed::<u8>().unwrap()[[1, 1, 0]],
        (513u32).to_ne_bytes()[0]
    );
    let back = channels.clone().merge_items::<u32>().unwrap();
    assert_eq!(
        (back.shape(), back.item()),
        (&[512, 512][..], &u32::item_type())
    );
    let across = channels.permute_axes(&[0, 2, 1]).unwrap();
    assert_eq!(
        across.merge_items::<u32>().unwrap_err().kind(),
        ErrorKind::Requirement
    );
    assert_eq!(
        channels.merge_items::<u16>().unwrap_err().kind(),
        ErrorKind::ItemType
    );
    assert_eq!(
        pv.clone().cast::<i32>().unwrap().typed::<i32>().unwrap()[[0, 5]],
        5
    );
    assert_eq!(
        pv.clone().cast::<u16>().unwrap_err().kind(),
        ErrorKind::ItemType
    );
    assert_eq!(
        pv.split_items::<[u8; 3]>().unwrap_err().kind(),
        ErrorKind::ItemType
    );
}

#[test]
fn copies_between_layouts() {
    let data: Vec<u16> = (0..60).collect();
    let v = view(
        bytemuck::cast_slice(&data),
        u16::item_type(),
        &[3, 4, 5],
        None,
        0,
    );
    let odd = v
        .clone()
        .permute_axes(&[1, 2, 0])
        .unwrap()
        .reverse_axis(1)
        .unwrap()
        .slice(0, None, None, 2)
        .unwrap();
    let expect = odd.typed::<u16>().unwrap().to_vec();
    for order in [Order::C, Order::Fortran] {
        let c = odd.to_contiguous(order).unwrap();
        assert_eq!(c.to_vec::<u16>().unwrap(), expect, "{order:?}");
        assert_eq!(c.as_ptr() as usize % 16, 0);
    }
    let mut out = vec![0u16; expect.len()];
    let mut dst = ArrayViewMut::new(
        bytemuck::cast_slice_mut(&mut out),
        u16::item_type(),
        odd.shape(),
        None,
        0,
    )
    .unwrap();
    odd.copy_into(&mut dst).unwrap();
    assert_eq!(out, expect);
    let mut wrong = vec![0u16; 60];
    let mut dst = ArrayViewMut::new(
        bytemuck::cast_slice_mut(&mut wrong),
        u16::item_type(),
        &[60],
        None,
        0,
    )
    .unwrap();
    assert_eq!(
        odd.copy_into(&mut dst).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let mut dst = ArrayViewMut::new(
        bytemuck::cast_slice_mut(&mut wrong),
        i16::item_type(),
        &[3, 4, 5],
        None,
        0,
    )
    .unwrap();
    assert_eq!(
        v.copy_into(&mut dst).unwrap_err().kind(),
        ErrorKind::ItemType
    );
    let mut dst = ArrayViewMut::new(
        bytemuck::cast_slice_mut(&mut wrong),
        ItemType::from_pep3118(">H").unwrap(),
        &[3, 4, 5],
        None,
        0,
    )
    .unwrap();
    assert_eq!(
        v.copy_into(&mut dst).unwrap_err().kind(),
        ErrorKind::ByteOrder
    );
}

#[test]
fn byte_swapping_copies_of_records() {
    let t = ItemType::from_pep3118(">h:a:>Zf:z:B:c:").unwrap();
    let mut bytes = vec![0u8; t.itemsize()];
    bytes[0..2].copy_from_slice(&300i16.to_be_bytes());
    bytes[2..6].copy_from_slice(&1.5f32.to_be_bytes());
    bytes[6..10].copy_from_slice(&(-2.0f32).to_be_bytes());
    bytes[10] = 9;
    let native = view(&bytes, t, &[1], None, 0).to_native_order().unwrap();
    assert!(native.item().is_native_order());
    assert_eq!(
        native.view().field("a").unwrap().to_vec::<i16>().unwrap(),
        [300]
    );
    assert_eq!(
        native
            .view()
            .field("z")
            .unwrap()
            .imag()
            .unwrap()
            .to_vec::<f32>()
            .unwrap(),
        [-2.0]
    );
    assert_eq!(
        native.view().field("c").unwrap().to_vec::<u8>().unwrap(),
        [9]
    );
}

#[test]
fn typed_writes() {
    let mut data = [0i64; 12];
    {
        let mut v = ArrayViewMut::new(
            bytemuck::cast_slice_mut(&mut data),
            i64::item_type(),
            &[3, 4],
            None,
            0,
        )
        .unwrap()
        .into_transpose();
        let mut t = v.typed_mut::<i64>().unwrap();
        assert!(t.as_slice_mut().is_none());
        for (k, x) in t.iter_mut().enumerate() {
            *x = k as i64;
        }
        t[[3, 2]] += 100;
        assert_eq!(t.get_mut(&[4, 0]), None);
    }
    assert_eq!(data[..4], [0, 3, 6, 9]);
    assert_eq!(data[11], 111);
}

#[test]
fn unrepresentable_layouts_are_refused() {
    use array_protocol::layout::{check_suboffsets, Unrepresentable};
    assert!(check_suboffsets(&[]).is_ok());
    let e = check_suboffsets(&[-1, 4]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e
        .to_string()
        .starts_with("the buffer uses suboffsets (pointers to follow along axis 1)"));
    let e: array_protocol::Error = Unrepresentable::Device {
        name: "CUDA:0".into(),
    }
    .into();
    assert_eq!(
        e.to_string(),
        "the array lives on device CUDA:0, not in CPU memory; copy it to the CPU first"
    );
}

#[test]
fn axis_operations_on_empty_arrays_keep_the_offset() {
    let b = [0u8; 8];
    let v = view(&b, u8::item_type(), &[0, 5], Some(&[1, 3]), 8);
    let r = v.reverse_axis(1).unwrap();
    assert_eq!((r.offset(), r.len()), (8, 0));
    let i = v.index_axis(1, 4).unwrap();
    assert_eq!((i.offset(), i.shape()), (8, &[0][..]));
}

#[test]
fn blocked_transposes_of_every_element_size() {
    for (format, size) in [
        ("B", 1),
        ("H", 2),
        ("I", 4),
        ("Q", 8),
        ("Zd", 16),
        ("3s", 3),
        ("T{d:a:}", 8),
    ] {
        let item = ItemType::from_pep3118(format).unwrap();
        assert_eq!(item.itemsize(), size);
        let (rows, cols) = (70, 45);
        let bytes: Vec<u8> = (0..rows * cols * size)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let v = view(&bytes, item.clone(), &[rows, cols], None, 0).transpose();
        let t = v.to_contiguous(Order::C).unwrap();
        for r in 0..cols {
            for c in 0..rows {
                let got = &t.bytes()[(r * rows + c) * size..][..size];
                let want = &bytes[(c * cols + r) * size..][..size];
                assert_eq!(got, want, "{format} at ({r}, {c})");
            }
        }
    }
}

/// The typed read's one-fold check (count and alignment of every used stride) and its fold over
/// the axes agree with the rules axis by axis, inline (up to four axes) or not.
#[test]
fn typed_checks_and_reads_of_one_to_six_axes() {
    let data: Vec<f64> = (0..64).map(f64::from).collect();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    for ndim in 1..=6 {
        let shape = vec![2usize; ndim];
        let strides: Vec<isize> = (0..ndim).rev().map(|k| 8 << k).collect();
        let v = ArrayView::new(bytes, f64::item_type(), &shape, Some(&strides), 0).unwrap();
        let t = v.typed::<f64>().unwrap();
        assert_eq!(
            (t.len(), t.shape(), t.strides()),
            (1 << ndim, &shape[..], &strides[..])
        );
        let last = vec![1usize; ndim];
        assert_eq!(t.get(&last), Some(&f64::from((1 << ndim) - 1)));
        let mut outside = last.clone();
        outside[ndim - 1] = 2;
        assert_eq!(t.get(&outside), None, "{ndim} axes");
        assert_eq!(t.get(&last[1..]), None, "{ndim} axes, one index short");
        // A stride that is not a multiple of 8 on an axis that is used is refused, on an axis
        // of length 1 it is not used, and an empty view reads nothing.
        let mut odd = strides.clone();
        odd[0] = 12;
        let v = ArrayView::new(bytes, f64::item_type(), &shape, Some(&odd), 0).unwrap();
        let e = v.typed::<f64>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Alignment, "{e}");
        assert!(e.to_string().contains("stride 12 of axis 0"), "{e}");
        let mut one = shape.clone();
        one[0] = 1;
        let v = ArrayView::new(bytes, f64::item_type(), &one, Some(&odd), 0).unwrap();
        assert_eq!(v.typed::<f64>().unwrap().len(), 1 << (ndim - 1));
        let mut empty = shape.clone();
        empty[ndim - 1] = 0;
        let v = ArrayView::new(&bytes[1..], f64::item_type(), &empty, Some(&odd), 0).unwrap();
        assert!(v.typed::<f64>().unwrap().is_empty());
        // A misaligned first element of a non-empty view is refused.
        let v = ArrayView::new(&bytes[4..], f64::item_type(), &one, Some(&strides), 0).unwrap();
        assert_eq!(v.typed::<f64>().unwrap_err().kind(), ErrorKind::Alignment);
    }
}
