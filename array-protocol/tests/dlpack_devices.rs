//! DLPack tensors on devices other than the CPU, FP8/FP6/FP4 tensors and versions: device
//! memory is described and handed on, never read (the producer below points at memory mapped
//! `PROT_NONE`, where any read crashes); every deleter runs exactly once.

use std::cell::Cell;
use std::ffi::c_void;

use array_protocol::dlpack::{
    export, export_copy, DLDevice, DLManagedTensorVersioned, DLPackArray, DLPackVersion, DLTensor,
    DLPACK_FLAG_BITMASK_IS_COPIED, DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED,
    DLPACK_FLAG_BITMASK_READ_ONLY, DLPACK_VERSION, DL_CPU, DL_CUDA, DL_CUDA_HOST, DL_CUDA_MANAGED,
    DL_METAL, DL_ONEAPI, DL_OPENCL, DL_ROCM, DL_ROCM_HOST, DL_VULKAN,
};
use array_protocol::{
    ArrayProducer, ArrayProducerMut, ArrayView, DLDataType, Element, ErrorKind, ItemType, MiniFloat,
};

/// Pages no one may read or write: `mmap(PROT_NONE)`, unmapped when dropped.
struct Inaccessible {
    ptr: *mut c_void,
    len: usize,
}

impl Inaccessible {
    fn new(len: usize) -> Inaccessible {
        // SAFETY: an anonymous private mapping at an address the kernel picks; no memory of ours
        // is affected.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(ptr, libc::MAP_FAILED, "mmap");
        Inaccessible { ptr, len }
    }
}

impl Drop for Inaccessible {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

/// What the producer allocates per tensor: the managed tensor first (the deleter finds the box
/// from its address), its shape and strides, and the counter of deleter calls.
#[repr(C)]
struct Produced<'a> {
    managed: DLManagedTensorVersioned,
    shape: Vec<i64>,
    strides: Option<Vec<i64>>,
    calls: &'a Cell<usize>,
}

