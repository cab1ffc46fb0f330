//! Export: any producer's array as an `ArrowSchema` + `ArrowArray` pair whose release callbacks
//! keep the producer alive.

use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::c_void;

use super::schema::{self, TensorMetadata};
use super::{ArrowArray, ArrowDeviceArray, ArrowSchema};
use crate::error::{error, Error};
use crate::item::{ByteOrder, ItemType, Scalar, ScalarKind};
use crate::layout::contiguous_in;
use crate::owned::Array;
use crate::{ArrayProducer, ArrayView, Order};

/// How [`export`] maps an array to Arrow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Names of the inner axes of an N-D array (every axis but the first, which indexes the
    /// rows), in logical order: the `"dim_names"` of `arrow.fixed_shape_tensor`. Refused for
    /// 1-D arrays and records. When `None`, the producer's
    /// [`axis_names`](crate::ArrayProducer::axis_names) are used, if it gives them.
    pub dim_names: Option<Vec<String>>,
    /// Whether a layout Arrow cannot describe without a copy (see the
    /// [module docs](super#what-maps-to-what)) is copied to a C-contiguous native array rather
    /// than refused. Records always need it.
    pub allow_copy: bool,
}

/// Exports `producer`'s array as an Arrow field type and array the caller owns; see the
/// [module docs](super) for the mapping and the ownership contract. The producer is kept (or,
/// when its array is copied, the copy is) until the last structure is released.
pub fn export<P: ArrayProducer + Send + 'static>(
    producer: P,
    options: &ExportOptions,
) -> Result<(ArrowSchema, ArrowArray), Error> {
    let holder = Arc::new(Holder(producer));
    let mut memory = Memory {
        copies: Vec::new(),
        borrowed: false,
    };
    let (schema, array) = {
        let view = holder.0.try_array()?;
        // Axis names the producer gives, when the caller gives none: every axis's but the
        // first, which indexes the rows.
        let named;
        let options = match holder.0.axis_names() {
            Some(names)
                if options.dim_names.is_none()
                    && names.len() == view.ndim()
                    && view.ndim() >= 2 =>
            {
                named = ExportOptions {
                    dim_names: Some(names[1..].iter().map(|n| String::from(*n)).collect()),
                    ..options.clone()
                };
                &named
            }
            _ => options,
        };
        column(&Described::of(&view), options, &mut memory, "", true)?
    };
    // The producer is kept only when some buffer points into it.
    let keep: Arc<dyn Send + Sync> = match (memory.borrowed, memory.copies.is_empty()) {
        (true, true) => holder,
        (true, false) => Arc::new((holder, memory.copies)),
        (false, _) => Arc::new(memory.copies),
    };
    Ok((schema.build()?, array.build(&keep)))
}

/// Exports memory on any device, described by the caller and never read here, as an Arrow
/// field type and an [`ArrowDeviceArray`] on that device: what an adapter holding device
/// memory (a DLPack tensor on a GPU) hands to Arrow consumers. The mapping is [`export`]'s
/// without copies: layouts Arrow cannot describe in place, and records, are refused whatever
/// `allow_copy` says. `keep_alive` is dropped when the last structure of the export is
/// released. The description's arithmetic is checked as
/// [`Foreign::locate`](crate::layout::Foreign::locate) checks it.
///
/// ```
/// use array_protocol::arrow::{export_device, ExportOptions, ARROW_DEVICE_CUDA};
/// use array_protocol::{Element, ErrorKind};
///
/// // Two rows of three float32 values "on CUDA device 1": only the address is handed on.
/// let device_memory = 0x7f00_0000_0000usize as *mut u8;
/// let item = f32::item_type();
/// // SAFETY: the description is never read here, and the export is dropped at once.
/// let (schema, device) = unsafe {
///     export_device((), device_memory, &item, &[2, 3], &[12, 4], ARROW_DEVICE_CUDA, 1, &ExportOptions::default())
/// }?;
/// assert_eq!((device.device_type, device.device_id, device.array.length), (ARROW_DEVICE_CUDA, 1, 2));
///
/// // A layout with gaps needs a copy, which device memory does not get here.
/// // SAFETY: as above.
/// let refused = unsafe {
///     export_device((), device_memory, &item, &[2, 3], &[16, 4], ARROW_DEVICE_CUDA, 1, &ExportOptions::default())
/// };
/// assert_eq!(refused.unwrap_err().kind(), ErrorKind::Layout);
/// # Ok::<(), array_protocol::Error>(())
/// ```
///
/// # Safety
/// `first`, `item`, `shape` and byte `strides` describe memory on device `device_type`
/// (`ARROW_DEVICE_*`) number `device_id` that stays valid, and unchanged by anyone but the
/// export's consumers, until `keep_alive` is dropped.
#[allow(clippy::too_many_arguments)]
pub unsafe fn export_device<K: Send + Sync + 'static>(
    keep_alive: K,
    first: *mut u8,
    item: &ItemType,
    shape: &[usize],
    strides: &[isize],
    device_type: i32,
    device_id: i64,
    options: &ExportOptions,
) -> Result<(ArrowSchema, ArrowDeviceArray), Error> {
    crate::layout::same_rank(shape, strides)?;
    if device_type <= 0 || device_id < -1 {
        return Err(error!(
            Requirement,
            "device type {device_type}, index {device_id}: expected a positive ARROW_DEVICE_* and an index of -1 or more"
        ));
    }
    crate::layout::Foreign::locate(first, shape, strides, item.itemsize())?;
    let described = Described {
        item,
        shape,
        strides,
        first,
        view: None,
    };
    let mut memory = Memory {
        copies: Vec::new(),
        borrowed: false,
    };
    let (schema, array) = column(&described, options, &mut memory, "", true)?;
    let keep: Arc<dyn Send + Sync> = Arc::new(keep_alive);
    Ok((
        schema.build()?,
        ArrowDeviceArray {
            array: array.build(&keep),
            device_id,
            device_type,
            sync_event: core::ptr::null_mut(),
            reserved: [0; 3],
        },
    ))
}

