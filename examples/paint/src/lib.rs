//! A user's own image type. Two derives make it an array producer and consumer; nothing here
//! knows about any viewer.

use array_protocol::{ArrayConsumer, ArrayProducer, Element};

/// One pixel.
#[derive(Element, Clone, Copy, Debug, PartialEq, Default)]
#[repr(C)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

/// An RGBA painting, exported as `height × width × 4` bytes (what numpy and Pillow expect).
#[derive(ArrayProducer, ArrayConsumer, Debug, PartialEq)]
#[array(item = u8, shape = [height, width, 4])]
pub struct Painting {
    pub width: u32,
    pub height: u32,
    #[array(data)]
    pub pixels: Vec<Rgba>,
    pub title: String,
}

impl Painting {
    /// A sunset: red to yellow from top to bottom, a dark sea in the lower third.
    pub fn sunset(width: u32, height: u32) -> Painting {
        let mut pixels = Vec::with_capacity((width * height) as usize);
        for y in 0..height {
            for x in 0..width {
                let t = y * 255 / height.max(1);
                let px = if y * 3 > height * 2 {
                    Rgba {
                        r: 20,
                        g: 30 + (x * 40 / width.max(1)) as u8,
                        b: 90,
                        a: 255,
                    }
                } else {
                    Rgba {
                        r: 255,
                        g: t as u8,
                        b: 40,
                        a: 255,
                    }
                };
                pixels.push(px);
            }
        }
        Painting {
            width,
            height,
            pixels,
            title: "sunset".into(),
        }
    }
}
