use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Sample {
    tag: u8,
    value: u32,
}

fn main() {}
