//! Memory-mapped `.npy` files (feature `memmap2`): open numpy's files without reading them,
//! and write any producer's array as a `.npy` numpy loads.
//!
//! ```
//! use array_protocol::mmap::{write_npy, MmapArray};
//! use array_protocol::ArrayProducer;
//!
//! let path = std::env::temp_dir().join(format!("doc-{}.npy", std::process::id()));
//! let grid: Vec<[f32; 3]> = (0..4).map(|i| [i as f32; 3]).collect();
//! write_npy(&path, &grid)?;
//! // SAFETY: nothing else changes the file while it is mapped.
//! let mapped = unsafe { MmapArray::open(&path)? };
//! let view = mapped.array();
//! assert_eq!(view.shape(), [4, 3]);
//! assert_eq!(view.typed::<f32>()?[[2, 1]], 2.0);
//! # drop(mapped); std::fs::remove_file(&path).unwrap();
//! # Ok::<(), array_protocol::Error>(())
//! ```
//!
//! # Safety of mapping
//! A mapped file can be changed by another process while it is mapped, behind the back of
//! every `&[u8]` this crate hands out; Rust's guarantees then do not hold (a reader could see
//! bytes change, or a `bool` become 2). [`MmapArray::open`] is therefore `unsafe`: the caller
//! promises that nothing modifies or truncates the file while the mapping lives. A private
//! (copy-on-write) mapping would not help: on Linux, changes others make to pages not yet
//! copied may still show through. [`MmapArray::read`] is the safe alternative: it copies the
//! file into aligned memory.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use std::vec::Vec;

pub use crate::adapters::npy::Header;
use crate::adapters::npy::{header_bytes, parse_header};
use crate::error::{error, Error};
use crate::{ArrayProducer, ArrayView, ItemType, Order};

enum Storage {
    Mapped(memmap2::Mmap),
    Owned(crate::AlignedBytes),
}

/// A `.npy` file's array, memory-mapped (or read) and described by its header.
pub struct MmapArray {
    storage: Storage,
    header: Header,
    strides: Vec<isize>,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    error!(Io, "{}: {e}", path.display())
}