/// The producer, shared by every array of an export; nothing reads it once shared.
struct Holder<P>(P);

// SAFETY: after `export` has taken the view, no `&Holder` reaches the producer again: the
// shared holder is only dropped, on whichever thread releases the last array, which `P: Send`
// allows.
unsafe impl<P: Send> Sync for Holder<P> {}

/// 16 zero bytes aligned for every primitive: the values of empty arrays, since some consumers
/// dislike NULL buffers.
#[repr(C, align(16))]
struct Empty([u8; 16]);
static EMPTY: Empty = Empty([0; 16]);

/// Where the exported buffers point: copies made for the export, and whether any points into
/// the producer's own memory.
struct Memory {
    copies: Vec<Array>,
    borrowed: bool,
}

/// A field type to build.
struct SchemaNode {
    format: String,
    name: String,
    metadata: Option<Vec<u8>>,
    children: Vec<SchemaNode>,
}

/// An array to build: its length and buffers (pointers into the producer or the copies).
struct ArrayNode {
    length: i64,
    buffers: Vec<*const c_void>,
    children: Vec<ArrayNode>,
}

fn length(n: usize) -> Result<i64, Error> {
    i64::try_from(n).map_err(|_| error!(Layout, "length {n} does not fit Arrow's int64"))
}

/// What an export reads of an array: its description, and the view when the CPU may read the
/// memory (for the copies `allow_copy` makes, and records, which are always copied).
struct Described<'v> {
    item: &'v ItemType,
    shape: &'v [usize],
    strides: &'v [isize],
    first: *const u8,
    view: Option<&'v ArrayView<'v>>,
}

impl<'v> Described<'v> {
    fn of(view: &'v ArrayView<'v>) -> Described<'v> {
        Described {
            item: view.item(),
            shape: view.shape(),
            strides: view.strides(),
            first: view.as_ptr(),
            view: Some(view),
        }
    }

    fn ndim(&self) -> usize {
        self.shape.len()
    }

    fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    /// The view, for a copy; refused for memory the CPU does not read.
    fn readable(&self, why: &str) -> Result<&'v ArrayView<'v>, Error> {
        self.view.ok_or_else(|| {
            error!(
                Layout,
                "{why}; the memory is on a device, where this crate makes no copy"
            )
        })
    }
}

