//! The Arrow importer's steps, shared by plain arrays and the tensor extensions: fields and
//! children read from a schema, array nodes and their buffers checked, the located result.

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;

use super::super::schema::{self, Format};
use super::super::{ArrowArray, ArrowSchema};
use crate::error::{error, Error};
use crate::item::{ByteOrder, ItemType, ScalarKind};
use crate::layout::{contiguous_strides, Foreign};
use crate::{ArrayView, Order, MAX_NDIM};

/// What an imported array describes, validated before any [`ArrowImport`] exists.
pub(super) struct Described {
    pub(super) item: ItemType,
    pub(super) shape: Vec<usize>,
    pub(super) strides: Vec<isize>,
    pub(super) foreign: Foreign,
    pub(super) dim_names: Option<Vec<String>>,
    pub(super) extension: Option<String>,
}

impl Described {
    pub(super) fn view(&self) -> Result<ArrayView<'_>, Error> {
        // SAFETY: the producer promises the buffers are valid, unchanged memory until the array
        // is released, which is after this borrow ends (the release runs when the owning
        // `ArrowImport` drops, or after validation, when no view is left); the span from the
        // lowest to the highest element lies in one values buffer, inside the
        // `offset + length` values the specification says it holds (checked in `describe`).
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

/// A field type read from its schema.
pub(super) struct FieldType<'a> {
    pub(super) format: Format,
    pub(super) extension: Option<(&'a str, &'a [u8])>,
    pub(super) name: &'a [u8],
    pub(super) schema: &'a ArrowSchema,
}

/// Entry `i` of a C array of pointers.
///
/// # Safety
/// `list` points at more than `i` entries.
pub(super) unsafe fn entry<T: Copy>(list: *const T, i: usize) -> T {
    // SAFETY: entry `i` is inside the list (the caller's contract).
    let at = unsafe { list.add(i) };
    // SAFETY: as above.
    unsafe { *at }
}

/// Reads and checks one schema (not its children).
///
/// # Safety
/// `schema` is valid as [`ArrowImport::from_raw`] says.
pub(super) unsafe fn field<'a>(
    schema: &'a ArrowSchema,
    what: &str,
) -> Result<FieldType<'a>, Error> {
    if schema.release.is_none() {
        return Err(error!(
            Requirement,
            "the schema of {what} has been released"
        ));
    }
    if schema.format.is_null() {
        return Err(error!(Format, "the schema of {what} has a NULL format"));
    }
    // SAFETY: a NUL-terminated string (the caller's contract).
    let format = unsafe { CStr::from_ptr(schema.format) }.to_bytes();
    let parsed = schema::parse_format(format)?;
    if !schema.dictionary.is_null() {
        return Err(error!(
            Unsupported,
            "{what} is dictionary-encoded (indices into a dictionary), not plain strided memory"
        ));
    }
    let children = match parsed {
        Format::Primitive(_) => Some(0),
        Format::FixedSizeList(_) | Format::List { .. } => Some(1),
        Format::Struct => None,
    };
    if schema.n_children < 0 || children.is_some_and(|n| schema.n_children != n) {
        return Err(error!(
            Format,
            "the schema of {what} (format {:?}) has n_children {}; expected {}",
            String::from_utf8_lossy(format),
            schema.n_children,
            children.map_or("0 or more".into(), |n| alloc::format!("{n}"))
        ));
    }
    if schema.n_children > 0 && schema.children.is_null() {
        return Err(error!(
            Format,
            "the schema of {what} has NULL children for n_children {}", schema.n_children
        ));
    }
    // SAFETY: the caller's contract: a valid encoding or NULL, valid as long as `schema`.
    let pairs = unsafe { schema::decode_metadata(schema.metadata.cast()) }?;
    let name = if schema.name.is_null() {
        &[][..]
    } else {
        // SAFETY: a NUL-terminated string.
        unsafe { CStr::from_ptr(schema.name) }.to_bytes()
    };
    Ok(FieldType {
        format: parsed,
        extension: schema::extension(&pairs)?,
        name,
        schema,
    })
}

/// Child `i` of a checked schema.
///
/// # Safety
/// As for [`field`], which has checked `schema`.
pub(super) unsafe fn schema_child<'a>(
    schema: &'a ArrowSchema,
    i: usize,
    what: &str,
) -> Result<FieldType<'a>, Error> {
    // SAFETY: `i < n_children` entries (checked by the caller's format), non-NULL array.
    let child = unsafe { entry(schema.children, i) };
    if child.is_null() {
        return Err(error!(Format, "child {i} of the schema of {what} is NULL"));
    }
    // SAFETY: a valid schema per the contract.
    let child = unsafe { &*child };
    // SAFETY: as above.
    unsafe { field(child, &alloc::format!("child {i} of {what}")) }
}