unsafe extern "C" fn producer_deleter(t: *mut DLManagedTensorVersioned) {
    // SAFETY: every tensor with this deleter is the first field of a leaked `Box<Produced>`,
    // reclaimed here; a second call would be a double free, which ASan reports.
    let produced = unsafe { Box::from_raw(t.cast::<Produced<'_>>()) };
    produced.calls.set(produced.calls.get() + 1);
}

/// A producer's tensor on `device` over `data`, as a C library would allocate it.
#[allow(clippy::too_many_arguments)] // the tensor's fields, as a C producer fills them
fn produce(
    calls: &Cell<usize>,
    device: DLDevice,
    data: *mut c_void,
    dtype: DLDataType,
    shape: &[i64],
    strides: Option<&[i64]>,
    byte_offset: u64,
    flags: u64,
) -> *mut DLManagedTensorVersioned {
    let mut p = Box::new(Produced {
        managed: DLManagedTensorVersioned {
            version: DLPackVersion { major: 1, minor: 3 },
            manager_ctx: std::ptr::null_mut(),
            deleter: Some(producer_deleter),
            flags,
            dl_tensor: DLTensor {
                data,
                device,
                ndim: shape.len() as i32,
                dtype,
                shape: std::ptr::null_mut(),
                strides: std::ptr::null_mut(),
                byte_offset,
            },
        },
        shape: shape.to_vec(),
        strides: strides.map(<[i64]>::to_vec),
        // SAFETY (of the lifetime): every test drops its tensors before its counter.
        calls: unsafe { &*std::ptr::from_ref(calls) },
    });
    p.managed.dl_tensor.shape = p.shape.as_mut_ptr();
    if let Some(s) = &mut p.strides {
        p.managed.dl_tensor.strides = s.as_mut_ptr();
    }
    Box::into_raw(p).cast()
}

const F32: DLDataType = DLDataType {
    code: 2,
    bits: 32,
    lanes: 1,
};

fn cuda(id: i32) -> DLDevice {
    DLDevice {
        device_type: DL_CUDA,
        device_id: id,
    }
}

/// What a consumer that reads only the description sees, before it calls the deleter once.
#[derive(Debug, PartialEq)]
struct Metadata {
    version: (u32, u32),
    device: DLDevice,
    data: usize,
    byte_offset: u64,
    dtype: DLDataType,
    shape: Vec<i64>,
    strides: Vec<i64>,
    flags: u64,
}

/// A consumer in the style of a GPU library: reads the tensor's metadata (never its data) and
/// releases it.
///
/// # Safety
/// `t` is a valid tensor the caller hands over.
unsafe fn consume_metadata(t: *mut DLManagedTensorVersioned) -> Metadata {
    // SAFETY: the caller's contract; shape and strides hold `ndim` entries.
    let m = unsafe { &*t };
    let x = &m.dl_tensor;
    let n = x.ndim as usize;
    assert!(n == 0 || !x.strides.is_null(), "strides NULL for ndim {n}");
    let meta = Metadata {
        version: (m.version.major, m.version.minor),
        device: x.device,
        data: x.data as usize,
        byte_offset: x.byte_offset,
        dtype: x.dtype,
        // SAFETY: as above.
        shape: unsafe { std::slice::from_raw_parts(x.shape, n) }.to_vec(),
        // SAFETY: as above.
        strides: unsafe { std::slice::from_raw_parts(x.strides, n) }.to_vec(),
        flags: m.flags,
    };
    let deleter = m.deleter.expect("a deleter");
    // SAFETY: we own it; the one call.
    unsafe { deleter(t) };
    meta
}

#[test]
fn a_cuda_tensor_over_unreadable_memory_is_described_handed_on_and_released_once() {
    let pages = Inaccessible::new(1 << 16);
    let calls = Cell::new(0);
    // 16 × 32 f32, every other column of a 16 × 64 matrix, 256 bytes into the allocation.
    let t = produce(
        &calls,
        cuda(1),
        pages.ptr,
        F32,
        &[16, 32],
        Some(&[64, 2]),
        256,
        DLPACK_FLAG_BITMASK_READ_ONLY,
    );
    // SAFETY: a valid tensor, handed over; its memory is never read.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(calls.get(), 0);
    assert_eq!(a.device(), cuda(1));
    assert!(!a.is_host_accessible());
    assert_eq!(
        (a.shape(), a.strides(), a.byte_offset()),
        (&[16, 32][..], &[64, 2][..], 256)
    );
    assert_eq!((a.item(), a.dtype()), (&f32::item_type(), F32));
    assert_eq!(a.data_ptr(), pages.ptr);
    assert!(a.is_aligned() && a.is_read_only() && !a.is_copied());
    assert_eq!(a.packed(), None);
    // From the first element to the end of the last: 15 rows of 256 bytes and 31 × 8 + 4.
    assert_eq!(a.byte_len(), 15 * 256 + 31 * 8 + 4);
    let e = a.try_array().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.to_string()
            .contains("lives on device CUDA (type 2):1, not in CPU memory"),
        "{e}"
    );
    assert_eq!(a.packed_bytes().unwrap_err().kind(), ErrorKind::Unsupported);
    let mut a = a;
    assert_eq!(
        a.try_array_mut().unwrap_err().kind(),
        ErrorKind::Unsupported
    );

    // Handed on to another consumer: the same memory and device, the description intact.
    let again = a.into_export();
    assert_eq!(calls.get(), 0);
    // SAFETY: the re-export is ours to hand over.
    let seen = unsafe { consume_metadata(again) };
    assert_eq!(
        seen,
        Metadata {
            version: (1, 3),
            device: cuda(1),
            data: pages.ptr as usize,
            byte_offset: 256,
            dtype: F32,
            shape: vec![16, 32],
            strides: vec![64, 2],
            flags: DLPACK_FLAG_BITMASK_READ_ONLY,
        }
    );
    assert_eq!(calls.get(), 1, "the producer's deleter, once");
}

#[test]
fn a_chain_of_re_exports_runs_the_producer_deleter_once() {
    let pages = Inaccessible::new(4096);
    let calls = Cell::new(0);
    // No strides (read as C order) and a 0-D tensor on ROCm.
    for (shape, strides) in [(&[4i64, 8][..], None), (&[][..], None)] {
        calls.set(0);
        let device = DLDevice {
            device_type: DL_ROCM,
            device_id: 3,
        };
        let t = produce(&calls, device, pages.ptr, F32, shape, strides, 0, 0);
        // SAFETY: valid, handed over.
        let mut a = unsafe { DLPackArray::from_raw(t) }.unwrap();
        for _ in 0..3 {
            // SAFETY: each re-export is ours, handed to the next import.
            a = unsafe { DLPackArray::from_raw(a.into_export()) }.unwrap();
        }
        assert_eq!(
            a.strides(),
            if shape.is_empty() { &[][..] } else { &[8, 1] }
        );
        assert_eq!(calls.get(), 0);
        // SAFETY: ours to hand over.
        let seen = unsafe { consume_metadata(a.into_export()) };
        assert_eq!((seen.device, seen.data), (device, pages.ptr as usize));
        assert_eq!(calls.get(), 1);
    }
}

#[test]
fn every_device_the_cpu_cannot_address_imports_as_a_description() {
    let pages = Inaccessible::new(4096);
    for device_type in [
        DL_CUDA, DL_OPENCL, DL_VULKAN, DL_METAL, DL_ROCM, DL_ONEAPI, 99,
    ] {
        let calls = Cell::new(0);
        let device = DLDevice {
            device_type,
            device_id: 0,
        };
        let t = produce(&calls, device, pages.ptr, F32, &[3], None, 0, 0);
        // SAFETY: valid, handed over.
        let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
        let e = a.try_array().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{device}");
        assert!(e.to_string().contains("not in CPU memory"), "{e}");
        drop(a);
        assert_eq!(calls.get(), 1, "{device}");
    }
}

#[test]
fn host_accessible_devices_are_viewed_as_host_memory() {
    for device_type in [DL_CPU, DL_CUDA_HOST, DL_CUDA_MANAGED, DL_ROCM_HOST] {
        let mut data = [1.0f32, 2.0, 3.0];
        let calls = Cell::new(0);
        let device = DLDevice {
            device_type,
            device_id: 0,
        };
        let t = produce(
            &calls,
            device,
            data.as_mut_ptr().cast(),
            F32,
            &[3],
            None,
            0,
            0,
        );
        // SAFETY: valid over `data`, handed over.
        let mut a = unsafe { DLPackArray::from_raw(t) }.unwrap();
        assert!(a.is_host_accessible());
        assert_eq!(a.array().to_vec::<f32>().unwrap(), [1.0, 2.0, 3.0]);
        a.array_mut().typed_mut::<f32>().unwrap().fill(7.0);
        drop(a);
        assert_eq!(calls.get(), 1);
        assert_eq!(data, [7.0; 3]);
    }
}

/// Imports `t`, expecting a refusal of `kind` that ran the producer's deleter once.
fn refused(t: *mut DLManagedTensorVersioned, calls: &Cell<usize>, kind: ErrorKind) -> String {
    // SAFETY: a valid tensor, handed over.
    let e = match unsafe { DLPackArray::from_raw(t) } {
        Ok(_) => panic!("accepted a hostile tensor"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(calls.get(), 1, "deleter calls after the refusal {e}");
    e.to_string()
}

#[test]
fn hostile_device_tensors_are_refused_by_arithmetic_alone() {
    let pages = Inaccessible::new(4096);
    let data = pages.ptr;
    let at = |calls: &Cell<usize>, device, shape: &[i64], strides: Option<&[i64]>, off| {
        produce(calls, device, data, F32, shape, strides, off, 0)
    };
    let calls = Cell::new(0);
    let e = refused(
        at(&calls, cuda(-1), &[3], None, 0),
        &calls,
        ErrorKind::Unsupported,
    );
    assert!(e.contains("invalid DLPack device CUDA (type 2):-1"), "{e}");
    for device_type in [0, -2, i32::MIN] {
        let calls = Cell::new(0);
        let device = DLDevice {
            device_type,
            device_id: 0,
        };
        refused(
            at(&calls, device, &[3], None, 0),
            &calls,
            ErrorKind::Unsupported,
        );
    }
    // 2^64 broadcast elements; an extent past isize; a stride × 4 bytes past isize.
    for (shape, strides) in [
        (&[1i64 << 32, 1 << 32][..], &[0i64, 0][..]),
        (&[1 << 40, 1 << 30], &[1 << 20, 1]),
        (&[2], &[i64::MAX / 2]),
    ] {
        let calls = Cell::new(0);
        refused(
            at(&calls, cuda(0), shape, Some(strides), 0),
            &calls,
            ErrorKind::Layout,
        );
    }
    // Elements at or below address 0, past the end of the address space, NULL data.
    let calls = Cell::new(0);
    let t = produce(
        &calls,
        cuda(0),
        8 as *mut c_void,
        F32,
        &[4],
        Some(&[-1]),
        0,
        0,
    );
    assert!(refused(t, &calls, ErrorKind::Layout).contains("address 0"));
    let calls = Cell::new(0);
    let top = (usize::MAX - 7) as *mut c_void;
    refused(
        produce(&calls, cuda(0), top, F32, &[4], None, 0, 0),
        &calls,
        ErrorKind::Layout,
    );
    let calls = Cell::new(0);
    let t = produce(&calls, cuda(0), data, F32, &[4], None, u64::MAX - 3, 0);
    assert!(refused(t, &calls, ErrorKind::Layout).contains("wraps"));
    let calls = Cell::new(0);
    let null = std::ptr::null_mut();
    let t = produce(&calls, cuda(0), null, F32, &[4], None, 0, 0);
    assert!(refused(t, &calls, ErrorKind::Layout).contains("NULL"));
    // An empty device tensor may have any pointer.
    let calls = Cell::new(0);
    let t = produce(&calls, cuda(0), null, F32, &[0, 7], None, 99, 0);
    // SAFETY: valid, handed over.
    drop(unsafe { DLPackArray::from_raw(t) }.unwrap());
    assert_eq!(calls.get(), 1);
}

#[test]
fn versions_1_x_are_accepted_and_other_majors_refused() {
    let mut data = [0.5f32; 2];
    for (major, minor, ok) in [
        (1, 0, true),
        (1, 1, true),
        (1, 3, true),
        (1, 99, true),
        (0, 8, false),
        (2, 0, false),
        (u32::MAX, 0, false),
    ] {
        let calls = Cell::new(0);
        let t = produce(
            &calls,
            DLDevice::CPU,
            data.as_mut_ptr().cast(),
            F32,
            &[2],
            None,
            0,
            0,
        );
        // SAFETY: ours until handed over.
        unsafe { (*t).version = DLPackVersion { major, minor } };
        if ok {
            // SAFETY: valid, handed over.
            drop(unsafe { DLPackArray::from_raw(t) }.unwrap());
            assert_eq!(calls.get(), 1);
        } else {
            let e = refused(t, &calls, ErrorKind::Unsupported);
            assert!(
                e.contains(&format!(
                    "DLPack version {major}.{minor} is not supported; expected 1.x"
                )),
                "{e}"
            );
        }
    }
}

#[test]
fn exports_say_1_3_and_always_carry_strides() {
    for t in [
        export(vec![1u8, 2, 3]).unwrap(),
        export(vec![[1u32; 2]; 2]).unwrap(),
        export(Vec::<f64>::new()).unwrap(),
    ] {
        // SAFETY: ours, handed to the consumer.
        let seen = unsafe { consume_metadata(t) };
        assert_eq!(seen.version, (DLPACK_VERSION.major, DLPACK_VERSION.minor));
        assert_eq!(seen.version, (1, 3));
        assert_eq!(seen.strides.len(), seen.shape.len());
    }
    let t = export_copy(vec![1i16, 2]).unwrap();
    // SAFETY: ours, handed over.
    let seen = unsafe { consume_metadata(t) };
    assert_eq!(seen.flags, DLPACK_FLAG_BITMASK_IS_COPIED);
}

const FP4: DLDataType = DLDataType {
    code: 17,
    bits: 4,
    lanes: 1,
};

#[test]
fn packed_sub_byte_tensors_are_read_as_bytes() {
    // Five FP4 values: 3 bytes; five FP6 values: 30 bits, 4 bytes.
    let mut bytes = [0x21u8, 0x43, 0x05, 0xff];
    let ptr: *mut c_void = bytes.as_mut_ptr().cast();
    for (dtype, shape, len) in [
        (FP4, &[5i64][..], 3),
        (FP4, &[2, 2], 2),
        (
            DLDataType {
                code: 15,
                bits: 6,
                lanes: 1,
            },
            &[5],
            4,
        ),
        (
            DLDataType {
                code: 16,
                bits: 6,
                lanes: 1,
            },
            &[1, 4, 1],
            3,
        ),
    ] {
        let calls = Cell::new(0);
        let t = produce(&calls, DLDevice::CPU, ptr, dtype, shape, None, 0, 0);
        // SAFETY: valid over `bytes`, handed over.
        let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
        assert!(a.packed().is_some_and(MiniFloat::is_sub_byte));
        assert_eq!(a.byte_len(), len);
        assert_eq!(a.try_array().unwrap_err().kind(), ErrorKind::Unsupported);
        let b = a.packed_bytes().unwrap();
        assert_eq!(b.to_vec::<u8>().unwrap(), &bytes[..len]);
        drop(b);
        drop(a);
        assert_eq!(calls.get(), 1);
    }
    // Strided packed elements are not byte-addressable.
    let calls = Cell::new(0);
    let t = produce(&calls, DLDevice::CPU, ptr, FP4, &[2], Some(&[2]), 0, 0);
    assert!(refused(t, &calls, ErrorKind::Layout).contains("must be C-contiguous"));
    // Padded: one element per byte, an array of items like any other.
    let calls = Cell::new(0);
    let padded = DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED;
    let t = produce(&calls, DLDevice::CPU, ptr, FP4, &[2], Some(&[2]), 0, padded);
    // SAFETY: valid over `bytes`, handed over.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.packed(), None);
    let v = a.array();
    assert_eq!(v.item(), &ItemType::mini_float(MiniFloat::Float4E2M1Fn));
    assert_eq!(
        v.cast_item(u8::item_type())
            .unwrap()
            .to_vec::<u8>()
            .unwrap(),
        [0x21, 0x05]
    );
    drop(a);
    assert_eq!(calls.get(), 1);
}

#[test]
fn hostile_sub_byte_and_fp8_data_types_are_refused() {
    let pages = Inaccessible::new(4096);
    // Huge packed shapes: bits overflow, or more elements than isize::MAX.
    for shape in [
        &[1i64 << 62][..],
        &[i64::MAX],
        &[1 << 40, 1 << 40],
        &[1 << 31, 1 << 31, 4],
    ] {
        let calls = Cell::new(0);
        let t = produce(&calls, cuda(0), pages.ptr, FP4, shape, None, 0, 0);
        refused(t, &calls, ErrorKind::Layout);
    }
    // Representable on a device: 2^61 FP4 values are 2^60 bytes, described, never read.
    let calls = Cell::new(0);
    let t = produce(&calls, cuda(0), pages.ptr, FP4, &[1 << 61], None, 0, 0);
    // SAFETY: valid, handed over.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.byte_len(), 1 << 60);
    drop(a);
    assert_eq!(calls.get(), 1);
    // Bits that do not match the code, vector lanes, codes past FP4.
    for (code, bits, lanes) in [
        (17u8, 8u8, 1u16),
        (15, 8, 1),
        (10, 4, 1),
        (14, 16, 1),
        (10, 8, 2),
        (12, 8, 0),
        (18, 8, 1),
    ] {
        let calls = Cell::new(0);
        let dtype = DLDataType { code, bits, lanes };
        let t = produce(&calls, cuda(0), pages.ptr, dtype, &[4], None, 0, 0);
        refused(t, &calls, ErrorKind::Format);
    }
}

#[test]
fn fp8_arrays_round_trip_and_sub_byte_exports_are_padded() {
    struct Bytes(Vec<u8>, MiniFloat);
    impl ArrayProducer for Bytes {
        fn try_array(&self) -> Result<ArrayView<'_>, array_protocol::Error> {
            ArrayView::from_slice(&self.0, &[self.0.len()])?.cast_item(ItemType::mini_float(self.1))
        }
    }
    for f in MiniFloat::ALL {
        let t = export(Bytes(vec![0x38, 0x40, 0x0f], f)).unwrap();
        // SAFETY: ours to read and hand over.
        let (dtype, flags) = unsafe { ((*t).dl_tensor.dtype, (*t).flags) };
        assert_eq!(
            (dtype.code, dtype.bits, dtype.lanes),
            (f.dlpack_code(), f.bits(), 1)
        );
        let padded = flags & DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED != 0;
        assert_eq!(padded, f.is_sub_byte(), "{f:?}");
        // SAFETY: valid, handed over.
        let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
        assert_eq!(a.array().item(), &ItemType::mini_float(f));
        assert_eq!(a.array().item().describe(), f.name());
        let bytes = a
            .array()
            .cast_item(u8::item_type())
            .unwrap()
            .to_vec::<u8>()
            .unwrap();
        assert_eq!(bytes, [0x38, 0x40, 0x0f]);
    }
}

#[cfg(feature = "float8")]
#[test]
fn float8_elements_cross_dlpack_typed() {
    use float8::{F8E4M3, F8E5M2};
    let values = vec![F8E4M3::from_f32(1.5), F8E4M3::from_f32(-448.0)];
    let t = export(values.clone()).unwrap();
    // SAFETY: ours to read and hand over.
    assert_eq!(unsafe { (*t).dl_tensor.dtype }.code, 10);
    // SAFETY: valid, handed over.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.array().to_vec::<F8E4M3>().unwrap(), values);
    assert!(a.array().typed::<F8E5M2>().is_err());
    let t = export(vec![F8E5M2::from_f32(0.25)]).unwrap();
    // SAFETY: valid, handed over.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.dtype().code, 12);
    assert_eq!(a.array().to_vec::<F8E5M2>().unwrap()[0].to_f32(), 0.25);
}

#[test]
fn packed_exports_round_trip_and_refuse_what_does_not_fit() {
    // Seven FP6 values: 42 bits, 6 bytes.
    let bytes: Vec<u8> = (1..=6).collect();
    let t = array_protocol::dlpack::export_packed(bytes.clone(), MiniFloat::Float6E3M2Fn, &[7])
        .unwrap();
    // SAFETY: ours to read and hand over.
    let (flags, strides) = unsafe { ((*t).flags, *(*t).dl_tensor.strides) };
    assert_eq!((flags, strides), (DLPACK_FLAG_BITMASK_READ_ONLY, 1));
    // SAFETY: valid, handed over.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.packed(), Some(MiniFloat::Float6E3M2Fn));
    assert_eq!(a.packed_bytes().unwrap().to_vec::<u8>().unwrap(), bytes);
    // Handed on packed: still packed, the same bytes.
    // SAFETY: the re-export is ours, handed over.
    let b = unsafe { DLPackArray::from_raw(a.into_export()) }.unwrap();
    assert_eq!(b.packed_bytes().unwrap().to_vec::<u8>().unwrap(), bytes);
    use array_protocol::dlpack::export_packed;
    let e = export_packed(vec![0u8; 5], MiniFloat::Float6E3M2Fn, &[7]).unwrap_err();
    assert!(e.to_string().contains("needs 6 contiguous u8 bytes"), "{e}");
    assert_eq!(
        export_packed(vec![0u8; 1], MiniFloat::Float8E5M2, &[1])
            .unwrap_err()
            .kind(),
        ErrorKind::ItemType
    );
    let e = export_packed(vec![0u8; 1], MiniFloat::Float4E2M1Fn, &[usize::MAX, 2]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Layout);
    // Empty: no bytes at all.
    let t = export_packed(Vec::<u8>::new(), MiniFloat::Float4E2M1Fn, &[0, 3]).unwrap();
    // SAFETY: valid, handed over.
    let a = unsafe { DLPackArray::from_raw(t) }.unwrap();
    assert_eq!(a.byte_len(), 0);
}
