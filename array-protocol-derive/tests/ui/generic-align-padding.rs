// A generic record whose instantiation `Aligned<u8>` has 15 bytes of trailing padding: viewing
// it as bytes is a compile error naming the instantiation, the gap and the fix.
use array_protocol::{ArrayView, Element, Order};

#[derive(Element, Clone, Copy)]
#[repr(C, align(16))]
struct Aligned<T: Element> {
    a: T,
}

fn main() {
    let v = [Aligned { a: 1u8 }; 2];
    let view = ArrayView::from_slice(&v, &[2]).unwrap();
    let _ = view.as_bytes(Order::C);
}
