// A transparent wrapper is `NoUninit` only when what it wraps is: wrapping a generic record
// that some instantiation could pad gives no `NoUninit`.
use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Two<A: Element, B: Element> {
    a: A,
    b: B,
}

#[derive(Element, Clone, Copy)]
#[repr(transparent)]
struct Wrap<T: Element>(T);

fn main() {
    let v = [Wrap(Two { a: 1u32, b: 2u8 }); 2];
    let _ = bytemuck::cast_slice::<_, u8>(&v);
}
