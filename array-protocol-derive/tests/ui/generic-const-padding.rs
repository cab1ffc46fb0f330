// A const-generic record: `Header<1>` has 3 bytes of padding before `value`.
use array_protocol::{ArrayProducer, Element};

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Header<const N: usize> {
    tag: [u8; N],
    value: u32,
}

fn main() {
    let v = vec![Header::<1> { tag: [1], value: 2 }];
    let _ = v.array();
}
