//! DLPack 1.3's C exchange API: the function table a Python tensor type publishes as its
//! `__dlpack_c_exchange_api__` attribute (a `PyCapsule` named `"dlpack_exchange_api"`), through
//! which a consumer takes tensors without a capsule or a Python call per tensor.
//!
//! These are the C definitions only; `array_protocol_python` publishes a table for its types
//! and uses a producer's table when it imports.

use core::ffi::{c_char, c_int, c_void};

use super::{DLManagedTensorVersioned, DLPackVersion, DLTensor};

/// `DLPackManagedTensorAllocator`: a new tensor of the prototype's `dtype`, `ndim`, `shape`
/// and `device`, owned by the caller; on failure `set_error(error_ctx, kind, message)` is
/// called exactly once (`kind` names a Python exception type, such as `"MemoryError"`) and the
/// result is non-zero. May be called without the GIL.
pub type DLPackManagedTensorAllocator = unsafe extern "C" fn(
    prototype: *mut DLTensor,
    out: *mut *mut DLManagedTensorVersioned,
    error_ctx: *mut c_void,
    set_error: Option<unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char)>,
) -> c_int;

/// `DLPackManagedTensorFromPyObjectNoSync`: the tensor of `py_object` (a `PyObject *` of the
/// type the table came from), owned by the caller; `0`, or non-zero with a Python exception set
/// (`BufferError` when DLPack cannot describe it). Called with the GIL held.
pub type DLPackManagedTensorFromPyObjectNoSync =
    unsafe extern "C" fn(py_object: *mut c_void, out: *mut *mut DLManagedTensorVersioned) -> c_int;

/// `DLPackDLTensorFromPyObjectNoSync`: fills `out` with a description of `py_object`'s tensor
/// that borrows from it until control returns to Python; `0`, or non-zero with a Python
/// exception set. Called with the GIL held.
pub type DLPackDLTensorFromPyObjectNoSync =
    unsafe extern "C" fn(py_object: *mut c_void, out: *mut DLTensor) -> c_int;

/// `DLPackCurrentWorkStream`: the producer's current stream on a device (`NULL` on the CPU);
/// `0`, or non-zero with a Python exception set.
pub type DLPackCurrentWorkStream = unsafe extern "C" fn(
    device_type: c_int,
    device_id: i32,
    out_current_stream: *mut *mut c_void,
) -> c_int;

/// `DLPackManagedTensorToPyObjectNoSync`: a new reference to a Python object of the table's type
/// owning `tensor` (ownership moves in, whatever the result); `0`, or non-zero with a Python
/// exception set. Called with the GIL held.
pub type DLPackManagedTensorToPyObjectNoSync = unsafe extern "C" fn(
    tensor: *mut DLManagedTensorVersioned,
    out_py_object: *mut *mut c_void,
) -> c_int;

/// `DLPackExchangeAPIHeader`: the part that stays the same in every version of the table. A
/// consumer checks `version.major` before reading further, and may walk `prev_api` to an older
/// table it knows.
#[repr(C)]
#[derive(Debug)]
pub struct DLPackExchangeAPIHeader {
    /// The DLPack version of the table that follows.
    pub version: DLPackVersion,
    /// An older table in the chain, or `NULL`.
    pub prev_api: *mut DLPackExchangeAPIHeader,
}

/// `DLPackExchangeAPI` (major version 1): the header and the producer's functions. Only
/// `dltensor_from_py_object_no_sync` may be `NULL`.
#[repr(C)]
#[derive(Debug)]
pub struct DLPackExchangeAPI {
    /// Version and chain.
    pub header: DLPackExchangeAPIHeader,
    /// Allocates a new tensor.
    pub managed_tensor_allocator: Option<DLPackManagedTensorAllocator>,
    /// Takes a tensor from a Python object.
    pub managed_tensor_from_py_object_no_sync: Option<DLPackManagedTensorFromPyObjectNoSync>,
    /// Makes a Python object of a tensor.
    pub managed_tensor_to_py_object_no_sync: Option<DLPackManagedTensorToPyObjectNoSync>,
    /// Describes a Python object's tensor without owning it (optional).
    pub dltensor_from_py_object_no_sync: Option<DLPackDLTensorFromPyObjectNoSync>,
    /// The producer's current stream on a device.
    pub current_work_stream: Option<DLPackCurrentWorkStream>,
}

