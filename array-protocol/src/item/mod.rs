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
mod storage;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::hash::{Hash, Hasher};

pub use endian::{Be, Endian, Le};
pub use minifloat::{bytes8, MiniFloat};
#[doc(hidden)]
use storage::Fields;
pub use storage::{Name, Shared};

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
    pub const fn is_native(self) -> bool {
        !matches!(
            (self, Self::NATIVE),
            (ByteOrder::Little, ByteOrder::Big) | (ByteOrder::Big, ByteOrder::Little)
        )
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
    /// An FP8, FP6 or FP4 value, one per byte (see [`MiniFloat`]): describable, viewable as
    /// bytes and carried through DLPack; PEP 3118 writes it `[name]` (an extension), NumPy's
    /// typestr `|V1`.
    MiniFloat(MiniFloat),
}

/// Size in bytes of the platform's C `long double` (`g`).
pub const LONG_DOUBLE_SIZE: usize = platform::LONG_DOUBLE.0;
const LONG_DOUBLE_ALIGN: usize = platform::LONG_DOUBLE.1;
/// Size in bytes of the platform's C `long` (`l`) in native (`@`) mode.
pub(crate) const NATIVE_LONG_SIZE: usize = platform::LONG;

/// A byte string of `size` bytes or, with `unicode`, a UCS-4 string of `size / 4` code points
/// in native order: what `{n}s` and `{n}w` read to.
pub(crate) const fn string_item(size: usize, unicode: bool) -> ItemType {
    if unicode {
        ItemType::Scalar(Scalar::raw(ScalarKind::Ucs4, size, ByteOrder::NATIVE))
    } else {
        ItemType::Scalar(Scalar::raw(
            ScalarKind::Bytes,
            size,
            ByteOrder::NotApplicable,
        ))
    }
}

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
        let ok = Self::size_allowed(kind, size);
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

    /// Whether a scalar of `kind` can take `size` bytes.
    const fn size_allowed(kind: ScalarKind, size: usize) -> bool {
        use ScalarKind::*;
        match kind {
            Bool | Char => size == 1,
            Int | UInt => matches!(size, 1 | 2 | 4 | 8),
            Float => matches!(size, 2 | 4 | 8) || size == LONG_DOUBLE_SIZE,
            BFloat => size == 2,
            MiniFloat(_) => size == 1,
            Complex => matches!(size, 8 | 16) || size == 2 * LONG_DOUBLE_SIZE,
            Bytes => size >= 1 && size <= isize::MAX as usize,
            Ucs4 => size >= 4 && size % 4 == 0 && size <= isize::MAX as usize,
            Void => size <= isize::MAX as usize,
        }
    }

    /// The scalar of `kind` taking `size` bytes in native order (normalised as
    /// [`new`](Self::new) does), or `None` when the kind has no such size; usable in constants,
    /// for tables of a library's own type codes.
    ///
    /// ```
    /// use array_protocol::{ByteOrder, Element, ItemType, Scalar, ScalarKind};
    ///
    /// const I4: Option<Scalar> = Scalar::native(ScalarKind::Int, 4);
    /// assert_eq!(I4.map(ItemType::Scalar), Some(i32::item_type()));
    /// assert_eq!(Scalar::native(ScalarKind::UInt, 1).map(|s| s.order()), Some(ByteOrder::NotApplicable));
    /// assert_eq!(Scalar::native(ScalarKind::Float, 3), None);
    /// ```
    pub const fn native(kind: ScalarKind, size: usize) -> Option<Scalar> {
        if !Self::size_allowed(kind, size) {
            return None;
        }
        let single_byte = size == 1
            || matches!(
                kind,
                ScalarKind::Bool | ScalarKind::Char | ScalarKind::Bytes | ScalarKind::Void
            );
        let order = if single_byte {
            ByteOrder::NotApplicable
        } else {
            ByteOrder::NATIVE
        };
        Some(Scalar { kind, size, order })
    }

    /// A scalar known to be valid; for the crate's own constants.
    pub(crate) const fn raw(kind: ScalarKind, size: usize, order: ByteOrder) -> Scalar {
        Scalar { kind, size, order }
    }

    /// A number or boolean of a size its kind allows (what a PEP 3118 code names), with the
    /// order normalised as [`new`](Self::new) does; the caller guarantees the size is valid and
    /// that a long double is in native order.
    #[inline]
    pub(crate) const fn for_code(kind: ScalarKind, size: usize, order: ByteOrder) -> Scalar {
        let order = if size == 1 || matches!(kind, ScalarKind::Bool | ScalarKind::Char) {
            ByteOrder::NotApplicable
        } else if matches!(order, ByteOrder::NotApplicable) {
            ByteOrder::NATIVE
        } else {
            order
        };
        Scalar { kind, size, order }
    }

    /// What the scalar holds.
    pub const fn kind(&self) -> ScalarKind {
        self.kind
    }

    /// Size in bytes.
    pub const fn size(&self) -> usize {
        self.size
    }

    /// Byte order ([`ByteOrder::NotApplicable`] for single-byte items).
    pub const fn order(&self) -> ByteOrder {
        self.order
    }

    /// The alignment this scalar has in a native (`@`) struct.
    pub const fn alignment(&self) -> usize {
        match self.kind {
            ScalarKind::Bool
            | ScalarKind::Char
            | ScalarKind::Bytes
            | ScalarKind::Void
            | ScalarKind::MiniFloat(_) => 1,
            ScalarKind::Ucs4 => 4,
            _ if self.is_long_double() => LONG_DOUBLE_ALIGN,
            ScalarKind::Complex => self.size / 2,
            _ => self.size,
        }
    }

    /// Whether this is `g` or `Zg` (the platform's `long double`, or complex of it).
    pub const fn is_long_double(&self) -> bool {
        match self.kind {
            ScalarKind::Float => self.size == LONG_DOUBLE_SIZE && !matches!(self.size, 2 | 4 | 8),
            ScalarKind::Complex => {
                self.size == 2 * LONG_DOUBLE_SIZE && !matches!(self.size, 8 | 16)
            }
            _ => false,
        }
    }
}