/// The field type and array of `view`; `copies` receives any copy made.
fn column(
    view: &Described<'_>,
    options: &ExportOptions,
    memory: &mut Memory,
    name: &str,
    top: bool,
) -> Result<(SchemaNode, ArrayNode), Error> {
    let names = if top {
        options.dim_names.as_deref()
    } else {
        None
    };
    let scalar = match view.item {
        ItemType::Struct(_) => {
            let readable = view.readable("records are exported as copies of their fields")?;
            return record(readable, options, memory, name, names.is_some());
        }
        ItemType::Array(_) => {
            return Err(error!(
                ItemType,
                "items of {} are sub-arrays: export them as axes of the array (split the items) instead",
                view.item.describe()
            ))
        }
        ItemType::Scalar(s) => *s,
    };
    let format = schema::scalar_format(&native(&scalar))
        .ok_or_else(|| error!(ItemType, "Arrow has no primitive type for items of {}: it has no complex numbers, bfloat16, long doubles, characters, byte or UCS-4 strings, or opaque items", view.item.describe()))?;
    let ndim = view.ndim();
    if ndim == 0 {
        return Err(error!(
            Shape,
            "a 0-D array has no Arrow equivalent: export it with shape [1]"
        ));
    }
    if ndim == 1 && names.is_some() {
        return Err(error!(
            Requirement,
            "dim_names name the inner axes of an N-D export; a 1-D array has none"
        ));
    }
    if let Some(n) = names {
        if n.len() != ndim - 1 {
            return Err(error!(
                Requirement,
                "{} dim_names given for the {} inner axes of shape {:?} (every axis but the first)",
                n.len(),
                ndim - 1,
                view.shape
            ));
        }
    }
    let inner = &view.shape[1..];
    let k = crate::layout::checked_product(1usize, inner)
        .filter(|&k| k <= i32::MAX as usize)
        .ok_or_else(|| error!(Layout, "the inner axes {inner:?} hold more than 2^31 - 1 values, the most an Arrow fixed-size list holds"))?;
    // Inner axes whose physical order is a cycle of three or more axes (a permutation that is not
    // its own inverse) are described differently by readers: pyarrow 26 reads such a
    // permutation as its inverse, the specification as written. Rather than be misread, such
    // layouts are exported only as a copy.
    let found = zero_copy(view, &scalar).and_then(|(ptr, order)| {
        if order.iter().enumerate().all(|(j, &a)| order.get(a) == Some(&j)) {
            Ok((ptr, order))
        } else {
            Err(alloc::format!(
                "the inner axes are stored in the order {order:?}, a cycle that Arrow readers disagree on (pyarrow reads the inverse permutation)"
            ))
        }
    });
    let (ptr, order) = match found {
        Ok(found) => {
            memory.borrowed |= !view.is_empty();
            found
        }
        Err(why) if options.allow_copy => {
            let view = view.readable(&why)?;
            let copy = if view.item().is_native_order() {
                view.to_contiguous(Order::C)?
            } else {
                view.to_native_order()?
            };
            let p = if copy.is_empty() {
                EMPTY.0.as_ptr()
            } else {
                copy.view().as_ptr()
            };
            memory.copies.push(copy);
            (p, (0..ndim.saturating_sub(1)).collect())
        }
        Err(why) if view.view.is_none() => return Err(error!(Layout, "{why}; Arrow needs the values back to back in native byte order, aligned, and rows one after the other, and the memory is on a device, where this crate makes no copy: make it contiguous there first")),
        Err(why) => return Err(error!(Layout, "{why}; Arrow needs the values back to back in native byte order, aligned, and rows one after the other: set `allow_copy` to export a C-contiguous copy")),
    };
    let bool8 = scalar.kind() == ScalarKind::Bool;
    let value_schema = |name: &str| -> Result<SchemaNode, Error> {
        let metadata = if bool8 {
            Some(schema::encode_metadata(&[
                (schema::EXTENSION_NAME, schema::BOOL8),
                (schema::EXTENSION_METADATA, ""),
            ])?)
        } else {
            None
        };
        Ok(SchemaNode {
            format: format.into(),
            name: name.into(),
            metadata,
            children: Vec::new(),
        })
    };
    let rows = view.shape[0];
    if ndim == 1 {
        let array = ArrayNode {
            length: length(rows)?,
            buffers: vec![core::ptr::null(), ptr.cast()],
            children: Vec::new(),
        };
        return Ok((value_schema(name)?, array));
    }
    // `order[j]`: the logical inner axis at physical position `j` (slowest first).
    let identity = order.iter().enumerate().all(|(j, &a)| j == a);
    let mut meta = TensorMetadata {
        shape: Some(order.iter().map(|&a| inner[a]).collect()),
        dim_names: names.map(|n| order.iter().map(|&a| n[a].clone()).collect()),
        permutation: None,
    };
    if !identity {
        let mut perm = vec![0; order.len()];
        for (j, &a) in order.iter().enumerate() {
            perm[a] = j;
        }
        meta.permutation = Some(perm);
    }
    let json = meta.to_json();
    let values = rows
        .checked_mul(k)
        .ok_or_else(|| error!(Layout, "{rows} rows of {k} values overflow"))?;
    let schema = SchemaNode {
        format: alloc::format!("+w:{k}"),
        name: name.into(),
        metadata: Some(schema::encode_metadata(&[
            (schema::EXTENSION_NAME, schema::FIXED_SHAPE_TENSOR),
            (schema::EXTENSION_METADATA, &json),
        ])?),
        children: vec![value_schema("item")?],
    };
    let array = ArrayNode {
        length: length(rows)?,
        buffers: vec![core::ptr::null()],
        children: vec![ArrayNode {
            length: length(values)?,
            buffers: vec![core::ptr::null(), ptr.cast()],
            children: Vec::new(),
        }],
    };
    Ok((schema, array))
}

