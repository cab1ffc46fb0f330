//! DLPack's C ABI (feature `dlpack`): our own `#[repr(C)]` definitions of `dlpack.h` 1.x, export
//! of any producer as a `DLManagedTensorVersioned`, and import of one as an array.
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

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::c_void;

use crate::error::{error, Error};
use crate::item::dlpack::DLDataType;
use crate::layout::Unrepresentable;
use crate::{ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, ItemType};

/// `DLDevice`: the device type (CPU = 1, CUDA = 2, CUDA host = 3, …) and its index.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DLDevice {
    /// `DLDeviceType`.
    pub device_type: i32,
    /// The device's index (0 for the CPU).
    pub device_id: i32,
}

/// `DLDeviceType` kDLCPU.
pub const DL_CPU: i32 = 1;

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
    /// `ndim` strides in elements, or `NULL` for C order.
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

/// The DLPack version these definitions follow.
pub const DLPACK_VERSION: DLPackVersion = DLPackVersion { major: 1, minor: 1 };
/// The tensor's data must not be written.
pub const DLPACK_FLAG_BITMASK_READ_ONLY: u64 = 1;
/// The tensor was copied for the exchange.
pub const DLPACK_FLAG_BITMASK_IS_COPIED: u64 = 2;

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
    // SAFETY: `tensor` is the first field of a `Box<Export<P>>` leaked by `export`, and the
    // contract says the deleter runs once, so the box is reclaimed once.
    drop(unsafe { Box::from_raw(tensor.cast::<Export<P>>()) });
}

/// Exports `owner`'s array as a `DLManagedTensorVersioned` the caller now owns (it must call the
/// deleter once). Marked read-only: [`export_mut`] exports a writable one. Refused when DLPack
/// cannot carry the item type (records, strings, non-native byte order) or the strides are not
/// whole elements.
pub fn export<P: ArrayProducer + Send + 'static>(
    owner: P,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    build(
        owner,
        |o: &mut P| o.try_array().map(|v| parts(&v)),
        DLPACK_FLAG_BITMASK_READ_ONLY,
    )
}

/// As [`export`], writable: the consumer may write through the tensor.
pub fn export_mut<P: ArrayProducerMut + Send + 'static>(
    owner: P,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    build(
        owner,
        |o: &mut P| o.try_array_mut().map(|v| parts(&v.view())),
        0,
    )
}

/// Exports `view` as a tensor whose deleter drops `keep_alive`; `flags` as in
/// `DLPACK_FLAG_BITMASK_*`. For owners that cannot be moved into the export (a Python object's
/// contents, say).
///
/// # Safety
/// The memory `view` describes must stay valid, and unchanged by anyone but the tensor's
/// consumer, until `keep_alive` is dropped; with the read-only flag clear, the consumer may write
/// to it.
pub unsafe fn export_view<K: Send + 'static>(
    keep_alive: K,
    view: &ArrayView<'_>,
    flags: u64,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    let p = parts(view);
    build(keep_alive, move |_| Ok(p), flags)
}

