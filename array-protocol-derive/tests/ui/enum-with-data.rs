use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(u8)]
enum Shape {
    Dot,
    Circle(u8),
}

fn main() {}
