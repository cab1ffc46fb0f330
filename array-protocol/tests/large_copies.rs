//! Fresh copies of arrays large enough to be backed by huge pages: every byte copied or zeroed,
//! the huge-page advice in place, and allocation failure still an error.

use array_protocol::{AlignedBytes, ArrayView, Element, ErrorKind, Order};

/// 9 MiB of f64 and one more: over the 4 MiB threshold, neither page- nor 16-byte-aligned in size.
const LEN: usize = (9 << 20) / 8 + 1;

fn source() -> Vec<f64> {
    (0..LEN).map(|i| i as f64 * 0.5 - 7.0).collect()
}

#[test]
fn large_contiguous_copy_has_every_byte() {
    let data = source();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let v = ArrayView::new(bytes, f64::item_type(), &[LEN], None, 0).unwrap();
    let copy = v.to_contiguous(Order::C).unwrap();
    assert_eq!(copy.bytes(), bytes);
    assert_eq!(copy.bytes().as_ptr() as usize % 16, 0);
}

#[test]
fn large_clone_has_every_byte() {
    let mut a = AlignedBytes::try_zeroed((6 << 20) + 5).unwrap();
    for (i, b) in a.as_mut_slice().iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    let b = a.clone();
    assert_eq!(b.as_slice(), a.as_slice());
    assert_ne!(b.as_slice().as_ptr(), a.as_slice().as_ptr());
}

#[test]
fn large_strided_copy_has_every_element() {
    let data = source();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    // Every element, last to first (a negative stride), and every third, as 2-D Fortran.
    let reversed = ArrayView::new(bytes, f64::item_type(), &[LEN], Some(&[-8]), (LEN - 1) * 8)
        .unwrap()
        .to_contiguous(Order::C)
        .unwrap();
    let got: &[f64] = bytemuck::cast_slice(reversed.bytes());
    assert!(got.iter().rev().eq(data.iter()));
    let rows = LEN / 3 / 2;
    let v = ArrayView::new(bytes, f64::item_type(), &[rows, 2], Some(&[48, 24]), 0).unwrap();
    let f = v.to_contiguous(Order::Fortran).unwrap();
    let got: &[f64] = bytemuck::cast_slice(f.bytes());
    for r in 0..rows {
        assert_eq!(got[r], data[6 * r]);
        assert_eq!(got[rows + r], data[6 * r + 3]);
    }
}

#[test]
fn large_zeroed_is_zero() {
    let mut z = AlignedBytes::try_zeroed((5 << 20) + 3).unwrap();
    assert_eq!(z.as_slice().len(), (5 << 20) + 3);
    assert!(z.as_slice().iter().all(|&b| b == 0));
    z.as_mut_slice()[5 << 20] = 1;
    assert_eq!(z.as_slice().iter().filter(|&&b| b != 0).count(), 1);
}

#[test]
fn allocation_failure_is_an_error() {
    let one = [0u8; 8];
    // 2^59 broadcast u64s: 2^62 bytes, within isize::MAX, more than any machine gives.
    let v = ArrayView::new(&one, u64::item_type(), &[1 << 59], Some(&[0]), 0).unwrap();
    let err = v.to_contiguous(Order::C).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfMemory, "{err}");
    let Err(err) = AlignedBytes::try_zeroed(1 << 62) else {
        panic!("2^62 bytes allocated");
    };
    assert_eq!(err.kind(), ErrorKind::OutOfMemory, "{err}");
}

/// The kernel's record of the mapping that holds `addr`: its `VmFlags` line in
/// `/proc/self/smaps` (`hg`: advised to huge pages).
#[cfg(target_os = "linux")]
fn vm_flags(addr: usize) -> String {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let mut inside = false;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if let Some((lo, hi)) = first.split_once('-') {
            if let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = (lo..hi).contains(&addr);
                continue;
            }
        }
        if inside && line.starts_with("VmFlags:") {
            return line.to_owned();
        }
    }
    panic!("no mapping holds {addr:#x}");
}

#[cfg(target_os = "linux")]
#[test]
fn large_copies_are_advised_to_huge_pages() {
    if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
        return; // a kernel without transparent huge pages refuses the advice
    }
    let data = source();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let v = ArrayView::new(bytes, f64::item_type(), &[LEN], None, 0).unwrap();
    let copy = v.to_contiguous(Order::C).unwrap();
    let middle = copy.bytes().as_ptr() as usize + copy.bytes().len() / 2;
    let flags = vm_flags(middle);
    assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
    let zeros = AlignedBytes::try_zeroed(8 << 20).unwrap();
    let flags = vm_flags(zeros.as_slice().as_ptr() as usize + (4 << 20));
    assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
}
