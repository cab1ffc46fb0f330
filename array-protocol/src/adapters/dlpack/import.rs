//! Imports: a `DLManagedTensorVersioned` taken over, on any device; validated before it is
//! owned by a [`DLPackArray`], whose `Drop` calls the deleter.

use alloc::vec::Vec;
use core::ffi::c_void;

use super::{
    build, call_deleter, DLDevice, DLManagedTensorVersioned, Parts, DLPACK_FLAG_BITMASK_IS_COPIED,
    DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED, DLPACK_FLAG_BITMASK_READ_ONLY,
};
use crate::error::{error, Error};
use crate::item::dlpack::DLDataType;
use crate::item::{MiniFloat, ScalarKind};
use crate::layout::{Foreign, Unrepresentable};
use crate::{ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, Element, ItemType};

/// A `DLManagedTensorVersioned` taken over from a producer, on any device; calls the tensor's
/// deleter exactly once, when dropped (or hands that duty on, with
/// [`into_export`](Self::into_export)).
///
/// Its description ([`device`](Self::device), [`shape`](Self::shape),
/// [`strides`](Self::strides), [`byte_offset`](Self::byte_offset), [`item`](Self::item)) was
/// checked with arithmetic only. Its elements are viewed through
/// [`ArrayProducer::try_array`] only when the CPU can address them
/// ([`DLDevice::is_host_accessible`]) and they are byte-addressable (not packed FP6/FP4);
/// otherwise `try_array` refuses with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)
/// and nothing reads the memory.
///
/// ```
/// use array_protocol::dlpack::{export, DLPackArray, DLDevice};
///
/// let t = export(vec![[1i32, 2], [3, 4], [5, 6]])?;
/// // SAFETY: a valid tensor we own, handed over.
/// let a = unsafe { DLPackArray::from_raw(t)? };
/// assert_eq!((a.device(), a.shape(), a.strides()), (DLDevice::CPU, &[3, 2][..], &[2, 1][..]));
/// assert!(a.is_host_accessible() && a.is_aligned());
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub struct DLPackArray {
    tensor: *mut DLManagedTensorVersioned,
    parts: Described,
}

/// What an imported tensor describes, validated before any [`DLPackArray`] exists.
struct Described {
    item: ItemType,
    dtype: DLDataType,
    device: DLDevice,
    data: *mut c_void,
    byte_offset: u64,
    flags: u64,
    shape: Vec<usize>,
    /// In elements, as the producer gave them (C order when it gave none).
    element_strides: Vec<i64>,
    /// In bytes; empty for a packed tensor, whose elements have no byte stride.
    strides: Vec<isize>,
    /// Where the elements (or a packed tensor's bytes) lie; located by arithmetic, read only
    /// for host-accessible devices.
    foreign: Foreign,
    /// The sub-byte format of a packed tensor.
    packed: Option<MiniFloat>,
}

impl Described {
    /// Refuses what no view of items may read: memory the CPU cannot address, packed elements.
    fn check_viewable(&self) -> Result<(), Error> {
        if !self.device.is_host_accessible() {
            return Err(Unrepresentable::Device {
                name: alloc::format!("{}", self.device),
            }
            .into());
        }
        if let Some(f) = self.packed {
            return Err(error!(
                Unsupported,
                "the tensor packs {} (a {}-bit type) several to a byte, so no view of items \
                 addresses them; read its bytes with packed_bytes(), or have the producer set \
                 DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED (one element per byte)",
                f.name(),
                f.bits()
            ));
        }
        Ok(())
    }

    fn view(&self) -> Result<ArrayView<'_>, Error> {
        self.check_viewable()?;
        // SAFETY: the CPU can address the memory (checked above); the producer promises the
        // elements are valid memory until the deleter runs, which is after this borrow ends
        // (the deleter runs when the owning `DLPackArray` drops, or after validation, when no
        // view is left); the span from the lowest to the highest element is one allocation of
        // its tensor.
        unsafe {
            crate::ArrayView::from_foreign(
                &self.foreign,
                self.item.clone(),
                &self.shape,
                &self.strides,
            )
        }
    }
}

// SAFETY: the array owns the tensor (DLPack's contract hands ownership over). Host memory is
// plain bytes with no thread affinity; device memory is never dereferenced here, only described
// and handed on, and the deleter is DLPack's to be callable from any thread.
unsafe impl Send for DLPackArray {}
// SAFETY: `&DLPackArray` only reads the description and gives read-only views of host memory.
unsafe impl Sync for DLPackArray {}

