// Asking a view for a padded instantiation's typed elements, or writing through a mutable
// view of them, also evaluates the check.
use array_protocol::{ArrayView, ArrayViewMut, Element};

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Two<A: Element, B: Element> {
    a: A,
    b: B,
}

fn main() {
    let bytes = [0u8; 16];
    let view = ArrayView::from_slice(&bytes, &[16]).unwrap();
    let _ = view.typed::<Two<u16, u8>>();
    let mut v = [Two { a: 1u16, b: 2u8 }; 2];
    let _ = ArrayViewMut::from_slice_mut(&mut v, &[2]);
}
