//! Generated code uses absolute paths only: it compiles with no prelude, with the runtime crate
//! renamed, with `Option`/`Result` shadowed, and without lints about redundant paths.

#![no_implicit_prelude]
#![deny(unused_qualifications)]

extern crate array_protocol as renamed;
extern crate core;
extern crate std;

#[allow(dead_code)]
type Option = ();
#[allow(dead_code)]
type Result = ();
#[allow(dead_code)]
struct Vec;

#[derive(renamed::Element, core::clone::Clone, core::marker::Copy)]
#[array(crate = "renamed")]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(renamed::Element, core::clone::Clone, core::marker::Copy)]
#[array(crate = "renamed")]
#[repr(C, packed)]
struct Tagged<T: renamed::Element> {
    tag: u8,
    value: T,
}

#[derive(renamed::ArrayProducer, renamed::ArrayConsumer)]
#[array(crate = "renamed", item = u8, shape = [height, width, 4])]
struct Image {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: std::vec::Vec<Rgba>,
}

#[derive(renamed::ArrayProducer, renamed::ArrayConsumer)]
#[array(crate = "renamed", shape = [len])]
struct Borrowed<'a> {
    len: u32,
    #[array(data)]
    values: &'a [f32],
}

#[test]
fn derives_compile_without_the_prelude() {
    use renamed::{ArrayConsumer, ArrayProducer, Element, FromArrayView};
    std::assert_eq!(<Rgba as Element>::FORMAT, "T{B:r:B:g:B:b:B:a:}");
    std::assert_eq!(<Tagged<u16> as Element>::FORMAT, "T{^B:tag:H:value:}");
    let image = Image {
        width: 2,
        height: 1,
        pixels: std::vec![Rgba { r: 1, g: 2, b: 3, a: 4 }; 2],
    };
    let copy = match Image::from_array(&image.array()) {
        core::result::Result::Ok(copy) => copy,
        core::result::Result::Err(e) => std::panic!("{e}"),
    };
    std::assert_eq!(copy.pixels.len(), 2);
    let values = [1.0f32, 2.0];
    let b = match Borrowed::from_array_view(values.array()) {
        core::result::Result::Ok(b) => b,
        core::result::Result::Err(e) => std::panic!("{e}"),
    };
    std::assert_eq!(b.len, 2);
}
