use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Labelled {
    value: f64,
    label: &'static str,
}

fn main() {}
