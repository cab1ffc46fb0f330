use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Hidden {
    x: u32,
    #[array(skip)]
    cache: u32,
}

fn main() {}