/// The deepest nesting of records (structs inside structs) an item type may have, in every
/// dialect: PEP 3118 `T{…}`, NumPy descr lists, `.npy` headers and the constructors. A record is
/// one level, a record inside it two, and so on; scalars and sub-arrays add none (sub-arrays are
/// flattened, so each record level adds at most two steps of recursion). NumPy itself has no
/// fixed limit (its readers recurse until Python's recursion limit, about 1000, raises
/// `RecursionError`, or crash first); 32 matches the nesting the `.npy` header reader always
/// allowed and is far beyond any real data layout. Deeper descriptions are refused, so nothing
/// that reads, renders or drops an item type recurses further than this.
pub const MAX_NESTING: usize = 32;

/// The most axes a sub-array may have (as in NumPy).
pub const MAX_SUBARRAY_NDIM: usize = 64;

/// Sub-arrays of scalars with up to this many axes are stored inline: no allocation.
const INLINE_DIMS: usize = 4;

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

/// A fixed-shape array of items inside one item, like `(2,3)f` or a Rust `[[f32; 3]; 2]`.
///
/// Nested sub-arrays are flattened: `(2)3i` and `(2,3)i` are the same sub-array, as in NumPy.
/// Cloning never allocates.
#[derive(Clone)]
pub struct SubArray(SubRepr);

#[derive(Clone)]
enum SubRepr {
    /// A sub-array of scalars with few axes.
    Inline {
        item: Scalar,
        ndim: u8,
        dims: [usize; INLINE_DIMS],
        size: usize,
    },
    /// Anything else.
    Shared {
        data: Shared<SubArrayData>,
        info: Info,
    },
}

/// The parts of a sub-array that is not stored inline.
#[doc(hidden)]
pub struct SubArrayData {
    item: ItemType,
    ndim: usize,
    dims: [usize; MAX_SUBARRAY_NDIM],
}

