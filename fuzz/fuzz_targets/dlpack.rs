//! Hostile `DLManagedTensorVersioned`s: any version, device, type (FP8/FP6/FP4 packed or
//! padded included), shape, strides, data pointer and byte offset. The import refuses with an
//! error or describes exactly the model's elements; a tensor on a device the CPU cannot address
//! is never read, and its re-export carries the same description; the deleter runs exactly
//! once whatever happens.
#![no_main]

use std::cell::Cell;
use std::ffi::c_void;

use array_protocol::dlpack::{
    DLDevice, DLManagedTensorVersioned, DLPackArray, DLTensor, DLPACK_VERSION,
};
use array_protocol::MiniFloat;
use array_protocol::{ArrayProducer, DLDataType};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

unsafe extern "C" fn count_delete(t: *mut DLManagedTensorVersioned) {
    // SAFETY: the context of every tensor built here is a live `Cell<usize>`.
    let calls = unsafe { &*(*t).manager_ctx.cast::<Cell<usize>>() };
    calls.set(calls.get() + 1);
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let mut storage = vec![0u64; 64];
    for w in &mut storage {
        *w = u.arbitrary()?;
    }
    let buffer: &mut [u8] = bytemuck::cast_slice_mut(&mut storage);
    let (base, buffer_len) = (buffer.as_mut_ptr(), buffer.len());
    let ndim: i32 = if u.ratio(1, 16)? {
        u.arbitrary()?
    } else {
        u.int_in_range(0..=4)?
    };
    let n = usize::try_from(ndim).unwrap_or(0).min(70);
    let mut shape = Vec::with_capacity(n);
    let mut strides = Vec::with_capacity(n);
    for _ in 0..n {
        shape.push(match u.int_in_range(0..=9)? {
            0..=6 => u.int_in_range(0..=5)?,
            7 => *u.choose(&[-1, i64::MIN, i64::MAX, 1 << 32, 1 << 62])?,
            _ => u.arbitrary()?,
        });
        strides.push(match u.int_in_range(0..=9)? {
            0..=6 => u.int_in_range(-8..=8)?,
            7 => *u.choose(&[i64::MIN, i64::MAX, 1 << 32, -(1 << 32), 1 << 61])?,
            _ => u.arbitrary()?,
        });
    }
    // Data inside the buffer (the import may read it), or a hostile address it must not
    // accept for reading: NULL, near 0, near the top of the address space.
    let in_buffer = u.ratio(3, 4)?;
    let data: *mut c_void = if in_buffer {
        base.wrapping_add(u.int_in_range(0..=buffer_len)?).cast()
    } else {
        (*u.choose(&[0usize, 1, 8, 4096, usize::MAX - 7, usize::MAX, 1 << 63])?) as *mut c_void
    };
    let byte_offset: u64 = match u.int_in_range(0..=5)? {
        0..=3 => u.int_in_range(0..=64)?,
        4 => *u.choose(&[u64::MAX, u64::MAX - 7, 1 << 63, 1 << 40])?,
        _ => u.arbitrary()?,
    };
    let dtype = if u.ratio(1, 8)? {
        DLDataType {
            code: u.arbitrary()?,
            bits: u.arbitrary()?,
            lanes: u.arbitrary()?,
        }
    } else {
        let (code, bits) = *u.choose(&[
            (0, 8),
            (0, 32),
            (1, 16),
            (2, 64),
            (2, 16),
            (5, 128),
            (6, 8),
            (4, 16),
            (7, 8),
            (10, 8),
            (12, 8),
            (14, 8),
            (15, 6),
            (16, 6),
            (17, 4),
            (17, 8),
            (10, 4),
        ])?;
        DLDataType {
            code,
            bits,
            lanes: 1,
        }
    };
    let calls = Cell::new(0usize);
    let mut tensor = DLManagedTensorVersioned {
        version: if u.ratio(1, 16)? {
            array_protocol::dlpack::DLPackVersion {
                major: u.arbitrary()?,
                minor: 0,
            }
        } else {
            DLPACK_VERSION
        },
        manager_ctx: std::ptr::from_ref(&calls).cast_mut().cast(),
        deleter: Some(count_delete),
        flags: u.arbitrary()?,
        dl_tensor: DLTensor {
            data,
            device: DLDevice {
                device_type: match u.int_in_range(0..=15)? {
                    0 => u.arbitrary()?,
                    // CUDA, CUDA host, ROCm, CUDA managed, OneAPI, Metal.
                    1..=5 => *u.choose(&[2, 3, 10, 13, 14, 8])?,
                    _ => 1,
                },
                device_id: if u.ratio(1, 16)? { u.arbitrary()? } else { 0 },
            },
            ndim,
            dtype,
            shape: if n == 0 && u.arbitrary()? {
                std::ptr::null_mut()
            } else {
                shape.as_mut_ptr()
            },
            strides: if u.arbitrary()? {
                std::ptr::null_mut()
            } else {
                strides.as_mut_ptr()
            },
            byte_offset,
        },
    };
    // `ndim` above 70 claims more entries than there are: the import must refuse it (more than
    // 64 axes) before reading any.
    // SAFETY: a tensor description whose pointers are valid for `ndim` entries; its data is
    // read only below, after checking it lies inside `buffer`.
    let imported = unsafe { DLPackArray::from_raw(&mut tensor) };
    match imported {
        Err(e) => {
            assert_eq!(calls.get(), 1, "deleter calls after the refusal {e}");
            let _ = e.to_string();
        }
        Ok(array) if !array.is_host_accessible() || array.packed().is_some() => {
            assert_eq!(calls.get(), 0, "deleter called on a tensor still held");
            described_only(array, &tensor, &calls);
        }
        Ok(array) => {
            assert_eq!(calls.get(), 0, "deleter called on a tensor still held");
            let v = array.try_array().expect("an imported tensor's view");
            let span = v.buffer();
            let (lo, len) = (span.as_ptr() as usize, span.len());
            assert!(len == 0 || lo != 0, "a non-empty span at address 0");
            assert!(
                lo.checked_add(len).is_some(),
                "a span wrapping the address space"
            );
            let inside = lo >= base as usize && lo + len <= base as usize + buffer_len;
            // Elements outside the buffer are this harness lying about its memory (the import
            // cannot know the allocation's size): not read.
            if len > 0 && inside {
                check_elements(&tensor.dl_tensor, &shape, &strides, &v, base);
            }
            drop(array);
            assert_eq!(calls.get(), 1, "deleter calls after dropping the import");
        }
    }
    Ok(())
}

