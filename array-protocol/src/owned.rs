//! Owned arrays in aligned memory, and the view operations that produce them: contiguous and
//! byte-swapped copies. The bytes move through [`copy`](crate::copy) only.

use alloc::vec::Vec;

use crate::error::{allocation_error, error, Error};
use crate::item::ItemType;
use crate::layout::{contiguous_strides, Layout, Order};
use crate::view::{for_each_transform, sealed, ArrayBase, ArrayView, ArrayViewMut, Data, DataMut};

/// 16 bytes aligned to 16, the largest alignment of any item type (`long double`).
#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct Chunk([u8; 16]);

// SAFETY: `Chunk` is 16 bytes with no padding (its size equals its one field's), and every bit
// pattern of `[u8; 16]` is valid.
unsafe impl bytemuck::Zeroable for Chunk {}
// SAFETY: as above; `Copy` and `'static`.
unsafe impl bytemuck::Pod for Chunk {}

/// Owned bytes aligned to 16, so that any item type can be read in place.
///
/// Large buffers (4 MiB and more) are backed by transparent huge pages on Linux with the `std`
/// feature, where the kernel offers them, which makes a fresh copy about as fast as `memcpy`
/// into memory already mapped.
pub struct AlignedBytes {
    chunks: Vec<Chunk>,
    len: usize,
}

/// `n` chunks of capacity, or an error instead of aborting when the allocator refuses; large
/// capacities are advised to huge pages before any byte of the array is written.
fn try_chunks(n: usize, len: usize) -> Result<Vec<Chunk>, Error> {
    let mut chunks: Vec<Chunk> = Vec::new();
    chunks
        .try_reserve_exact(n)
        .map_err(|_| allocation_error("an array", Some(len)))?;
    advise_huge_pages(chunks.as_mut_ptr().cast::<u8>(), n * 16);
    Ok(chunks)
}

/// From this many bytes on, an allocation asks for transparent huge pages, as numpy's data
/// allocator does: smaller ones would mostly fall short of a 2 MiB huge page anyway.
#[cfg(all(feature = "std", target_os = "linux"))]
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

/// Asks the kernel to back the whole pages of the `len` fresh bytes at `ptr` with transparent
/// huge pages (`madvise(MADV_HUGEPAGE)`), so that writing them first takes one page fault per
/// huge page (2 MiB on x86-64) instead of one per 4 KiB page: a fresh 200 MB copy takes under
/// 1 000 faults (the unaligned ends stay in small pages) instead of ~49 000, which cost more
/// than the copy itself. Only a hint: where the kernel has no transparent huge pages, or they
/// are set to `never`, nothing changes.
#[cfg(all(feature = "std", target_os = "linux"))]
fn advise_huge_pages(ptr: *mut u8, len: usize) {
    if len < HUGE_PAGE_THRESHOLD {
        return;
    }
    // SAFETY: `sysconf` only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let Some(page) = usize::try_from(page).ok().filter(|p| p.is_power_of_two()) else {
        return;
    };
    // Only the pages wholly inside the allocation: the allocator may hand out the rest of a
    // partial page to someone else.
    let addr = ptr.addr();
    let (Some(start), Some(end)) = (addr.checked_next_multiple_of(page), addr.checked_add(len))
    else {
        return;
    };
    let end = end & !(page - 1);
    if end <= start {
        return;
    }
    let first = ptr.wrapping_add(start - addr).cast::<libc::c_void>();
    // SAFETY: `first .. first + (end - start)` is whole pages inside the `len` bytes at `ptr`,
    // which the caller owns. MADV_HUGEPAGE changes how the kernel backs the pages, never what
    // they hold (unlike MADV_DONTNEED or MADV_FREE), so no byte of this or any other allocation
    // can change. A refusal (EINVAL without THP) leaves everything as it was, so it is ignored.
    unsafe { libc::madvise(first, end - start, libc::MADV_HUGEPAGE) };
}

#[cfg(not(all(feature = "std", target_os = "linux")))]
fn advise_huge_pages(_ptr: *mut u8, _len: usize) {}

impl AlignedBytes {
    /// `len` zero bytes.
    ///
    /// # Panics
    /// If the memory cannot be allocated; [`try_zeroed`](Self::try_zeroed) reports that.
    pub fn zeroed(len: usize) -> Self {
        Self::try_zeroed(len).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `len` zero bytes, or an [`OutOfMemory`](crate::error::ErrorKind::OutOfMemory) error.
    pub fn try_zeroed(len: usize) -> Result<Self, Error> {
        let n = len.div_ceil(16);
        let mut chunks = try_chunks(n, len)?;
        chunks.resize(n, Chunk([0; 16]));
        Ok(AlignedBytes { chunks, len })
    }

    /// `len` bytes, all written by `fill` before anything reads them.
    ///
    /// # Safety
    /// `fill` writes every one of the `len` bytes at the pointer it is given.
    unsafe fn filled(len: usize, fill: impl FnOnce(*mut u8)) -> Result<Self, Error> {
        let n = len.div_ceil(16);
        let mut chunks = try_chunks(n, len)?;
        let ptr = chunks.as_mut_ptr().cast::<u8>();
        if n > 0 {
            let last = ptr.wrapping_add((n - 1) * 16);
            // SAFETY: the last chunk is inside the capacity; zeroing it covers the tail bytes
            // past `len` that `fill` does not write.
            unsafe { last.write_bytes(0, 16) };
        }
        fill(ptr);
        // SAFETY: bytes `0..len` were written by `fill` (the caller's contract), the rest of the
        // last chunk above; `Chunk` is plain bytes.
        unsafe { chunks.set_len(n) };
        Ok(AlignedBytes { chunks, len })
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.chunks)[..self.len]
    }