/// An array node's position: its length and offset, both checked.
pub(super) struct Node {
    pub(super) length: u64,
    pub(super) offset: u64,
}

/// Checks an array node's counts, pointers and nulls against what its format needs.
///
/// # Safety
/// `array` is valid as [`ArrowImport::from_raw`] says.
pub(super) unsafe fn node(
    array: &ArrowArray,
    what: &str,
    n_buffers: i64,
    n_children: i64,
) -> Result<Node, Error> {
    if array.release.is_none() {
        return Err(error!(
            Requirement,
            "{what} has been released (its release is NULL)"
        ));
    }
    if array.n_buffers != n_buffers || array.n_children != n_children {
        return Err(error!(
            Format,
            "{what} has n_buffers {} and n_children {}; its format needs {n_buffers} and {n_children}",
            array.n_buffers,
            array.n_children
        ));
    }
    if array.buffers.is_null() {
        return Err(error!(Format, "{what} has a NULL buffers array"));
    }
    if n_children > 0 && array.children.is_null() {
        return Err(error!(Format, "{what} has a NULL children array"));
    }
    if !array.dictionary.is_null() {
        return Err(error!(
            Format,
            "{what} has a dictionary, which its format does not"
        ));
    }
    let (length, offset) = match (u64::try_from(array.length), u64::try_from(array.offset)) {
        (Ok(l), Ok(o)) if array.length.checked_add(array.offset).is_some() => (l, o),
        _ => {
            return Err(error!(
                Layout,
                "{what} has length {} and offset {}: each must be non-negative, their sum at most 2^63 - 1",
                array.length,
                array.offset
            ))
        }
    };
    // SAFETY: `n_buffers >= 1` entries (every format read here has a validity buffer).
    let validity = unsafe { entry(array.buffers, 0) };
    match array.null_count {
        0 => {}
        -1 if validity.is_null() => {}
        -1 => {
            return Err(error!(
                Unsupported,
                "{what} may have nulls (null_count -1 with a validity bitmap): not plain strided memory"
            ))
        }
        n if n > 0 => {
            return Err(error!(
                Unsupported,
                "{what} has nulls ({n} of {length}): not plain strided memory"
            ))
        }
        n => return Err(error!(Format, "{what} has null_count {n}; expected 0 or more, or -1")),
    }
    Ok(Node { length, offset })
}

/// Child `i` of a checked array node.
///
/// # Safety
/// As for [`node`], which has checked `array` for this many children.
pub(super) unsafe fn array_child<'a>(
    array: &'a ArrowArray,
    i: usize,
    what: &str,
) -> Result<&'a ArrowArray, Error> {
    // SAFETY: `i < n_children` entries in a non-NULL array (checked by `node`).
    let child = unsafe { entry(array.children, i) };
    if child.is_null() {
        return Err(error!(Format, "child {i} of {what} is NULL"));
    }
    // SAFETY: a valid array per the contract.
    Ok(unsafe { &*child })
}

/// The physical index of the first of `count` items from logical index `lo` of `node`, after
/// checking they lie inside its length.
pub(super) fn physical(node: &Node, lo: u64, count: u64, what: &str) -> Result<u64, Error> {
    match lo.checked_add(count) {
        Some(end) if end <= node.length => Ok(node.offset + lo), // offset + length fits i64
        _ => Err(error!(
            Layout,
            "{what}: {} items, but {count} are needed from item {lo}", node.length
        )),
    }
}