impl SubArrayData {
    /// `[inner; n]` flattened, for compile-time item types only.
    pub(crate) const fn nest(n: usize, inner: &ItemType) -> SubArrayData {
        let mut dims = [0usize; MAX_SUBARRAY_NDIM];
        dims[0] = n;
        let mut ndim = 1;
        if let ItemType::Array(a) = inner {
            let shape = a.shape_const();
            assert!(shape.len() < MAX_SUBARRAY_NDIM, "too many sub-array axes");
            let mut i = 0;
            while i < shape.len() {
                dims[i + 1] = shape[i];
                i += 1;
            }
            ndim += shape.len();
        }
        let item = match inner {
            ItemType::Array(a) => a.item_const(),
            other => other.static_copy(),
        };
        SubArrayData { item, ndim, dims }
    }
}

impl SubArray {
    /// The type of each element (never itself a sub-array).
    #[inline]
    pub fn item(&self) -> ItemType {
        match &self.0 {
            SubRepr::Inline { item, .. } => ItemType::Scalar(*item),
            SubRepr::Shared { data, .. } => data.item.clone(),
        }
    }

    /// The shape, outermost axis first (C order).
    #[inline]
    pub fn shape(&self) -> &[usize] {
        match &self.0 {
            SubRepr::Inline { ndim, dims, .. } => &dims[..usize::from(*ndim)],
            SubRepr::Shared { data, .. } => &data.dims[..data.ndim],
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match &self.0 {
            SubRepr::Inline { item, size, .. } if item.size > 0 => size / item.size,
            SubRepr::Shared { data, info } if data.item.itemsize() > 0 => {
                info.size / data.item.itemsize()
            }
            // Checked to fit in a usize when the sub-array was built.
            _ => self.shape().iter().product(),
        }
    }

    /// Whether there are no elements (an axis of length 0).
    pub fn is_empty(&self) -> bool {
        self.shape().contains(&0)
    }

    const fn shape_const(&self) -> &[usize] {
        match &self.0 {
            SubRepr::Inline { ndim, dims, .. } => dims.split_at(*ndim as usize).0,
            SubRepr::Shared {
                data: Shared::Static(d),
                ..
            } => d.dims.split_at(d.ndim).0,
            SubRepr::Shared { .. } => panic!("not a compile-time item type"),
        }
    }

    const fn item_const(&self) -> ItemType {
        match &self.0 {
            SubRepr::Inline { item, .. } => ItemType::Scalar(*item),
            SubRepr::Shared {
                data: Shared::Static(d),
                ..
            } => d.item.static_copy(),
            SubRepr::Shared { .. } => panic!("not a compile-time item type"),
        }
    }

    /// The item type `[inner; n]`, built at compile time: inline when it can be, else from
    /// `data`, which must be `SubArrayData::nest(n, inner)`.
    pub(crate) const fn of_static(
        n: usize,
        inner: &ItemType,
        data: &'static SubArrayData,
    ) -> ItemType {
        // The limits `build` applies to sub-arrays read at run time: each axis and the element
        // count within isize::MAX (a zero-size element allows any count otherwise).
        assert!(
            n <= isize::MAX as usize,
            "a sub-array axis is longer than isize::MAX"
        );
        let mut count = n;
        let mut k = 1;
        while k < data.ndim {
            count = match count.checked_mul(data.dims[k]) {
                Some(c) => c,
                None => panic!("a sub-array has more than usize::MAX elements"),
            };
            k += 1;
        }
        assert!(
            count <= isize::MAX as usize,
            "a sub-array has more than isize::MAX elements"
        );
        let info = Info {
            size: match n.checked_mul(inner.itemsize()) {
                Some(s) => s,
                None => panic!("sub-array too large"),
            },
            align: inner.alignment(),
            depth: data.item.depth() as u8,
            native: inner.is_native_order(),
            padded: inner.has_padding(),
        };
        assert!(
            (info.depth as usize) <= MAX_NESTING,
            "item type nested too deeply"
        );
        if let ItemType::Scalar(item) = data.item {
            if data.ndim <= INLINE_DIMS {
                let mut dims = [0usize; INLINE_DIMS];
                let mut i = 0;
                while i < data.ndim {
                    dims[i] = data.dims[i];
                    i += 1;
                }
                return ItemType::Array(SubArray(SubRepr::Inline {
                    item,
                    ndim: data.ndim as u8,
                    dims,
                    size: info.size,
                }));
            }
        }
        ItemType::Array(SubArray(SubRepr::Shared {
            data: Shared::Static(data),
            info,
        }))
    }

    const fn info(&self) -> Info {
        match &self.0 {
            SubRepr::Inline { item, size, .. } => {
                Info::flat(*size, item.alignment(), item.order.is_native())
            }
            SubRepr::Shared { info, .. } => *info,
        }
    }

    /// The size of `n` items of `itemsize` bytes in one axis, checked as
    /// [`build`](Self::build) checks it; `None` when larger than `isize::MAX`.
    #[inline]
    pub(crate) fn checked_size(n: usize, itemsize: usize) -> Option<usize> {
        n.checked_mul(itemsize)
            .filter(|&s| s <= isize::MAX as usize && n <= isize::MAX as usize)
    }

    /// `n` of `item` in one axis (what a count before a code means), of `size` bytes as
    /// [`checked_size`](Self::checked_size) gave it.
    #[inline]
    pub(crate) fn inline_1d(item: Scalar, n: usize, size: usize) -> ItemType {
        debug_assert_eq!(Self::checked_size(n, item.size), Some(size));
        let mut dims = [0usize; INLINE_DIMS];
        dims[0] = n;
        ItemType::Array(SubArray(SubRepr::Inline {
            item,
            ndim: 1,
            dims,
            size,
        }))
    }

    /// `outer` axes of `item` (whose own axes, for a sub-array item, go last), checked.
    fn build(item: ItemType, outer: &[usize]) -> Result<ItemType, FormatError> {
        if outer.is_empty() {
            return Err(model_error("a sub-array needs at least one axis"));
        }
        let (base, inner) = match &item {
            ItemType::Array(a) => (a.item(), a.shape()),
            other => (other.clone(), &[][..]),
        };
        let ndim = outer.len() + inner.len();
        if let (ItemType::Scalar(item), true) = (&base, ndim <= INLINE_DIMS) {
            // The common case, a few axes of scalars: checked and stored inline, without the
            // full-size axis buffer below.
            let mut dims = [0usize; INLINE_DIMS];
            dims[..outer.len()].copy_from_slice(outer);
            dims[outer.len()..ndim].copy_from_slice(inner);
            let mut count = 1usize;
            for &d in &dims[..ndim] {
                if d > isize::MAX as usize {
                    return Err(model_error(alloc::format!(
                        "a sub-array axis of length {d} is longer than isize::MAX"
                    )));
                }
                count = count
                    .checked_mul(d)
                    .filter(|&n| n <= isize::MAX as usize)
                    .ok_or_else(|| too_large(&dims[..ndim], item.size))?;
            }
            let size = count
                .checked_mul(item.size)
                .filter(|&n| n <= isize::MAX as usize)
                .ok_or_else(|| too_large(&dims[..ndim], item.size))?;
            return Ok(ItemType::Array(SubArray(SubRepr::Inline {
                item: *item,
                ndim: ndim as u8,
                dims,
                size,
            })));
        }
        if ndim > MAX_SUBARRAY_NDIM {
            return Err(model_error(alloc::format!(
                "a sub-array of {ndim} axes has more than the {MAX_SUBARRAY_NDIM} allowed"
            )));
        }
        let mut dims = [0usize; MAX_SUBARRAY_NDIM];
        dims[..outer.len()].copy_from_slice(outer);
        dims[outer.len()..ndim].copy_from_slice(inner);
        let dims_used = &dims[..ndim];
        if let Some(&d) = dims_used.iter().find(|&&d| d > isize::MAX as usize) {
            return Err(model_error(alloc::format!(
                "a sub-array axis of length {d} is longer than isize::MAX"
            )));
        }
        // The element count must fit in isize too (even for zero-size items), as every reader
        // requires of a shape.
        let count =
            crate::layout::checked_product(1usize, dims_used).filter(|&n| n <= isize::MAX as usize);
        let size = count
            .and_then(|c| c.checked_mul(base.itemsize()))
            .filter(|&n| n <= isize::MAX as usize);
        let (Some(_), Some(size)) = (count, size) else {
            return Err(model_error(alloc::format!(
                "a sub-array of shape {dims_used:?} with {}-byte items is larger than isize::MAX bytes",
                base.itemsize()
            )));
        };
        let depth = base.depth();
        if let ItemType::Scalar(item) = base {
            if ndim <= INLINE_DIMS {
                let mut inline = [0usize; INLINE_DIMS];
                inline[..ndim].copy_from_slice(dims_used);
                return Ok(ItemType::Array(SubArray(SubRepr::Inline {
                    item,
                    ndim: ndim as u8,
                    dims: inline,
                    size,
                })));
            }
        }
        let info = Info {
            size,
            align: base.alignment(),
            depth: depth as u8,
            native: base.is_native_order(),
            padded: base.has_padding(),
        };
        Ok(ItemType::Array(SubArray(SubRepr::Shared {
            data: Shared::Arc(Arc::new(SubArrayData {
                item: base,
                ndim,
                dims,
            })),
            info,
        })))
    }

    fn with_item<R>(&self, f: impl FnOnce(&ItemType) -> R) -> R {
        match &self.0 {
            SubRepr::Inline { item, .. } => f(&ItemType::Scalar(*item)),
            SubRepr::Shared { data, .. } => f(&data.item),
        }
    }
}

impl PartialEq for SubArray {
    fn eq(&self, other: &Self) -> bool {
        if let (SubRepr::Shared { data: a, .. }, SubRepr::Shared { data: b, .. }) =
            (&self.0, &other.0)
        {
            if a.same(b) {
                return true;
            }
        }
        self.shape() == other.shape() && self.with_item(|a| other.with_item(|b| a == b))
    }
}

impl Eq for SubArray {}

impl Hash for SubArray {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.shape().hash(state);
        self.with_item(|i| i.hash(state));
    }
}

