//! [`Element`]: Rust types whose memory is an item type, known at compile time.

use core::marker::PhantomData;

use super::{ByteOrder, ItemType, ScalarKind, SubArray, SubArrayData};

/// A Rust type whose values are laid out exactly as an [`ItemType`], so arrays of it can be
/// shared through the protocol without copying.
///
/// The item type is a compile-time constant, [`ITEM_TYPE`](Self::ITEM_TYPE): asking for it
/// parses nothing and allocates nothing, for primitives, fixed arrays and derived records alike.
///
/// `FORMAT` is the PEP 3118 code, a compile-time constant equal to what NumPy's buffer export
/// reports for the matching dtype (`memoryview(np.zeros(1, dtype)).format`):
///
/// ```
/// use array_protocol::{Element, ItemType};
///
/// assert_eq!((u8::FORMAT, i64::FORMAT, f64::FORMAT, bool::FORMAT), ("B", "l", "d", "?"));
/// assert_eq!(<[[f32; 3]; 4]>::FORMAT, "(4,3)f");
/// const F: &str = <[u16; 2]>::FORMAT; // usable in constants
/// assert_eq!(ItemType::from_pep3118(F).unwrap(), <[u16; 2]>::item_type());
/// ```
///
/// # Safety
/// Implement it by hand only for a type whose layout you can prove:
/// - `size_of::<Self>() == ITEM_TYPE.itemsize()` and every field of `ITEM_TYPE` is at the
///   offset, of the type and in the byte order that `Self` has on this machine;
/// - `FORMAT` is a valid single-item format for which `ItemType::from_pep3118(FORMAT)` equals
///   `ITEM_TYPE`;
/// - `Self` has no uninitialised (padding) bytes, so its values can be read as bytes (what
///   bytemuck calls `NoUninit`);
/// - if [`HAS_INVALID_BIT_PATTERNS`](Self::HAS_INVALID_BIT_PATTERNS) is `false`, every bit
///   pattern of `size_of::<Self>()` bytes is a valid `Self`; otherwise
///   [`is_valid_bits`](Self::is_valid_bits) returns `true` only for valid ones.
///
/// `#[derive(Element)]` implements it for `#[repr(C)]` records and checks all of this.
///
/// Fixed arrays obey the limits of every reader (an axis, and the element count, within
/// `isize::MAX`), checked at compile time even for zero-size elements:
///
/// ```compile_fail,E0080
/// #[derive(array_protocol::Element, Clone, Copy)]
/// #[repr(C)]
/// struct Nothing {}
///
/// const T: array_protocol::ItemType = <[Nothing; usize::MAX] as array_protocol::Element>::ITEM_TYPE;
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an array element type",
    label = "not an `Element`",
    note = "element types are the primitives, `bool`, fixed arrays of elements, and `#[repr(C)]` structs with `#[derive(Element)]`"
)]
pub unsafe trait Element: Copy + 'static {
    /// The PEP 3118 format of one value.
    const FORMAT: &'static str;

    /// The item type of one value, built at compile time.
    const ITEM_TYPE: ItemType;

    /// Whether some bit patterns are not valid values (as for `bool`), so that readers of
    /// foreign memory must check each element with [`is_valid_bits`](Self::is_valid_bits).
    /// `true` unless a type says otherwise. Writable byte views are only offered for types
    /// where it is `false`.
    const HAS_INVALID_BIT_PATTERNS: bool = true;

    /// Whether `bytes` (exactly `size_of::<Self>()` of them) hold a valid value. The default
    /// accepts everything only for types without invalid bit patterns, and nothing otherwise.
    fn is_valid_bits(bytes: &[u8]) -> bool {
        let _ = bytes;
        !Self::HAS_INVALID_BIT_PATTERNS
    }

    /// The item type of one value: [`ITEM_TYPE`](Self::ITEM_TYPE), which costs a copy of a
    /// few words.
    #[inline(always)]
    fn item_type() -> ItemType {
        Self::ITEM_TYPE
    }
}