    /// The bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut bytemuck::cast_slice_mut(&mut self.chunks)[..self.len]
    }
}

/// A fresh copy, allocated as the original was (huge pages when large).
///
/// # Panics
/// If the memory cannot be allocated.
impl Clone for AlignedBytes {
    fn clone(&self) -> Self {
        let src = self.as_slice();
        let fill = |p: *mut u8| {
            // SAFETY: `p` is a fresh buffer of `src.len()` bytes, disjoint from `src`.
            unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), p, src.len()) }
        };
        // SAFETY: `fill` writes every one of the `self.len` bytes.
        unsafe { Self::filled(self.len, fill) }.unwrap_or_else(|e| panic!("{e}"))
    }
}

impl sealed::Sealed for AlignedBytes {}

impl Data for AlignedBytes {
    const WRITABLE: bool = true;
    const NAME: &'static str = "Array";
    fn bytes(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DataMut for AlignedBytes {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

/// An array that owns its memory, aligned for any item type; what
/// [`to_contiguous`](ArrayBase::to_contiguous) returns.
///
/// ```
/// use array_protocol::{Array, Element, Order};
///
/// let mut a = Array::zeros(f32::item_type(), &[2, 3], Order::C)?;
/// a.view_mut().typed_mut::<f32>()?[[1, 2]] = 5.0;
/// let f = a.to_contiguous(Order::Fortran)?;
/// assert_eq!(f.strides(), [4, 8]);
/// assert_eq!(f.view().typed::<f32>()?[[1, 2]], 5.0);
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub type Array = ArrayBase<AlignedBytes>;

impl ArrayBase<AlignedBytes> {
    /// An array of zero bytes (zero in every numeric type) of `shape`, contiguous in `order`.
    pub fn zeros(item: ItemType, shape: &[usize], order: Order) -> Result<Array, Error> {
        let (strides, bytes) = contiguous_extent(&item, shape, order)?;
        ArrayBase::from_parts(
            AlignedBytes::try_zeroed(bytes)?,
            item,
            shape,
            Some(&strides),
            0,
        )
    }

    /// A writable view borrowing this array.
    pub fn view_mut(&mut self) -> ArrayViewMut<'_> {
        ArrayBase::from_valid(
            self.data.as_mut_slice(),
            self.item.clone(),
            self.layout.clone(),
        )
    }

    /// The owned bytes.
    pub fn bytes(&self) -> &[u8] {
        self.data.as_slice()
    }
}

fn contiguous_extent(
    item: &ItemType,
    shape: &[usize],
    order: Order,
) -> Result<(crate::layout::Axes<isize>, usize), Error> {
    let too_big = || {
        error!(
            Layout,
            "shape {shape:?} of {}-byte items is larger than isize::MAX bytes",
            item.itemsize()
        )
    };
    let strides = contiguous_strides(shape, item.itemsize(), order).ok_or_else(too_big)?;
    // Zero elements copy to zero bytes, however long the other axes.
    let bytes = if shape.contains(&0) {
        0
    } else {
        crate::layout::checked_product(item.itemsize(), shape)
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(too_big)?
    };
    Ok((strides, bytes))
}

impl<D: Data> ArrayBase<D> {
    /// A contiguous copy in `order` (C: last axis fastest; Fortran: first axis fastest) in
    /// fresh aligned memory, whatever this array's strides.
    pub fn to_contiguous(&self, order: Order) -> Result<Array, Error> {
        let (strides, bytes) = contiguous_extent(&self.item, self.shape(), order)?;
        let dst = Layout::new(self.shape(), Some(&strides), 0, self.itemsize(), bytes)?;
        let src = self.data.bytes().as_ptr();
        let fill = |p: *mut u8| {
            // SAFETY: `p` is the fresh buffer of `bytes` bytes, which the contiguous `dst` covers
            // exactly, disjoint from the source, whose layout is valid for its buffer
            // (invariants 3–5 for both layouts).
            unsafe { crate::copy::copy_elements(src, &self.layout, p, &dst) }
        };
        // SAFETY: `fill` writes every one of the `bytes` bytes (`dst` is contiguous).
        let data = unsafe { AlignedBytes::filled(bytes, fill) }?;
        Ok(ArrayBase::from_valid(data, self.item.clone(), dst))
    }

    /// A C-contiguous copy with every scalar in native byte order: the byte-swapping copy for
    /// data written on a machine of the other endianness.
    ///
    /// ```
    /// use array_protocol::{ArrayView, Element, ItemType};
    ///
    /// let big_endian = [0x3fu8, 0xf0, 0, 0, 0, 0, 0, 0]; // 1.0 as >f8
    /// let v = ArrayView::new(&big_endian, ItemType::from_pep3118(">d")?, &[1], None, 0)?;
    /// let native = v.to_native_order()?;
    /// assert_eq!(native.item(), &f64::item_type());
    /// assert_eq!(native.view().typed::<f64>()?[[0]], 1.0);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn to_native_order(&self) -> Result<Array, Error> {
        let mut out = self.to_contiguous(Order::C)?;
        crate::copy::swap_to_native(out.data.as_mut_slice(), &self.item);
        out.item = self.item.to_native_order();
        Ok(out)
    }

    /// Copies every element into the element with the same index of `dst`, which must have the
    /// same shape and item type; strides may differ in any way (transposes are blocked, runs
    /// that are contiguous on both sides are copied with `memcpy`).
    ///
    /// ```
    /// use array_protocol::{ArrayView, ArrayViewMut, Element};
    ///
    /// let src: Vec<u32> = (0..6).collect();
    /// let src = ArrayView::new(bytemuck::cast_slice(&src), u32::item_type(), &[2, 3], None, 0)?;
    /// let mut out = [0u32; 6];
    /// let mut dst = ArrayViewMut::new(bytemuck::cast_slice_mut(&mut out), u32::item_type(), &[3, 2], None, 0)?
    ///     .into_transpose();
    /// src.copy_into(&mut dst)?;
    /// assert_eq!(out, [0, 3, 1, 4, 2, 5]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn copy_into(&self, dst: &mut ArrayViewMut<'_>) -> Result<(), Error> {
        if self.shape() != dst.shape() {
            return Err(error!(
                Shape,
                "cannot copy an array of shape {:?} into one of shape {:?}",
                self.shape(),
                dst.shape()
            ));
        }
        if self.item != dst.item {
            let kind = if self.item.to_native_order() == dst.item.to_native_order() {
                crate::error::ErrorKind::ByteOrder
            } else {
                crate::error::ErrorKind::ItemType
            };
            return Err(Error::new(
                kind,
                alloc::format!(
                    "cannot copy items of {} into items of {}",
                    self.item.describe(),
                    dst.item.describe()
                ),
            )
            .with_advice(crate::error::Advice::NativeOrderOrCast));
        }
        let src = self.data.bytes().as_ptr();
        let dst_ptr = dst.data.bytes_mut().as_mut_ptr();
        // SAFETY: both layouts are valid for their buffers and have the same shape and itemsize;
        // `dst`'s elements do not overlap (checked when it was made); `dst` is borrowed
        // mutably and `self` shared, so their buffers are distinct.
        unsafe { crate::copy::copy_elements(src, &self.layout, dst_ptr, &dst.layout) };
        Ok(())
    }
}

