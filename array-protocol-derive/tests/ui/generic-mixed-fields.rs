use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Tagged<T: Element> {
    tag: u8,
    value: T,
}

fn main() {}