/// A tensor the CPU cannot address, or packed FP6/FP4: refused as a view of items, described
/// as given, and handed on with the same description; its memory is never read.
fn described_only(array: DLPackArray, t: &DLManagedTensorVersioned, calls: &Cell<usize>) {
    let x = &t.dl_tensor;
    assert!(array.try_array().is_err(), "a view of device or packed memory");
    assert_eq!(array.device(), x.device);
    assert_eq!(array.data_ptr(), x.data);
    assert_eq!(array.byte_offset(), x.byte_offset);
    assert_eq!(array.dtype(), x.dtype);
    assert_eq!(array.shape().len(), x.ndim as usize);
    if let Some(f) = array.packed() {
        assert!(f.is_sub_byte());
        // An empty axis makes the others' product irrelevant (it may overflow).
        let count: usize = if array.shape().contains(&0) {
            0
        } else {
            array.shape().iter().product()
        };
        assert_eq!(array.byte_len(), (count * usize::from(f.bits())).div_ceil(8));
    } else {
        assert!(MiniFloat::from_dlpack_code(x.dtype.code).is_none_or(|f| !f.is_sub_byte())
            || t.flags & array_protocol::dlpack::DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED != 0);
    }
    let (shape, strides) = (array.shape().to_vec(), array.strides().to_vec());
    let again = array.into_export();
    // SAFETY: the re-export is ours; its shape and strides hold `ndim` entries.
    unsafe {
        let y = &(*again).dl_tensor;
        assert_eq!((y.data, y.device, y.byte_offset, y.dtype), (x.data, x.device, x.byte_offset, x.dtype));
        assert!(y.ndim == 0 || !y.strides.is_null());
        let n = y.ndim as usize;
        let s = std::slice::from_raw_parts(y.shape, n);
        assert!(s.iter().zip(&shape).all(|(&a, &b)| a as usize == b));
        assert_eq!(std::slice::from_raw_parts(y.strides, n), &strides[..]);
    }
    assert_eq!(calls.get(), 0, "deleter called by the re-export");
    // SAFETY: ours, released once: the chain runs the producer's deleter.
    unsafe { ((*again).deleter.expect("a deleter"))(again) };
    assert_eq!(calls.get(), 1, "deleter calls after releasing the re-export");
}

/// Each element of the view is where DLPack puts it: `data + byte_offset + Σ i_k × s_k × size`.
fn check_elements(
    t: &DLTensor,
    shape: &[i64],
    strides: &[i64],
    v: &array_protocol::ArrayView<'_>,
    base: *mut u8,
) {
    let size = v.itemsize() as i128;
    let n = t.ndim as usize;
    let dims: Vec<i128> = shape[..n].iter().map(|&d| d as i128).collect();
    let steps: Vec<i128> = if t.strides.is_null() {
        let mut s = vec![0i128; n];
        let mut step = 1i128;
        for k in (0..n).rev() {
            s[k] = step;
            step *= dims[k].max(1);
        }
        s
    } else {
        strides[..n].iter().map(|&s| s as i128).collect()
    };
    let first = t.data as usize as i128 + t.byte_offset as i128;
    let count: i128 = dims.iter().product();
    if count > 4096 {
        return;
    }
    let mut index = vec![0i128; n];
    let c = v
        .to_contiguous(array_protocol::Order::C)
        .expect("a small copy");
    for k in 0..count as usize {
        let addr = first
            + index
                .iter()
                .zip(&steps)
                .map(|(i, s)| i * s * size)
                .sum::<i128>();
        let at = (addr - base as usize as i128) as usize;
        // SAFETY: `addr` lies in the view's span, checked to be inside the buffer.
        let expected = unsafe { std::slice::from_raw_parts(base.add(at), size as usize) };
        assert_eq!(&c.bytes()[k * size as usize..][..size as usize], expected);
        for axis in (0..n).rev() {
            index[axis] += 1;
            if index[axis] < dims[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}