impl fmt::Debug for SubArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubArray")
            .field("item", &self.item())
            .field("shape", &self.shape())
            .finish()
    }
}

/// A record: named (or unnamed) fields at byte offsets, with a total size.
///
/// Bytes not covered by a field are padding; they are never exposed as data. Cloning never
/// allocates: a record known at compile time is a `'static` borrow, one read at run time is
/// reference-counted.
#[derive(Clone)]
pub struct Struct {
    fields: Fields,
    info: Info,
}

/// The parts of a record.
#[doc(hidden)]
pub struct StructData {
    /// The data fields, in offset order.
    pub fields: &'static [Field],
    /// The size in bytes, trailing padding included.
    pub size: usize,
}

impl Struct {
    /// The data fields, in offset order (padding is not a field).
    #[inline]
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Total size in bytes, trailing padding included.
    #[inline]
    pub fn size(&self) -> usize {
        self.info.size
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
        for field in self.fields() {
            if field.offset > end {
                gaps.push((end, field.offset - end));
            }
            end = field.offset + field.item.itemsize();
        }
        if self.size() > end {
            gaps.push((end, self.size() - end));
        }
        gaps
    }

    /// A record known at compile time; what `#[derive(Element)]` builds in a constant.
    ///
    /// # Panics
    /// (At compile time, in a constant.) If the fields are out of order, overlap, do not fit
    /// in `size`, or nest deeper than [`MAX_NESTING`].
    #[doc(hidden)]
    pub const fn from_static(data: &'static StructData) -> Struct {
        let fields = data.fields;
        let mut facts = RecordFacts::new();
        let mut i = 0;
        while i < fields.len() {
            let f = &fields[i];
            assert!(
                f.offset >= facts.end,
                "record fields must be in offset order and not overlap"
            );
            assert!(
                f.offset.checked_add(f.item.itemsize()).is_some(),
                "record field past the end"
            );
            facts.add(f.offset, &f.item);
            i += 1;
        }
        assert!(
            facts.end <= data.size,
            "record fields past the record's size"
        );
        assert!(
            data.size <= isize::MAX as usize,
            "record larger than isize::MAX bytes"
        );
        let info = facts.info(data.size);
        assert!(
            (info.depth as usize) <= MAX_NESTING,
            "item type nested too deeply"
        );
        Struct {
            fields: Fields::Static(fields),
            info,
        }
    }