#[cfg(feature = "python")]
/// What a tensor of a view says, computed once, for exporters that hand out the same memory many
/// times (a Python object's `__dlpack__`): [`export_described`] then only allocates the tensor.
pub(crate) struct Description {
    data: *mut c_void,
    dtype: DLDataType,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

#[cfg(feature = "python")]
impl Description {
    /// Refused as [`export`] refuses.
    pub(crate) fn of(view: &ArrayView<'_>) -> Result<Description, Error> {
        let p = parts(view);
        Ok(Description {
            data: p.data,
            dtype: p.dtype?,
            shape: p.shape?,
            strides: p.strides?,
        })
    }
}

#[cfg(feature = "python")]
/// A tensor whose shape and strides are borrowed from a [`Description`] kept alive by `K`.
#[repr(C)]
struct BorrowedExport<K> {
    managed: DLManagedTensorVersioned,
    keep_alive: K,
}

#[cfg(feature = "python")]
unsafe extern "C" fn delete_described<K>(tensor: *mut DLManagedTensorVersioned) {
    if tensor.is_null() {
        return;
    }
    // SAFETY: `tensor` is the first field of a `Box<BorrowedExport<K>>` leaked by
    // `export_described`, reclaimed once (the deleter runs once).
    drop(unsafe { Box::from_raw(tensor.cast::<BorrowedExport<K>>()) });
}

#[cfg(feature = "python")]
/// Exports the tensor `description` says as one the caller owns, whose deleter drops
/// `keep_alive`; one allocation.
///
/// # Safety
/// As [`export_view`], and `description` itself (its shape and strides, which the tensor points
/// at) stays alive and unchanged until `keep_alive` is dropped.
pub(crate) unsafe fn export_described<K: Send + 'static>(
    keep_alive: K,
    description: &Description,
    flags: u64,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    let ndim =
        i32::try_from(description.shape.len()).map_err(|_| error!(Layout, "too many axes"))?;
    let boxed = Box::new(BorrowedExport {
        managed: DLManagedTensorVersioned {
            version: DLPACK_VERSION,
            manager_ctx: core::ptr::null_mut(),
            deleter: Some(delete_described::<K>),
            flags,
            dl_tensor: DLTensor {
                data: description.data,
                device: DLDevice {
                    device_type: DL_CPU,
                    device_id: 0,
                },
                ndim,
                dtype: description.dtype,
                shape: description.shape.as_ptr().cast_mut(),
                strides: description.strides.as_ptr().cast_mut(),
                byte_offset: 0,
            },
        },
        keep_alive,
    });
    Ok(Box::into_raw(boxed).cast())
}

struct Parts {
    data: *mut c_void,
    dtype: Result<DLDataType, Error>,
    shape: Result<Vec<i64>, Error>,
    strides: Result<Vec<i64>, Error>,
}

fn parts(view: &ArrayView<'_>) -> Parts {
    let size = view.itemsize() as isize;
    let dtype = view
        .item()
        .to_dlpack()
        .ok_or_else(|| error!(ItemType, "DLPack cannot carry items of {}: it has no records, strings, long doubles or non-native byte orders", view.item().describe()));
    let strides = view
        .shape()
        .iter()
        .zip(view.strides())
        .enumerate()
        .map(|(axis, (&d, &s))| {
            if size == 0 || (s % size != 0 && d > 1) {
                return Err(error!(Layout, "stride {s} of axis {axis} is not a whole number of {size}-byte elements, which DLPack needs"));
            }
            Ok((s / size) as i64)
        })
        .collect();
    Parts {
        data: view.as_ptr().cast_mut().cast(),
        dtype,
        shape: view
            .shape()
            .iter()
            .map(|&d| {
                i64::try_from(d).map_err(|_| {
                    error!(Layout, "axis length {d} does not fit DLPack's int64 shape")
                })
            })
            .collect(),
        strides,
    }
}

fn build<P: Send + 'static>(
    owner: P,
    describe: impl FnOnce(&mut P) -> Result<Parts, Error>,
    flags: u64,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    let empty = DLTensor {
        data: core::ptr::null_mut(),
        device: DLDevice {
            device_type: DL_CPU,
            device_id: 0,
        },
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
    // Box first, then describe: the view's pointers must be those of the owner where it stays.
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
    let ndim = i32::try_from(shape.len()).map_err(|_| error!(Layout, "too many axes"))?;
    export.managed.dl_tensor.dtype = p.dtype?;
    export.strides = p.strides?;
    export.shape = shape;
    export.managed.dl_tensor.data = p.data;
    export.managed.dl_tensor.ndim = ndim;
    export.managed.dl_tensor.shape = export.shape.as_mut_ptr();
    export.managed.dl_tensor.strides = export.strides.as_mut_ptr();
    let raw = Box::into_raw(export);
    // SAFETY: `raw` is a live box; the context points at itself for consumers that want it.
    unsafe { (*raw).managed.manager_ctx = raw.cast() };
    Ok(raw.cast())
}

/// A `DLManagedTensorVersioned` taken over from a producer: an array producer (CPU tensors only)
/// that calls the tensor's deleter exactly once, when dropped.
pub struct DLPackArray {
    tensor: *mut DLManagedTensorVersioned,
    parts: Described,
}

