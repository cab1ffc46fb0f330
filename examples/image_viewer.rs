//! The seed's imaging scenario: a user image type (crate `paint`) shown by a viewer (crate
//! `viewer`) that knows only array-protocol, and the viewer's result consumed back.
//!
//! Run with `cargo run --example image_viewer`.

use array_protocol::{ArrayConsumer, ArrayProducer};
use paint::Painting;

fn main() -> Result<(), array_protocol::Error> {
    let painting = Painting::sunset(48, 24);
    let view = painting.array();
    println!(
        "painting: shape {:?}, item {}, data at {:p} (the Vec's own buffer: {:p})",
        view.shape(),
        view.item().describe(),
        view.as_ptr(),
        painting.pixels.as_ptr()
    );

    println!("\nthe viewer's histogram of the painting:");
    print!("{}", viewer::histogram(&painting)?);

    let negative = viewer::negative(&painting)?;
    println!("\nthe viewer's negative, consumed back into a Painting:");
    let back = Painting::from_array(&negative.array())?;
    println!(
        "{}×{} pixels, first {:?} (was {:?})",
        back.width, back.height, back.pixels[0], painting.pixels[0]
    );
    print!("{}", viewer::histogram(&back)?);

    // What is not an image is refused with a reason.
    let samples = vec![0.5f64; 16];
    match viewer::histogram(&samples) {
        Ok(_) => println!("unexpected"),
        Err(e) => println!(
            "
the viewer refuses a Vec<f64>: {e}"
        ),
    }
    Ok(())
}
