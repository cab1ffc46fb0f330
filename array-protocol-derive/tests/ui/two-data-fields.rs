use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(shape = [len])]
struct Signal {
    len: usize,
    #[array(data)]
    left: Vec<f32>,
    #[array(data)]
    right: Vec<f32>,
}

fn main() {}
