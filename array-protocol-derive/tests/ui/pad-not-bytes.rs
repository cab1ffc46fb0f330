use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Sample {
    tag: u16,
    #[array(pad)]
    _pad: u16,
    value: u32,
}

fn main() {}
