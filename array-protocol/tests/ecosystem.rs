//! Round trips across the ecosystem adapters: image → ndarray → image, without copies where
//! the protocol allows.

use array_protocol::{ArrayConsumer, ArrayProducer, FromArrayView};
use ndarray::{s, Array3, ArrayView3};

#[test]
fn image_to_ndarray_and_back() {
    let img = image::RgbaImage::from_fn(7, 5, |x, y| {
        image::Rgba([x as u8, y as u8, (x * y) as u8, 255])
    });
    let view = ArrayView3::<u8>::from_array_view(img.array()).unwrap();
    assert_eq!(view.as_ptr(), img.as_raw().as_ptr());
    assert_eq!(view[[4, 6, 2]], 24);
    let owned: Array3<u8> = Array3::from_array(&img.array()).unwrap();
    assert_eq!(owned, view);
    let back = image::RgbaImage::from_array(&owned.array()).unwrap();
    assert_eq!(back, img);
    let cropped = image::RgbaImage::from_array(&view.slice(s![1..3, ..;-2, ..]).array()).unwrap();
    assert_eq!((cropped.width(), cropped.height()), (4, 2));
    assert_eq!(cropped.get_pixel(0, 0), img.get_pixel(6, 1));
}