impl MmapArray {
    /// Maps the `.npy` file at `path` read-only. Opening costs the same whatever the file's size:
    /// only the header is read; pages come in as they are touched.
    ///
    /// # Safety
    /// Nothing may modify or truncate the file while the returned value (or a view of it)
    /// lives: see [the module docs](self).
    pub unsafe fn open(path: impl AsRef<Path>) -> Result<MmapArray, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| io(path, e))?;
        // SAFETY: the caller promises the file is not modified while mapped.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io(path, e))?;
        MmapArray::from_storage(Storage::Mapped(map), &path.display())
    }

    /// Reads the `.npy` file at `path` into aligned memory: safe whatever else happens to the
    /// file, at the cost of a copy.
    pub fn read(path: impl AsRef<Path>) -> Result<MmapArray, Error> {
        let path = path.as_ref();
        let mut file = File::open(path).map_err(|e| io(path, e))?;
        let len = file.metadata().map_err(|e| io(path, e))?.len();
        let len = usize::try_from(len).map_err(|_| error!(Io, "{}: too large", path.display()))?;
        let mut bytes = crate::AlignedBytes::zeroed(len);
        file.read_exact(bytes.as_mut_slice())
            .map_err(|e| io(path, e))?;
        MmapArray::from_storage(Storage::Owned(bytes), &path.display())
    }

    /// Reads a `.npy` file held in memory (copied into aligned memory), with the same checks as
    /// [`read`](Self::read).
    ///
    /// ```
    /// use array_protocol::mmap::MmapArray;
    /// use array_protocol::ArrayProducer;
    ///
    /// let mut file = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    /// file.extend_from_slice(b"{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }");
    /// file.resize(127, b' ');
    /// file.push(b'\n');
    /// file.extend_from_slice(&[1, 0, 2, 0, 3, 0]);
    /// let array = MmapArray::from_bytes(&file)?;
    /// assert_eq!(array.array().to_vec::<u16>()?, [1, 2, 3]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn from_bytes(file: &[u8]) -> Result<MmapArray, Error> {
        let mut bytes = crate::AlignedBytes::zeroed(file.len());
        bytes.as_mut_slice().copy_from_slice(file);
        MmapArray::from_storage(Storage::Owned(bytes), &"<memory>")
    }

    fn from_storage(storage: Storage, path: &dyn core::fmt::Display) -> Result<MmapArray, Error> {
        let bytes = storage.bytes();
        let header = parse_header(bytes).map_err(|e| error!(Format, "{path}: {e}"))?;
        let order = if header.fortran_order {
            Order::Fortran
        } else {
            Order::C
        };
        let strides =
            crate::layout::contiguous_strides(&header.shape, header.item.itemsize(), order)
                .ok_or_else(|| error!(Layout, "{}: shape {:?} is too large", path, header.shape))?;
        // As numpy ("array is too big"): the non-zero axes' bytes must fit isize, even in an
        // array with a zero-length axis.
        let needed = header
            .shape
            .iter()
            .filter(|&&d| d != 0)
            .try_fold(header.item.itemsize(), |n, &d| n.checked_mul(d))
            .filter(|&n| n <= isize::MAX as usize)
            .map(|n| if header.shape.contains(&0) { 0 } else { n })
            .ok_or_else(|| error!(Layout, "{}: shape {:?} is too large", path, header.shape))?;
        let available = bytes.len() - header.data_offset;
        if needed > available {
            return Err(error!(
                Format,
                "{}: truncated: the header describes {needed} bytes of data ({:?} of {}) but the file holds {available}",
                path,
                header.shape,
                header.item.describe()
            ));
        }
        let array = MmapArray {
            storage,
            header,
            strides: strides.to_vec(),
        };
        array.try_array()?;
        Ok(array)
    }

    /// The header: version, item type, order and shape.
    pub fn header(&self) -> &Header {
        &self.header
    }
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Storage::Mapped(m) => &m[..],
            Storage::Owned(b) => b.as_slice(),
        }
    }
}

impl ArrayProducer for MmapArray {
    fn array(&self) -> ArrayView<'_> {
        match self.try_array() {
            Ok(v) => v,
            // Validated when opened.
            Err(e) => crate::error::inconsistent("MmapArray", &e),
        }
    }

    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        let h = &self.header;
        ArrayView::new(
            self.storage.bytes(),
            h.item.clone(),
            &h.shape,
            Some(&self.strides),
            h.data_offset,
        )
    }
}

/// Writes `array`'s array (any strides, any item type numpy can read) to `path` as a `.npy`
/// file in C order. Sub-array items become trailing axes, as numpy stores them.
pub fn write_npy(
    path: impl AsRef<Path>,
    array: &(impl ArrayProducer + ?Sized),
) -> Result<(), Error> {
    let path = path.as_ref();
    let view = array.try_array()?;
    let (item, shape) = match view.item() {
        ItemType::Array(sub) => {
            let mut shape = view.shape().to_vec();
            shape.extend_from_slice(sub.shape());
            (sub.item().clone(), shape)
        }
        item => (item.clone(), view.shape().to_vec()),
    };
    let mut file = File::create(path).map_err(|e| io(path, e))?;
    file.write_all(&header_bytes(&item, &shape))
        .map_err(|e| io(path, e))?;
    if view.is_c_contiguous() {
        let start = view.offset();
        let len = view.len() * view.itemsize();
        file.write_all(&view.buffer()[start..start + len])
            .map_err(|e| io(path, e))?;
    } else {
        let copy = view.to_contiguous(Order::C)?;
        file.write_all(copy.bytes()).map_err(|e| io(path, e))?;
    }
    file.flush().map_err(|e| io(path, e))
}
