use array_protocol::{ArrayProducer, Element, TypedArrayProducer};

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(ArrayProducer)]
#[array(shape = [height, width])]
struct GrayImage {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<u8>,
}

fn show<P: TypedArrayProducer<Item = Rgba>>(_image: &P) {}

fn main() {
    let gray = GrayImage { width: 1, height: 1, pixels: vec![0] };
    show(&gray);
}