    /// A record from checked fields: computes its facts.
    fn from_checked(fields: Arc<[Field]>, size: usize) -> Result<Struct, FormatError> {
        let mut facts = RecordFacts::new();
        for f in fields.iter() {
            facts.add(f.offset, &f.item);
        }
        facts.record(fields, size)
    }
}

/// The facts of a record, gathered field by field (by a reader as it reads, so that building
/// the record needs no second pass over its fields; in constants, by the derive's records).
pub(crate) struct RecordFacts {
    info: Info,
    end: usize,
}

impl RecordFacts {
    pub(crate) const fn new() -> RecordFacts {
        RecordFacts {
            info: Info {
                size: 0,
                align: 1,
                depth: 1,
                native: true,
                padded: false,
            },
            end: 0,
        }
    }

    /// The next field, `item` at `offset` (at or after the previous field's end).
    #[inline]
    pub(crate) const fn add(&mut self, offset: usize, item: &ItemType) {
        self.add_info(offset, item.info());
    }

    /// The next field, an item with the facts `item`, at `offset`.
    #[inline]
    pub(crate) const fn add_info(&mut self, offset: usize, item: Info) {
        let info = &mut self.info;
        info.padded |= offset > self.end || item.padded;
        self.end = offset + item.size;
        if item.align > info.align {
            info.align = item.align;
        }
        let depth = item.depth.saturating_add(1);
        if depth > info.depth {
            info.depth = depth;
        }
        info.native &= item.native;
    }

