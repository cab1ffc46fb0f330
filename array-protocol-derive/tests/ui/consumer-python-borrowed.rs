use array_protocol::ArrayConsumer;

#[derive(ArrayConsumer)]
#[array(shape = [n], python)]
struct Borrowed<'a> {
    n: usize,
    #[array(data)]
    values: &'a [f32],
}

fn main() {}
