// The size error names the element's size, the item's and the constant axes found.
use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(shape = [height, width, 4], item = u8)]
struct Image {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<[u8; 3]>,
}

fn main() {}