macro_rules! scalar_elements {
    (@one $ty:ty => $format:expr, $kind:ident, $invalid:expr, $valid:expr) => {
        // SAFETY: a primitive of exactly `size_of::<$ty>()` bytes in native byte order, which is
        // what `$format` means in native (`@`) mode on the platforms these formats are chosen
        // for; `$kind` and the size say the same. Checked against numpy in the tests.
        unsafe impl Element for $ty {
            const FORMAT: &'static str = $format;
            const ITEM_TYPE: ItemType = ItemType::Scalar(super::Scalar::raw(
                ScalarKind::$kind,
                core::mem::size_of::<$ty>(),
                if core::mem::size_of::<$ty>() == 1 { ByteOrder::NotApplicable } else { ByteOrder::NATIVE },
            ));
            const HAS_INVALID_BIT_PATTERNS: bool = $invalid;
            #[inline]
            fn is_valid_bits(bytes: &[u8]) -> bool {
                $valid(bytes)
            }
        }
    };
    ($($ty:ty => $format:expr, $kind:ident;)*) => {$(
        scalar_elements!(@one $ty => $format, $kind, false, |_: &[u8]| true);
    )*};
}

const LONG_IS_64: bool = super::NATIVE_LONG_SIZE == 8;

// A `bool` is one byte holding 0 or 1; anything else is undefined behaviour to read as `bool`.
scalar_elements!(@one bool => "?", Bool, true, |b: &[u8]| matches!(b, [0] | [1]));
scalar_elements! {
    u8 => "B", UInt;
    i8 => "b", Int;
    u16 => "H", UInt;
    i16 => "h", Int;
    u32 => "I", UInt;
    i32 => "i", Int;
    u64 => if LONG_IS_64 { "L" } else { "Q" }, UInt;
    i64 => if LONG_IS_64 { "l" } else { "q" }, Int;
    f32 => "f", Float;
    f64 => "d", Float;
}

#[cfg(target_pointer_width = "64")]
scalar_elements! {
    usize => if LONG_IS_64 { "L" } else { "Q" }, UInt;
    isize => if LONG_IS_64 { "l" } else { "q" }, Int;
}

#[cfg(target_pointer_width = "32")]
scalar_elements! {
    usize => "I", UInt;
    isize => "i", Int;
}

#[cfg(feature = "half")]
scalar_elements! {
    half::f16 => "e", Float;
    half::bf16 => "E", BFloat;
}

// SAFETY: `float8`'s `F8E4M3` and `F8E5M2` are `#[repr(transparent)]` over one `u8` (one
// byte, no padding) and every byte is a value (NaNs included). `F8E4M3` is the finite E4M3
// (largest 448, NaN at 0x7f/0xff): DLPack's and ml_dtypes' e4m3fn; `F8E5M2` is IEEE-like E5M2.
// Each format reads back to its item type (the `[name]` extension of the PEP 3118 reader).
#[cfg(feature = "float8")]
unsafe impl Element for float8::F8E4M3 {
    const FORMAT: &'static str = "[float8_e4m3fn]";
    const ITEM_TYPE: ItemType = ItemType::mini_float(super::MiniFloat::Float8E4M3Fn);
    const HAS_INVALID_BIT_PATTERNS: bool = false;
}

// SAFETY: as for `F8E4M3` above.
#[cfg(feature = "float8")]
unsafe impl Element for float8::F8E5M2 {
    const FORMAT: &'static str = "[float8_e5m2]";
    const ITEM_TYPE: ItemType = ItemType::mini_float(super::MiniFloat::Float8E5M2);
    const HAS_INVALID_BIT_PATTERNS: bool = false;
}

#[cfg(feature = "num-complex")]
scalar_elements! {
    num_complex::Complex<f32> => "Zf", Complex;
    num_complex::Complex<f64> => "Zd", Complex;
}

// SAFETY: `[T; N]` is N values of `T` back to back with no padding (Rust's array layout), which is
// the sub-array `(N)T`; `FORMAT` is built from `T::FORMAT` by `array_of` so it reads back to
// `ITEM_TYPE`. No padding between or inside elements, and a value is valid when every element is.
unsafe impl<T: Element, const N: usize> Element for [T; N] {
    const FORMAT: &'static str = ArrayFormat::<T, N>::FORMAT;
    const ITEM_TYPE: ItemType =
        SubArray::of_static(N, ArrayFormat::<T, N>::INNER, ArrayFormat::<T, N>::DATA);
    const HAS_INVALID_BIT_PATTERNS: bool = T::HAS_INVALID_BIT_PATTERNS;

    fn is_valid_bits(bytes: &[u8]) -> bool {
        let size = core::mem::size_of::<T>();
        !T::HAS_INVALID_BIT_PATTERNS || size == 0 || bytes.chunks_exact(size).all(T::is_valid_bits)
    }
}

struct ArrayFormat<T, const N: usize>(PhantomData<T>);

