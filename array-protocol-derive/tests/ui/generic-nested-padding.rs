// A padded instantiation nested in another record, as a field of a non-generic record and
// inside a fixed array, is refused where the outer record is defined.
use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Two<A: Element, B: Element> {
    a: A,
    b: B,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Outer {
    inner: [Two<u8, u32>; 2],
}

fn main() {}
