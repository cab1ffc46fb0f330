//! The canonical tensor extensions: `arrow.fixed_shape_tensor` and (one row at a time)
//! `arrow.variable_shape_tensor`, their permutation turned into strides.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::super::schema::{self, Format, TensorMetadata};
use super::super::ArrowArray;
use super::nodes::{
    array_child, entry, lists, locate, node, physical, rows, schema_child, strides_c, values,
    Described, FieldType, Node,
};
use crate::error::{error, Error};
use crate::item::ItemType;
use crate::MAX_NDIM;

/// A tensor's logical shape, strides and axis names.
type Logical = (Vec<usize>, Vec<isize>, Option<Vec<String>>);

/// The logical shape, strides and names of a tensor whose physical shape is `physical`
/// (C order), by the specification's permutation: logical axis `i` is physical axis
/// `permutation[i]`. With `rows`, the result starts with that many rows of such tensors, the
/// strides checked for the whole `[rows] + physical` as for any other array.
///
/// For permutations that are their own inverse (every transposition) this agrees with pyarrow;
/// for others (`[2, 0, 1]`) pyarrow's `to_numpy_ndarray` gives overlapping strides (its test
/// `test_tensor_class_methods` expects strides `(1, 6, 2)` for physical shape `[2, 2, 3]`, where
/// elements `[2, 0, 0]` and `[0, 0, 1]` meet), so this follows the specification's text and
/// example rather than that.
fn permuted(
    name: &str,
    meta: &TensorMetadata,
    physical: &[usize],
    item: &ItemType,
    rows: Option<usize>,
) -> Result<Logical, Error> {
    let n = physical.len();
    if n > MAX_NDIM - 1 {
        return Err(error!(
            Layout,
            "{name} has {n} axes, more than an array may have"
        ));
    }
    let perm: Vec<usize> = meta.permutation.clone().unwrap_or_else(|| (0..n).collect());
    let mut seen = vec![false; n];
    let valid = perm.len() == n
        && perm
            .iter()
            .all(|&p| p < n && !core::mem::replace(&mut seen[p], true));
    if !valid {
        return Err(error!(
            Format,
            "{name}'s permutation {perm:?} is not a permutation of 0..{n}"
        ));
    }
    if let Some(names) = &meta.dim_names {
        if names.len() != n {
            return Err(error!(
                Format,
                "{name} has {} dim_names for {n} axes",
                names.len()
            ));
        }
    }
    let outer = usize::from(rows.is_some());
    let whole: Vec<usize> = rows.iter().chain(physical).copied().collect();
    let strides = strides_c(&whole, item)?;
    let mut shape = whole[..outer].to_vec();
    shape.extend(perm.iter().map(|&p| physical[p]));
    let mut logical = strides[..outer].to_vec();
    logical.extend(perm.iter().map(|&p| strides[outer + p]));
    Ok((
        shape,
        logical,
        meta.dim_names
            .as_ref()
            .map(|names| perm.iter().map(|&p| names[p].clone()).collect()),
    ))
}

/// `arrow.fixed_shape_tensor`: rows of tensors of the metadata's shape, stored as a fixed-size
/// list of primitive values.
///
/// # Safety
/// As for [`ArrowImport::from_raw`].
pub(super) unsafe fn fixed_tensor(
    array: &ArrowArray,
    f: &FieldType<'_>,
    meta: &[u8],
) -> Result<Described, Error> {
    let name = schema::FIXED_SHAPE_TENSOR;
    let Format::FixedSizeList(k) = f.format else {
        return Err(error!(
            Format,
            "{name} needs fixed-size list storage (+w:N)"
        ));
    };
    let meta = TensorMetadata::from_json(name, meta)?;
    let Some(physical) = &meta.shape else {
        return Err(error!(Format, "{name} metadata has no \"shape\""));
    };
    // A zero-length axis holds no values, however long the others.
    let product = if physical.contains(&0) {
        Some(0)
    } else {
        crate::layout::checked_product(1usize, physical)
    };
    if product != Some(k) {
        return Err(error!(
            Format,
            "{name} shape {physical:?} does not hold the {k} values of each storage list"
        ));
    }
    let length = u64::try_from(array.length).unwrap_or(0);
    let mut axes = Vec::new();
    // SAFETY: the caller's contract.
    let (item, first) = unsafe { lists(array, f, 0, length, &mut axes, "the array") }?;
    if axes.len() != 1 {
        return Err(error!(
            Unsupported,
            "{name} values must be primitive, not nested lists"
        ));
    }
    let (shape, strides, names) = permuted(name, &meta, physical, &item, Some(rows(length)?))?;
    locate(item, shape, strides, first, names)
}

