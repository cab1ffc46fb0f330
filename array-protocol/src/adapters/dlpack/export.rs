//! Exports: any producer's array as a `DLManagedTensorVersioned` on the CPU.

use alloc::vec::Vec;
use core::ffi::c_void;

use super::{
    build, DLManagedTensorVersioned, Parts, DLPACK_FLAG_BITMASK_IS_COPIED,
    DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED, DLPACK_FLAG_BITMASK_READ_ONLY,
};
use super::{DLDevice, DLTensor, DLPACK_VERSION};
use crate::error::{error, Error};
use crate::item::dlpack::DLDataType;
use crate::item::{ItemType, MiniFloat};
use crate::{ArrayProducer, ArrayProducerMut, ArrayView, Element};

/// Exports `owner`'s array as a `DLManagedTensorVersioned` the caller now owns (it must call the
/// deleter once). Marked read-only: [`export_mut`] exports a writable one. Refused when DLPack
/// cannot carry the item type (records, strings, non-native byte order) or the strides are not
/// whole elements. FP6 and FP4 arrays (one element per byte in the item model) are marked
/// [`DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED`].
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

/// As [`export_mut`], for an array made for this exchange (a copy the producer owns no other
/// reference to): marked [`DLPACK_FLAG_BITMASK_IS_COPIED`], so the consumer knows it holds the
/// only reference and may write without disturbing anyone. What `__dlpack__(copy=True)` returns.
///
/// ```
/// use array_protocol::dlpack::{export_copy, DLPackArray, DLPACK_FLAG_BITMASK_IS_COPIED};
///
/// let copied = vec![1u8, 2, 3];
/// let t = export_copy(copied)?;
/// // SAFETY: just exported; read, then handed to the importer.
/// assert_ne!(unsafe { (*t).flags } & DLPACK_FLAG_BITMASK_IS_COPIED, 0);
/// // SAFETY: as above.
/// let a = unsafe { DLPackArray::from_raw(t)? };
/// assert!(a.is_copied() && !a.is_read_only());
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub fn export_copy<P: ArrayProducerMut + Send + 'static>(
    owner: P,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    build(
        owner,
        |o: &mut P| o.try_array_mut().map(|v| parts(&v.view())),
        DLPACK_FLAG_BITMASK_IS_COPIED,
    )
}