macro_rules! array_transforms {
    ($( $(#[$doc:meta])* $name:ident, $name_mut:ident, $into:ident, [$($gen:tt)*] [$($tf:tt)*],
        ($($arg:ident: $ty:ty),*) |$i:ident, $l:ident| $body:expr; )*) => {
        impl Array {
            $(
                #[doc = concat!("As [`ArrayView::", stringify!($name), "`], borrowing this array.")]
                #[inline]
                pub fn $name<$($gen)*>(&self, $($arg: $ty),*) -> Result<ArrayView<'_>, Error> {
                    self.view().$name::<$($tf)*>($($arg),*)
                }

                #[doc = concat!("As [`ArrayView::", stringify!($name), "`], writable, borrowing this array.")]
                #[inline]
                pub fn $name_mut<$($gen)*>(&mut self, $($arg: $ty),*) -> Result<ArrayViewMut<'_>, Error> {
                    self.view_mut().$into::<$($tf)*>($($arg),*)
                }
            )*
        }
    };
}

for_each_transform!(array_transforms);

impl Array {
    /// The transpose, borrowing this array; see [`ArrayView::transpose`].
    pub fn transpose(&self) -> ArrayView<'_> {
        self.view().transpose()
    }

    /// Shorthand for [`transpose`](Self::transpose).
    pub fn t(&self) -> ArrayView<'_> {
        self.transpose()
    }

    /// The transpose, writable, borrowing this array.
    pub fn transpose_mut(&mut self) -> ArrayViewMut<'_> {
        self.view_mut().into_transpose()
    }
}

impl<'a> From<&'a Array> for ArrayView<'a> {
    fn from(a: &'a Array) -> Self {
        a.view()
    }
}