/// Where `view`'s values start, and the physical order of its inner axes (slowest first), when
/// Arrow can describe it as it is; otherwise why not.
fn zero_copy(view: &Described<'_>, scalar: &Scalar) -> Result<(*const u8, Vec<usize>), String> {
    let ndim = view.ndim();
    let identity: Vec<usize> = (0..ndim.saturating_sub(1)).collect();
    if view.is_empty() {
        return Ok((EMPTY.0.as_ptr(), identity));
    }
    if !scalar.order().is_native() {
        return Err(alloc::format!(
            "the items ({}) are in the other byte order",
            view.item.describe()
        ));
    }
    let (shape, strides, size) = (view.shape, view.strides, view.item.itemsize());
    let addr = view.first as usize;
    if addr % scalar.alignment() != 0 {
        return Err(alloc::format!(
            "the first value at {addr:#x} is not aligned to {} bytes",
            scalar.alignment()
        ));
    }
    let (inner, inner_strides) = (&shape[1..], &strides[1..]);
    // The physical order: keep axes of length 1 in place, put the others in decreasing stride
    // order into the remaining places, so that C order stays the identity.
    let mut order = identity.clone();
    if !contiguous_in(inner, inner_strides, size, (0..inner.len()).rev()) {
        let mut moving: Vec<usize> = identity
            .iter()
            .copied()
            .filter(|&a| inner[a] != 1)
            .collect();
        let places = moving.clone();
        moving.sort_by_key(|&a| core::cmp::Reverse(inner_strides[a]));
        for (place, axis) in places.into_iter().zip(moving) {
            order[place] = axis;
        }
    }
    let block = crate::layout::checked_product(size, inner).and_then(|b| isize::try_from(b).ok());
    let inner_ok = contiguous_in(inner, inner_strides, size, order.iter().rev().copied());
    let rows_ok = shape[0] == 1 || Some(strides[0]) == block;
    if inner_ok && rows_ok {
        return Ok((view.first, order));
    }
    Err(alloc::format!(
        "the array's layout (shape {shape:?}, strides {strides:?}, {size}-byte items) is not rows of back-to-back values{}",
        if inner_ok { "" } else { " contiguous up to an order of the inner axes" }
    ))
}

/// A 1-D array of records as a struct array, one copied child per field.
fn record(
    view: &ArrayView<'_>,
    options: &ExportOptions,
    memory: &mut Memory,
    name: &str,
    named: bool,
) -> Result<(SchemaNode, ArrayNode), Error> {
    if named {
        return Err(error!(
            Requirement,
            "dim_names name the inner axes of an N-D export, not the fields of records"
        ));
    }
    if !options.allow_copy {
        return Err(error!(Requirement, "Arrow keeps each field of a record in its own buffer, so records ({}) are exported as a struct array of copies: set `allow_copy`", view.item().describe()));
    }
    if view.ndim() != 1 {
        return Err(error!(
            Shape,
            "only 1-D arrays of records become Arrow struct arrays; this one has shape {:?}",
            view.shape()
        ));
    }
    let fields = view.item().fields().unwrap_or_default();
    let mut schemas = Vec::with_capacity(fields.len());
    let mut arrays = Vec::with_capacity(fields.len());
    let inner = ExportOptions {
        dim_names: None,
        allow_copy: true,
    };
    for (i, f) in fields.iter().enumerate() {
        let field_name = f.name().ok_or_else(|| {
            error!(
                ItemType,
                "field {i} of {} has no name, which Arrow struct fields need",
                view.item().describe()
            )
        })?;
        let field = view.field(field_name)?;
        let (s, a) = column(&Described::of(&field), &inner, memory, field_name, false)?;
        schemas.push(s);
        arrays.push(a);
    }
    let schema = SchemaNode {
        format: "+s".into(),
        name: name.into(),
        metadata: None,
        children: schemas,
    };
    let array = ArrayNode {
        length: length(view.shape()[0])?,
        buffers: vec![core::ptr::null()],
        children: arrays,
    };
    Ok((schema, array))
}

/// What a built `ArrowSchema` owns.
struct SchemaPrivate {
    format: CString,
    name: CString,
    metadata: Option<Box<[u8]>>,
    /// Each from `Box::into_raw`, freed by the release callback.
    children: Box<[*mut ArrowSchema]>,
}