impl Drop for DLPackArray {
    fn drop(&mut self) {
        // SAFETY: we own the tensor and this is the one call to its deleter: a `DLPackArray`
        // exists only for tensors that passed every check (`from_raw`), so no refusal path calls
        // the deleter for it as well, and `into_export` moves the array into the export whose
        // deleter drops it once.
        unsafe { call_deleter(self.tensor) }
    }
}

impl DLPackArray {
    /// Takes ownership of `tensor` and describes it.
    ///
    /// Ownership passes to this function whatever the result, so the caller never calls the
    /// deleter itself: on success the returned array calls it once, when dropped; on refusal
    /// (major version other than 1, invalid device, unsupported type, bad layout, NULL or
    /// wrapping data pointer) it has been called exactly once before the error is returned. A
    /// NULL `tensor` is refused with nothing to delete. A tensor on a device the CPU cannot
    /// address is accepted as a description (its memory is never read).
    ///
    /// # Safety
    /// `tensor` is a valid `DLManagedTensorVersioned` the caller owns (its deleter not yet
    /// called), whose `shape` (and `strides`, when not NULL) point at `ndim` values, describing
    /// memory that stays valid until the deleter runs; the caller gives up ownership whatever the
    /// result. Only the version is read from a tensor whose major version is not 1.
    pub unsafe fn from_raw(tensor: *mut DLManagedTensorVersioned) -> Result<DLPackArray, Error> {
        if tensor.is_null() {
            return Err(error!(Requirement, "a NULL DLManagedTensorVersioned"));
        }
        // SAFETY: the caller's contract. `describe` never calls the deleter and builds no
        // `DLPackArray`: on its error we still own the tensor, and delete it once here.
        let validated = unsafe { describe(tensor) }.and_then(|parts| {
            if parts.check_viewable().is_ok() {
                parts.view()?;
            }
            Ok(parts)
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
        self.parts.flags & DLPACK_FLAG_BITMASK_READ_ONLY != 0
    }

    /// Whether the producer copied the tensor for this exchange
    /// ([`DLPACK_FLAG_BITMASK_IS_COPIED`]): this array holds the only reference to it.
    pub fn is_copied(&self) -> bool {
        self.parts.flags & DLPACK_FLAG_BITMASK_IS_COPIED != 0
    }

    /// The tensor's `DLPACK_FLAG_BITMASK_*` flags, as the producer set them.
    pub fn flags(&self) -> u64 {
        self.parts.flags
    }

    /// Where the memory lives.
    pub fn device(&self) -> DLDevice {
        self.parts.device
    }

    /// Whether the CPU can address the memory (so that [`try_array`](ArrayProducer::try_array)
    /// may view it); see [`DLDevice::is_host_accessible`].
    pub fn is_host_accessible(&self) -> bool {
        self.parts.device.is_host_accessible()
    }

    /// The lengths of the axes.
    pub fn shape(&self) -> &[usize] {
        &self.parts.shape
    }

    /// The strides **in elements**, as DLPack counts them (the C-order ones when the producer
    /// gave none).
    pub fn strides(&self) -> &[i64] {
        &self.parts.element_strides
    }

    /// The bytes from the data pointer to the first element.
    pub fn byte_offset(&self) -> u64 {
        self.parts.byte_offset
    }

    /// The producer's data pointer (a device address on devices other than the CPU): never
    /// dereferenced here.
    pub fn data_ptr(&self) -> *mut c_void {
        self.parts.data
    }

    /// The item type of one element (one byte for every [`MiniFloat`], packed or not).
    pub fn item(&self) -> &ItemType {
        &self.parts.item
    }

    /// The data type as the producer gave it.
    pub fn dtype(&self) -> DLDataType {
        self.parts.dtype
    }

    /// The sub-byte format, when the tensor packs FP6 or FP4 elements several to a byte (DLPack's
    /// default for them; `None` when padded or not sub-byte).
    pub fn packed(&self) -> Option<MiniFloat> {
        self.parts.packed
    }

    /// The number of bytes the elements span, from the lowest to the end of the highest
    /// (`ceil(count × bits / 8)` for a packed tensor), checked not to overflow when imported.
    pub fn byte_len(&self) -> usize {
        self.parts.foreign.len()
    }

    /// Whether the first element's address and every stride (of an axis longer than 1) are
    /// multiples of the item's alignment: arithmetic on the addresses, nothing read. DLPack
    /// does not promise it (producers commonly ignore the 256-byte alignment `dlpack.h` asks
    /// of `data`); typed views check it again.
    pub fn is_aligned(&self) -> bool {
        let p = &self.parts;
        let align = p.item.alignment().max(1);
        let first = (p.data as usize).wrapping_add(p.byte_offset as usize);
        first % align == 0
            && p.shape
                .iter()
                .zip(&p.strides)
                .all(|(&d, &s)| d <= 1 || s.unsigned_abs() % align == 0)
    }

    /// The bytes of a packed FP6/FP4 tensor in host-accessible memory, as a 1-D array of `u8`
    /// of [`byte_len`](Self::byte_len) bytes: element `i` (in C order) is in bits
    /// `i·bits .. (i+1)·bits` of that stream, least significant bit first.
    ///
    /// ```
    /// use array_protocol::dlpack::{DLPackArray, DLManagedTensorVersioned, DLTensor, DLDevice, DLPACK_VERSION};
    /// use array_protocol::{ArrayProducer, DLDataType, MiniFloat};
    ///
    /// let mut bytes = [0x21u8, 0x43, 0x05]; // five FP4 values 1, 2, 3, 4, 5: 3 bytes
    /// let mut shape = [5i64];
    /// let mut t = DLManagedTensorVersioned {
    ///     version: DLPACK_VERSION,
    ///     manager_ctx: std::ptr::null_mut(),
    ///     deleter: None, // borrowed: nothing to free
    ///     flags: 0,      // packed
    ///     dl_tensor: DLTensor {
    ///         data: bytes.as_mut_ptr().cast(),
    ///         device: DLDevice::CPU,
    ///         ndim: 1,
    ///         dtype: DLDataType { code: 17, bits: 4, lanes: 1 },
    ///         shape: shape.as_mut_ptr(),
    ///         strides: std::ptr::null_mut(),
    ///         byte_offset: 0,
    ///     },
    /// };
    /// // SAFETY: a valid tensor over `bytes`, which outlive it.
    /// let a = unsafe { DLPackArray::from_raw(&mut t)? };
    /// assert_eq!(a.packed(), Some(MiniFloat::Float4E2M1Fn));
    /// assert!(a.try_array().is_err()); // no view of items
    /// assert_eq!(a.packed_bytes()?.to_vec::<u8>()?, [0x21, 0x43, 0x05]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn packed_bytes(&self) -> Result<ArrayView<'_>, Error> {
        let p = &self.parts;
        if !p.device.is_host_accessible() {
            return Err(Unrepresentable::Device {
                name: alloc::format!("{}", p.device),
            }
            .into());
        }
        if p.packed.is_none() {
            return Err(error!(
                Requirement,
                "the tensor is not packed: its items of {} are viewed with try_array()",
                p.item.describe()
            ));
        }
        // SAFETY: host-accessible memory the producer keeps valid until the deleter runs, after
        // this borrow (as in `Described::view`); `foreign` spans exactly the packed bytes.
        let bytes = unsafe { p.foreign.bytes() };
        ArrayView::new(bytes, u8::item_type(), &[bytes.len()], None, 0)
    }

    /// Hands the tensor on as a new `DLManagedTensorVersioned` (DLPack 1.3, strides always
    /// given) that the caller owns: the same data pointer, device, byte offset, data type and
    /// flags, shape and strides in its own storage. Its deleter drops this array, which calls
    /// the producer's deleter: once, whoever calls it. The memory is never touched, so a tensor
    /// on any device can be passed from its producer to another consumer.
    ///
    /// ```
    /// use array_protocol::dlpack::{export, DLPackArray};
    ///
    /// let t = export(vec![1u16, 2, 3])?;
    /// // SAFETY: a valid tensor we own, handed over.
    /// let a = unsafe { DLPackArray::from_raw(t)? };
    /// let data = a.data_ptr();
    /// let again = a.into_export();
    /// // SAFETY: ours to read and hand over.
    /// let b = unsafe {
    ///     assert_eq!((*again).dl_tensor.data, data);
    ///     DLPackArray::from_raw(again)?
    /// };
    /// drop(b); // both deleters, each once
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn into_export(self) -> *mut DLManagedTensorVersioned {
        let (parts, flags) = self.handed_on();
        build(self, move |_| Ok(parts), flags)
            .unwrap_or_else(|_| unreachable!("an imported tensor has at most MAX_NDIM axes"))
    }

    /// What a tensor handing this one on says: the same memory, device, description and flags.
    fn handed_on(&self) -> (Parts, u64) {
        let p = &self.parts;
        let parts = Parts {
            data: p.data,
            device: p.device,
            byte_offset: p.byte_offset,
            extra_flags: 0,
            dtype: Ok(p.dtype),
            // Every length came from an int64.
            shape: Ok(p.shape.iter().map(|&d| d as i64).collect()),
            strides: Ok(p.element_strides.clone()),
        };
        let flags = p.flags
            & (DLPACK_FLAG_BITMASK_READ_ONLY
                | DLPACK_FLAG_BITMASK_IS_COPIED
                | DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED);
        (parts, flags)
    }
}

impl DLPackArray {
    /// As [`into_export`](Self::into_export), for an array shared by several exports: each
    /// tensor made holds a reference to it, and the producer's deleter runs once, when the last
    /// reference (an export or the caller's) is dropped.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use array_protocol::dlpack::{export, DLPackArray};
    ///
    /// // SAFETY: a valid tensor we own, handed over.
    /// let a = Arc::new(unsafe { DLPackArray::from_raw(export(vec![1u8, 2])?)? });
    /// let (t1, t2) = (DLPackArray::export_shared(&a), DLPackArray::export_shared(&a));
    /// drop(a);
    /// // SAFETY: tensors we own, each handed over once.
    /// let (b1, b2) = unsafe { (DLPackArray::from_raw(t1)?, DLPackArray::from_raw(t2)?) };
    /// assert_eq!(b1.data_ptr(), b2.data_ptr());
    /// drop((b1, b2)); // the vector is freed here, once
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn export_shared(this: &alloc::sync::Arc<DLPackArray>) -> *mut DLManagedTensorVersioned {
        let (parts, flags) = this.handed_on();
        build(alloc::sync::Arc::clone(this), move |_| Ok(parts), flags)
            .unwrap_or_else(|_| unreachable!("an imported tensor has at most MAX_NDIM axes"))
    }
}

/// C-order strides in elements for `shape`, or `None` when one overflows `int64`.
fn c_order_strides(shape: &[usize]) -> Option<Vec<i64>> {
    let mut strides = alloc::vec![0i64; shape.len()];
    let mut step = 1i64;
    for k in (0..shape.len()).rev() {
        strides[k] = step;
        if k > 0 {
            step = step.checked_mul(i64::try_from(shape[k].max(1)).ok()?)?;
        }
    }
    Some(strides)
}

/// Reads and checks the tensor's description; the view over it (for host-accessible,
/// byte-addressable tensors) is validated by the caller.
///
/// # Safety
/// As for [`DLPackArray::from_raw`]; does not call the deleter.
unsafe fn describe(tensor: *mut DLManagedTensorVersioned) -> Result<Described, Error> {
    // SAFETY: `tensor` is valid per the caller; its version is where every major version
    // keeps it.
    let version = unsafe { (*tensor).version };
    if version.major != 1 {
        return Err(error!(
            Unsupported,
            "DLPack version {}.{} is not supported; expected 1.x (another major version lays \
             the tensor out differently, so only its deleter is used)",
            version.major,
            version.minor
        ));
    }
    // SAFETY: a valid version-1 tensor per the caller.
    let m = unsafe { &*tensor };
    let t = &m.dl_tensor;
    if t.device.device_type < 1 || t.device.device_id < 0 {
        return Err(error!(
            Unsupported,
            "invalid DLPack device {}: device types start at 1 (kDLCPU) and device ids at 0",
            t.device
        ));
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
        // SAFETY: DLPack gives `ndim` shape entries.
        unsafe { core::slice::from_raw_parts(t.shape, ndim) }
    };
    let shape = shape_raw
        .iter()
        .map(|&d| {
            usize::try_from(d)
                .map_err(|_| error!(Layout, "negative length {d} in shape {shape_raw:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let count = if shape.contains(&0) {
        0
    } else {
        crate::layout::checked_product(1usize, &shape)
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| error!(Layout, "shape {shape:?} has more than isize::MAX elements"))?
    };
    let element_strides = if t.strides.is_null() || ndim == 0 {
        c_order_strides(&shape).ok_or_else(|| error!(Layout, "shape {shape:?} is too large"))?
    } else {
        // SAFETY: DLPack gives `ndim` strides when the pointer is not NULL.
        unsafe { core::slice::from_raw_parts(t.strides, ndim) }.to_vec()
    };
    let packed = match item.as_scalar().map(|s| s.kind()) {
        Some(ScalarKind::MiniFloat(f))
            if f.is_sub_byte() && m.flags & DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED == 0 =>
        {
            Some(f)
        }
        _ => None,
    };
    // Checked on the address before any pointer arithmetic: NULL data and an offset that wraps
    // the address space are refused; `Foreign::locate` checks the elements around the first.
    // Arithmetic only, whatever the device: nothing here reads the memory.
    let empty = count == 0;
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
    let (strides, foreign) = match packed {
        Some(f) => {
            let c = c_order_strides(&shape).unwrap_or_default();
            let compact = shape
                .iter()
                .zip(element_strides.iter().zip(&c))
                .all(|(&d, (s, c))| d <= 1 || s == c);
            if !compact && !empty {
                return Err(error!(
                    Layout,
                    "a packed {} tensor must be C-contiguous (strides {:?} for shape {shape:?}, \
                     expected {c:?}): its elements are not byte-addressable",
                    f.name(),
                    element_strides
                ));
            }
            let bytes = count
                .checked_mul(usize::from(f.bits()))
                .map(|bits| bits.div_ceil(8))
                .ok_or_else(|| {
                    error!(Layout, "{count} packed {}-bit elements overflow", f.bits())
                })?;
            let foreign = Foreign::locate(first, &[bytes], &[1], 1)?;
            crate::layout::check_extent(&[bytes], &[1], foreign.offset(), 1, foreign.len())?;
            (Vec::new(), foreign)
        }
        None => {
            let strides = crate::layout::scaled_strides(&element_strides, item.itemsize())?;
            let foreign = Foreign::locate(first, &shape, &strides, item.itemsize())?;
            // The view's own arithmetic, without a view: what device tensors get.
            crate::layout::check_extent(
                &shape,
                &strides,
                foreign.offset(),
                item.itemsize(),
                foreign.len(),
            )?;
            (strides.to_vec(), foreign)
        }
    };
    Ok(Described {
        item,
        dtype: t.dtype,
        device: t.device,
        data: t.data,
        byte_offset: t.byte_offset,
        flags: m.flags,
        shape,
        element_strides,
        strides,
        foreign,
        packed,
    })
}

impl DLPackArray {
    /// The view with the lifetime of the tensor's memory rather than of `&self`, for handles
    /// that keep the array beside it; refused as [`try_array`](ArrayProducer::try_array) is.
    ///
    /// # Safety
    /// The view is not used after this array is dropped (which calls the deleter).
    pub unsafe fn detached_view(&self) -> Result<ArrayView<'static>, Error> {
        self.parts.check_viewable()?;
        // SAFETY: as in `Described::view`, for as long as the caller's contract keeps the array.
        unsafe {
            crate::ArrayView::from_foreign(
                &self.parts.foreign,
                self.parts.item.clone(),
                &self.parts.shape,
                &self.parts.strides,
            )
        }
    }
}

impl ArrayProducer for DLPackArray {
    /// The elements, when the CPU can address them and they are byte-addressable; refused with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) for device memory and packed
    /// FP6/FP4 tensors.
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        self.parts.view()
    }
}

impl ArrayProducerMut for DLPackArray {
    /// # Panics
    /// If the producer marked the tensor read-only, or it cannot be viewed;
    /// [`try_array_mut`](Self::try_array_mut) returns that as an error.
    fn array_mut(&mut self) -> ArrayViewMut<'_> {
        match self.try_array_mut() {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        let read_only = self.is_read_only();
        let p = &mut self.parts;
        p.check_viewable()?;
        if read_only {
            return Err(error!(
                Requirement,
                "the DLPack producer marked this tensor read-only"
            ));
        }
        // SAFETY: host-accessible (checked above) memory as for `try_array`, borrowed uniquely
        // through `&mut self`; the producer allows writes (not read-only).
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
