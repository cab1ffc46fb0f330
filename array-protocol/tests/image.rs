//! The image adapter: buffers as `h × w × c` arrays, zero-copy, and back; FlatSamples both ways.

use array_protocol::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, ArrayView, Element, ErrorKind, FromArrayView,
};
use image::flat::FlatSamples;
use image::{GrayImage, ImageBuffer, Luma, LumaA, Rgb, Rgb32FImage, Rgba, RgbaImage};

fn rgba(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| Rgba([x as u8, y as u8, (x + y) as u8, 255]))
}

#[test]
fn buffers_are_zero_copy_with_numpy_shapes() {
    let img = rgba(5, 3);
    let v = img.array();
    assert_eq!(
        (v.shape(), v.strides(), v.as_ptr()),
        (&[3, 5, 4][..], &[20, 4, 1][..], img.as_raw().as_ptr())
    );
    assert_eq!(v.typed::<u8>().unwrap()[[2, 4, 2]], 6);
    let gray = GrayImage::from_fn(4, 2, |x, y| Luma([(x * 10 + y) as u8]));
    assert_eq!(gray.array().shape(), [2, 4]);
    let wide = ImageBuffer::<Rgb<u16>, Vec<u16>>::from_pixel(2, 2, Rgb([1, 2, 65535]));
    assert_eq!(
        (wide.array().strides(), wide.array().item()),
        (&[12, 6, 2][..], &u16::item_type())
    );
    let float = Rgb32FImage::from_pixel(1, 1, Rgb([0.5, 1.0, 2.0]));
    assert_eq!(float.array().to_vec::<f32>().unwrap(), [0.5, 1.0, 2.0]);
}

#[test]
fn round_trips_through_any_layout() {
    let img = rgba(6, 4);
    assert_eq!(RgbaImage::from_array(&img.array()).unwrap(), img);
    let transposed = RgbaImage::from_array(&img.array().permute_axes(&[1, 0, 2]).unwrap()).unwrap();
    assert_eq!((transposed.width(), transposed.height()), (4, 6));
    assert_eq!(transposed.get_pixel(3, 5), img.get_pixel(5, 3));
    let la = ImageBuffer::<LumaA<u8>, Vec<u8>>::from_pixel(3, 3, LumaA([9, 200]));
    assert_eq!(
        ImageBuffer::<LumaA<u8>, Vec<u8>>::from_array(&la.array()).unwrap(),
        la
    );
    // Through ndarray-free bytes: a numpy-shaped (h, w, 3) array from any producer.
    let raw: Vec<u8> = (0..2 * 3 * 3).collect();
    let v = ArrayView::new(&raw, u8::item_type(), &[2, 3, 3], None, 0).unwrap();
    let rgb = ImageBuffer::<Rgb<u8>, Vec<u8>>::from_array(&v).unwrap();
    assert_eq!(rgb.get_pixel(2, 1), &Rgb([15, 16, 17]));
}

#[test]
fn consumers_refuse_clearly() {
    let img = rgba(2, 2);
    let e = ImageBuffer::<Rgb<u8>, Vec<u8>>::from_array(&img.array()).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::Shape,
            "expected axis 2 of length 3, got 4 (shape [2, 2, 4])".into()
        )
    );
    let e = GrayImage::from_array(&img.array()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a 2-D array of |u1, got a C-contiguous 3-D array of |u1"
    );
    let e = ImageBuffer::<Rgba<f32>, Vec<f32>>::from_array(&img.array()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ItemType);
}

#[test]
fn writable_buffers() {
    let mut img = rgba(2, 2);
    img.array_mut().typed_mut::<u8>().unwrap()[[1, 1, 0]] = 77;
    assert_eq!(img.get_pixel(1, 1)[0], 77);
}

#[test]
fn flat_samples_both_ways() {
    let img = rgba(3, 2);
    let flat = img.as_flat_samples();
    let v = flat.array();
    assert_eq!(
        (v.shape(), v.strides(), v.as_ptr()),
        (&[2, 3, 4][..], &[12, 4, 1][..], img.as_raw().as_ptr())
    );
    // A column-major view (transposed) maps onto FlatSamples strides without copying.
    let t = v.permute_axes(&[1, 0, 2]).unwrap();
    let back = FlatSamples::<&[u8]>::from_array_view(t).unwrap();
    assert_eq!(
        (
            back.layout.width,
            back.layout.height,
            back.layout.width_stride,
            back.layout.height_stride
        ),
        (2, 3, 12, 4)
    );
    assert_eq!(back.samples.as_ptr(), img.as_raw().as_ptr());
    // Pixel (1, 2) of the transpose is pixel (2, 1) of the image: [2, 1, 3, 255].
    assert_eq!(back.get_sample(2, 1, 2), Some(&3));
    let reversed = img.array().reverse_axis(0).unwrap();
    let e = FlatSamples::<&[u8]>::from_array_view(reversed).unwrap_err();
    assert!(e.to_string().contains("non-negative strides"), "{e}");
    let owned = FlatSamples {
        samples: vec![1u16, 2, 3, 4],
        layout: image::flat::SampleLayout::row_major_packed(1, 2, 2),
        color_hint: None,
    };
    assert_eq!(owned.array().to_vec::<u16>().unwrap(), [1, 2, 3, 4]);
}
