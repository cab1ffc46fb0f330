use array_protocol::ArrayProducer;

#[derive(ArrayProducer)]
#[array(shape = [rows, cols], order = "row-major")]
struct Matrix {
    rows: usize,
    cols: usize,
    #[array(data)]
    values: Vec<f64>,
}

fn main() {}
