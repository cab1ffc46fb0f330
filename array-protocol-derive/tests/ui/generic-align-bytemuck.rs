// bytemuck has no per-instantiation check, so a generic record that some instantiation could
// pad (`align(16)`) is not `NoUninit`: `cast_slice` to bytes does not compile.
use array_protocol::Element;

#[derive(Element, Clone, Copy)]
#[repr(C, align(16))]
struct Aligned<T: Element> {
    a: T,
}

fn main() {
    let v = [Aligned { a: 1u8 }; 2];
    let _ = bytemuck::cast_slice::<_, u8>(&v);
}