impl<T: Element, const N: usize> ArrayFormat<T, N> {
    // An upper bound of the format's length: `(N,` or `(N)` and the item's format.
    const LEN: usize = T::FORMAT.len() + 22;
    // The format is built into the smallest of a few buffer sizes that holds it (an array
    // length cannot name `T::FORMAT.len()` on stable Rust); only that one is kept in the binary.
    // A `'static` reference to a constant buffer: the borrow is lifetime-extended as the whole
    // initializer of a constant.
    const TIER_0: &'static FormatBuf<256> = &Self::build(Self::LEN <= 256);
    const TIER_1: &'static FormatBuf<4096> = &Self::build(Self::LEN <= 4096);
    const TIER_2: &'static FormatBuf<65536> = &Self::build(Self::LEN <= 65536);
    const TIER_3: &'static FormatBuf<{ 1 << 20 }> = &Self::build(Self::LEN <= 1 << 20);
    const FORMAT: &'static str = if Self::LEN <= 256 {
        Self::TIER_0.as_str()
    } else if Self::LEN <= 4096 {
        Self::TIER_1.as_str()
    } else if Self::LEN <= 65536 {
        Self::TIER_2.as_str()
    } else if Self::LEN <= 1 << 20 {
        Self::TIER_3.as_str()
    } else {
        panic!("the format string of a fixed array `[T; N]` is longer than 1048576 bytes, the most an array's format can hold")
    };
    // The flattened sub-array, for element types that are not stored inline.
    const DATA: &'static SubArrayData = &SubArrayData::nest(N, Self::INNER);
    const INNER: &'static ItemType = &T::ITEM_TYPE;

    /// The format, or an empty buffer when `fits` is false (a larger size is used).
    const fn build<const CAP: usize>(fits: bool) -> FormatBuf<CAP> {
        if fits {
            FormatBuf::new().array_of(N, T::FORMAT)
        } else {
            FormatBuf::new()
        }
    }
}

/// A format string built at compile time, for `Element::FORMAT` of composite types.
#[doc(hidden)]
pub struct FormatBuf<const CAP: usize> {
    bytes: [u8; CAP],
    len: usize,
    /// The byte-order mark in force after the last field (`0`: the record's own), which a
    /// reader keeps for the rest of the string, nested records included.
    mode: u8,
}

impl<const CAP: usize> FormatBuf<CAP> {
    /// An empty buffer.
    pub const fn new() -> Self {
        FormatBuf {
            bytes: [0; CAP],
            len: 0,
            mode: 0,
        }
    }

    /// Appends `s`; a compile-time error if it does not fit.
    pub const fn push_str(mut self, s: &str) -> Self {
        let s = s.as_bytes();
        assert!(
            self.len + s.len() <= CAP,
            "format string too long for its buffer"
        );
        let mut i = 0;
        while i < s.len() {
            self.bytes[self.len + i] = s[i];
            i += 1;
        }
        self.len += s.len();
        self
    }

    /// Appends a record field's format, putting the record's own byte-order mark `base`
    /// (`@` or `^`) back first when an earlier field left another in force (`>I` is followed by
    /// `@H`, not `H`, which would read big-endian too). A mark goes after a leading sub-array
    /// shape, as readers expect (`(3)@H`).
    pub const fn field(mut self, format: &str, base: u8) -> Self {
        let f = format.as_bytes();
        let current = if self.mode == 0 { base } else { self.mode };
        // Where a mark may stand: after a leading `(...)` shape.
        let mut at = 0;
        if !f.is_empty() && f[0] == b'(' {
            while at < f.len() && f[at] != b')' {
                at += 1;
            }
            at += 1;
        }
        let marked = at < f.len() && is_order_mark(f[at]);
        if !marked && current != base {
            let (shape, rest) = f.split_at(if at > f.len() { f.len() } else { at });
            self = self.push_bytes(shape).push_bytes(&[base]).push_bytes(rest);
            self.mode = base;
        } else {
            self = self.push_str(format);
        }
        // The last mark outside field names stays in force.
        let (mut i, mut in_name) = (0, false);
        while i < f.len() {
            if f[i] == b':' {
                in_name = !in_name;
            } else if !in_name && is_order_mark(f[i]) {
                self.mode = f[i];
            }
            i += 1;
        }
        self
    }

    /// Appends a string field's format: `{n}s` (bytes) or `{n}w` (UCS-4), with the record's
    /// mark `base` back first if needed, as [`field`](Self::field).
    pub const fn push_string(self, n: usize, code: u8, base: u8) -> Self {
        assert!(n != 0, "a string field needs at least one character");
        let digits = FormatBuf::<24>::new().push_usize(n).push_bytes(&[code]);
        self.field(digits.as_str(), base)
    }

