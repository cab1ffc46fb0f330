//! An `image::RgbaImage` seen as an `ndarray::ArrayView3` and back, without copying: the
//! pointers printed are the same memory.
//!
//! Run with `cargo run --example image_to_ndarray`.

use array_protocol::{ArrayConsumer, ArrayProducer, FromArrayView};
use ndarray::{s, ArrayView3};

fn main() -> Result<(), array_protocol::Error> {
    let img = image::RgbaImage::from_fn(640, 480, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    });
    let view = ArrayView3::<u8>::from_array_view(img.array())?;
    println!("image pixels at   {:p}", img.as_raw().as_ptr());
    println!(
        "ndarray view at   {:p}, shape {:?}, strides {:?}",
        view.as_ptr(),
        view.shape(),
        view.strides()
    );

    // ndarray operations on the image's own memory: the green channel, every 80th row, mirrored.
    let green = view.slice(s![..;80, ..;-1, 1]);
    println!(
        "green sample      {:?} (a {}×{} view, first element at {:p})",
        green.row(1).iter().take(4).collect::<Vec<_>>(),
        green.nrows(),
        green.ncols(),
        green.as_ptr()
    );

    // Back into an image: any ndarray view is a producer; a copy happens only here, in logical order.
    let mirrored = view.slice(s![.., ..;-1, ..]);
    let flipped = image::RgbaImage::from_array(&mirrored.array())?;
    println!(
        "mirrored image    {}×{}, pixel (0, 0) = {:?} = original pixel (639, 0) = {:?}",
        flipped.width(),
        flipped.height(),
        flipped.get_pixel(0, 0),
        img.get_pixel(639, 0)
    );
    Ok(())
}
