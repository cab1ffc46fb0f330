//! [`Be`] and [`Le`]: numbers stored in a fixed byte order, for records read from files and
//! other machines (numpy's `>u4`, `<f8`).

use core::fmt;
use core::hash::{Hash, Hasher};

use super::{ByteOrder, ItemType, Scalar, ScalarKind};
use crate::Element;

mod sealed {
    pub trait Sealed {}
}

/// The numbers [`Be`] and [`Le`] can hold: every integer of 8 to 64 bits, `f32` and `f64`.
/// Sealed: the byte arrays and formats below are the crate's to keep right.
pub trait Endian: sealed::Sealed + Copy + 'static {
    /// The number's bytes, `[u8; size_of::<Self>()]`.
    type Bytes: Copy + Default + Eq + Hash + fmt::Debug + bytemuck::Pod;
    /// The PEP 3118 format of the number stored big-endian (`>I`): standard sizes.
    const BE_FORMAT: &'static str;
    /// The PEP 3118 format of the number stored little-endian (`<I`).
    const LE_FORMAT: &'static str;
    /// The number's kind.
    const KIND: ScalarKind;
    /// The bytes of `self`, most significant first.
    fn to_be(self) -> Self::Bytes;
    /// The bytes of `self`, least significant first.
    fn to_le(self) -> Self::Bytes;
    /// The number whose bytes, most significant first, are `bytes`.
    fn from_be(bytes: Self::Bytes) -> Self;
    /// The number whose bytes, least significant first, are `bytes`.
    fn from_le(bytes: Self::Bytes) -> Self;
}

/// A number stored big-endian (most significant byte first), whatever the machine's order:
/// numpy's `>u4`, `>f8`, … and the PEP 3118 `>I`, `>d`. Alignment 1, so records of them match
/// numpy's unaligned structured dtypes without padding.
///
/// ```
/// use array_protocol::{Be, Element};
///
/// let x = Be::<u32>::new(0x0102_0304);
/// assert_eq!(bytemuck::bytes_of(&x), [1, 2, 3, 4]);
/// assert_eq!(x.get(), 0x0102_0304);
/// assert_eq!(Be::<u32>::FORMAT, ">I");
/// assert_eq!(Be::<f64>::item_type().typestr(), ">f8");
/// ```
///
/// Equality compares the stored bytes (so a float NaN equals the same NaN).
#[repr(transparent)]
pub struct Be<T: Endian>(T::Bytes);

/// A number stored little-endian (least significant byte first), whatever the machine's
/// order: numpy's `<u4`, `<f8`, … and the PEP 3118 `<I`, `<d`. Alignment 1. See [`Be`].
///
/// ```
/// use array_protocol::{Element, Le};
///
/// let x = Le::<i16>::new(-2);
/// assert_eq!(bytemuck::bytes_of(&x), [0xfe, 0xff]);
/// assert_eq!((x.get(), Le::<i16>::FORMAT), (-2, "<h"));
/// ```
#[repr(transparent)]
pub struct Le<T: Endian>(T::Bytes);

macro_rules! common {
    ($name:ident, $order:ident, $format:ident, $to:ident, $from:ident) => {
        impl<T: Endian> Clone for $name<T> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<T: Endian> Copy for $name<T> {}
        impl<T: Endian> PartialEq for $name<T> {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl<T: Endian> Eq for $name<T> {}
        impl<T: Endian> Hash for $name<T> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }
        impl<T: Endian> Default for $name<T> {
            fn default() -> Self {
                $name(T::Bytes::default())
            }
        }
        impl<T: Endian> $name<T> {
            /// `value`, stored in this type's byte order.
            #[inline]
            pub fn new(value: T) -> Self {
                $name(T::$to(value))
            }

            /// The value.
            #[inline]
            pub fn get(self) -> T {
                T::$from(self.0)
            }

            /// Reinterprets stored bytes (in this type's byte order).
            pub const fn from_bytes(bytes: T::Bytes) -> Self {
                $name(bytes)
            }

            /// The stored bytes.
            pub const fn to_bytes(self) -> T::Bytes {
                self.0
            }
        }
        // SAFETY: `repr(transparent)` over `T::Bytes`, a byte array (`Pod`): no padding, every
        // bit pattern valid, all zeros valid.
        unsafe impl<T: Endian> bytemuck::Zeroable for $name<T> {}
        // SAFETY: as above.
        unsafe impl<T: Endian> bytemuck::Pod for $name<T> {}
        // SAFETY: `size_of::<T>()` bytes holding a `T` in this byte order, no padding, every
        // bit pattern a value (integers and floats); the format (standard sizes, the explicit
        // order) and the item type say exactly that, and read back to each other.
        unsafe impl<T: Endian> Element for $name<T> {
            const FORMAT: &'static str = T::$format;
            const ITEM_TYPE: ItemType = ItemType::Scalar(Scalar::raw(
                T::KIND,
                core::mem::size_of::<T::Bytes>(),
                if core::mem::size_of::<T::Bytes>() == 1 {
                    ByteOrder::NotApplicable
                } else {
                    ByteOrder::$order
                },
            ));
            const HAS_INVALID_BIT_PATTERNS: bool = false;
        }
    };
}

common!(Be, Big, BE_FORMAT, to_be, from_be);
common!(Le, Little, LE_FORMAT, to_le, from_le);

macro_rules! numbers {
    ($($ty:ty => $code:literal, $kind:ident;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl Endian for $ty {
            type Bytes = [u8; core::mem::size_of::<$ty>()];
            const BE_FORMAT: &'static str = concat!(">", $code);
            const LE_FORMAT: &'static str = concat!("<", $code);
            const KIND: ScalarKind = ScalarKind::$kind;
            #[inline]
            fn to_be(self) -> Self::Bytes {
                self.to_be_bytes()
            }
            #[inline]
            fn to_le(self) -> Self::Bytes {
                self.to_le_bytes()
            }
            #[inline]
            fn from_be(bytes: Self::Bytes) -> Self {
                <$ty>::from_be_bytes(bytes)
            }
            #[inline]
            fn from_le(bytes: Self::Bytes) -> Self {
                <$ty>::from_le_bytes(bytes)
            }
        }
        impl From<$ty> for Be<$ty> {
            fn from(value: $ty) -> Self {
                Self::new(value)
            }
        }
        impl From<$ty> for Le<$ty> {
            fn from(value: $ty) -> Self {
                Self::new(value)
            }
        }
        impl From<Be<$ty>> for $ty {
            fn from(value: Be<$ty>) -> Self {
                value.get()
            }
        }
        impl From<Le<$ty>> for $ty {
            fn from(value: Le<$ty>) -> Self {
                value.get()
            }
        }
        impl fmt::Debug for Be<$ty> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "Be({:?})", self.get())
            }
        }
        impl fmt::Debug for Le<$ty> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "Le({:?})", self.get())
            }
        }
    )*};
}

numbers! {
    u8 => "B", UInt;
    i8 => "b", Int;
    u16 => "H", UInt;
    i16 => "h", Int;
    u32 => "I", UInt;
    i32 => "i", Int;
    u64 => "Q", UInt;
    i64 => "q", Int;
    f32 => "f", Float;
    f64 => "d", Float;
}
