//! The item-type language: one model of what a single array element looks like in memory, read
//! and written in every dialect the protocol speaks.
//!
//! - [`pep3118`]: PEP 3118 / `struct`-module format strings (`<f8`, `T{B:r:B:g:B:b:B:a:}`);
//! - [`numpy`]: NumPy `__array_interface__` typestr (`<f8`, `|V16`) and descr lists;
//! - [`dlpack`]: DLPack `DLDataType` (`code`, `bits`, `lanes`);
//! - [`element`]: the [`Element`](crate::Element) trait tying Rust types to their item type.
//!
//! Byte orders are resolved when a description is read: on a little-endian machine `<i4`, `=i4`
//! and `i4` all become a 4-byte signed integer in [`ByteOrder::Little`], so two descriptions of
//! the same memory compare equal whatever dialect or spelling they came from.

pub mod dlpack;
pub mod element;
pub mod numpy;
pub mod pep3118;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{Dialect, FormatError};

/// The order of the bytes of a multi-byte scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
    /// Items made of single bytes (`u8`, `bool`, byte strings, void) have no byte order.
    NotApplicable,
}

impl ByteOrder {
    /// The byte order of the machine this crate was compiled for.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "little") {
        ByteOrder::Little
    } else {
        ByteOrder::Big
    };

    /// Whether data in this order can be read directly on this machine.
    pub fn is_native(self) -> bool {
        self != Self::NATIVE.swapped()
    }

    /// The other order; [`NotApplicable`](ByteOrder::NotApplicable) stays as it is.
    pub fn swapped(self) -> ByteOrder {
        match self {
            ByteOrder::Little => ByteOrder::Big,
            ByteOrder::Big => ByteOrder::Little,
            ByteOrder::NotApplicable => ByteOrder::NotApplicable,
        }
    }
}

/// What kind of value a scalar item holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScalarKind {
    /// `?`: one byte, 0 or 1.
    Bool,
    /// `b h i l q n`: two's-complement signed integer of 1, 2, 4 or 8 bytes.
    Int,
    /// `B H I L Q N`: unsigned integer of 1, 2, 4 or 8 bytes.
    UInt,
    /// `e f d g`: IEEE float of 2, 4 or 8 bytes, or the platform's `long double`
    /// ([`LONG_DOUBLE_SIZE`] bytes; describable, not readable as a Rust type).
    Float,
    /// bfloat16 (2 bytes). PEP 3118 has no code for it; this crate writes the extension code `E`,
    /// which other readers refuse rather than misread.
    BFloat,
    /// `Zf Zd Zg`: complex number, two floats (real, imaginary) of half the size each.
    Complex,
    /// `c`: one byte character.
    Char,
    /// `Ns`: byte string of N bytes.
    Bytes,
    /// `Nw`: UCS-4 string of N code points (4 bytes each, with a byte order).
    Ucs4,
    /// A run of bytes with no interpretation: a named `Nx` field, or a NumPy `|VN` typestr.
    Void,
}

/// Size in bytes of the platform's C `long double` (`g`).
pub const LONG_DOUBLE_SIZE: usize = platform::LONG_DOUBLE.0;
const LONG_DOUBLE_ALIGN: usize = platform::LONG_DOUBLE.1;
/// Size in bytes of the platform's C `long` (`l`) in native (`@`) mode.
pub(crate) const NATIVE_LONG_SIZE: usize = platform::LONG;

mod platform {
    // (size, alignment) of `long double`; the sizes CPython's `struct` and numpy report.
    #[cfg(any(
        target_arch = "x86_64",
        all(target_arch = "aarch64", not(target_vendor = "apple"), not(windows))
    ))]
    pub const LONG_DOUBLE: (usize, usize) = if cfg!(windows) { (8, 8) } else { (16, 16) };
    #[cfg(all(target_arch = "x86", not(windows)))]
    pub const LONG_DOUBLE: (usize, usize) = (12, 4);
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "aarch64", not(target_vendor = "apple"), not(windows)),
        all(target_arch = "x86", not(windows))
    )))]
    pub const LONG_DOUBLE: (usize, usize) = (8, 8);
    pub const LONG: usize = if cfg!(windows) || cfg!(target_pointer_width = "32") {
        4
    } else {
        8
    };
}

/// A single value: number, boolean, string or opaque bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scalar {
    kind: ScalarKind,
    size: usize,
    order: ByteOrder,
}

