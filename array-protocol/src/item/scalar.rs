//! Scalars: numbers, booleans, strings and opaque bytes, with their byte order.

#[allow(unused_imports)]
use super::*;

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
pub(super) const LONG_DOUBLE_ALIGN: usize = platform::LONG_DOUBLE.1;
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
    pub(super) kind: ScalarKind,
    pub(super) size: usize,
    pub(super) order: ByteOrder,
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
    pub(super) const fn size_allowed(kind: ScalarKind, size: usize) -> bool {
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
