use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(shape = [heigth, width])]
struct Image {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<u8>,
}

fn main() {}
