//! The item-type language: one model of what a single array element looks like in memory, read
//! and written in every dialect the protocol speaks.
//!
//! - [`pep3118`]: PEP 3118 / `struct`-module format strings (`<f8`, `T{B:r:B:g:B:b:B:a:}`);
//! - [`numpy`]: NumPy `__array_interface__` typestr (`<f8`, `|V16`) and descr lists;
//! - [`dlpack`]: DLPack `DLDataType` (`code`, `bits`, `lanes`);
//! - [`element`]: the [`Element`](crate::item::element::Element) trait tying Rust types to their item type.
//!
//! Byte orders are resolved when a description is read: on a little-endian machine `<i4`, `=i4`
//! and `i4` all become a 4-byte signed integer in [`ByteOrder::Little`], so two descriptions of
//! the same memory compare equal whatever dialect or spelling they came from.

pub mod dlpack;
pub mod element;
mod endian;
mod minifloat;
pub mod numpy;
pub mod pep3118;
mod record;
mod scalar;
mod storage;
mod subarray;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::hash::{Hash, Hasher};

pub use endian::{Be, Endian, Le};
pub use minifloat::{bytes8, MiniFloat};
pub(crate) use record::{duplicate_name, RecordFacts};
pub use record::{Field, Struct, StructData};
pub(crate) use scalar::{string_item, NATIVE_LONG_SIZE};
pub use scalar::{ByteOrder, Scalar, ScalarKind, LONG_DOUBLE_SIZE};
#[doc(hidden)]
use storage::Fields;
pub use storage::{Name, Shared};
use subarray::SubRepr;
pub use subarray::{SubArray, SubArrayData, MAX_SUBARRAY_NDIM};

use crate::error::{Dialect, FormatError};

/// The deepest nesting of records (structs inside structs) an item type may have, in every
/// dialect: PEP 3118 `T{…}`, NumPy descr lists, `.npy` headers and the constructors. A record is
/// one level, a record inside it two, and so on; scalars and sub-arrays add none (sub-arrays are
/// flattened, so each record level adds at most two steps of recursion). NumPy itself has no
/// fixed limit (its readers recurse until Python's recursion limit, about 1000, raises
/// `RecursionError`, or crash first); 32 matches the nesting the `.npy` header reader always
/// allowed and is far beyond any real data layout. Deeper descriptions are refused, so nothing
/// that reads, renders or drops an item type recurses further than this.
pub const MAX_NESTING: usize = 32;

/// Facts about a composite item, computed once when it is built so every query is O(1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Info {
    size: usize,
    align: usize,
    depth: u8,
    native: bool,
    padded: bool,
}

impl Info {
    /// The facts of a scalar, or of a sub-array of scalars, of `size` bytes: nothing nested,
    /// nothing padded.
    #[inline]
    pub(crate) const fn flat(size: usize, align: usize, native: bool) -> Info {
        Info {
            size,
            align,
            depth: 0,
            native,
            padded: false,
        }
    }
}

/// What one element of an array looks like in memory.
///
/// Read from and written to PEP 3118 format strings ([`from_pep3118`](Self::from_pep3118),
/// [`to_pep3118`](Self::to_pep3118)), NumPy typestr/descr ([`typestr`](Self::typestr),
/// [`descr`](Self::descr)) and DLPack ([`to_dlpack`](Self::to_dlpack)). Three words, and
/// cloning never allocates: scalars and sub-arrays of scalars with one or two axes (`4B`,
/// `(2,3)f`) are stored inline,
/// other sub-arrays and records are a `'static` borrow when known at compile time and shared
/// (reference-counted) when read at run time. Size, alignment, byte order and padding are
/// computed once when the item type is built.
///
/// ```
/// use array_protocol::ItemType;
///
/// let rgba = ItemType::from_pep3118("T{B:r:B:g:B:b:B:a:}").unwrap();
/// assert_eq!(rgba.itemsize(), 4);
/// let names: Vec<_> = rgba.fields().unwrap().iter().map(|f| f.name().unwrap()).collect();
/// assert_eq!(names, ["r", "g", "b", "a"]);
/// assert_eq!(rgba.typestr(), "|V4");
///
/// let aligned = ItemType::from_pep3118("B:a:i:b:").unwrap(); // `@`: native alignment
/// assert_eq!(aligned.itemsize(), 8);
/// assert_eq!(aligned.fields().unwrap()[1].offset(), 4);
/// assert_eq!(aligned.to_pep3118(), "T{B:a:xxxi:b:}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemType {
    /// A number, boolean, string or opaque run of bytes.
    Scalar(Scalar),
    /// A fixed-shape array of items.
    Array(SubArray),
    /// A record of fields.
    Struct(Struct),
}

pub(crate) fn model_error(message: impl Into<String>) -> FormatError {
    FormatError::new(Dialect::Model, String::new(), None, message)
}

fn too_large(shape: &[usize], itemsize: usize) -> FormatError {
    model_error(alloc::format!(
        "a sub-array of shape {shape:?} with {itemsize}-byte items is larger than isize::MAX bytes"
    ))
}

