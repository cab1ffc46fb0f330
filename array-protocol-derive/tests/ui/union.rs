use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
union Bits {
    f: f32,
    u: u32,
}

fn main() {}