    /// The facts of the record of the fields added, taking `size` bytes.
    const fn info(&self, size: usize) -> Info {
        let mut info = self.info;
        info.size = size;
        info.padded |= self.end < size;
        info
    }

    /// The record of `fields` (those added, in order, disjoint and inside `size`, uniquely
    /// named), refused only when it nests too deeply.
    pub(crate) fn record(self, fields: Arc<[Field]>, size: usize) -> Result<Struct, FormatError> {
        if usize::from(self.info.depth) > MAX_NESTING {
            return Err(nesting_error());
        }
        Ok(self.build(fields, size))
    }

    /// [`record`](Self::record) for fields that are scalars or sub-arrays of scalars, which
    /// nest nothing, so that nothing is refused.
    #[inline]
    pub(crate) fn flat_record(self, fields: Arc<[Field]>, size: usize) -> Struct {
        debug_assert!(self.info.depth <= 1);
        self.build(fields, size)
    }

    #[inline]
    fn build(self, fields: Arc<[Field]>, size: usize) -> Struct {
        Struct {
            fields: Fields::Shared(fields),
            info: self.info(size),
        }
    }
}

impl PartialEq for Struct {
    fn eq(&self, other: &Self) -> bool {
        // The size first: two compile-time records with equal fields and different trailing
        // padding may share one field slice (the compiler merges equal constants).
        self.info.size == other.info.size
            && (self.fields.same(&other.fields) || self.fields() == other.fields())
    }
}

impl Eq for Struct {}

impl Hash for Struct {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.info.size.hash(state);
        self.fields().hash(state);
    }
}

impl fmt::Debug for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Struct")
            .field("fields", &self.fields())
            .field("size", &self.size())
            .finish()
    }
}

/// One data field of a [`Struct`].
#[derive(Clone)]
pub struct Field {
    name: Option<Name>,
    offset: usize,
    item: ItemType,
}

