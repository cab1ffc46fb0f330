//! The metadata of views of the same bytes: transposes, slices, axes picked out, and the same
//! bytes read as another item type (the real or imaginary part of complex numbers, one field of
//! a record, signed as unsigned, pixels as channels). Every operation here is O(ndim), reads
//! no array bytes and returns a new item type and layout; the view types in
//! [`view`](crate::view) and [`owned`](crate::owned) wrap them as borrowing methods.
//!
//! Each result describes a subset of the source's bytes, split or regrouped, so it keeps the
//! source's layout invariants ([`Layout`], invariants 1–5) without being checked again: in
//! bounds, and with no two elements sharing a byte when the source had none.

use crate::error::{error, Error};
use crate::item::{ByteOrder, ItemType, Scalar, ScalarKind};
use crate::layout::{contiguous_strides, Axes, Layout, Order, MAX_NDIM};

/// A new item type and layout for the same buffer.
pub(crate) type Meta = (ItemType, Layout);

fn axis_error(layout: &Layout, axis: usize) -> Error {
    error!(
        Shape,
        "axis {axis} is out of range for a {}-D array",
        layout.shape().len()
    )
}

/// Reverses the order of the axes.
pub(crate) fn transpose(item: &ItemType, layout: &Layout) -> Meta {
    let mut shape = Axes::from_slice(layout.shape());
    let mut strides = Axes::from_slice(layout.strides());
    shape.reverse();
    strides.reverse();
    (
        item.clone(),
        layout.derived(shape, strides, layout.offset()),
    )
}

/// Puts axis `axes[i]` at position `i`.
pub(crate) fn permute_axes(
    item: &ItemType,
    layout: &Layout,
    axes: &[usize],
) -> Result<Meta, Error> {
    let n = layout.shape().len();
    let mut seen = Axes::<bool>::zeroed(n);
    if axes.len() != n
        || axes
            .iter()
            .any(|&a| a >= n || core::mem::replace(&mut seen[a], true))
    {
        return Err(error!(
            Shape,
            "{axes:?} is not a permutation of the {n} axes"
        ));
    }
    let mut shape = Axes::zeroed(n);
    let mut strides = Axes::zeroed(n);
    for (i, &a) in axes.iter().enumerate() {
        shape[i] = layout.shape()[a];
        strides[i] = layout.strides()[a];
    }
    Ok((
        item.clone(),
        layout.derived(shape, strides, layout.offset()),
    ))
}

/// The sub-array at `index` along `axis`, with that axis removed.
pub(crate) fn index_axis(
    item: &ItemType,
    layout: &Layout,
    axis: usize,
    index: usize,
) -> Result<Meta, Error> {
    let Some(&len) = layout.shape().get(axis) else {
        return Err(axis_error(layout, axis));
    };
    if index >= len {
        return Err(error!(
            Shape,
            "index {index} is out of range for axis {axis} of length {len}"
        ));
    }
    let offset = if layout.is_empty() {
        // No element, no extent: the offset stays (invariant 4).
        layout.offset()
    } else {
        // Invariant 3: the element at `index` lies inside the buffer, and the distance to it is
        // a sum of terms that fit in isize.
        layout.offset_by(index as isize * layout.strides()[axis])
    };
    let mut shape = Axes::from_slice(layout.shape());
    let mut strides = Axes::from_slice(layout.strides());
    shape.remove(axis);
    strides.remove(axis);
    Ok((item.clone(), layout.derived(shape, strides, offset)))
}

