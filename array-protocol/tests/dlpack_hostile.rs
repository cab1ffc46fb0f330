//! Hostile DLPack tensors: every refusal is a clear error, and the deleter runs exactly once
//! whether the import succeeds or is refused.
#![cfg(feature = "dlpack")]

use std::cell::Cell;
use std::ffi::c_void;

use array_protocol::dlpack::{
    DLDevice, DLManagedTensorVersioned, DLPackArray, DLTensor, DLPACK_VERSION,
};
use array_protocol::{ArrayProducer, ArrayProducerMut, DLDataType, ErrorKind};

unsafe extern "C" fn count_delete(t: *mut DLManagedTensorVersioned) {
    // SAFETY: every tensor built here points its context at a live `Cell<usize>`.
    let calls = unsafe { &*(*t).manager_ctx.cast::<Cell<usize>>() };
    calls.set(calls.get() + 1);
}

/// An f64 tensor over `data` whose deleter counts its calls in `calls`.
fn tensor(
    calls: &Cell<usize>,
    data: *mut c_void,
    shape: &mut [i64],
    strides: Option<&mut [i64]>,
    byte_offset: u64,
) -> DLManagedTensorVersioned {
    DLManagedTensorVersioned {
        version: DLPACK_VERSION,
        manager_ctx: std::ptr::from_ref(calls).cast_mut().cast(),
        deleter: Some(count_delete),
        flags: 0,
        dl_tensor: DLTensor {
            data,
            device: DLDevice {
                device_type: 1,
                device_id: 0,
            },
            ndim: shape.len() as i32,
            dtype: DLDataType {
                code: 2,
                bits: 64,
                lanes: 1,
            },
            shape: shape.as_mut_ptr(),
            strides: strides.map_or(std::ptr::null_mut(), |s| s.as_mut_ptr()),
            byte_offset,
        },
    }
}

