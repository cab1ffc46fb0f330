// `packed(2)` still aligns a `u16` to 2: `Tagged<u16>` has a byte of padding after `tag`.
use array_protocol::{ArrayView, Element, Order};

#[derive(Element, Clone, Copy)]
#[repr(C, packed(2))]
struct Tagged<T: Element> {
    tag: u8,
    value: T,
}

fn main() {
    let t = [Tagged { tag: 1u8, value: 2u16 }; 2];
    let _ = ArrayView::from_slice(&t, &[2]).unwrap().as_bytes(Order::C);
}
