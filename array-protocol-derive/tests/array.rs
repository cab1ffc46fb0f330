//! `#[derive(ArrayProducer, ArrayConsumer)]` on image-like types.

use array_protocol::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, ArrayView, Element, ErrorKind, FromArrayView,
    TypedArrayProducer,
};

#[derive(Element, Clone, Copy, Debug, PartialEq, Default)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(ArrayProducer, ArrayConsumer, Debug, PartialEq)]
#[array(shape = [height, width])]
struct RgbaImage {
    width: u32,
    height: u32,
    #[array(data)]
    pixels: Vec<Rgba>,
    name: String,
}

#[derive(ArrayProducer, ArrayConsumer, Debug, PartialEq)]
#[array(item = u8, shape = [height, width, CHANNELS])]
struct Channels {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Box<[Rgba]>,
}

const CHANNELS: usize = 4;

#[derive(ArrayProducer, ArrayConsumer, Debug, PartialEq)]
#[array(shape = [height, width], strides = [pitch, 1])]
struct PaddedGray {
    width: usize,
    height: usize,
    pitch: usize,
    #[array(data)]
    bytes: Vec<u8>,
}

#[derive(ArrayProducer, ArrayConsumer, Debug)]
#[array(shape = [rows, cols], order = "F")]
struct Matrix {
    rows: u16,
    cols: u16,
    #[array(data)]
    values: Vec<f64>,
}

#[derive(ArrayProducer, ArrayConsumer)]
#[array(shape = [height, width])]
struct GrayView<'a> {
    width: usize,
    height: usize,
    #[array(data)]
    data: &'a [u8],
}

#[derive(ArrayProducer, ArrayConsumer, Debug, PartialEq)]
#[array(shape = [3])]
struct Triple(#[array(data)] [f32; 3]);

fn gradient(width: u32, height: u32) -> RgbaImage {
    let pixels = (0..height)
        .flat_map(|y| {
            (0..width).map(move |x| Rgba {
                r: x as u8,
                g: y as u8,
                b: (x + y) as u8,
                a: 255,
            })
        })
        .collect();
    RgbaImage {
        width,
        height,
        pixels,
        name: "gradient".into(),
    }
}

#[test]
fn producers_are_zero_copy() {
    let image = gradient(4, 3);
    let v = image.array();
    assert_eq!(
        (v.shape(), v.item(), v.as_ptr()),
        (
            &[3, 4][..],
            &Rgba::item_type(),
            image.pixels.as_ptr().cast()
        )
    );
    assert_eq!(
        v.typed::<Rgba>().unwrap()[[2, 1]],
        Rgba {
            r: 1,
            g: 2,
            b: 3,
            a: 255
        }
    );

    let ch = Channels {
        width: 4,
        height: 3,
        pixels: image.pixels.clone().into_boxed_slice(),
    };
    let cv = ch.array();
    assert_eq!(
        (cv.shape(), cv.strides(), cv.item()),
        (&[3, 4, 4][..], &[16, 4, 1][..], &u8::item_type())
    );
    assert_eq!(cv.typed::<u8>().unwrap()[[2, 1, 2]], 3);

    let padded = PaddedGray {
        width: 3,
        height: 2,
        pitch: 8,
        bytes: (0..16).collect(),
    };
    let pv = padded.array();
    assert_eq!(
        (pv.strides(), pv.to_vec::<u8>().unwrap()),
        (&[8, 1][..], vec![0, 1, 2, 8, 9, 10])
    );

    let m = Matrix {
        rows: 2,
        cols: 3,
        values: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    };
    let mv = m.array();
    assert!(mv.is_f_contiguous());
    assert_eq!(mv.typed::<f64>().unwrap()[[1, 0]], 1.0);

    let t = Triple([1.0, 2.0, 3.0]);
    assert_eq!(t.array().to_vec::<f32>().unwrap(), [1.0, 2.0, 3.0]);
}

#[test]
fn writable_producers() {
    let mut image = gradient(2, 2);
    image.array_mut().typed_mut::<Rgba>().unwrap()[[1, 1]] = Rgba::default();
    assert_eq!(image.pixels[3], Rgba::default());
    let mut t = Triple([0.0; 3]);
    t.array_mut().typed_mut::<f32>().unwrap().fill(2.5);
    assert_eq!(t.0, [2.5; 3]);
}

#[test]
fn consumers_copy_from_any_layout() {
    let image = gradient(5, 3);
    let back = RgbaImage::from_array(&image.array()).unwrap();
    assert_eq!(
        back,
        RgbaImage {
            name: String::new(),
            ..gradient(5, 3)
        }
    );
    let flipped = RgbaImage::from_array(&image.array().reverse_axis(0).unwrap()).unwrap();
    assert_eq!(flipped.pixels[0], image.pixels[10]);
    let t = RgbaImage::from_array(&image.array().transpose()).unwrap();
    assert_eq!((t.width, t.height, t.pixels[1]), (3, 5, image.pixels[5]));

    // Bytes in, pixels out: the channel axis becomes the element.
    let ch = Channels::from_array(
        &Channels {
            width: 5,
            height: 3,
            pixels: image.pixels.clone().into(),
        }
        .array(),
    )
    .unwrap();
    assert_eq!(&*ch.pixels, &image.pixels[..]);

    let padded = PaddedGray {
        width: 3,
        height: 2,
        pitch: 8,
        bytes: (0..16).collect(),
    };
    let dense = PaddedGray::from_array(&padded.array()).unwrap();
    assert_eq!(
        dense,
        PaddedGray {
            width: 3,
            height: 2,
            pitch: 3,
            bytes: vec![0, 1, 2, 8, 9, 10]
        }
    );

    let m = Matrix {
        rows: 2,
        cols: 3,
        values: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    };
    let again = Matrix::from_array(&m.array().transpose().transpose()).unwrap();
    assert_eq!(again.values, m.values);
}

#[test]
fn consumers_refuse_clearly() {
    let bytes = vec![0u8; 24];
    let wrong_item = ArrayView::new(&bytes, f32::item_type(), &[2, 3], None, 0).unwrap();
    let e = RgbaImage::from_array(&wrong_item).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a 2-D array of |V4, got a C-contiguous 2-D array of <f4"
            .replace("|V4", &Rgba::item_type().describe())
    );
    let three_channels = ArrayView::new(&bytes, u8::item_type(), &[2, 4, 3], None, 0).unwrap();
    let e = Channels::from_array(&three_channels).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::Shape,
            "expected axis 2 of length 4, got 3 (shape [2, 4, 3])".into()
        )
    );
    let tall = vec![0u8; 70_000 * 4];
    let v = ArrayView::new(&tall, Rgba::item_type(), &[70_000, 1], None, 0).unwrap();
    assert!(RgbaImage::from_array(&v).is_ok());
    let broadcast =
        ArrayView::new(&tall, f64::item_type(), &[70_000, 1], Some(&[0, 8]), 0).unwrap();
    let m = Matrix::from_array(&broadcast).map(|m| m.rows).unwrap_err();
    assert_eq!(
        m.to_string(),
        "Matrix.rows is 70000, which does not fit the field's type u16"
    );
    assert_eq!(
        Triple::from_array(&ArrayView::new(&bytes, f32::item_type(), &[6], None, 0).unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::Shape
    );
}