    /// Appends `n` bytes of padding (`{n}x`), nothing for 0.
    pub const fn pad(self, n: usize) -> Self {
        if n == 0 {
            self
        } else {
            self.push_usize(n).push_str("x")
        }
    }

    /// Returns `self`; evaluating `check` first makes a compile-time assertion part of the
    /// constant that uses this buffer.
    pub const fn after(self, check: ()) -> Self {
        let () = check;
        self
    }

    /// Appends `n` in decimal.
    pub const fn push_usize(mut self, n: usize) -> Self {
        let mut digits = [0u8; 20];
        let mut count = 0;
        let mut rest = n;
        loop {
            digits[count] = b'0' + (rest % 10) as u8;
            count += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        assert!(
            self.len + count <= CAP,
            "format string too long for its buffer"
        );
        while count > 0 {
            count -= 1;
            self.bytes[self.len] = digits[count];
            self.len += 1;
        }
        self
    }

    /// Appends the format of an `n`-element sub-array of `item`, merging a sub-array item's
    /// shape (`(4)` + `(3)f` → `(4,3)f`), since `(4)(3)f` is not a valid format.
    pub const fn array_of(self, n: usize, item: &str) -> Self {
        let item_bytes = item.as_bytes();
        let buf = self.push_str("(").push_usize(n);
        if !item_bytes.is_empty() && item_bytes[0] == b'(' {
            let (_, rest) = item_bytes.split_at(1);
            buf.push_str(",").push_bytes(rest)
        } else {
            buf.push_str(")").push_str(item)
        }
    }

    /// Appends bytes that are valid UTF-8.
    pub const fn push_bytes(self, bytes: &[u8]) -> Self {
        match core::str::from_utf8(bytes) {
            Ok(s) => self.push_str(s),
            Err(_) => panic!("format strings are UTF-8"),
        }
    }

    /// The string built so far.
    pub const fn as_str(&self) -> &str {
        let (used, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(used) {
            Ok(s) => s,
            Err(_) => panic!("format strings are UTF-8"),
        }
    }
}

const fn is_order_mark(b: u8) -> bool {
    matches!(b, b'@' | b'=' | b'<' | b'>' | b'!' | b'^')
}

impl<const CAP: usize> Default for FormatBuf<CAP> {
    fn default() -> Self {
        Self::new()
    }
}

/// Writable byte views exist only for element types valid for every bit pattern: a `bool`
/// written as 2 through a byte view would be undefined behaviour. Checked at compile time.
pub(crate) struct AllBitPatterns<T>(core::marker::PhantomData<T>);

impl<T: Element> AllBitPatterns<T> {
    pub(crate) const CHECK: () = assert!(
        !T::HAS_INVALID_BIT_PATTERNS,
        "writable array views need an element type for which every bit pattern is valid (not bool or records holding one)"
    );
}

/// The layout checks of `T` that are evaluated per instantiation: a derived generic record's
/// padding check runs when its `FORMAT` or `ITEM_TYPE` is evaluated, so every path from
/// elements to bytes evaluates this first, making a padded instantiation a compile error there.
pub(crate) struct Checked<T>(PhantomData<T>);

impl<T: Element> Checked<T> {
    pub(crate) const LAYOUT: () = {
        let _: &str = T::FORMAT;
        core::mem::forget(T::ITEM_TYPE);
    };
}

/// The bytes of a slice of elements.
pub(crate) fn bytes_of<T: Element>(items: &[T]) -> &[u8] {
    #[allow(clippy::let_unit_value)]
    let () = Checked::<T>::LAYOUT;
    let len = core::mem::size_of_val(items);
    // SAFETY: `T: Element` has no uninitialised bytes (its safety contract), so the `len` bytes
    // of the slice are initialised `u8`s, borrowed for as long as `items`.
    unsafe { core::slice::from_raw_parts(items.as_ptr().cast::<u8>(), len) }
}

pub(crate) fn bytes_mut<T: Element>(items: &mut [T]) -> &mut [u8] {
    #[allow(clippy::let_unit_value)]
    let () = AllBitPatterns::<T>::CHECK;
    #[allow(clippy::let_unit_value)]
    let () = Checked::<T>::LAYOUT;
    let len = core::mem::size_of_val(items);
    // SAFETY: `T: Element` has no uninitialised bytes, so all `len` bytes are initialised; every bit pattern is a valid
    // `T` (checked at compile time above, per `Element`'s contract), so writes through the byte
    // slice cannot make an invalid `T`; the borrow is unique and as long as `items`'.
    unsafe { core::slice::from_raw_parts_mut(items.as_mut_ptr().cast::<u8>(), len) }
}
