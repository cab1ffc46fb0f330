use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(transparent)]
struct Wrapped {
    #[array(pad)]
    bytes: [u8; 4],
}

fn main() {}