/// Exports `owner`'s bytes as a packed FP6/FP4 tensor of `shape` (DLPack's default for sub-byte
/// types): the array must be `ceil(count × bits / 8)` contiguous bytes (`u8` items), element
/// `i` in C order in bits `i·bits ..` of them, least significant bit first. Marked read-only.
///
/// ```
/// use array_protocol::dlpack::{export_packed, DLPackArray};
/// use array_protocol::MiniFloat;
///
/// // Five FP4 values in three bytes (the last half-byte unused).
/// let t = export_packed(vec![0x21u8, 0x43, 0x05], MiniFloat::Float4E2M1Fn, &[5])?;
/// // SAFETY: a valid tensor we own, handed over.
/// let a = unsafe { DLPackArray::from_raw(t)? };
/// assert_eq!((a.packed(), a.shape()), (Some(MiniFloat::Float4E2M1Fn), &[5][..]));
/// assert_eq!(a.packed_bytes()?.to_vec::<u8>()?, [0x21, 0x43, 0x05]);
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub fn export_packed<P: ArrayProducer + Send + 'static>(
    owner: P,
    format: MiniFloat,
    shape: &[usize],
) -> Result<*mut DLManagedTensorVersioned, Error> {
    if !format.is_sub_byte() {
        return Err(error!(
            ItemType,
            "{} takes a whole byte per element and is never packed; export an array of it",
            format.name()
        ));
    }
    let count = if shape.contains(&0) {
        Some(0)
    } else {
        crate::layout::checked_product(1usize, shape)
    };
    let bytes = count
        .filter(|&n| n <= isize::MAX as usize)
        .and_then(|n| n.checked_mul(usize::from(format.bits())))
        .map(|bits| bits.div_ceil(8))
        .ok_or_else(|| error!(Layout, "shape {shape:?} of {} is too large", format.name()))?;
    let dims = shape
        .iter()
        .map(|&d| {
            i64::try_from(d)
                .map_err(|_| error!(Layout, "axis length {d} does not fit DLPack's int64 shape"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut strides = alloc::vec![0i64; dims.len()];
    let mut step = 1i64;
    for k in (0..dims.len()).rev() {
        strides[k] = step;
        step = step.saturating_mul(dims[k].max(1));
    }
    let dtype = DLDataType {
        code: format.dlpack_code(),
        bits: format.bits(),
        lanes: 1,
    };
    build(
        owner,
        move |o: &mut P| {
            let v = o.try_array()?;
            if v.item() != &u8::item_type() || !v.is_c_contiguous() || v.len() != bytes {
                return Err(error!(
                    Requirement,
                    "a packed tensor of {count} {} values needs {bytes} contiguous u8 bytes; \
                     found {} items of {} (shape {:?})",
                    format.name(),
                    v.len(),
                    v.item().describe(),
                    v.shape(),
                    count = count.unwrap_or(0)
                ));
            }
            Ok(Parts {
                data: v.as_ptr().cast_mut().cast(),
                device: super::DLDevice::CPU,
                byte_offset: 0,
                extra_flags: 0,
                dtype: Ok(dtype),
                shape: Ok(dims),
                strides: Ok(strides),
            })
        },
        DLPACK_FLAG_BITMASK_READ_ONLY,
    )
}

/// Exports `view` as a tensor whose deleter drops `keep_alive`; `flags` as in
/// `DLPACK_FLAG_BITMASK_*` (the sub-byte padded flag is added for FP6/FP4 items).
/// For owners that cannot be moved into the export (a Python object's contents, say).
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

/// The padded flag for a data type of a sub-byte [`MiniFloat`] (the item model holds one per
/// byte), else nothing.
fn padding_flag(dtype: &Result<DLDataType, Error>) -> u64 {
    match dtype {
        Ok(dt) if MiniFloat::from_dlpack_code(dt.code).is_some_and(MiniFloat::is_sub_byte) => {
            DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED
        }
        _ => 0,
    }
}

/// What a tensor of a view says, computed once, for exporters that hand out the same memory many
/// times (a Python object's `__dlpack__`): [`export_described`] then only allocates the tensor.
pub struct Description {
    data: *mut c_void,
    device: DLDevice,
    dtype: DLDataType,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

impl Description {
    /// Refused as [`export`] refuses.
    pub fn of(view: &ArrayView<'_>) -> Result<Description, Error> {
        let p = parts(view);
        Ok(Description {
            data: p.data,
            device: DLDevice::CPU,
            dtype: p.dtype?,
            shape: p.shape?,
            strides: p.strides?,
        })
    }

    /// The description of memory on `device` that is only passed on, never read here: the
    /// first element at `first`, `shape`, byte `strides`, items of `item`. Refused as
    /// [`of`](Self::of) refuses (items DLPack has no type for, strides that are not whole
    /// elements, lengths past `int64`). Nothing is checked about the memory itself: a consumer
    /// of the exported tensor relies on the caller's own validation of the span (as
    /// [`Foreign::locate`](crate::layout::Foreign::locate) does it).
    pub fn from_raw_parts(
        first: *mut u8,
        item: &ItemType,
        shape: &[usize],
        strides: &[isize],
        device: DLDevice,
    ) -> Result<Description, Error> {
        crate::layout::same_rank(shape, strides)?;
        let size = item.itemsize();
        let dtype = item.to_dlpack().ok_or_else(|| error!(ItemType, "DLPack cannot carry items of {}: it has no records, strings, long doubles or non-native byte orders", item.describe()))?;
        let strides = crate::layout::element_strides(shape, strides, size)
            .map(|s| s.iter().map(|&s| s as i64).collect())
            .map_err(|axis| {
                let s = strides.get(axis).copied().unwrap_or(0);
                error!(Layout, "stride {s} of axis {axis} is not a whole number of {size}-byte elements, which DLPack needs")
            })?;
        let shape = shape
            .iter()
            .map(|&d| {
                i64::try_from(d).map_err(|_| {
                    error!(Layout, "axis length {d} does not fit DLPack's int64 shape")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Description {
            data: first.cast(),
            device,
            dtype,
            shape,
            strides,
        })
    }

    /// The flags the description implies (padded sub-byte items), which a bare `DLTensor`
    /// cannot carry.
    pub fn implied_flags(&self) -> u64 {
        padding_flag(&Ok(self.dtype))
    }

    /// The tensor this describes, borrowing its shape and strides from `self`.
    pub fn dl_tensor(&self) -> Result<DLTensor, Error> {
        Ok(DLTensor {
            data: self.data,
            device: self.device,
            ndim: i32::try_from(self.shape.len()).map_err(|_| error!(Layout, "too many axes"))?,
            dtype: self.dtype,
            shape: self.shape.as_ptr().cast_mut(),
            strides: self.strides.as_ptr().cast_mut(),
            byte_offset: 0,
        })
    }
}

/// A tensor whose shape and strides are borrowed from a [`Description`] kept alive by `K`.
#[repr(C)]
struct BorrowedExport<K> {
    managed: DLManagedTensorVersioned,
    keep_alive: K,
}

unsafe extern "C" fn delete_described<K>(tensor: *mut DLManagedTensorVersioned) {
    if tensor.is_null() {
        return;
    }
    // SAFETY: `tensor` is the first field of a `Box<BorrowedExport<K>>` leaked by
    // `export_described`, reclaimed once (the deleter runs once).
    drop(unsafe { alloc::boxed::Box::from_raw(tensor.cast::<BorrowedExport<K>>()) });
}

/// Exports the tensor `description` says as one the caller owns, whose deleter drops
/// `keep_alive`; one allocation.
///
/// # Safety
/// As [`export_view`], and `description` itself (its shape and strides, which the tensor points
/// at) stays alive and unchanged until `keep_alive` is dropped.
pub unsafe fn export_described<K: Send + 'static>(
    keep_alive: K,
    description: &Description,
    flags: u64,
) -> Result<*mut DLManagedTensorVersioned, Error> {
    let boxed = alloc::boxed::Box::new(BorrowedExport {
        managed: DLManagedTensorVersioned {
            version: DLPACK_VERSION,
            manager_ctx: core::ptr::null_mut(),
            deleter: Some(delete_described::<K>),
            flags: flags | padding_flag(&Ok(description.dtype)),
            dl_tensor: description.dl_tensor()?,
        },
        keep_alive,
    });
    Ok(alloc::boxed::Box::into_raw(boxed).cast())
}

fn parts(view: &ArrayView<'_>) -> Parts {
    let size = view.itemsize() as isize;
    let dtype = view
        .item()
        .to_dlpack()
        .ok_or_else(|| error!(ItemType, "DLPack cannot carry items of {}: it has no records, strings, long doubles or non-native byte orders", view.item().describe()));
    let strides = crate::layout::element_strides(view.shape(), view.strides(), view.itemsize())
        .map(|s| s.iter().map(|&s| s as i64).collect())
        .map_err(|axis| {
            let s = view.strides().get(axis).copied().unwrap_or(0);
            error!(Layout, "stride {s} of axis {axis} is not a whole number of {size}-byte elements, which DLPack needs")
        });
    let shape = view
        .shape()
        .iter()
        .map(|&d| {
            i64::try_from(d)
                .map_err(|_| error!(Layout, "axis length {d} does not fit DLPack's int64 shape"))
        })
        .collect::<Result<Vec<_>, _>>();
    Parts {
        data: view.as_ptr().cast_mut().cast(),
        device: super::DLDevice::CPU,
        byte_offset: 0,
        extra_flags: padding_flag(&dtype),
        dtype,
        shape,
        strides,
    }
}