impl Field {
    /// A field called `name` (or unnamed, as in `T{ii}`) at byte `offset`.
    pub fn new(name: Option<&str>, offset: usize, item: ItemType) -> Field {
        Field {
            name: name.map(Name::new),
            offset,
            item,
        }
    }

    /// A field of a record known at compile time; what `#[derive(Element)]` builds.
    #[doc(hidden)]
    pub const fn from_static(name: Option<&'static str>, offset: usize, item: ItemType) -> Field {
        Field {
            name: match name {
                Some(n) => Some(Name::Static(n)),
                None => None,
            },
            offset,
            item,
        }
    }

    /// An unnamed field (what a run of plain PEP 3118 codes makes).
    #[inline]
    pub(crate) fn unnamed(offset: usize, item: ItemType) -> Field {
        Field {
            name: None,
            offset,
            item,
        }
    }

    /// A field read by a parser, which owns the name already.
    pub(crate) fn parsed(name: Option<Name>, offset: usize, item: ItemType) -> Field {
        Field { name, offset, item }
    }

    /// The field's name; `None` for an unnamed field (NumPy calls those `f0`, `f1`, …).
    #[inline]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Byte offset from the start of the record.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The field's own item type.
    #[inline]
    pub fn item(&self) -> &ItemType {
        &self.item
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset && self.name() == other.name() && self.item == other.item
    }
}

impl Eq for Field {}

impl Hash for Field {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
        self.offset.hash(state);
        self.item.hash(state);
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name())
            .field("offset", &self.offset)
            .field("item", &self.item)
            .finish()
    }
}

/// What one element of an array looks like in memory.
///
/// Read from and written to PEP 3118 format strings ([`from_pep3118`](Self::from_pep3118),
/// [`to_pep3118`](Self::to_pep3118)), NumPy typestr/descr ([`typestr`](Self::typestr),
/// [`descr`](Self::descr)) and DLPack ([`to_dlpack`](Self::to_dlpack)). Cloning never
/// allocates: scalars and small sub-arrays of scalars are stored inline, compile-time records
/// are `'static`, and records read at run time are shared. Size, alignment, byte order and
/// padding are computed once when the item type is built.
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

/// Whether two of `fields` share a name.
fn duplicate_name(fields: &[Field]) -> Option<&str> {
    if fields.len() <= 16 {
        return fields.iter().enumerate().find_map(|(i, f)| {
            let n = f.name()?;
            fields[..i].iter().any(|g| g.name() == Some(n)).then_some(n)
        });
    }
    let mut names: Vec<&str> = fields.iter().filter_map(Field::name).collect();
    names.sort_unstable();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
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
        if data.fields.is_empty() {
            ItemType::Scalar(Scalar::raw(
                ScalarKind::Void,
                data.size,
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
                item,
                ndim,
                dims,
                size,
            })) => ItemType::Array(SubArray(SubRepr::Inline {
                item: *item,
                ndim: *ndim,
                dims: *dims,
                size: *size,
            })),
            ItemType::Array(SubArray(SubRepr::Shared {
                data: Shared::Static(d),
                info,
            })) => ItemType::Array(SubArray(SubRepr::Shared {
                data: Shared::Static(d),
                info: *info,
            })),
            ItemType::Struct(Struct {
                fields: Fields::Static(f),
                info,
            }) => ItemType::Struct(Struct {
                fields: Fields::Static(f),
                info: *info,
            }),
            _ => panic!("not a compile-time item type"),
        }
    }

    #[inline]
    pub(crate) const fn info(&self) -> Info {
        match self {
            ItemType::Scalar(s) => Info::flat(s.size, s.alignment(), s.order.is_native()),
            ItemType::Array(a) => a.info(),
            ItemType::Struct(s) => s.info,
        }
    }

    /// Size of one item in bytes.
    #[inline]
    pub const fn itemsize(&self) -> usize {
        match self {
            ItemType::Scalar(s) => s.size,
            ItemType::Array(a) => match &a.0 {
                SubRepr::Inline { size, .. } => *size,
                SubRepr::Shared { info, .. } => info.size,
            },
            ItemType::Struct(s) => s.info.size,
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
