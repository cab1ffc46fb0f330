use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[array(python)]
#[repr(C)]
struct Point {
    x: f32,
    y: f32,
}

fn main() {}
