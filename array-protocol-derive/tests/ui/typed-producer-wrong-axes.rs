use array_protocol::{ArrayProducer, Element, Ix, TypedArrayProducer};

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

#[derive(ArrayProducer)]
#[array(shape = [len])]
struct Strip {
    len: usize,
    #[array(data)]
    pixels: Vec<Rgba>,
}

// Wants RGBA pixels along two axes; a strip has one.
fn show<P: TypedArrayProducer<Item = Rgba, Dim = Ix<2>>>(_image: &P) {}

fn main() {
    let strip = Strip { len: 1, pixels: vec![Rgba { r: 0, g: 0, b: 0, a: 0 }] };
    show(&strip);
}
