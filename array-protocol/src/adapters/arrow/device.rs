//! The Arrow C device data interface: `ArrowDeviceArray` (an `ArrowArray` and the device its
//! buffers live on) and `ArrowDeviceArrayStream`, as `arrow/c/abi.h` defines them.

use core::ffi::{c_char, c_int, c_void};

use super::{ArrowArray, ArrowSchema};

/// `ARROW_DEVICE_CPU`: memory the CPU addresses.
pub const ARROW_DEVICE_CPU: i32 = 1;
/// `ARROW_DEVICE_CUDA`: memory of an NVIDIA GPU.
pub const ARROW_DEVICE_CUDA: i32 = 2;
/// `ARROW_DEVICE_CUDA_HOST`: CPU memory pinned by `cudaMallocHost`.
pub const ARROW_DEVICE_CUDA_HOST: i32 = 3;
/// `ARROW_DEVICE_OPENCL`.
pub const ARROW_DEVICE_OPENCL: i32 = 4;
/// `ARROW_DEVICE_VULKAN`.
pub const ARROW_DEVICE_VULKAN: i32 = 7;
/// `ARROW_DEVICE_METAL`.
pub const ARROW_DEVICE_METAL: i32 = 8;
/// `ARROW_DEVICE_VPI`.
pub const ARROW_DEVICE_VPI: i32 = 9;
/// `ARROW_DEVICE_ROCM`: memory of an AMD GPU.
pub const ARROW_DEVICE_ROCM: i32 = 10;
/// `ARROW_DEVICE_ROCM_HOST`: CPU memory pinned by `hipMallocHost`.
pub const ARROW_DEVICE_ROCM_HOST: i32 = 11;
/// `ARROW_DEVICE_EXT_DEV`: reserved for extensions.
pub const ARROW_DEVICE_EXT_DEV: i32 = 12;
/// `ARROW_DEVICE_CUDA_MANAGED`: unified memory, addressable by the CPU.
pub const ARROW_DEVICE_CUDA_MANAGED: i32 = 13;
/// `ARROW_DEVICE_ONEAPI`.
pub const ARROW_DEVICE_ONEAPI: i32 = 14;
/// `ARROW_DEVICE_WEBGPU`.
pub const ARROW_DEVICE_WEBGPU: i32 = 15;
/// `ARROW_DEVICE_HEXAGON`.
pub const ARROW_DEVICE_HEXAGON: i32 = 16;

/// Whether the CPU addresses memory of `device_type` directly (the CPU, CUDA and ROCm pinned
/// host memory, CUDA managed memory): only such arrays are viewed in place. The device codes
/// are DLPack's.
pub const fn is_host_accessible(device_type: i32) -> bool {
    matches!(
        device_type,
        ARROW_DEVICE_CPU
            | ARROW_DEVICE_CUDA_HOST
            | ARROW_DEVICE_CUDA_MANAGED
            | ARROW_DEVICE_ROCM_HOST
    )
}

/// A name for an Arrow device type in messages (`"CUDA"`, `"device type 42"`).
pub(super) fn device_name(device_type: i32) -> alloc::string::String {
    let name = match device_type {
        ARROW_DEVICE_CPU => "CPU",
        ARROW_DEVICE_CUDA => "CUDA",
        ARROW_DEVICE_CUDA_HOST => "CUDA host",
        ARROW_DEVICE_OPENCL => "OpenCL",
        ARROW_DEVICE_VULKAN => "Vulkan",
        ARROW_DEVICE_METAL => "Metal",
        ARROW_DEVICE_VPI => "VPI",
        ARROW_DEVICE_ROCM => "ROCm",
        ARROW_DEVICE_ROCM_HOST => "ROCm host",
        ARROW_DEVICE_EXT_DEV => "an extension device",
        ARROW_DEVICE_CUDA_MANAGED => "CUDA managed",
        ARROW_DEVICE_ONEAPI => "oneAPI",
        ARROW_DEVICE_WEBGPU => "WebGPU",
        ARROW_DEVICE_HEXAGON => "Hexagon",
        other => return alloc::format!("device type {other}"),
    };
    name.into()
}

