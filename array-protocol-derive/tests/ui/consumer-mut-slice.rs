use array_protocol::ArrayConsumer;

#[derive(ArrayConsumer)]
#[array(shape = [len])]
struct Borrowed<'a> {
    len: usize,
    #[array(data)]
    values: &'a mut [f32],
}

fn main() {}