impl Scalar {
    /// A scalar of `kind` taking `size` bytes in `order`.
    ///
    /// The order is normalised: items made of single bytes get [`ByteOrder::NotApplicable`]
    /// whatever is passed, and multi-byte items passed `NotApplicable` get the native order.
    ///
    /// ```
    /// use array_protocol::{ByteOrder, Scalar, ScalarKind};
    ///
    /// let be = Scalar::new(ScalarKind::Int, 4, ByteOrder::Big).unwrap();
    /// assert_eq!(be.order(), ByteOrder::Big);
    /// assert!(Scalar::new(ScalarKind::Float, 3, ByteOrder::Little).is_err());
    /// ```
    pub fn new(kind: ScalarKind, size: usize, order: ByteOrder) -> Result<Scalar, FormatError> {
        use ScalarKind::*;
        let ok = match kind {
            Bool | Char => size == 1,
            Int | UInt => matches!(size, 1 | 2 | 4 | 8),
            Float => matches!(size, 2 | 4 | 8) || size == LONG_DOUBLE_SIZE,
            BFloat => size == 2,
            Complex => matches!(size, 8 | 16) || size == 2 * LONG_DOUBLE_SIZE,
            Bytes => size >= 1 && size <= isize::MAX as usize,
            Ucs4 => size >= 4 && size % 4 == 0 && size <= isize::MAX as usize,
            Void => size <= isize::MAX as usize,
        };
        if !ok {
            return Err(model_error(alloc::format!(
                "a {kind:?} scalar cannot be {size} bytes"
            )));
        }
        let single_byte = matches!(kind, Bool | Char | Bytes | Void) || size == 1;
        let order = match (single_byte, order) {
            (true, _) => ByteOrder::NotApplicable,
            (false, ByteOrder::NotApplicable) => ByteOrder::NATIVE,
            (false, order) => order,
        };
        let scalar = Scalar { kind, size, order };
        if scalar.is_long_double() && !order.is_native() {
            return Err(model_error(
                "a long double can only be described in native byte order (PEP 3118 has no \
                 standard size for `g`)",
            ));
        }
        Ok(scalar)
    }

    /// A scalar known to be valid; for the crate's own constants.
    pub(crate) const fn raw(kind: ScalarKind, size: usize, order: ByteOrder) -> Scalar {
        Scalar { kind, size, order }
    }

    /// What the scalar holds.
    pub fn kind(&self) -> ScalarKind {
        self.kind
    }

    /// Size in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Byte order ([`ByteOrder::NotApplicable`] for single-byte items).
    pub fn order(&self) -> ByteOrder {
        self.order
    }

    /// The alignment this scalar has in a native (`@`) struct.
    pub fn alignment(&self) -> usize {
        match self.kind {
            ScalarKind::Bool | ScalarKind::Char | ScalarKind::Bytes | ScalarKind::Void => 1,
            ScalarKind::Ucs4 => 4,
            _ if self.is_long_double() => LONG_DOUBLE_ALIGN,
            ScalarKind::Complex => self.size / 2,
            _ => self.size,
        }
    }

    /// Whether this is `g` or `Zg` (the platform's `long double`, or complex of it).
    pub fn is_long_double(&self) -> bool {
        match self.kind {
            ScalarKind::Float => self.size == LONG_DOUBLE_SIZE && !matches!(self.size, 2 | 4 | 8),
            ScalarKind::Complex => {
                self.size == 2 * LONG_DOUBLE_SIZE && !matches!(self.size, 8 | 16)
            }
            _ => false,
        }
    }
}

/// A fixed-shape array of items inside one item, like `(2,3)f` or a Rust `[[f32; 3]; 2]`.
///
/// Nested sub-arrays are flattened: `(2)3i` and `(2,3)i` are the same sub-array, as in NumPy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubArray {
    item: Box<ItemType>,
    shape: Vec<usize>,
}

impl SubArray {
    /// The type of each element.
    pub fn item(&self) -> &ItemType {
        &self.item
    }

    /// The shape, outermost axis first (C order).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
}

/// A record: named (or unnamed) fields at byte offsets, with a total size.
///
/// Bytes not covered by a field are padding; they are never exposed as data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Struct {
    fields: Vec<Field>,
    size: usize,
}

impl Struct {
    /// The data fields, in offset order (padding is not a field).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Total size in bytes, trailing padding included.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The padding runs as `(offset, length)`, in offset order, trailing padding included.
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// let t = ItemType::from_pep3118("T{B:a:i:b:B:c:}").unwrap();
    /// assert_eq!(t.as_struct().unwrap().padding(), vec![(1, 3), (9, 3)]);
    /// ```
    pub fn padding(&self) -> Vec<(usize, usize)> {
        let mut gaps = Vec::new();
        let mut end = 0;
        for field in &self.fields {
            if field.offset > end {
                gaps.push((end, field.offset - end));
            }
            end = field.offset + field.item.itemsize();
        }
        if self.size > end {
            gaps.push((end, self.size - end));
        }
        gaps
    }
}

/// One data field of a [`Struct`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    name: Option<String>,
    offset: usize,
    item: ItemType,
}

impl Field {
    /// A field called `name` (or unnamed, as in `T{ii}`) at byte `offset`.
    pub fn new(name: Option<&str>, offset: usize, item: ItemType) -> Field {
        Field {
            name: name.map(String::from),
            offset,
            item,
        }
    }

    /// The field's name; `None` for an unnamed field (NumPy calls those `f0`, `f1`, …).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Byte offset from the start of the record.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The field's own item type.
    pub fn item(&self) -> &ItemType {
        &self.item
    }
}

