//! DLPack's C ABI (feature `dlpack`): our own `#[repr(C)]` definitions of `dlpack.h` 1.3, export
//! of any producer as a `DLManagedTensorVersioned`, and import of one as an array — in CPU
//! memory, to read, or on any other device, to describe and hand on without touching its bytes.
//!
//! ```
//! use array_protocol::dlpack::{export, DLPackArray};
//! use array_protocol::ArrayProducer;
//!
//! let managed = export(vec![1.5f64, 2.5, 3.5])?; // owns the Vec until its deleter runs
//! // SAFETY: a valid tensor we own; it is handed over to the importer.
//! let array = unsafe { DLPackArray::from_raw(managed)? };
//! assert_eq!(array.array().to_vec::<f64>()?, [1.5, 2.5, 3.5]);
//! drop(array); // calls the deleter: the Vec is freed
//! # Ok::<(), array_protocol::Error>(())
//! ```
//!
//! An imported tensor is read as the bytes from its lowest to its highest element, so the
//! producer's memory between elements must be initialised (as it is for every array library's
//! own allocations); a tensor viewing one field of padded C structs is outside that.
//!
//! The ownership contract: whoever holds a `*mut DLManagedTensorVersioned` calls its `deleter`
//! exactly once, when done. [`export`] hands ownership to the caller. [`DLPackArray::from_raw`]
//! takes ownership whatever the result: the returned array calls the deleter when dropped, and a
//! refused import has called it, once, before returning the error, so the caller never calls it.
//! [`DLPackArray::into_export`] hands an imported tensor on: the new tensor owns the import,
//! and its deleter runs the producer's, once.
//!
//! # Versions
//! Exports say DLPack 1.3 ([`DLPACK_VERSION`]) and always carry strides (DLPack 1.2 requires
//! them whenever `ndim != 0`). Imports accept any 1.x (the ABI is that of 1.0; newer minors only
//! add codes) and read NULL strides as C order; another major version is refused before any
//! field past the flags is read, as `dlpack.h` says.
//!
//! # Devices
//! A tensor on a device other than the CPU imports as a device array: its description is
//! checked with arithmetic only (shape, strides, the extent and the address range), its bytes
//! are never read, and [`try_array`](crate::ArrayProducer::try_array) refuses it with
//! [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported). Memory the CPU can address
//! (`kDLCPU`, `kDLCUDAHost`, `kDLCUDAManaged`, `kDLROCMHost`) is viewed as host memory; the
//! consumer synchronises with the producer's streams first, as DLPack asks.
//!
//! # FP8, FP6 and FP4
//! The `kDLFloat8_*`, `kDLFloat6_*` and `kDLFloat4_*` codes read as
//! [`MiniFloat`](crate::MiniFloat) item types, one byte per element. FP6 and FP4 tensors are
//! *packed* by default in DLPack (`ceil(count × bits / 8)` bytes, the `i`-th element in bits
//! `i·bits ..` of the little bit-endian stream), *padded* (one element per byte) when the
//! producer sets [`DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED`]. A padded tensor is an array
//! like any other; a packed one must be C-contiguous and is read only as its bytes
//! ([`DLPackArray::packed_bytes`]), since no stride in bytes addresses its elements. Exports of
//! FP6/FP4 arrays are padded and say so; [`export_packed`] exports packed bytes.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::c_void;

use crate::error::{error, Error};
pub use crate::item::dlpack::DLDataType;

mod exchange;
mod export;
mod import;

pub use exchange::{
    DLPackCurrentWorkStream, DLPackDLTensorFromPyObjectNoSync, DLPackExchangeAPI,
    DLPackExchangeAPIHeader, DLPackManagedTensorAllocator, DLPackManagedTensorFromPyObjectNoSync,
    DLPackManagedTensorToPyObjectNoSync, EXCHANGE_API_CAPSULE_NAME,
};
pub use export::{export, export_copy, export_mut, export_packed, export_view};
pub use export::{export_described, Description};
pub use import::DLPackArray;

/// `DLDevice`: the device type (CPU = 1, CUDA = 2, CUDA host = 3, …) and its index.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DLDevice {
    /// `DLDeviceType`, one of the `DL_*` constants of this module.
    pub device_type: i32,
    /// The device's index (0 for the CPU, pinned and managed memory).
    pub device_id: i32,
}