/// Imports `t`, expecting a refusal of `kind`; checks the deleter ran exactly once.
fn refused(mut t: DLManagedTensorVersioned, calls: &Cell<usize>, kind: ErrorKind) -> String {
    assert_eq!(calls.get(), 0);
    // SAFETY: a valid tensor description we own, handed over.
    let e = match unsafe { DLPackArray::from_raw(&mut t) } {
        Ok(_) => panic!("accepted a hostile tensor"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(calls.get(), 1, "deleter calls after the refusal {e}");
    e.to_string()
}

#[test]
fn broadcast_of_2_pow_64_elements_is_refused_with_one_deleter_call() {
    let calls = Cell::new(0);
    let mut one = 1.5f64;
    let mut shape = [1i64 << 32, 1 << 32];
    let mut strides = [0i64, 0];
    let t = tensor(
        &calls,
        std::ptr::from_mut(&mut one).cast(),
        &mut shape,
        Some(&mut strides),
        0,
    );
    refused(t, &calls, ErrorKind::Layout);
}

#[test]
fn lowest_element_at_address_zero_is_refused_with_one_deleter_call() {
    // The first element at address 8, a stride of -1 element: the second one at address 0.
    let calls = Cell::new(0);
    let mut shape = [2i64];
    let mut strides = [-1i64];
    let t = tensor(&calls, 8 as *mut c_void, &mut shape, Some(&mut strides), 0);
    let e = refused(t, &calls, ErrorKind::Layout);
    assert!(e.contains("address 0"), "{e}");
    // The same through byte_offset on a NULL data pointer: refused as NULL data.
    let calls = Cell::new(0);
    let t = tensor(
        &calls,
        std::ptr::null_mut(),
        &mut shape,
        Some(&mut strides),
        8,
    );
    let e = refused(t, &calls, ErrorKind::Layout);
    assert!(e.contains("NULL"), "{e}");
}

#[test]
fn null_data_is_refused_before_the_byte_offset_is_added() {
    let calls = Cell::new(0);
    let mut shape = [3i64];
    // NULL + 4096 would be a plausible address; NULL is what the producer said.
    let t = tensor(&calls, std::ptr::null_mut(), &mut shape, None, 4096);
    let e = refused(t, &calls, ErrorKind::Layout);
    assert!(e.contains("NULL"), "{e}");
}

#[test]
fn data_plus_byte_offset_that_wraps_is_refused() {
    let calls = Cell::new(0);
    let mut data = [0.0f64; 2];
    let mut shape = [2i64];
    let ptr: *mut f64 = data.as_mut_ptr();
    // An offset that points 8 bytes before `data`, but only by wrapping around the address space.
    let wrap = u64::MAX - 7;
    let t = tensor(&calls, ptr.cast(), &mut shape, None, wrap);
    let e = refused(t, &calls, ErrorKind::Layout);
    assert!(e.contains("wraps"), "{e}");
    let calls = Cell::new(0);
    let t = tensor(&calls, ptr.cast(), &mut shape, None, u64::MAX);
    refused(t, &calls, ErrorKind::Layout);
}

#[test]
fn elements_past_the_end_of_the_address_space_are_refused() {
    let calls = Cell::new(0);
    let mut shape = [4i64];
    let t = tensor(
        &calls,
        (usize::MAX - 15) as *mut c_void,
        &mut shape,
        None,
        0,
    );
    refused(t, &calls, ErrorKind::Layout);
}

#[test]
fn other_refusals_call_the_deleter_once() {
    let mut data = [1.0f64, 2.0, 3.0];
    let ptr: *mut c_void = data.as_mut_ptr().cast();
    let calls = Cell::new(0);
    let mut shape = [3i64];
    let mut t = tensor(&calls, ptr, &mut shape, None, 0);
    t.version.major = 2;
    refused(t, &calls, ErrorKind::Unsupported);
    let calls = Cell::new(0);
    let mut t = tensor(&calls, ptr, &mut shape, None, 0);
    t.dl_tensor.ndim = 65;
    refused(t, &calls, ErrorKind::Layout);
    let calls = Cell::new(0);
    let mut t = tensor(&calls, ptr, &mut shape, None, 0);
    t.dl_tensor.ndim = -1;
    refused(t, &calls, ErrorKind::Layout);
    let calls = Cell::new(0);
    let mut t = tensor(&calls, ptr, &mut shape, None, 0);
    t.dl_tensor.shape = std::ptr::null_mut();
    refused(t, &calls, ErrorKind::Layout);
    let calls = Cell::new(0);
    let mut t = tensor(&calls, ptr, &mut shape, None, 0);
    t.dl_tensor.dtype.code = 3;
    refused(t, &calls, ErrorKind::Format);
    // One element past the end of the three.
    let calls = Cell::new(0);
    let mut strides = [i64::MIN];
    let t = tensor(&calls, ptr, &mut shape, Some(&mut strides), 0);
    refused(t, &calls, ErrorKind::Layout);
    let calls = Cell::new(0);
    let mut strides = [i64::MAX / 4];
    let t = tensor(&calls, ptr, &mut shape, Some(&mut strides), 0);
    refused(t, &calls, ErrorKind::Layout);
}

#[test]
fn accepted_imports_call_the_deleter_once_when_dropped() {
    let mut data = [1.0f64, 2.0, 3.0, 4.0];
    let ptr: *mut c_void = data.as_mut_ptr().cast();
    let calls = Cell::new(0);
    let mut shape = [2i64, 2];
    let mut strides = [-2i64, 1];
    let mut t = tensor(&calls, ptr, &mut shape, Some(&mut strides), 16);
    // SAFETY: a valid tensor over `data`, handed over.
    let mut a = unsafe { DLPackArray::from_raw(&mut t) }.unwrap();
    assert_eq!(a.array().to_vec::<f64>().unwrap(), [3.0, 4.0, 1.0, 2.0]);
    assert!(a.try_array_mut().is_ok());
    assert_eq!(calls.get(), 0);
    drop(a);
    assert_eq!(calls.get(), 1);
    // An empty tensor may have any data pointer: nothing is read.
    let calls = Cell::new(0);
    let mut shape = [0i64, 5];
    let mut t = tensor(&calls, std::ptr::null_mut(), &mut shape, None, 12345);
    // SAFETY: an empty tensor reaches no memory.
    let a = unsafe { DLPackArray::from_raw(&mut t) }.unwrap();
    assert_eq!(a.array().shape(), [0, 5]);
    drop(a);
    assert_eq!(calls.get(), 1);
}

#[test]
fn a_null_tensor_is_refused() {
    // SAFETY: NULL is checked first.
    let e = unsafe { DLPackArray::from_raw(std::ptr::null_mut()) }
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Requirement);
}

#[test]
fn axes_longer_than_int64_are_not_exported_truncated() {
    struct Empty;
    impl ArrayProducer for Empty {
        fn array(&self) -> array_protocol::ArrayView<'_> {
            self.try_array().expect("valid")
        }
        fn try_array(&self) -> Result<array_protocol::ArrayView<'_>, array_protocol::Error> {
            use array_protocol::Element;
            array_protocol::ArrayView::new(&[], u8::item_type(), &[0, usize::MAX], Some(&[1, 1]), 0)
        }
    }
    // Views of such axes may be refused by the core itself; either way no negative DLPack
    // length comes out.
    if Empty.try_array().is_ok() {
        let e = array_protocol::dlpack::export(Empty).err().unwrap();
        assert!(e.to_string().contains("int64"), "{e}");
    }
}

#[test]
fn another_major_version_is_refused_reading_only_the_version_and_deleter() {
    // A major version 2 tensor may lay out everything after the flags differently: whatever
    // those fields hold (here NULL shape, absurd ndim, a device id of -1), only the version is
    // read before the deleter is called.
    for major in [0, 2, 3, u32::MAX] {
        let calls = Cell::new(0);
        let mut shape = [3i64];
        let mut t = tensor(&calls, std::ptr::null_mut(), &mut shape, None, u64::MAX);
        t.version.major = major;
        t.dl_tensor.ndim = i32::MAX;
        t.dl_tensor.shape = std::ptr::null_mut();
        t.dl_tensor.device.device_id = -1;
        let e = refused(t, &calls, ErrorKind::Unsupported);
        assert!(e.contains(&format!("DLPack version {major}.")), "{e}");
    }
}

#[test]
fn fp8_and_sub_byte_codes_with_wrong_bits_or_lanes_are_refused() {
    let mut data = [0u8; 16];
    let ptr: *mut c_void = data.as_mut_ptr().cast();
    for (code, bits, lanes) in [
        (7u8, 16u8, 1u16),
        (16, 4, 1),
        (17, 6, 1),
        (8, 8, 4),
        (15, 6, 2),
    ] {
        let calls = Cell::new(0);
        let mut shape = [4i64];
        let mut t = tensor(&calls, ptr, &mut shape, None, 0);
        t.dl_tensor.dtype = DLDataType { code, bits, lanes };
        refused(t, &calls, ErrorKind::Format);
    }
}
