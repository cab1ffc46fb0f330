//! The producer/consumer protocol on standard types, and what consumers are told when an array
//! does not fit.

use array_protocol::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, ArrayView, Contiguity, Element, ErrorKind,
    FromArrayView, FromArrayViewMut, Requirements,
};

#[test]
fn standard_containers_export_without_copying() {
    let v: Vec<f32> = vec![1.0, 2.0, 3.0];
    let b: Box<[u16]> = vec![1, 2].into_boxed_slice();
    let a: [i8; 4] = [1, -1, 2, -2];
    let s: &[u64] = &[7, 8];
    assert_eq!(
        (v.array().shape(), v.array().as_ptr()),
        (&[3][..], v.as_ptr().cast())
    );
    assert_eq!(
        (b.array().shape(), b.array().as_ptr()),
        (&[2][..], b.as_ptr().cast())
    );
    assert_eq!(
        (a.array().shape(), a.array().as_ptr()),
        (&[4][..], a.as_ptr().cast())
    );
    assert_eq!(
        (s.array().shape(), s.array().as_ptr()),
        (&[2][..], s.as_ptr().cast())
    );
    let nested: Vec<[[f64; 3]; 4]> = vec![[[0.5; 3]; 4]; 2];
    let n = nested.array();
    assert_eq!(
        (n.shape(), n.strides(), n.item()),
        (&[2, 4, 3][..], &[96, 24, 8][..], &f64::item_type())
    );
}

#[test]
fn writable_exports_write_through() {
    let mut v = vec![0u32; 4];
    v.array_mut().typed_mut::<u32>().unwrap().fill(9);
    assert_eq!(v, [9; 4]);
    let mut a = [[0u8; 2]; 3];
    a.array_mut().typed_mut::<u8>().unwrap()[[2, 1]] = 5;
    assert_eq!(a[2][1], 5);
    let m: &mut [i16] = &mut [1, 2, 3];
    m.array_mut()
        .typed_mut::<i16>()
        .unwrap()
        .iter_mut()
        .for_each(|x| *x *= -1);
    assert_eq!(m, [-1, -2, -3]);
}

#[test]
fn consumers_copy_from_any_layout() {
    let data: Vec<i32> = (0..12).collect();
    let v = ArrayView::new(
        bytemuck::cast_slice(&data),
        i32::item_type(),
        &[3, 4],
        None,
        0,
    )
    .unwrap();
    let column = v.index_axis(1, 1).unwrap();
    assert_eq!(Vec::<i32>::from_array(&column).unwrap(), [1, 5, 9]);
    assert_eq!(&*Box::<[i32]>::from_array(&column).unwrap(), [1, 5, 9]);
    assert_eq!(<[i32; 3]>::from_array(&column).unwrap(), [1, 5, 9]);
    let e = <[i32; 4]>::from_array(&column).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::Shape,
            "expected 4 elements along axis 0, got shape [3]".into()
        )
    );
    let rows = Vec::<[i32; 4]>::from_array(&v).unwrap();
    assert_eq!(rows[2], [8, 9, 10, 11]);
    let cols = Vec::<[i32; 3]>::from_array(&v.transpose()).unwrap();
    assert_eq!(cols[1], [1, 5, 9]);
}

#[test]
fn consumers_say_what_they_expected_and_what_they_got() {
    let data = [0.0f64; 24];
    let v = ArrayView::new(
        bytemuck::cast_slice(&data),
        f64::item_type(),
        &[2, 3, 4],
        None,
        0,
    )
    .unwrap();
    let e = Vec::<f32>::from_array(&v).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::ItemType,
            "expected a 1-D array of <f4, got a C-contiguous 3-D array of <f8".into()
        )
    );
    let strided = v.slice(2, None, None, 2).unwrap();
    let e = <&[f64]>::from_array_view(strided.index_axis(0, 0).unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a C-contiguous 1-D array of <f8, got a strided 2-D array of <f8"
    );
    let need = Requirements {
        writable: true,
        ..Requirements::ANY
    };
    assert_eq!(
        need.check(&v).unwrap_err().to_string(),
        "expected a writable array of any items, got a read-only C-contiguous 3-D array of <f8"
    );
    let eight = Requirements {
        ndim: Some(8),
        contiguity: Contiguity::Either,
        ..Requirements::ANY
    };
    assert_eq!(
        eight.check(&v).unwrap_err().to_string(),
        "expected a contiguous 8-D array of any items, got a C-contiguous 3-D array of <f8"
    );
    let be = array_protocol::ItemType::from_pep3118(">d").unwrap();
    let bv = ArrayView::new(bytemuck::cast_slice(&data), be.clone(), &[24], None, 0).unwrap();
    // A copying consumer converts the byte order on the way; the checks still say
    // `ByteOrder` to anyone asking without copying.
    assert_eq!(
        <Vec<f64> as ArrayConsumer>::requirements()
            .check(&bv)
            .unwrap_err()
            .kind(),
        ErrorKind::ByteOrder
    );
    let values: Vec<f64> = (0..24).map(|i| f64::from(i) * 1.5 - 7.0).collect();
    let swapped: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
    let flat = ArrayView::new(&swapped, be.clone(), &[24], None, 0).unwrap();
    assert_eq!(Vec::<f64>::from_array(&flat).unwrap(), values);
    // Zero-copy consumers keep refusing.
    assert_eq!(
        <&[f64]>::from_array_view(flat).unwrap_err().kind(),
        ErrorKind::ByteOrder
    );
}

#[test]
fn zero_copy_consumers_borrow() {
    let data: Vec<u16> = (0..6).collect();
    let v = data.array();
    let s = <&[u16]>::from_array_view(v.clone()).unwrap();
    assert_eq!(s.as_ptr(), data.as_ptr());
    let pairs = <&[[u16; 2]]>::from_array_view(
        ArrayView::new(
            bytemuck::cast_slice(&data),
            u16::item_type(),
            &[3, 2],
            None,
            0,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(pairs[2], [4, 5]);
    let mut buf = vec![0u8; 8];
    let w = buf.array_mut();
    let m = <&mut [u8]>::from_array_view_mut(w).unwrap();
    m[3] = 1;
    assert_eq!(buf[3], 1);
}