/// `struct ArrowDeviceArray`: an [`ArrowArray`] whose buffers live on a device, the device, and
/// an event to wait on before reading them (NULL when none is needed).
///
/// The structure itself, the array's structure and its buffer pointers are in CPU memory; the
/// buffers they point at are on the device. Dropping it releases the array (through
/// [`ArrowArray`]'s `Drop`).
#[repr(C)]
#[derive(Debug)]
pub struct ArrowDeviceArray {
    /// The array, whose buffers are on the device.
    pub array: ArrowArray,
    /// Which device of its type (`-1` for the CPU, which has one).
    pub device_id: i64,
    /// `ARROW_DEVICE_*`: the type of device that can access the buffers.
    pub device_type: i32,
    /// A device event (`cudaEvent_t*` for CUDA) to synchronise on before using the buffers, or
    /// NULL.
    pub sync_event: *mut c_void,
    /// Reserved: zero.
    pub reserved: [i64; 3],
}

impl ArrowDeviceArray {
    /// A released structure: what a consumer hands a producer to fill.
    pub const fn released() -> ArrowDeviceArray {
        ArrowDeviceArray {
            array: ArrowArray::released(),
            device_id: 0,
            device_type: 0,
            sync_event: core::ptr::null_mut(),
            reserved: [0; 3],
        }
    }

    /// `array` on the CPU (`device_type` CPU, `device_id` -1, no event), as a CPU producer
    /// hands out an array through the device interface.
    pub const fn cpu(array: ArrowArray) -> ArrowDeviceArray {
        ArrowDeviceArray {
            array,
            device_id: -1,
            device_type: ARROW_DEVICE_CPU,
            sync_event: core::ptr::null_mut(),
            reserved: [0; 3],
        }
    }

    /// Whether the array has been released (or moved away).
    pub fn is_released(&self) -> bool {
        self.array.is_released()
    }
}

impl Default for ArrowDeviceArray {
    fn default() -> ArrowDeviceArray {
        ArrowDeviceArray::released()
    }
}

/// `struct ArrowDeviceArrayStream`: a producer of a sequence of [`ArrowDeviceArray`]s of one
/// schema on one device type.
///
/// Dropping it calls `release` when that is not NULL.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowDeviceArrayStream {
    /// The device type every array of the stream is on.
    pub device_type: i32,
    /// Writes the stream's schema; 0 on success, an `errno` code otherwise.
    pub get_schema:
        Option<unsafe extern "C" fn(*mut ArrowDeviceArrayStream, *mut ArrowSchema) -> c_int>,
    /// Writes the next array (a released one at the end); 0 on success, an `errno` code
    /// otherwise.
    pub get_next:
        Option<unsafe extern "C" fn(*mut ArrowDeviceArrayStream, *mut ArrowDeviceArray) -> c_int>,
    /// The description of the last error, NUL-terminated, or NULL.
    pub get_last_error: Option<unsafe extern "C" fn(*mut ArrowDeviceArrayStream) -> *const c_char>,
    /// Releases the stream; NULL once released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowDeviceArrayStream)>,
    /// The producer's bookkeeping.
    pub private_data: *mut c_void,
}

impl ArrowDeviceArrayStream {
    /// A released structure (every pointer NULL).
    pub const fn released() -> ArrowDeviceArrayStream {
        ArrowDeviceArrayStream {
            device_type: 0,
            get_schema: None,
            get_next: None,
            get_last_error: None,
            release: None,
            private_data: core::ptr::null_mut(),
        }
    }

    /// Whether the stream has been released (or moved away): `release` is NULL.
    pub fn is_released(&self) -> bool {
        self.release.is_none()
    }
}

impl Default for ArrowDeviceArrayStream {
    fn default() -> ArrowDeviceArrayStream {
        ArrowDeviceArrayStream::released()
    }
}

impl Drop for ArrowDeviceArrayStream {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: a live stream owned by this value (moves mark their source released); the
            // callback releases it once and sets `release` to NULL.
            unsafe { release(self) };
        }
    }
}