/// What an imported tensor describes, validated before any [`DLPackArray`] (whose `Drop` calls
/// the deleter) exists.
struct Described {
    item: ItemType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    /// Where the elements lie.
    foreign: crate::layout::Foreign,
    read_only: bool,
}

impl Described {
    fn view(&self) -> Result<ArrayView<'_>, Error> {
        // SAFETY: the producer promises the elements are valid memory until the deleter runs,
        // which is after this borrow ends (the deleter runs when the owning `DLPackArray` drops,
        // or after validation, when no view is left); the span from the lowest to the highest
        // element is one allocation of its tensor.
        unsafe {
            self.foreign
                .view(self.item.clone(), &self.shape, &self.strides)
        }
    }
}

// SAFETY: the array owns the tensor (DLPack's contract hands ownership over), whose memory is
// plain bytes with no thread affinity on the CPU devices accepted.
unsafe impl Send for DLPackArray {}

impl Drop for DLPackArray {
    fn drop(&mut self) {
        // SAFETY: we own the tensor and this is the one call to its deleter: a `DLPackArray`
        // exists only for tensors that passed every check (`from_raw`), so no refusal path calls
        // the deleter for it as well.
        unsafe { call_deleter(self.tensor) }
    }
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

impl DLPackArray {
    /// Takes ownership of `tensor` and describes it as an array.
    ///
    /// Ownership passes to this function whatever the result, so the caller never calls the
    /// deleter itself: on success the returned array calls it once, when dropped; on refusal
    /// (non-CPU device, unsupported type, bad layout, NULL or wrapping data pointer) it has been
    /// called exactly once before the error is returned. A NULL `tensor` is refused with
    /// nothing to delete.
    ///
    /// # Safety
    /// `tensor` is a valid `DLManagedTensorVersioned` the caller owns (its deleter not yet
    /// called), whose `shape` (and `strides`, when not NULL) point at `ndim` values, describing
    /// memory that stays valid until the deleter runs; the caller gives up ownership whatever the
    /// result.
    pub unsafe fn from_raw(tensor: *mut DLManagedTensorVersioned) -> Result<DLPackArray, Error> {
        if tensor.is_null() {
            return Err(error!(Requirement, "a NULL DLManagedTensorVersioned"));
        }
        // SAFETY: the caller's contract. `describe` never calls the deleter and builds no
        // `DLPackArray`: on its error we still own the tensor, and delete it once here.
        let validated = unsafe { describe(tensor) }.and_then(|parts| match parts.view() {
            Ok(_) => Ok(parts),
            Err(e) => Err(e),
        });
        match validated {
            Ok(parts) => Ok(DLPackArray { tensor, parts }),
            Err(e) => {
                // SAFETY: we own it and nothing has called the deleter.
                unsafe { call_deleter(tensor) };
                Err(e)
            }
        }
    }