/// Python's `a[start:stop:step]` along `axis`. The bounds are computed in 128-bit arithmetic,
/// so no step, bound or axis length (even one above `isize::MAX` in an empty view) overflows.
pub(crate) fn slice(
    item: &ItemType,
    layout: &Layout,
    axis: usize,
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
) -> Result<Meta, Error> {
    let Some(&len) = layout.shape().get(axis) else {
        return Err(axis_error(layout, axis));
    };
    if step == 0 {
        return Err(error!(Shape, "slice step cannot be zero"));
    }
    let len = len as i128;
    let step = step as i128;
    let clip = |i: isize, lo: i128, hi: i128| {
        let i = i as i128;
        let i = if i < 0 { i + len } else { i };
        i.clamp(lo, hi)
    };
    let (first, end) = if step > 0 {
        (
            start.map_or(0, |s| clip(s, 0, len)),
            stop.map_or(len, |s| clip(s, 0, len)),
        )
    } else {
        (
            start.map_or(len - 1, |s| clip(s, -1, len - 1)),
            stop.map_or(-1, |s| clip(s, -1, len - 1)),
        )
    };
    let count: i128 = if step > 0 && end > first {
        (end - first - 1) / step + 1
    } else if step < 0 && first > end {
        (first - end - 1) / -step + 1
    } else {
        0
    };
    // `count` is at most the axis length, a usize.
    let count_usize = count as usize;
    let stride = layout.strides()[axis];
    let live = count > 0 && !layout.is_empty();
    let offset = if live {
        // `first` is a valid index of a non-empty array: invariant 3, as in `index_axis`.
        layout.offset_by(first as isize * stride)
    } else {
        layout.offset()
    };
    let new_stride = if count < 2 {
        stride
    } else if layout.is_empty() {
        // Nothing is reachable: any stride describes the same (empty) array.
        let product = stride as i128 * step;
        isize::try_from(product).unwrap_or(stride)
    } else {
        // Two elements `|step|` apart along the axis: a distance inside the extent.
        isize::try_from(stride as i128 * step)
            .map_err(|_| error!(Layout, "stride {stride} × step {step} overflows"))?
    };
    let mut shape = Axes::from_slice(layout.shape());
    let mut strides = Axes::from_slice(layout.strides());
    shape[axis] = count_usize;
    strides[axis] = new_stride;
    Ok((item.clone(), layout.derived(shape, strides, offset)))
}

/// The real (`imaginary == false`) or imaginary parts of a complex array.
pub(crate) fn complex_part(
    item: &ItemType,
    layout: &Layout,
    imaginary: bool,
) -> Result<Meta, Error> {
    let part = match item.as_scalar() {
        Some(s) if s.kind() == ScalarKind::Complex => {
            Scalar::new(ScalarKind::Float, s.size() / 2, s.order())?
        }
        _ => {
            return Err(error!(
                ItemType,
                "expected an array of complex numbers, got items of {}",
                item.describe()
            ))
        }
    };
    let shift = if imaginary { part.size() } else { 0 };
    let size = part.size();
    Ok((
        ItemType::Scalar(part),
        layout.reshaped_items(
            shift,
            size,
            Axes::from_slice(layout.shape()),
            Axes::from_slice(layout.strides()),
        )?,
    ))
}

/// One field of a record array; a sub-array field adds its axes at the end.
pub(crate) fn field(item: &ItemType, layout: &Layout, name: &str) -> Result<Meta, Error> {
    let Some(field) = item.field(name) else {
        let names = match item.fields() {
            Some(fields) => alloc::format!(
                "{:?}",
                fields
                    .iter()
                    .filter_map(|f| f.name())
                    .collect::<alloc::vec::Vec<_>>()
            ),
            None => alloc::string::String::from("none: the items are not records"),
        };
        return Err(error!(
            ItemType,
            "no field named {name:?} in {}; fields: {names}",
            item.describe()
        ));
    };
    let (part, inner) = match field.item() {
        ItemType::Array(sub) => (sub.item(), sub.shape()),
        other => (other.clone(), &[][..]),
    };
    with_inner_axes(layout, field.offset(), part, inner)
}

/// The view whose elements are `part`s at byte `shift` inside each current item, followed by
/// the C-contiguous `inner` axes of a sub-array item (a field, or a fixed-array element).
fn with_inner_axes(
    layout: &Layout,
    shift: usize,
    part: ItemType,
    inner: &[usize],
) -> Result<Meta, Error> {
    check_ndim(layout, inner.len())?;
    let mut shape = Axes::from_slice(layout.shape());
    let mut strides = Axes::from_slice(layout.strides());
    let size = part.itemsize();
    push_inner_axes(&mut shape, &mut strides, inner, size);
    let layout = layout.reshaped_items(shift, size, shape, strides)?;
    Ok((part, layout))
}

fn check_ndim(layout: &Layout, more: usize) -> Result<(), Error> {
    let n = layout.shape().len() + more;
    if n > MAX_NDIM {
        return Err(error!(
            Layout,
            "the view would have {n} axes, more than the {MAX_NDIM} an array may have"
        ));
    }
    Ok(())
}

/// Checks that the bytes of the current items may be read as `target`: no padding bytes (never
/// exposed as data), and the native byte order unless `target` is made of single bytes.
fn check_reinterpretable(item: &ItemType, target: &ItemType, what: &str) -> Result<(), Error> {
    if item.has_padding() {
        return Err(error!(
            ItemType,
            "cannot {what}: items of {} contain padding bytes, which are not data",
            item.describe()
        ));
    }
    let bytewise = |t: &ItemType| {
        t.as_scalar()
            .is_some_and(|s| s.order() == ByteOrder::NotApplicable)
    };
    if !item.is_native_order() && !bytewise(target) {
        return Err(crate::error::byte_order_error(&item.describe(), what));
    }
    Ok(())
}