/// Where the values of a primitive array start: item `lo` of `count`, after the node checks,
/// the range and alignment; NULL when `count` is 0.
///
/// # Safety
/// As for [`node`].
pub(super) unsafe fn values(
    array: &ArrowArray,
    f: &FieldType<'_>,
    lo: u64,
    count: u64,
    what: &str,
) -> Result<(ItemType, *mut u8), Error> {
    let Format::Primitive(scalar) = f.format else {
        return Err(error!(
            Unsupported,
            "{what} holds lists or structs where primitive values are expected"
        ));
    };
    let item = match f.extension {
        Some((schema::BOOL8, _)) if scalar.kind() == ScalarKind::Int && scalar.size() == 1 => {
            ItemType::scalar(ScalarKind::Bool, 1, ByteOrder::NotApplicable)?
        }
        Some((schema::BOOL8, _)) => {
            return Err(error!(
                Format,
                "{what} is an arrow.bool8 whose storage is not int8"
            ));
        }
        _ => ItemType::Scalar(scalar),
    };
    // SAFETY: the caller's contract.
    let n = unsafe { node(array, what, 2, 0) }?;
    let first = physical(&n, lo, count, what)?;
    if count == 0 {
        return Ok((item, core::ptr::null_mut()));
    }
    let size = scalar.size();
    // SAFETY: two entries (checked by `node`).
    let buffer = unsafe { entry(array.buffers, 1) }.cast_mut().cast::<u8>();
    if buffer.is_null() {
        return Err(error!(
            Layout,
            "{what} has a NULL values buffer for {count} values"
        ));
    }
    let addr = buffer as usize;
    let start = usize::try_from(first)
        .ok()
        .and_then(|i| i.checked_mul(size))
        .filter(|&b| b <= isize::MAX as usize)
        .and_then(|b| addr.checked_add(b).map(|_| b))
        .ok_or_else(|| error!(Layout, "{what}'s value {first} ({size}-byte values from {addr:#x}) lies past the end of the address space"))?;
    if (addr + start) % scalar.alignment() != 0 {
        return Err(error!(
            Alignment,
            "{what}'s values at {:#x} are not aligned to {} bytes, as {} needs",
            addr + start,
            scalar.alignment(),
            item.describe()
        ));
    }
    // The producer's own pointer, moved inside its buffer (checked above not to wrap).
    Ok((item, buffer.wrapping_add(start)))
}

/// Follows nested fixed-size lists from `array` down to their values, pushing each list size
/// as an axis: items `lo..lo + count` of `array`.
///
/// # Safety
/// As for [`node`].
pub(super) unsafe fn lists(
    array: &ArrowArray,
    f: &FieldType<'_>,
    lo: u64,
    count: u64,
    axes: &mut Vec<usize>,
    what: &str,
) -> Result<(ItemType, *mut u8), Error> {
    let Format::FixedSizeList(k) = f.format else {
        // SAFETY: the caller's contract.
        return unsafe { values(array, f, lo, count, what) };
    };
    if axes.len() + 1 >= MAX_NDIM {
        return Err(error!(
            Layout,
            "the fixed-size lists nest deeper than the {MAX_NDIM} axes an array may have"
        ));
    }
    axes.push(k);
    // SAFETY: the caller's contract.
    let n = unsafe { node(array, what, 1, 1) }?;
    let first = physical(&n, lo, count, what)?;
    let k = k as u64;
    let (Some(child_lo), Some(child_count)) = (first.checked_mul(k), count.checked_mul(k)) else {
        return Err(error!(
            Layout,
            "{what}: {count} lists of {k} values from item {first} overflow"
        ));
    };
    let child_what = alloc::format!("the values of {what}");
    // SAFETY: the checked node has one child.
    let child = unsafe { array_child(array, 0, what) }?;
    // SAFETY: its schema was checked to have one.
    let child_field = unsafe { schema_child(f.schema, 0, what) }?;
    // SAFETY: the caller's contract.
    unsafe {
        lists(
            child,
            &child_field,
            child_lo,
            child_count,
            axes,
            &child_what,
        )
    }
}

/// An array length (checked against `i64` already) as an axis length.
pub(super) fn rows(length: u64) -> Result<usize, Error> {
    usize::try_from(length)
        .map_err(|_| error!(Layout, "length {length} does not fit this machine's usize"))
}

pub(super) fn strides_c(shape: &[usize], item: &ItemType) -> Result<Vec<isize>, Error> {
    contiguous_strides(shape, item.itemsize(), Order::C)
        .map(|s| s.to_vec())
        .ok_or_else(|| {
            error!(
                Layout,
                "shape {shape:?} of {}-byte values is larger than isize::MAX bytes",
                item.itemsize()
            )
        })
}

pub(super) fn locate(
    item: ItemType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    first: *mut u8,
    dim_names: Option<Vec<String>>,
) -> Result<Described, Error> {
    let foreign = Foreign::locate(first, &shape, &strides, item.itemsize())?;
    Ok(Described {
        item,
        shape,
        strides,
        foreign,
        dim_names,
        extension: None,
    })
}
