use array_protocol::Element;

#[derive(Element, Clone, Copy)]
struct Point {
    x: f32,
    y: f32,
}

fn main() {}
