use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
enum Channel {
    Red,
    Green,
}

fn main() {}