/// `arrow.variable_shape_tensor` of exactly one row: that tensor, of the shape its row says.
///
/// # Safety
/// As for [`ArrowImport::from_raw`].
pub(super) unsafe fn variable_tensor(
    array: &ArrowArray,
    f: &FieldType<'_>,
    meta: &[u8],
) -> Result<Described, Error> {
    let name = schema::VARIABLE_SHAPE_TENSOR;
    if f.format != Format::Struct || f.schema.n_children != 2 {
        return Err(error!(
            Format,
            "{name} needs struct storage with the fields \"data\" and \"shape\""
        ));
    }
    let meta = TensorMetadata::from_json(name, meta)?;
    // SAFETY: the caller's contract.
    let n = unsafe { node(array, "the array", 1, 2) }?;
    if n.length != 1 {
        return Err(error!(Unsupported, "{name} arrays are imported one row (one tensor) at a time, since each row has its own shape; this one has {} rows", n.length));
    }
    let row = n.offset;
    // SAFETY: two children, checked on both sides.
    let first_field = unsafe { schema_child(f.schema, 0, "the array") }?;
    // SAFETY: as above.
    let fields = [first_field, unsafe {
        schema_child(f.schema, 1, "the array")
    }?];
    let index = |wanted: &[u8]| {
        fields.iter().position(|c| c.name == wanted).ok_or_else(|| {
            error!(
                Format,
                "{name} storage has no field {:?}",
                String::from_utf8_lossy(wanted)
            )
        })
    };
    let (d, s) = (index(b"data")?, index(b"shape")?);
    // SAFETY: the children the node check found.
    let data = unsafe { array_child(array, d, "the array") }?;
    // SAFETY: as above.
    let shape_array = unsafe { array_child(array, s, "the array") }?;
    // The shape: one fixed-size list of int32.
    let mut axes = Vec::new();
    // SAFETY: the caller's contract.
    let (item, first) = unsafe {
        lists(
            shape_array,
            &fields[s],
            row,
            1,
            &mut axes,
            "the shape field",
        )
    }?;
    if axes.len() != 1 || item != <i32 as crate::Element>::ITEM_TYPE {
        return Err(error!(
            Format,
            "{name}'s shape field must be a fixed-size list of int32"
        ));
    }
    if axes[0] > MAX_NDIM - 1 {
        return Err(error!(
            Layout,
            "{name} rows have {} axes, more than an array may have", axes[0]
        ));
    }
    let dims = locate(item, vec![axes[0]], vec![4], first, None)?;
    let physical = dims
        .view()?
        .to_vec::<i32>()?
        .into_iter()
        .map(|d| {
            usize::try_from(d)
                .map_err(|_| error!(Layout, "{name} row has a negative length {d} in its shape"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The data: one list of values, its bounds in the offsets buffer.
    let Format::List { large } = fields[d].format else {
        return Err(error!(
            Format,
            "{name}'s data field must be a list (+l or +L)"
        ));
    };
    // SAFETY: the caller's contract.
    let list = unsafe { node(data, "the data field", 2, 1) }?;
    let at = physical_item(&list, row, "the data field")?;
    let width: usize = if large { 8 } else { 4 };
    // SAFETY: two buffers (checked by `node`).
    let offsets = unsafe { entry(data.buffers, 1) }.cast_mut().cast::<u8>();
    let (start, end) = bounds(offsets, at, width)?;
    let count = physical
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d as u64));
    if end < start || count != Some(end - start) {
        return Err(error!(
            Format,
            "{name} row lists values {start}..{end} for a tensor of shape {physical:?}"
        ));
    }
    // SAFETY: the list node has one child.
    let values_array = unsafe { array_child(data, 0, "the data field") }?;
    // SAFETY: its schema has one.
    let values_field = unsafe { schema_child(fields[d].schema, 0, "the data field") }?;
    // SAFETY: the caller's contract.
    let (item, first) = unsafe {
        values(
            values_array,
            &values_field,
            start,
            end - start,
            "the data values",
        )
    }?;
    let (shape, strides, names) = permuted(name, &meta, &physical, &item, None)?;
    locate(item, shape, strides, first, names)
}

/// The physical index of logical item `lo` of a node of one item wanted.
fn physical_item(node: &Node, lo: u64, what: &str) -> Result<u64, Error> {
    physical(node, lo, 1, what)
}

/// The two list offsets at entries `at` and `at + 1` of an offsets buffer of `width`-byte
/// integers, located and checked as any other view before they are read.
fn bounds(offsets: *mut u8, at: u64, width: usize) -> Result<(u64, u64), Error> {
    if offsets.is_null() {
        return Err(error!(Layout, "the list offsets buffer is NULL"));
    }
    let addr = offsets as usize;
    let start = usize::try_from(at)
        .ok()
        .and_then(|i| i.checked_mul(width))
        .filter(|&b| b <= isize::MAX as usize && addr.checked_add(b).is_some())
        .ok_or_else(|| {
            error!(
                Layout,
                "list offset {at} lies past the end of the address space"
            )
        })?;
    if (addr + start) % width != 0 {
        return Err(error!(
            Alignment,
            "the list offsets at {:#x} are not aligned to {width} bytes",
            addr + start
        ));
    }
    let item = if width == 8 {
        <i64 as crate::Element>::ITEM_TYPE
    } else {
        <i32 as crate::Element>::ITEM_TYPE
    };
    let located = locate(
        item,
        vec![2],
        vec![width as isize],
        offsets.wrapping_add(start),
        None,
    )?;
    let view = located.view()?;
    let pair: Vec<i64> = if width == 8 {
        view.to_vec::<i64>()?
    } else {
        view.to_vec::<i32>()?.into_iter().map(i64::from).collect()
    };
    match (u64::try_from(pair[0]), u64::try_from(pair[1])) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(error!(Format, "negative list offsets {pair:?}")),
    }
}
