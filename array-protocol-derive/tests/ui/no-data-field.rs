use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(shape = [height, width])]
struct Image {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

fn main() {}
