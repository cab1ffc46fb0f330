//! The ndarray adapter: zero-copy both ways (pointer identity), any strides, clear refusals.

use array_protocol::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, ArrayView, Element, ErrorKind, FromArrayView,
    FromArrayViewMut, ItemType,
};
use ndarray::{
    s, Array, Array1, Array2, Array3, ArrayD, ArrayView1, ArrayView2, ArrayView3, ArrayViewD,
    ArrayViewMut2, Ix6, IxDyn,
};

fn a3() -> Array3<i32> {
    Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as i32)
}

#[test]
fn producers_are_zero_copy_with_any_strides() {
    let a = a3();
    let v = a.array();
    assert_eq!(
        (v.shape(), v.strides(), v.as_ptr()),
        (&[2, 3, 4][..], &[48, 16, 4][..], a.as_ptr().cast())
    );
    for sliced in [
        a.slice(s![.., ..;-1, ..]),
        a.slice(s![..;-1, 1.., ..;-2]),
        a.slice(s![.., .., ..;3]),
        a.view().reversed_axes(),
    ] {
        let view = sliced.array();
        assert_eq!(
            view.as_ptr(),
            sliced.as_ptr().cast(),
            "{:?}",
            sliced.strides()
        );
        assert_eq!(
            view.to_vec::<i32>().unwrap(),
            sliced.iter().copied().collect::<Vec<_>>()
        );
        let back = ArrayView3::<i32>::from_array_view(view.clone()).unwrap();
        assert_eq!(
            (back.as_ptr(), back.strides()),
            (sliced.as_ptr(), sliced.strides())
        );
        assert_eq!(back, sliced);
    }
    let empty = Array2::<f64>::zeros((0, 3));
    assert_eq!(empty.array().len(), 0);
    assert_eq!(
        ArrayView2::<f64>::from_array_view(empty.array())
            .unwrap()
            .shape(),
        [0, 3]
    );
    let broadcast = Array1::from_vec(vec![1.0f32, 2.0]);
    let b = broadcast.broadcast((3, 2)).unwrap();
    assert_eq!(b.array().strides(), [0, 4]);
    assert_eq!(ArrayView2::<f32>::from_array_view(b.array()).unwrap(), b);
}

#[test]
fn dimensions_fixed_and_dynamic() {
    let a = a3();
    let d: ArrayViewD<i32> = ArrayViewD::from_array_view(a.array()).unwrap();
    assert_eq!(d.shape(), [2, 3, 4]);
    let e = ArrayView2::<i32>::from_array_view(a.array()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a 2-D array of <i4, got a C-contiguous 3-D array of <i4"
    );
    let six = Array::<u8, Ix6>::zeros((1, 2, 1, 2, 1, 2));
    assert_eq!(
        ndarray::ArrayView::<u8, Ix6>::from_array_view(six.array())
            .unwrap()
            .len(),
        8
    );
    let owned: ArrayD<i32> = ArrayD::from_array(&a.array().transpose()).unwrap();
    assert_eq!(owned, a.t().into_dyn());
    // An owned consumer copies.
    assert_ne!(
        Array::<i32, IxDyn>::from_array(&a.array())
            .unwrap()
            .as_ptr(),
        a.as_ptr()
    );
}

#[test]
fn refusals() {
    let a = a3();
    assert_eq!(
        ArrayView3::<u32>::from_array_view(a.array())
            .unwrap_err()
            .kind(),
        ErrorKind::ItemType
    );
    // A record field whose stride is not a whole number of elements.
    let rec = ItemType::from_pep3118("T{^d:x:I:tag:}").unwrap();
    let bytes = vec![0u8; 12 * 4 + 4];
    let field = ArrayView::new(&bytes, rec, &[4], None, 0)
        .unwrap()
        .field("tag")
        .unwrap();
    assert_eq!(field.strides(), [12]);
    assert!(ArrayView1::<u32>::from_array_view(field).is_ok());
    let data: Vec<u16> = (0..12).collect();
    let odd = ArrayView::new(
        bytemuck::cast_slice(&data),
        u16::item_type(),
        &[3],
        Some(&[6]),
        0,
    )
    .unwrap();
    assert_eq!(
        ArrayView1::<u16>::from_array_view(odd.clone())
            .unwrap()
            .to_vec(),
        [0, 3, 6]
    );
    let data: Vec<u32> = vec![0; 8];
    let misaligned = ArrayView::new(
        bytemuck::cast_slice(&data),
        u16::item_type(),
        &[4],
        Some(&[6]),
        2,
    )
    .unwrap();
    let e = ArrayView1::<u16>::from_array_view(misaligned.clone()).unwrap();
    assert_eq!(e.len(), 4);
    let not_whole = ArrayView::new(
        bytemuck::cast_slice(&data),
        u16::item_type(),
        &[3],
        Some(&[5]),
        0,
    );
    let e = ArrayView1::<u16>::from_array_view(not_whole.unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Alignment);
    let be = ArrayView::new(
        bytemuck::cast_slice(&data),
        ItemType::from_pep3118(">I").unwrap(),
        &[8],
        None,
        0,
    )
    .unwrap();
    assert_eq!(
        ArrayView1::<u32>::from_array_view(be).unwrap_err().kind(),
        ErrorKind::ByteOrder
    );
}

#[test]
fn non_whole_element_strides_are_refused_not_truncated() {
    // u8 items, 3-byte stride: fine; viewed as [u8; 2] elements, stride 3 is not whole.
    let bytes: Vec<u8> = (0..12).collect();
    let v = ArrayView::new(&bytes, u8::item_type(), &[4, 2], Some(&[3, 1]), 0).unwrap();
    let e = ArrayView1::<[u8; 2]>::from_array_view(v).unwrap_err();
    assert!(
        e.to_string().contains("not a whole number of 2-byte"),
        "{e}"
    );
}

#[test]
fn writable_views_both_ways() {
    let mut a = Array2::<f64>::zeros((3, 4));
    {
        let mut col = a.slice_mut(s![.., 1..;2]);
        let mut v = col.array_mut();
        v.typed_mut::<f64>().unwrap().fill(7.0);
    }
    assert_eq!(a.column(1).to_vec(), [7.0; 3]);
    assert_eq!(a.column(0).to_vec(), [0.0; 3]);
    let mut m = a.clone();
    let ptr = m.as_ptr();
    let mut w = ArrayViewMut2::<f64>::from_array_view_mut(m.array_mut()).unwrap();
    w[[2, 3]] = 1.5;
    assert_eq!(w.as_ptr(), ptr);
    assert_eq!(m[[2, 3]], 1.5);
    let mut shared = a.to_shared();
    let other = shared.clone();
    shared.array_mut().typed_mut::<f64>().unwrap()[[0, 0]] = 9.0;
    assert_eq!((shared[[0, 0]], other[[0, 0]]), (9.0, 0.0));
}

#[test]
fn image_like_fixed_array_elements() {
    let px: Array2<[u8; 4]> = Array2::from_elem((2, 3), [1, 2, 3, 4]);
    let v = px.array();
    assert_eq!((v.shape(), v.item()), (&[2, 3, 4][..], &u8::item_type()));
    let back = ArrayView2::<[u8; 4]>::from_array_view(v).unwrap();
    assert_eq!(back[[1, 2]], [1, 2, 3, 4]);
}