fn nesting_error() -> FormatError {
    model_error(alloc::format!(
        "the item type nests records more than {MAX_NESTING} levels deep"
    ))
}

impl ItemType {
    /// A scalar item; see [`Scalar::new`].
    pub fn scalar(
        kind: ScalarKind,
        size: usize,
        order: ByteOrder,
    ) -> Result<ItemType, FormatError> {
        Scalar::new(kind, size, order).map(ItemType::Scalar)
    }

    /// The item type of one [`MiniFloat`] value: one byte.
    pub const fn mini_float(format: MiniFloat) -> ItemType {
        ItemType::Scalar(Scalar::raw(
            ScalarKind::MiniFloat(format),
            1,
            ByteOrder::NotApplicable,
        ))
    }

    /// A sub-array of `item` with `shape`; a sub-array item is flattened into the shape.
    /// Every axis is at most `isize::MAX` long and the whole item at most `isize::MAX` bytes,
    /// as in NumPy.
    ///
    /// ```
    /// use array_protocol::{Element, ItemType};
    ///
    /// let m = ItemType::array(f32::item_type(), &[2, 3]).unwrap();
    /// assert_eq!((m.itemsize(), m.to_pep3118().as_str()), (24, "(2,3)f"));
    /// assert!(ItemType::array(f32::item_type(), &[]).is_err());
    /// let void = ItemType::from_typestr("|V0").unwrap();
    /// assert!(ItemType::array(void, &[usize::MAX]).is_err());
    /// ```
    pub fn array(item: ItemType, shape: &[usize]) -> Result<ItemType, FormatError> {
        SubArray::build(item, shape)
    }

    /// A record of `fields` taking `size` bytes; with no fields, a [`ScalarKind::Void`] of `size`.
    ///
    /// Fields must be in offset order, must not overlap, must fit in `size`, and named fields
    /// need distinct, non-empty names without `:`.
    ///
    /// ```
    /// use array_protocol::{Element, Field, ItemType};
    ///
    /// let t = ItemType::record(
    ///     vec![Field::new(Some("id"), 0, u32::item_type()), Field::new(Some("mass"), 8, f64::item_type())],
    ///     16,
    /// )
    /// .unwrap();
    /// assert_eq!(t.to_pep3118(), "T{I:id:4xd:mass:}");
    /// let overlapping = vec![Field::new(None, 0, u32::item_type()), Field::new(None, 2, u32::item_type())];
    /// assert!(ItemType::record(overlapping, 8).is_err());
    /// ```
    pub fn record(fields: Vec<Field>, size: usize) -> Result<ItemType, FormatError> {
        if size > isize::MAX as usize {
            return Err(model_error(alloc::format!(
                "a record of {size} bytes is too large"
            )));
        }
        if fields.is_empty() {
            return ItemType::scalar(ScalarKind::Void, size, ByteOrder::NotApplicable);
        }
        let mut end = 0usize;
        for (i, field) in fields.iter().enumerate() {
            let label = FieldLabel(field.name(), i);
            if let Some(name) = field.name() {
                if name.is_empty() || name.contains(':') {
                    return Err(model_error(alloc::format!(
                        "field name {name:?} must be non-empty and must not contain `:`"
                    )));
                }
            }
            if field.offset < end {
                return Err(model_error(alloc::format!(
                    "{label} at offset {} overlaps the previous field, which ends at {end}; \
                     fields must be in offset order and must not overlap",
                    field.offset
                )));
            }
            end = field.offset.saturating_add(field.item.itemsize());
            if end > size {
                return Err(model_error(alloc::format!(
                    "{label} ends at byte {end}, past the record's size of {size} bytes"
                )));
            }
        }
        if let Some(name) = duplicate_name(&fields) {
            return Err(model_error(alloc::format!("duplicate field name {name:?}")));
        }
        Struct::from_checked(fields.into(), size).map(ItemType::Struct)
    }

    /// A record from a reader whose fields are in order, disjoint, inside `size` and uniquely
    /// named by construction; checking again would double the reader's cost. Only the nesting
    /// depth is checked.
    pub(crate) fn record_parsed(
        fields: Arc<[Field]>,
        facts: RecordFacts,
        size: usize,
    ) -> Result<ItemType, FormatError> {
        debug_assert!(!fields.is_empty() && ItemType::record(fields.to_vec(), size).is_ok());
        facts.record(fields, size).map(ItemType::Struct)
    }

    /// The record of a compile-time `data`, or, with no fields, a [`ScalarKind::Void`] of its
    /// size (as the PEP 3118 reader makes of `T{}`); what `#[derive(Element)]` builds.
    ///
    /// # Panics
    /// As [`Struct::from_static`].
    #[doc(hidden)]
    pub const fn record_static(data: &'static StructData) -> ItemType {
        if data.is_empty() {
            ItemType::Scalar(Scalar::raw(
                ScalarKind::Void,
                data.size(),
                ByteOrder::NotApplicable,
            ))
        } else {
            ItemType::Struct(Struct::from_static(data))
        }
    }