/// What one element of an array looks like in memory.
///
/// Read from and written to PEP 3118 format strings ([`from_pep3118`](Self::from_pep3118),
/// [`to_pep3118`](Self::to_pep3118)), NumPy typestr/descr ([`typestr`](Self::typestr),
/// [`descr`](Self::descr)) and DLPack ([`to_dlpack`](Self::to_dlpack)).
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

impl ItemType {
    /// A scalar item; see [`Scalar::new`].
    pub fn scalar(
        kind: ScalarKind,
        size: usize,
        order: ByteOrder,
    ) -> Result<ItemType, FormatError> {
        Scalar::new(kind, size, order).map(ItemType::Scalar)
    }

    /// A sub-array of `item` with `shape`; a sub-array item is flattened into the shape.
    ///
    /// ```
    /// use array_protocol::{Element, ItemType};
    ///
    /// let m = ItemType::array(f32::item_type(), &[2, 3]).unwrap();
    /// assert_eq!((m.itemsize(), m.to_pep3118().as_str()), (24, "(2,3)f"));
    /// assert!(ItemType::array(f32::item_type(), &[]).is_err());
    /// ```
    pub fn array(item: ItemType, shape: &[usize]) -> Result<ItemType, FormatError> {
        if shape.is_empty() {
            return Err(model_error("a sub-array needs at least one axis"));
        }
        let (item, shape) = match item {
            ItemType::Array(inner) => {
                let mut full = Vec::from(shape);
                full.extend_from_slice(&inner.shape);
                (inner.item, full)
            }
            other => (Box::new(other), Vec::from(shape)),
        };
        let total = shape
            .iter()
            .try_fold(item.itemsize(), |acc, &d| acc.checked_mul(d))
            .filter(|&n| n <= isize::MAX as usize);
        if total.is_none() {
            return Err(model_error(alloc::format!(
                "a sub-array of shape {shape:?} with {}-byte items is larger than isize::MAX bytes",
                item.itemsize()
            )));
        }
        Ok(ItemType::Array(SubArray { item, shape }))
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
                if fields[..i].iter().any(|f| f.name() == Some(name)) {
                    return Err(model_error(alloc::format!("duplicate field name {name:?}")));
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
        Ok(ItemType::Struct(Struct { fields, size }))
    }

    /// A record from the PEP 3118 reader, whose fields are in order, disjoint, inside `size` and
    /// uniquely named by construction; checking again would double the reader's cost.
    pub(crate) fn record_parsed(fields: Vec<Field>, size: usize) -> ItemType {
        debug_assert!(ItemType::record(fields.clone(), size).is_ok());
        if fields.is_empty() {
            ItemType::Scalar(Scalar::raw(
                ScalarKind::Void,
                size,
                ByteOrder::NotApplicable,
            ))
        } else {
            ItemType::Struct(Struct { fields, size })
        }
    }

    /// Size of one item in bytes.
    pub fn itemsize(&self) -> usize {
        match self {
            ItemType::Scalar(s) => s.size,
            // Cannot overflow: checked in `ItemType::array`.
            ItemType::Array(a) => a.shape.iter().product::<usize>() * a.item.itemsize(),
            ItemType::Struct(s) => s.size,
        }
    }

    /// The alignment of the item under native (`@`) rules: a scalar's natural alignment, a
    /// record's largest field alignment (1 for no fields).
    pub fn alignment(&self) -> usize {
        match self {
            ItemType::Scalar(s) => s.alignment(),
            ItemType::Array(a) => a.item.alignment(),
            ItemType::Struct(s) => s
                .fields
                .iter()
                .map(|f| f.item.alignment())
                .max()
                .unwrap_or(1),
        }
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
            ItemType::Scalar(s) if s.kind() != ScalarKind::BFloat => self.typestr(),
            _ => self.to_pep3118(),
        }
    }

    /// Whether every scalar inside is in native byte order (or has none), so the bytes can be
    /// read on this machine as they are.
    pub fn is_native_order(&self) -> bool {
        match self {
            ItemType::Scalar(s) => s.order.is_native(),
            ItemType::Array(a) => a.item.is_native_order(),
            ItemType::Struct(s) => s.fields.iter().all(|f| f.item.is_native_order()),
        }
    }

    /// Whether some bytes of an item belong to no field (padding, possibly uninitialised).
    pub fn has_padding(&self) -> bool {
        match self {
            ItemType::Scalar(_) => false,
            ItemType::Array(a) => a.item.has_padding(),
            ItemType::Struct(s) => {
                !s.padding().is_empty() || s.fields.iter().any(|f| f.item.has_padding())
            }
        }
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
        match self {
            ItemType::Scalar(s) => ItemType::Scalar(Scalar {
                order: if s.order.is_native() {
                    s.order
                } else {
                    ByteOrder::NATIVE
                },
                ..*s
            }),
            ItemType::Array(a) => ItemType::Array(SubArray {
                item: Box::new(a.item.to_native_order()),
                shape: a.shape.clone(),
            }),
            ItemType::Struct(s) => ItemType::Struct(Struct {
                fields: s
                    .fields
                    .iter()
                    .map(|f| Field {
                        item: f.item.to_native_order(),
                        ..f.clone()
                    })
                    .collect(),
                size: s.size,
            }),
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
