//! DLPack's C ABI from Rust: exports and imports, and the deleter contract (exactly once).

use std::sync::atomic::{AtomicUsize, Ordering};

use array_protocol::dlpack::{
    export, export_mut, DLManagedTensorVersioned, DLPackArray, DLPACK_FLAG_BITMASK_READ_ONLY,
};
use array_protocol::{ArrayProducer, ArrayProducerMut, ArrayView, Element, ErrorKind, ItemType};

#[test]
fn round_trips_keep_values_and_strides() {
    let m: Vec<i32> = (0..12).collect();
    // A strided export: every other column, reversed rows.
    struct Strided(Vec<i32>);
    impl ArrayProducer for Strided {
        fn try_array(&self) -> Result<ArrayView<'_>, array_protocol::Error> {
            ArrayView::from_slice(&self.0, &[3, 4])?
                .reverse_axis(0)?
                .slice(1, None, None, 2)
        }
    }
    let t = export(Strided(m)).unwrap();
    // SAFETY: just exported; ownership passes to the importer.
    unsafe {
        let x = &(*t).dl_tensor;
        assert_eq!(
            (
                x.ndim,
                *x.shape,
                *x.shape.add(1),
                *x.strides,
                *x.strides.add(1)
            ),
            (2, 3, 2, -4, 2)
        );
        assert_eq!(
            (*t).flags & DLPACK_FLAG_BITMASK_READ_ONLY,
            DLPACK_FLAG_BITMASK_READ_ONLY
        );
    }
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.array().to_vec::<i32>().unwrap(), [8, 10, 4, 6, 0, 2]);
    assert!(a.is_read_only());
    let mut a = a;
    assert_eq!(
        a.try_array_mut().unwrap_err().kind(),
        ErrorKind::Requirement
    );

    for (item, t) in [
        (bool::item_type(), export(vec![true, false]).unwrap()),
        (u8::item_type(), export(vec![1u8, 2]).unwrap()),
        (i64::item_type(), export(vec![-1i64]).unwrap()),
        (f32::item_type(), export([0.5f32; 0]).unwrap()),
    ] {
        let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
        assert_eq!(a.array().item(), &item);
    }
    let grid = export(vec![[1u16, 2, 3]; 2]).unwrap();
    let a = unsafe { DLPackArray::from_raw(grid) }.unwrap();
    assert_eq!(
        (a.array().shape(), a.array().to_vec::<u16>().unwrap()),
        (&[2, 3][..], vec![1, 2, 3, 1, 2, 3])
    );
}

#[test]
fn writable_exports() {
    let t = export_mut(vec![0.0f64; 4]).unwrap();
    let mut a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert!(!a.is_read_only());
    a.array_mut().typed_mut::<f64>().unwrap().fill(2.0);
    assert_eq!(a.array().to_vec::<f64>().unwrap(), [2.0; 4]);
}

#[test]
fn exports_refuse_what_dlpack_cannot_carry() {
    let rec = ItemType::from_pep3118("T{d:x:d:y:}").unwrap();
    struct Records(Vec<u8>, ItemType);
    impl ArrayProducer for Records {
        fn try_array(&self) -> Result<ArrayView<'_>, array_protocol::Error> {
            ArrayView::new(&self.0, self.1.clone(), &[2], None, 0)
        }
    }
    let e = export(Records(vec![0; 32], rec)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("DLPack cannot carry items of T{d:x:d:y:}"),
        "{e}"
    );
    struct Odd(Vec<u8>);
    impl ArrayProducer for Odd {
        fn try_array(&self) -> Result<ArrayView<'_>, array_protocol::Error> {
            ArrayView::new(&self.0, u16::item_type(), &[3], Some(&[3]), 0)
        }
    }
    let e = export(Odd(vec![0; 8])).unwrap_err();
    assert!(
        e.to_string()
            .contains("not a whole number of 2-byte elements"),
        "{e}"
    );
}

static DELETED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_delete(_: *mut DLManagedTensorVersioned) {
    DELETED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn imports_call_the_deleter_exactly_once_even_when_refusing() {
    let mut data = [1.0f64, 2.0, 3.0];
    let mut shape = [3i64];
    let tensor =
        |device: i32, lanes: u16, shape: *mut i64, data: *mut f64| DLManagedTensorVersioned {
            version: array_protocol::dlpack::DLPACK_VERSION,
            manager_ctx: std::ptr::null_mut(),
            deleter: Some(count_delete),
            flags: 0,
            dl_tensor: array_protocol::dlpack::DLTensor {
                data: data.cast(),
                device: array_protocol::dlpack::DLDevice {
                    device_type: device,
                    device_id: 0,
                },
                ndim: 1,
                dtype: array_protocol::DLDataType {
                    code: 2,
                    bits: 64,
                    lanes,
                },
                shape,
                strides: std::ptr::null_mut(),
                byte_offset: 0,
            },
        };
    let before = DELETED.load(Ordering::SeqCst);
    let mut ok = tensor(1, 1, shape.as_mut_ptr(), data.as_mut_ptr());
    let a = unsafe { DLPackArray::from_raw(&mut ok) }.unwrap();
    assert_eq!(a.array().to_vec::<f64>().unwrap(), [1.0, 2.0, 3.0]);
    assert_eq!(DELETED.load(Ordering::SeqCst), before);
    drop(a);
    assert_eq!(DELETED.load(Ordering::SeqCst), before + 1);
    let mut gpu = tensor(2, 1, shape.as_mut_ptr(), data.as_mut_ptr());
    // A CUDA tensor imports as a description; viewing its memory is refused.
    let a = unsafe { DLPackArray::from_raw(&mut gpu) }.unwrap();
    let e = a.try_array().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.to_string().contains("lives on device CUDA (type 2):0"),
        "{e}"
    );
    assert_eq!(DELETED.load(Ordering::SeqCst), before + 1);
    drop(a);
    assert_eq!(DELETED.load(Ordering::SeqCst), before + 2);
    let mut vector = tensor(1, 4, shape.as_mut_ptr(), data.as_mut_ptr());
    assert!(unsafe { DLPackArray::from_raw(&mut vector) }.is_err());
    assert_eq!(DELETED.load(Ordering::SeqCst), before + 3);
    let mut too_long = [4i64];
    let mut past = tensor(1, 1, too_long.as_mut_ptr(), std::ptr::null_mut());
    let e = unsafe { DLPackArray::from_raw(&mut past) }.err().unwrap();
    assert!(e.to_string().contains("NULL"), "{e}");
    assert_eq!(DELETED.load(Ordering::SeqCst), before + 4);
    let mut huge = [i64::MAX];
    let mut strided = tensor(1, 1, huge.as_mut_ptr(), data.as_mut_ptr());
    let mut strides = [i64::MAX / 2];
    strided.dl_tensor.strides = strides.as_mut_ptr();
    let e = unsafe { DLPackArray::from_raw(&mut strided) }
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Layout, "{e}");
    assert_eq!(DELETED.load(Ordering::SeqCst), before + 5);
}
