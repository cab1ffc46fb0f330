use array_protocol::ArrayProducer;
use std::collections::VecDeque;

#[derive(ArrayProducer)]
#[array(shape = [len])]
struct Queue {
    len: usize,
    #[array(data)]
    items: VecDeque<f32>,
}

fn main() {}