/// What a built `ArrowArray` owns.
struct ArrayPrivate {
    buffers: Box<[*const c_void]>,
    /// Each from `Box::into_raw`, freed by the release callback.
    children: Box<[*mut ArrowArray]>,
    _keep: Arc<dyn Send + Sync>,
}

fn c_string(s: String, what: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|e| {
        error!(
            ItemType,
            "the {what} {:?} holds a NUL byte, which C strings cannot",
            String::from_utf8_lossy(&e.into_vec())
        )
    })
}

impl SchemaNode {
    fn build(self) -> Result<ArrowSchema, Error> {
        let format = c_string(self.format, "format")?;
        let name = c_string(self.name, "field name")?;
        let mut built = Vec::with_capacity(self.children.len());
        for child in self.children {
            built.push(child.build()?);
        }
        let children: Box<[*mut ArrowSchema]> = built
            .into_iter()
            .map(|c| Box::into_raw(Box::new(c)))
            .collect();
        let private = Box::new(SchemaPrivate {
            format,
            name,
            metadata: self.metadata.map(Vec::into_boxed_slice),
            children,
        });
        Ok(ArrowSchema {
            format: private.format.as_ptr(),
            name: private.name.as_ptr(),
            metadata: private
                .metadata
                .as_ref()
                .map_or(core::ptr::null(), |m| m.as_ptr().cast()),
            flags: 0,
            n_children: private.children.len() as i64,
            children: private.children.as_ptr().cast_mut(),
            dictionary: core::ptr::null_mut(),
            release: Some(release_schema),
            private_data: Box::into_raw(private).cast(),
        })
    }
}

impl ArrayNode {
    fn build(self, keep: &Arc<dyn Send + Sync>) -> ArrowArray {
        let children: Box<[*mut ArrowArray]> = self
            .children
            .into_iter()
            .map(|c| Box::into_raw(Box::new(c.build(keep))))
            .collect();
        let private = Box::new(ArrayPrivate {
            buffers: self.buffers.into_boxed_slice(),
            children,
            _keep: Arc::clone(keep),
        });
        ArrowArray {
            length: self.length,
            null_count: 0,
            offset: 0,
            n_buffers: private.buffers.len() as i64,
            n_children: private.children.len() as i64,
            buffers: private.buffers.as_ptr().cast_mut(),
            children: private.children.as_ptr().cast_mut(),
            dictionary: core::ptr::null_mut(),
            release: Some(release_array),
            private_data: Box::into_raw(private).cast(),
        }
    }
}

/// Frees children built as `Box::into_raw(Box::new(…))`: dropping each releases it unless a
/// consumer moved it away (marking it released), then frees the structure itself.
///
/// # Safety
/// Each pointer is such a box, not freed yet.
unsafe fn free_children<T>(children: &[*mut T]) {
    for &child in children {
        // SAFETY: the caller's contract; the structure's `Drop` releases it if still held.
        drop(unsafe { Box::from_raw(child) });
    }
}

unsafe extern "C" fn release_schema(schema: *mut ArrowSchema) {
    // SAFETY: called through the `release` of a schema built by `SchemaNode::build`, once
    // (it sets `release` to NULL), wherever the structure has been moved.
    let schema = unsafe { &mut *schema };
    // SAFETY: `private_data` is the box leaked by `build`, reclaimed once.
    let private = unsafe { Box::from_raw(schema.private_data.cast::<SchemaPrivate>()) };
    // SAFETY: the children are boxes leaked by `build`, freed only here.
    unsafe { free_children(&private.children) };
    drop(private);
    schema.private_data = core::ptr::null_mut();
    schema.release = None;
}

unsafe extern "C" fn release_array(array: *mut ArrowArray) {
    // SAFETY: called through the `release` of an array built by `ArrayNode::build`, once.
    let array = unsafe { &mut *array };
    // SAFETY: `private_data` is the box leaked by `build`, reclaimed once.
    let private = unsafe { Box::from_raw(array.private_data.cast::<ArrayPrivate>()) };
    // SAFETY: the children are boxes leaked by `build`, freed only here.
    unsafe { free_children(&private.children) };
    drop(private);
    array.private_data = core::ptr::null_mut();
    array.release = None;
}

/// The scalar in native order, as a copy holds it: the format names the type, the byte order
/// only decides whether a copy is needed.
fn native(s: &Scalar) -> Scalar {
    Scalar::new(s.kind(), s.size(), ByteOrder::NATIVE).unwrap_or(*s)
}