// SAFETY: a table is plain function pointers and a pointer to an older table, which producers
// never change once published (DLPack: tables live for the process and are only read), so it
// may be shared and sent between threads.
unsafe impl Sync for DLPackExchangeAPI {}
// SAFETY: as above.
unsafe impl Send for DLPackExchangeAPI {}

/// The capsule name of `__dlpack_c_exchange_api__`.
pub const EXCHANGE_API_CAPSULE_NAME: &core::ffi::CStr = c"dlpack_exchange_api";

impl DLPackExchangeAPI {
    /// The table of major version 1 (this definition) in the chain that starts at `header`, if
    /// any: the first one, walking `prev_api` from newer tables.
    ///
    /// # Safety
    /// `header` is `NULL` or points at a valid table header whose chain of `prev_api` pointers is
    /// made of valid headers, all alive for as long as the result is used.
    pub unsafe fn find_v1<'a>(
        header: *const DLPackExchangeAPIHeader,
    ) -> Option<&'a DLPackExchangeAPI> {
        let mut h = header;
        // A chain is a handful of versions: a bound protects against a cycle.
        for _ in 0..16 {
            if h.is_null() {
                return None;
            }
            // SAFETY: non-NULL, valid by the caller's contract.
            let this = unsafe { &*h };
            if this.version.major == 1 {
                // SAFETY: a header of major version 1 starts a `DLPackExchangeAPI` (the header is its
                // first field, `#[repr(C)]`), valid by the caller's contract.
                return Some(unsafe { &*h.cast::<DLPackExchangeAPI>() });
            }
            h = this.prev_api;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    /// The layout of `dlpack.h` 1.3 on 64-bit targets: an 8-byte version, then six pointers.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn layout_matches_dlpack_h() {
        assert_eq!(size_of::<DLPackExchangeAPIHeader>(), 16);
        assert_eq!(offset_of!(DLPackExchangeAPI, managed_tensor_allocator), 16);
        assert_eq!(
            offset_of!(DLPackExchangeAPI, managed_tensor_from_py_object_no_sync),
            24
        );
        assert_eq!(
            offset_of!(DLPackExchangeAPI, managed_tensor_to_py_object_no_sync),
            32
        );
        assert_eq!(
            offset_of!(DLPackExchangeAPI, dltensor_from_py_object_no_sync),
            40
        );
        assert_eq!(offset_of!(DLPackExchangeAPI, current_work_stream), 48);
        assert_eq!(size_of::<DLPackExchangeAPI>(), 56);
    }

    #[test]
    fn finds_major_one_through_the_chain() {
        let v1 = DLPackExchangeAPI {
            header: DLPackExchangeAPIHeader {
                version: DLPackVersion { major: 1, minor: 3 },
                prev_api: core::ptr::null_mut(),
            },
            managed_tensor_allocator: None,
            managed_tensor_from_py_object_no_sync: None,
            managed_tensor_to_py_object_no_sync: None,
            dltensor_from_py_object_no_sync: None,
            current_work_stream: None,
        };
        let mut v2 = DLPackExchangeAPIHeader {
            version: DLPackVersion { major: 2, minor: 0 },
            prev_api: (&raw const v1.header).cast_mut(),
        };
        // SAFETY: valid headers on the stack.
        let found = unsafe { DLPackExchangeAPI::find_v1(&raw const v2) }
            .map(|t| t as *const DLPackExchangeAPI);
        assert_eq!(found, Some(&raw const v1));
        v2.prev_api = core::ptr::null_mut();
        // SAFETY: as above.
        assert!(unsafe { DLPackExchangeAPI::find_v1(&raw const v2) }.is_none());
        // SAFETY: NULL is allowed.
        assert!(unsafe { DLPackExchangeAPI::find_v1(core::ptr::null()) }.is_none());
        // A cycle of major-2 headers ends.
        let mut cyc = DLPackExchangeAPIHeader {
            version: DLPackVersion { major: 2, minor: 0 },
            prev_api: core::ptr::null_mut(),
        };
        cyc.prev_api = &raw mut cyc;
        // SAFETY: a valid (cyclic) header.
        assert!(unsafe { DLPackExchangeAPI::find_v1(&raw const cyc) }.is_none());
    }
}
