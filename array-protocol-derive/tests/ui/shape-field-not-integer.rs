use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(shape = [height, width])]
struct Image {
    width: f64,
    height: usize,
    #[array(data)]
    pixels: Vec<u8>,
}

fn main() {}
