use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Named {
    #[array(string)]
    name: [u16; 8],
    #[array(unicode)]
    label: [u8; 4],
}

fn main() {}
