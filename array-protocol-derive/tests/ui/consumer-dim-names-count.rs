use array_protocol::ArrayConsumer;

#[derive(ArrayConsumer)]
#[array(shape = [h, w], dim_names = ["H", "W", "C"])]
struct Gray {
    h: usize,
    w: usize,
    #[array(data)]
    pixels: Vec<u8>,
}

fn main() {}
