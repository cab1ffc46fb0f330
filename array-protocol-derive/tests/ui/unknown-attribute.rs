use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
#[array(endian = "big")]
struct Sample {
    value: u32,
}

fn main() {}
