//! `N` calls of one measured view path and of its reference, for instruction counts under
//! callgrind (`scripts/instructions-views.sh`): `view_passes CASE N`, where `CASE` is one of
//! `view3d` (export + validate + typed read of a 3-D f64 view, run-time axes), `view3d_ndarray`
//! (ndarray's `ArrayView3::from_shape`, axes fixed at compile time, and the same read),
//! `view3d_ndarray_dyn` (ndarray's `ArrayViewD::from_shape`, run-time axes as ours), `image` (`RgbaImage` as an
//! `ArrayView3<u8>` through `from_array_view(img.array())`) and `image_nshare` (nshare's).

use std::hint::black_box;

use array_protocol::{ArrayProducer, ArrayView, Element, FromArrayView};
use ndarray::{ArrayView3, ArrayViewD, IxDyn, ShapeBuilder};
use nshare::AsNdarray3;

#[inline(never)]
fn view3d(bytes: &[u8], shape: &[usize], strides: &[isize], index: &[usize]) -> f64 {
    let view = ArrayView::new(bytes, f64::item_type(), shape, Some(strides), 0).expect("valid");
    let typed = view.typed::<f64>().expect("f64");
    *typed.get(index).expect("in range")
}

#[inline(never)]
fn view3d_ndarray(data: &[f64], index: [usize; 3]) -> f64 {
    let v = ArrayView3::from_shape((4, 5, 6).strides((30, 6, 1)), data).expect("valid");
    v[index]
}

/// The reference: ndarray with run-time axes (`ArrayViewD::from_shape`, shape, strides
/// and index given at run time, as ours are).
#[inline(never)]
fn view3d_ndarray_dyn(data: &[f64], shape: &[usize], strides: &[usize], index: &[usize]) -> f64 {
    let v = ArrayViewD::from_shape(IxDyn(shape).strides(IxDyn(strides)), data).expect("valid");
    v[index]
}

#[inline(never)]
fn image(img: &image::RgbaImage) -> u8 {
    let v = ArrayView3::<u8>::from_array_view(img.array()).expect("3-D u8");
    v[[1, 2, 0]]
}

#[inline(never)]
fn image_nshare(img: &image::RgbaImage) -> u8 {
    let v = img.as_ndarray3();
    v[[0, 2, 1]]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(case), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: view_passes CASE N");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let data: Vec<f64> = (0..4 * 5 * 6).map(f64::from).collect();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let img = image::RgbaImage::from_fn(512, 512, |x, y| image::Rgba([x as u8, y as u8, 0, 255]));
    for _ in 0..n {
        match case.as_str() {
            "view3d" => black_box(view3d(
                black_box(bytes),
                black_box(&[4, 5, 6]),
                black_box(&[240, 48, 8]),
                black_box(&[1, 2, 3]),
            )),
            "view3d_ndarray" => black_box(view3d_ndarray(black_box(&data), black_box([1, 2, 3]))),
            "view3d_ndarray_dyn" => black_box(view3d_ndarray_dyn(
                black_box(&data),
                black_box(&[4, 5, 6]),
                black_box(&[30, 6, 1]),
                black_box(&[1, 2, 3]),
            )),
            "image" => f64::from(black_box(image(black_box(&img)))),
            "image_nshare" => f64::from(black_box(image_nshare(black_box(&img)))),
            _ => panic!("unknown case {case}"),
        };
    }
}
