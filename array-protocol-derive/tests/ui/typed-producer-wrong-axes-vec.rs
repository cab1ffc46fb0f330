use array_protocol::{Ix, TypedArrayProducer};

// Wants a matrix of f32; a `Vec<f32>` is one axis of f32.
fn invert<P: TypedArrayProducer<Item = f32, Dim = Ix<2>>>(_matrix: &P) {}

fn main() {
    invert(&vec![1.0f32, 2.0]);
}