    /// Whether the producer marked the tensor read-only.
    pub fn is_read_only(&self) -> bool {
        self.parts.read_only
    }
}

/// Reads and checks the tensor's description; the view over it is validated by the caller.
///
/// # Safety
/// As for [`DLPackArray::from_raw`]; does not call the deleter.
unsafe fn describe(tensor: *mut DLManagedTensorVersioned) -> Result<Described, Error> {
    // SAFETY: `tensor` is valid per the caller.
    let m = unsafe { &*tensor };
    if m.version.major != 1 {
        return Err(error!(
            Unsupported,
            "DLPack version {}.{} is not supported; expected 1.x", m.version.major, m.version.minor
        ));
    }
    let t = &m.dl_tensor;
    if t.device.device_type != DL_CPU {
        let name = match t.device.device_type {
            2 => "CUDA",
            3 => "CUDA host",
            4 => "OpenCL",
            7 => "Vulkan",
            8 => "Metal",
            10 => "ROCm",
            _ => "a non-CPU device",
        };
        return Err(Unrepresentable::Device {
            name: alloc::format!(
                "{name} (type {}):{}",
                t.device.device_type,
                t.device.device_id
            ),
        }
        .into());
    }
    let item = ItemType::from_dlpack(t.dtype)?;
    let ndim = usize::try_from(t.ndim)
        .ok()
        .filter(|&n| n <= crate::MAX_NDIM)
        .ok_or_else(|| {
            error!(
                Layout,
                "ndim {} is not between 0 and {}",
                t.ndim,
                crate::MAX_NDIM
            )
        })?;
    if ndim > 0 && t.shape.is_null() {
        return Err(error!(Layout, "shape is NULL for a {ndim}-D tensor"));
    }
    let shape_raw = if ndim == 0 {
        &[][..]
    } else {
        // SAFETY: DLPack gives `ndim` shape entries (and strides when not NULL).
        unsafe { core::slice::from_raw_parts(t.shape, ndim) }
    };
    let shape = shape_raw
        .iter()
        .map(|&d| {
            usize::try_from(d)
                .map_err(|_| error!(Layout, "negative length {d} in shape {shape_raw:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let strides: Vec<isize> = if t.strides.is_null() || ndim == 0 {
        crate::layout::contiguous_strides(&shape, item.itemsize(), crate::Order::C)
            .ok_or_else(|| error!(Layout, "shape {shape:?} is too large"))?
            .to_vec()
    } else {
        // SAFETY: as above.
        let s = unsafe { core::slice::from_raw_parts(t.strides, ndim) };
        crate::layout::scaled_strides(s, item.itemsize())?.to_vec()
    };
    let read_only = m.flags & DLPACK_FLAG_BITMASK_READ_ONLY != 0;
    let empty = shape.contains(&0);
    // Checked on the address before any pointer arithmetic: NULL data and an offset that wraps
    // the address space are refused; `Foreign::locate` checks the elements around the first.
    if t.data.is_null() && !empty {
        return Err(error!(
            Layout,
            "the data pointer is NULL for a non-empty tensor (shape {shape:?})"
        ));
    }
    let data = t.data as usize;
    let first = if empty {
        core::ptr::null_mut()
    } else {
        let first = usize::try_from(t.byte_offset)
            .ok()
            .and_then(|off| data.checked_add(off))
            .ok_or_else(|| {
                error!(
                    Layout,
                    "data {data:#x} + byte_offset {} wraps around the address space", t.byte_offset
                )
            })?;
        // The producer's own pointer, moved inside its tensor (checked above not to wrap).
        (t.data as *mut u8).wrapping_add(first - data)
    };
    let foreign = crate::layout::Foreign::locate(first, &shape, &strides, item.itemsize())?;
    Ok(Described {
        item,
        shape,
        strides,
        foreign,
        read_only,
    })
}

impl DLPackArray {
    /// The view with the lifetime of the tensor's memory rather than of `&self`, for handles
    /// that keep the array beside it.
    ///
    /// # Safety
    /// The view is not used after this array is dropped (which calls the deleter).
    #[cfg(feature = "python")]
    pub(crate) unsafe fn detached_view(&self) -> Result<ArrayView<'static>, Error> {
        // SAFETY: as in `Described::view`, for as long as the caller's contract keeps the array.
        unsafe {
            self.parts.foreign.view(
                self.parts.item.clone(),
                &self.parts.shape,
                &self.parts.strides,
            )
        }
    }
}

impl ArrayProducer for DLPackArray {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        self.parts.view()
    }
}

impl ArrayProducerMut for DLPackArray {
    /// # Panics
    /// If the producer marked the tensor read-only; [`try_array_mut`](Self::try_array_mut)
    /// returns that as an error.
    fn array_mut(&mut self) -> ArrayViewMut<'_> {
        match self.try_array_mut() {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        let p = &mut self.parts;
        if p.read_only {
            return Err(error!(
                Requirement,
                "the DLPack producer marked this tensor read-only"
            ));
        }
        // SAFETY: as for `try_array`, borrowed uniquely through `&mut self`; the producer allows
        // writes (not read-only).
        let bytes = unsafe { p.foreign.bytes_mut() };
        ArrayViewMut::new(
            bytes,
            p.item.clone(),
            &p.shape,
            Some(&p.strides),
            p.foreign.offset(),
        )
    }
}