/// `kDLCPU`.
pub const DL_CPU: i32 = 1;
/// `kDLCUDA`: memory of an NVIDIA GPU.
pub const DL_CUDA: i32 = 2;
/// `kDLCUDAHost`: CPU memory pinned by `cudaMallocHost`.
pub const DL_CUDA_HOST: i32 = 3;
/// `kDLOpenCL`.
pub const DL_OPENCL: i32 = 4;
/// `kDLVulkan`.
pub const DL_VULKAN: i32 = 7;
/// `kDLMetal`.
pub const DL_METAL: i32 = 8;
/// `kDLVPI`: a Verilog simulator's buffer.
pub const DL_VPI: i32 = 9;
/// `kDLROCM`: memory of an AMD GPU.
pub const DL_ROCM: i32 = 10;
/// `kDLROCMHost`: CPU memory pinned by `hipMallocHost`.
pub const DL_ROCM_HOST: i32 = 11;
/// `kDLExtDev`: reserved for extensions.
pub const DL_EXT_DEV: i32 = 12;
/// `kDLCUDAManaged`: unified memory from `cudaMallocManaged`, addressable by the CPU.
pub const DL_CUDA_MANAGED: i32 = 13;
/// `kDLOneAPI`: oneAPI unified shared memory.
pub const DL_ONEAPI: i32 = 14;
/// `kDLWebGPU`.
pub const DL_WEBGPU: i32 = 15;
/// `kDLHexagon`: a Qualcomm Hexagon DSP.
pub const DL_HEXAGON: i32 = 16;
/// `kDLMAIA`: Microsoft MAIA.
pub const DL_MAIA: i32 = 17;
/// `kDLTrn`: AWS Trainium.
pub const DL_TRN: i32 = 18;

impl DLDevice {
    /// The CPU, index 0.
    pub const CPU: DLDevice = DLDevice {
        device_type: DL_CPU,
        device_id: 0,
    };

    /// Whether the CPU can address the memory directly: `kDLCPU`, `kDLCUDAHost`,
    /// `kDLCUDAManaged` and `kDLROCMHost`. Only such tensors are viewed as arrays.
    ///
    /// ```
    /// use array_protocol::dlpack::{DLDevice, DL_CUDA, DL_CUDA_HOST};
    ///
    /// assert!(DLDevice { device_type: DL_CUDA_HOST, device_id: 0 }.is_host_accessible());
    /// assert!(!DLDevice { device_type: DL_CUDA, device_id: 1 }.is_host_accessible());
    /// ```
    pub const fn is_host_accessible(&self) -> bool {
        matches!(
            self.device_type,
            DL_CPU | DL_CUDA_HOST | DL_CUDA_MANAGED | DL_ROCM_HOST
        )
    }

    /// DLPack's name for the device type (`CUDA`, `ROCMHost`), or `None` for a code `dlpack.h`
    /// 1.3 does not define.
    pub const fn type_name(&self) -> Option<&'static str> {
        Some(match self.device_type {
            DL_CPU => "CPU",
            DL_CUDA => "CUDA",
            DL_CUDA_HOST => "CUDA host",
            DL_OPENCL => "OpenCL",
            DL_VULKAN => "Vulkan",
            DL_METAL => "Metal",
            DL_VPI => "VPI",
            DL_ROCM => "ROCm",
            DL_ROCM_HOST => "ROCm host",
            DL_EXT_DEV => "ExtDev",
            DL_CUDA_MANAGED => "CUDA managed",
            DL_ONEAPI => "OneAPI",
            DL_WEBGPU => "WebGPU",
            DL_HEXAGON => "Hexagon",
            DL_MAIA => "MAIA",
            DL_TRN => "Trainium",
            _ => return None,
        })
    }
}

impl core::fmt::Display for DLDevice {
    /// `CUDA (type 2):1`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = self.type_name().unwrap_or("an unknown device");
        write!(f, "{name} (type {}):{}", self.device_type, self.device_id)
    }
}

/// `DLTensor`: a strided array; strides in elements, `NULL` for C order.
#[repr(C)]
#[derive(Debug)]
pub struct DLTensor {
    /// The data pointer; the first element is at `data + byte_offset`.
    pub data: *mut c_void,
    /// Where the data lives.
    pub device: DLDevice,
    /// The number of axes.
    pub ndim: i32,
    /// The element type.
    pub dtype: DLDataType,
    /// `ndim` lengths.
    pub shape: *mut i64,
    /// `ndim` strides in elements, or `NULL` for C order (not allowed since DLPack 1.2 when
    /// `ndim != 0`, still accepted on import).
    pub strides: *mut i64,
    /// Bytes from `data` to the first element.
    pub byte_offset: u64,
}

/// `DLPackVersion`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DLPackVersion {
    /// Major version; 1 for this definition.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

