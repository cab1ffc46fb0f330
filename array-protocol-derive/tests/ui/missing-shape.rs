use array_protocol::ArrayConsumer;

#[derive(ArrayConsumer)]
struct Samples {
    #[array(data)]
    values: Vec<f64>,
}

fn main() {}