    /// A copy of a compile-time item type, in a constant.
    pub(crate) const fn static_copy(&self) -> ItemType {
        match self {
            ItemType::Scalar(s) => ItemType::Scalar(*s),
            ItemType::Array(SubArray(SubRepr::Inline {
                kind,
                order,
                ndim,
                itemsize,
                dims,
            })) => ItemType::Array(SubArray(SubRepr::Inline {
                kind: *kind,
                order: *order,
                ndim: *ndim,
                itemsize: *itemsize,
                dims: *dims,
            })),
            ItemType::Array(SubArray(SubRepr::Shared(Shared::Static(d)))) => {
                ItemType::Array(SubArray(SubRepr::Shared(Shared::Static(d))))
            }
            ItemType::Struct(Struct(Shared::Static(d))) => {
                ItemType::Struct(Struct(Shared::Static(d)))
            }
            _ => panic!("not a compile-time item type"),
        }
    }

    #[inline]
    pub(crate) const fn info(&self) -> Info {
        match self {
            ItemType::Scalar(s) => Info::flat(s.size, s.alignment(), s.order.is_native()),
            ItemType::Array(a) => a.info(),
            ItemType::Struct(s) => s.0.get().info,
        }
    }

    /// Size of one item in bytes.
    #[inline]
    pub const fn itemsize(&self) -> usize {
        match self {
            ItemType::Scalar(s) => s.size,
            ItemType::Array(a) => match &a.0 {
                SubRepr::Inline { .. } => a.info().size,
                SubRepr::Shared(data) => data.get().info.size,
            },
            ItemType::Struct(s) => s.0.get().info.size,
        }
    }

    /// The alignment of the item under native (`@`) rules: a scalar's natural alignment, a
    /// record's largest field alignment (1 for no fields).
    #[inline]
    pub const fn alignment(&self) -> usize {
        self.info().align
    }

    /// How deeply records nest: 0 for a scalar or a sub-array of scalars, 1 for a record of
    /// those, and so on, at most [`MAX_NESTING`].
    #[inline]
    pub const fn depth(&self) -> usize {
        self.info().depth as usize
    }

    /// The data fields of a record, in offset order, padding excluded; `None` for a non-record.
    pub fn fields(&self) -> Option<&[Field]> {
        self.as_struct().map(Struct::fields)
    }

    /// The field called `name`, if this is a record that has one.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields()?.iter().find(|f| f.name() == Some(name))
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            ItemType::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The sub-array, if this is one.
    pub fn as_subarray(&self) -> Option<&SubArray> {
        match self {
            ItemType::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The record, if this is one.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            ItemType::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// A short name for messages: the typestr of a scalar (`<f8`, `|u1`), the PEP 3118 format of
    /// anything else (`T{B:r:B:g:}`).
    pub fn describe(&self) -> String {
        match self {
            ItemType::Scalar(s) => match s.kind() {
                ScalarKind::BFloat => self.to_pep3118(),
                ScalarKind::MiniFloat(f) => String::from(f.name()),
                _ => self.typestr(),
            },
            _ => self.to_pep3118(),
        }
    }

    /// Whether every scalar inside is in native byte order (or has none), so the bytes can be
    /// read on this machine as they are.
    #[inline]
    pub const fn is_native_order(&self) -> bool {
        self.info().native
    }

    /// Whether some bytes of an item belong to no field (padding, possibly uninitialised).
    #[inline]
    pub const fn has_padding(&self) -> bool {
        self.info().padded
    }

    /// The same item with every scalar in native byte order: what a byte-swapping copy produces.
    ///
    /// ```
    /// use array_protocol::{Element, ItemType};
    ///
    /// let be = ItemType::from_pep3118(">d").unwrap();
    /// assert!(!be.is_native_order());
    /// assert_eq!(be.to_native_order(), f64::item_type());
    /// ```
    pub fn to_native_order(&self) -> ItemType {
        if self.is_native_order() {
            return self.clone();
        }
        match self {
            ItemType::Scalar(s) => ItemType::Scalar(Scalar {
                order: ByteOrder::NATIVE,
                ..*s
            }),
            ItemType::Array(a) => SubArray::build(a.item().to_native_order(), a.shape())
                .unwrap_or_else(|_| unreachable!("the same shape and item size as a valid one")),
            ItemType::Struct(s) => {
                let fields = s
                    .fields()
                    .iter()
                    .map(|f| Field {
                        item: f.item.to_native_order(),
                        ..f.clone()
                    })
                    .collect();
                ItemType::Struct(
                    Struct::from_checked(fields, s.size())
                        .unwrap_or_else(|_| unreachable!("the same depth as a valid one")),
                )
            }
        }
    }
}

impl fmt::Display for ItemType {
    /// The canonical PEP 3118 format, as [`to_pep3118`](ItemType::to_pep3118).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_pep3118())
    }
}

struct FieldLabel<'a>(Option<&'a str>, usize);

impl fmt::Display for FieldLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(name) => write!(f, "field {name:?}"),
            None => write!(f, "field #{}", self.1),
        }
    }
}