/// The DLPack version these definitions follow, and that exports say: 1.3.
pub const DLPACK_VERSION: DLPackVersion = DLPackVersion { major: 1, minor: 3 };
/// The tensor's data must not be written.
pub const DLPACK_FLAG_BITMASK_READ_ONLY: u64 = 1;
/// The tensor was copied for the exchange: the consumer owns it alone until it calls the
/// deleter. [`export_copy`] sets it.
pub const DLPACK_FLAG_BITMASK_IS_COPIED: u64 = 2;
/// A tensor of a sub-byte type (FP6, FP4) holds one element per byte rather than packing them.
pub const DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED: u64 = 4;

/// `DLManagedTensorVersioned`: a tensor with its owner's context and deleter.
#[repr(C)]
#[derive(Debug)]
pub struct DLManagedTensorVersioned {
    /// The DLPack version of this struct.
    pub version: DLPackVersion,
    /// The owner's context, for the deleter.
    pub manager_ctx: *mut c_void,
    /// Frees the tensor; called exactly once by whoever holds it.
    pub deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    /// `DLPACK_FLAG_BITMASK_*`.
    pub flags: u64,
    /// The tensor.
    pub dl_tensor: DLTensor,
}

/// What an export keeps alive: the owner, the shape and strides the tensor points at.
/// `managed` is first so the deleter can find the box from the tensor's address.
#[repr(C)]
struct Export<P> {
    managed: DLManagedTensorVersioned,
    shape: Vec<i64>,
    strides: Vec<i64>,
    owner: P,
}

unsafe extern "C" fn delete_export<P>(tensor: *mut DLManagedTensorVersioned) {
    if tensor.is_null() {
        return;
    }
    // SAFETY: `tensor` is the first field of a `Box<Export<P>>` leaked by `build`, and the
    // contract says the deleter runs once, so the box is reclaimed once.
    drop(unsafe { Box::from_raw(tensor.cast::<Export<P>>()) });
}

/// What a tensor says, besides its owner: computed from the owner once it is boxed.
struct Parts {
    data: *mut c_void,
    device: DLDevice,
    byte_offset: u64,
    /// Flags the description itself implies (the sub-byte padded flag).
    extra_flags: u64,
    dtype: Result<DLDataType, Error>,
    shape: Result<Vec<i64>, Error>,
    strides: Result<Vec<i64>, Error>,
}

/// Boxes `owner`, describes it (`describe` sees it where it stays, so pointers into it stay
/// valid) and leaks the box as a tensor whose deleter drops it. Strides are always given.
fn build<P: Send + 'static>(
    owner: P,
    describe: impl FnOnce(&mut P) -> Result<Parts, Error>,
    flags: u64,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    let empty = DLTensor {
        data: core::ptr::null_mut(),
        device: DLDevice::CPU,
        ndim: 0,
        dtype: DLDataType {
            code: 0,
            bits: 0,
            lanes: 0,
        },
        shape: core::ptr::null_mut(),
        strides: core::ptr::null_mut(),
        byte_offset: 0,
    };
    let mut export = Box::new(Export {
        managed: DLManagedTensorVersioned {
            version: DLPACK_VERSION,
            manager_ctx: core::ptr::null_mut(),
            deleter: Some(delete_export::<P>),
            flags,
            dl_tensor: empty,
        },
        shape: Vec::new(),
        strides: Vec::new(),
        owner,
    });
    let p = describe(&mut export.owner)?;
    let shape = p.shape?;
    let strides = p.strides?;
    debug_assert_eq!(shape.len(), strides.len());
    let ndim = i32::try_from(shape.len()).map_err(|_| error!(Layout, "too many axes"))?;
    let dtype = p.dtype?;
    export.managed.flags |= p.extra_flags;
    export.managed.dl_tensor.dtype = dtype;
    export.strides = strides;
    export.shape = shape;
    export.managed.dl_tensor.data = p.data;
    export.managed.dl_tensor.device = p.device;
    export.managed.dl_tensor.byte_offset = p.byte_offset;
    export.managed.dl_tensor.ndim = ndim;
    // A Vec's pointer is never NULL, even when empty: strides are always given (DLPack 1.2).
    export.managed.dl_tensor.shape = export.shape.as_mut_ptr();
    export.managed.dl_tensor.strides = export.strides.as_mut_ptr();
    let raw = Box::into_raw(export);
    // SAFETY: `raw` is a live box; the context points at itself for consumers that want it.
    unsafe { (*raw).managed.manager_ctx = raw.cast() };
    Ok(raw.cast())
}

/// # Safety
/// The caller owns `tensor`, valid until its deleter runs, and calls this once.
unsafe fn call_deleter(tensor: *mut DLManagedTensorVersioned) {
    // SAFETY: the caller owns `tensor`, which is valid until its deleter runs.
    if let Some(deleter) = unsafe { (*tensor).deleter } {
        // SAFETY: as above; called once.
        unsafe { deleter(tensor) };
    }
}
