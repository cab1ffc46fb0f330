use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Twice {
    class: u8,
    #[array(rename = "class")]
    class_: u8,
}

fn main() {}
