use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Pair<T: Copy + 'static> {
    a: T,
    b: T,
}

fn main() {}
