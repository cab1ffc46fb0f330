use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(item = u8, shape = [height, width, 4], dim_names = ["H", "W"])]
struct Image {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<[u8; 4]>,
}

fn main() {}
