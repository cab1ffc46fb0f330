//! `.npy` files: raw bytes, and a valid prefix (magic, version, length) around an arbitrary
//! header text with some data. Refused with an error, or an array whose bytes all lie in the file.
#![no_main]

use array_protocol::mmap::MmapArray;
use array_protocol::{ArrayProducer, Order};
use array_protocol_fuzz::{check_item, npy_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((&mode, rest)) if mode & 1 == 1 && rest.len() >= 2 => {
            let major = [1, 2, 3][usize::from(mode >> 1) % 3];
            let data_len = usize::from(u16::from_le_bytes([rest[0], rest[1]])) % 1024;
            if let Ok(text) = std::str::from_utf8(&rest[2..]) {
                check(&npy_file(major, text, &vec![0x55; data_len]));
            }
        }
        _ => check(data),
    }
});

fn check(file: &[u8]) {
    let Ok(a) = MmapArray::from_bytes(file) else {
        return;
    };
    let h = a.header();
    assert!(h.data_offset <= file.len());
    check_item(&h.item);
    let v = a.array();
    assert_eq!(v.shape(), &h.shape[..]);
    let bytes = v.len() * v.itemsize();
    assert!(
        h.data_offset + bytes <= file.len(),
        "{h:?} over {} bytes",
        file.len()
    );
    if bytes <= 1 << 20 {
        let order = if h.fortran_order {
            Order::Fortran
        } else {
            Order::C
        };
        let copy = v.to_contiguous(order).expect("a copy of a file's array");
        assert_eq!(copy.bytes(), &file[h.data_offset..h.data_offset + bytes]);
    }
}