/// The same bytes as items of `target`, of the same size.
pub(crate) fn cast_item(item: &ItemType, layout: &Layout, target: ItemType) -> Result<Meta, Error> {
    if target.itemsize() != item.itemsize() {
        return Err(error!(
            ItemType,
            "cannot view {}-byte items of {} as {}-byte items of {}; sizes must match (split_items changes the size)",
            item.itemsize(),
            item.describe(),
            target.itemsize(),
            target.describe()
        ));
    }
    if *item == target {
        return Ok((target, layout.clone()));
    }
    check_reinterpretable(
        item,
        &target,
        &alloc::format!("view items of {} as {}", item.describe(), target.describe()),
    )?;
    Ok((target, layout.clone()))
}

/// Each item as several items of `part` along a new last axis.
pub(crate) fn split_items(item: &ItemType, layout: &Layout, part: ItemType) -> Result<Meta, Error> {
    let (size, n) = (item.itemsize(), part.itemsize());
    if n == 0 || size % n != 0 {
        return Err(error!(
            ItemType,
            "cannot split {size}-byte items of {} into items of {} ({n} bytes): the size must divide",
            item.describe(),
            part.describe()
        ));
    }
    check_reinterpretable(
        item,
        &part,
        &alloc::format!(
            "split items of {} into {}",
            item.describe(),
            part.describe()
        ),
    )?;
    check_ndim(layout, 1)?;
    let mut shape = Axes::from_slice(layout.shape());
    let mut strides = Axes::from_slice(layout.strides());
    shape.push(size / n);
    strides.push(n as isize);
    Ok((part, layout.reshaped_items(0, n, shape, strides)?))
}

/// The last axis, contiguous, merged into one item of `whole`.
pub(crate) fn merge_items(
    item: &ItemType,
    layout: &Layout,
    whole: ItemType,
) -> Result<Meta, Error> {
    let Some((&len, &stride)) = layout.shape().last().zip(layout.strides().last()) else {
        return Err(error!(
            Shape,
            "cannot merge items of a 0-D array: there is no last axis"
        ));
    };
    let size = item.itemsize();
    if stride != size as isize && len > 1 {
        return Err(error!(
            Requirement,
            "cannot merge the last axis into items: its stride is {stride} bytes, expected {size} (contiguous)"
        ));
    }
    if len.checked_mul(size) != Some(whole.itemsize()) {
        return Err(error!(
            ItemType,
            "cannot merge {len} items of {} ({size} bytes each) into one of {} ({} bytes)",
            item.describe(),
            whole.describe(),
            whole.itemsize()
        ));
    }
    check_reinterpretable(
        item,
        &whole,
        &alloc::format!(
            "merge items of {} into {}",
            item.describe(),
            whole.describe()
        ),
    )?;
    let mut shape = Axes::from_slice(layout.shape());
    let mut strides = Axes::from_slice(layout.strides());
    shape.remove(shape.len() - 1);
    strides.remove(strides.len() - 1);
    let whole_size = whole.itemsize();
    Ok((whole, layout.reshaped_items(0, whole_size, shape, strides)?))
}

/// Appends a fixed-array element's `inner` axes, C-contiguous inside each element of
/// `base_size`-byte base items (a field's sub-array, `[[f32; 3]; 4]`'s `[4, 3]`): the one place
/// this is done. The caller checks the number of axes.
pub(crate) fn push_inner_axes(
    shape: &mut Axes<usize>,
    strides: &mut Axes<isize>,
    inner: &[usize],
    base_size: usize,
) {
    // Inside one item of at most isize::MAX bytes: cannot overflow.
    let inner_strides = contiguous_strides(inner, base_size, Order::C)
        .unwrap_or_else(|| unreachable!("a sub-array fits in its item"));
    for (&d, &s) in inner.iter().zip(inner_strides.iter()) {
        shape.push(d);
        strides.push(s);
    }
}

/// A fixed-array element's base item and axes (`[[f32; 3]; 4]` → `f32`, `[4, 3]`); any other
/// item and no axes.
pub(crate) fn element_parts(item: &ItemType) -> (ItemType, &[usize]) {
    match item {
        ItemType::Array(sub) => (sub.item(), sub.shape()),
        other => (other.clone(), &[]),
    }
}
