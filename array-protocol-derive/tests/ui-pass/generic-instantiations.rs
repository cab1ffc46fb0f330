// Padding-free instantiations of generic records compile through every route (and, since this
// is a `pass` case, the `compile_fail` cases are built, not only checked, so the refusals that
// happen at monomorphisation are seen).
use array_protocol::{ArrayProducer, ArrayView, Element, Order};

#[derive(Element, Clone, Copy)]
#[repr(C, align(4))]
struct Aligned<T: Element> {
    a: T,
}

#[derive(Element, Clone, Copy)]
#[repr(C, packed(2))]
struct Tagged<T: Element> {
    tag: u8,
    value: T,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Header<const N: usize> {
    tag: [u8; N],
    value: u32,
}

fn main() {
    let a = [Aligned { a: 1u32 }; 2];
    assert_eq!(ArrayView::from_slice(&a, &[2]).unwrap().as_bytes(Order::C).unwrap().len(), 8);
    let t = [Tagged { tag: 1u8, value: 2u8 }; 2];
    assert_eq!(t.to_vec().array().as_bytes(Order::C).unwrap().len(), 4);
    let h = [Header::<4> { tag: [1; 4], value: 2 }];
    assert_eq!(h.to_vec().array().as_bytes(Order::C).unwrap().len(), 8);
}
