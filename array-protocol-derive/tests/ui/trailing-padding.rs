use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Sample {
    value: u64,
    tag: u8,
}

fn main() {}
