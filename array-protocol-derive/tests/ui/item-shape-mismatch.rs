use array_protocol::{ArrayProducer, Element};

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(ArrayProducer)]
#[array(item = u8, shape = [height, width])]
struct Image {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<Rgba>,
}

fn main() {}