#[test]
fn zero_copy_consumers_borrow() {
    let bytes: Vec<u8> = (0..12).collect();
    let v = ArrayView::new(&bytes, u8::item_type(), &[3, 4], None, 0).unwrap();
    let g = GrayView::from_array_view(v.clone()).unwrap();
    assert_eq!((g.width, g.height, g.data.as_ptr()), (4, 3, bytes.as_ptr()));
    let e = GrayView::from_array_view(v.transpose()).err().unwrap();
    assert_eq!(
        e.to_string(),
        "expected a C-contiguous 2-D array of |u1, got a Fortran-contiguous 2-D array of |u1"
    );
    // A borrowed producer exports what it borrows.
    assert_eq!(g.array().as_ptr(), bytes.as_ptr());
}

#[test]
fn inconsistent_fields_are_reported() {
    let broken = RgbaImage {
        width: 4,
        height: 4,
        pixels: vec![Rgba::default(); 3],
        name: String::new(),
    };
    let e = broken.try_array().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Layout);
    let panic = std::panic::catch_unwind(|| broken.array().len()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with(
            "RgbaImage: its fields do not describe its data: `RgbaImage.pixels` holds 3 elements (12 bytes), but the shape [4, 4] of 4-byte items needs 64 bytes"
        ),
        "{message}"
    );
    // More data than the shape says is refused too: every consumer would drop the rest.
    let long = RgbaImage {
        width: 2,
        height: 2,
        pixels: vec![Rgba::default(); 6],
        name: String::new(),
    };
    let e = long.try_array().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Layout);
    assert!(e.to_string().contains("holds 6 elements"), "{e}");
}

#[derive(ArrayProducer, ArrayConsumer, Debug)]
#[array(shape = [n, n])]
struct Square {
    n: usize,
    #[array(data)]
    values: Vec<f32>,
}

#[test]
fn a_field_named_by_two_axes_gets_one_length() {
    let data: Vec<f32> = (0..6).map(|i| i as f32).collect();
    let wide = ArrayView::from_slice(&data, &[2, 3]).unwrap();
    let e = Square::from_array(&wide).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape);
    assert_eq!(
        e.to_string(),
        "`Square.n` gives the length of axes 0 and 1, but the array has 2 and 3 there"
    );
    let square = ArrayView::from_slice(&data[..4], &[2, 2]).unwrap();
    let s = Square::from_array(&square).unwrap();
    assert_eq!((s.n, s.values.len()), (2, 4));
    assert_eq!(s.array().shape(), [2, 2]);
}

fn total_red<P: TypedArrayProducer<Item = Rgba>>(p: &P) -> u32 {
    p.array()
        .typed::<Rgba>()
        .unwrap()
        .iter()
        .map(|px| u32::from(px.r))
        .sum()
}

#[test]
fn element_type_is_static() {
    assert_eq!(total_red(&gradient(3, 1)), 3);
    assert_eq!(
        total_red(&vec![Rgba {
            r: 7,
            ..Default::default()
        }]),
        7
    );
}

#[derive(ArrayConsumer, Debug)]
#[array(shape = [n])]
struct Counts {
    n: usize,
    #[array(data)]
    values: Vec<u32>,
}

#[derive(ArrayConsumer, Debug)]
#[array(shape = [n])]
struct CountsView<'a> {
    n: usize,
    #[array(data)]
    values: &'a [u32],
}

#[test]
fn copying_consumers_convert_other_byte_orders() {
    let values = [1u32, 0x0102_0304, u32::MAX - 5];
    let big: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
    let item = array_protocol::ItemType::from_pep3118(">I").unwrap();
    let view = ArrayView::new(&big, item, &[3], None, 0).unwrap();
    let c = Counts::from_array(&view).unwrap();
    assert_eq!((c.n, c.values.as_slice()), (3, &values[..]));
    let e = CountsView::from_array_view(view).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ByteOrder);
    let native = ArrayView::from_slice(&values, &[3]).unwrap();
    let borrowed = CountsView::from_array_view(native).unwrap();
    assert_eq!((borrowed.n, borrowed.values), (3, &values[..]));
}
