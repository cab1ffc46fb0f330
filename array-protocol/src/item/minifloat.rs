//! The small floating-point formats of machine learning (FP8, FP6, FP4), as DLPack 1.3 and
//! `ml_dtypes` name them: describable item types whose values this crate does not compute with.

/// A floating-point format of 8 bits or fewer: DLPack's `kDLFloat8_*`, `kDLFloat6_*` and
/// `kDLFloat4_*` codes, NumPy's `ml_dtypes` types.
///
/// In the item model every format takes **one byte per element**: FP8 fills it, FP6 and FP4
/// sit in its low bits (what `ml_dtypes` stores and what DLPack calls *padded*). DLPack's
/// default for FP6 and FP4 is *packed* (several elements per byte); such tensors are imported
/// as their bytes only ([`DLPackArray::packed_bytes`](crate::dlpack::DLPackArray::packed_bytes)).
///
/// Renderings: NumPy's typestr is `|V1`, as `ml_dtypes` arrays report in
/// `__array_interface__` (a reader gets opaque bytes back); PEP 3118 has no code for these
/// formats, so this crate writes the extension `[name]` (`[float8_e4m3fn]`), which it reads
/// back and which CPython's `struct` and NumPy refuse rather than misread.
///
/// ```
/// use array_protocol::{ItemType, MiniFloat};
///
/// let t = ItemType::mini_float(MiniFloat::Float8E4M3Fn);
/// assert_eq!((t.itemsize(), t.typestr().as_str()), (1, "|V1"));
/// assert_eq!(t.to_pep3118(), "[float8_e4m3fn]");
/// assert_eq!(ItemType::from_pep3118("[float8_e4m3fn]").unwrap(), t);
/// assert_eq!(t.describe(), "float8_e4m3fn");
/// assert_eq!(MiniFloat::Float4E2M1Fn.bits(), 4);
/// ```
///
/// Arrays of these types from NumPy: `ml_dtypes` arrays cannot cross NumPy's DLPack or buffer
/// protocol exports (NumPy refuses their dtypes there). View them as bytes on the Python side
/// (`a.view(np.uint8)`) and give the item type on the Rust side with
/// [`cast_item`](crate::ArrayView::cast_item), or exchange them through JAX's or PyTorch's
/// DLPack, which carry the codes:
///
/// ```
/// use array_protocol::{ArrayView, ItemType, MiniFloat};
///
/// let bytes = [0x38u8, 0x40, 0xb8]; // 1.0, 2.0, -1.0 in float8_e4m3fn
/// let v = ArrayView::from_slice(&bytes, &[3])?;
/// let fp8 = v.cast_item(ItemType::mini_float(MiniFloat::Float8E4M3Fn))?;
/// assert_eq!(fp8.item().describe(), "float8_e4m3fn");
/// # Ok::<(), array_protocol::Error>(())
/// ```
///
/// With the `float8` feature, the `float8` crate's `F8E4M3` (e4m3fn) and `F8E5M2` are
/// [`Element`](crate::Element)s, for typed access:
///
/// ```
/// # #[cfg(feature = "float8")] {
/// use array_protocol::{ArrayView, Element, ItemType, MiniFloat};
/// use float8::F8E4M3;
///
/// assert_eq!(F8E4M3::item_type(), ItemType::mini_float(MiniFloat::Float8E4M3Fn));
/// let bytes = [0x38u8, 0x40, 0xb8];
/// let v = ArrayView::from_slice(&bytes, &[3])?.cast::<F8E4M3>()?;
/// let values: Vec<f32> = v.typed::<F8E4M3>()?.iter().map(|x| x.to_f32()).collect();
/// assert_eq!(values, [1.0, 2.0, -1.0]);
/// # }
/// # Ok::<(), array_protocol::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MiniFloat {
    /// FP8, 3 exponent and 4 mantissa bits, with infinities.
    Float8E3M4,
    /// FP8, 4 exponent and 3 mantissa bits, IEEE-like (infinities and NaNs).
    Float8E4M3,
    /// FP8 E4M3, exponent bias 11, finite, a single NaN at negative zero (Graphcore).
    Float8E4M3B11Fnuz,
    /// FP8 E4M3, finite: no infinities, NaN only at all ones (OCP / NVIDIA "E4M3").
    Float8E4M3Fn,
    /// FP8 E4M3, finite, a single NaN at negative zero (AMD).
    Float8E4M3Fnuz,
    /// FP8, 5 exponent and 2 mantissa bits, IEEE-like (OCP / NVIDIA "E5M2").
    Float8E5M2,
    /// FP8 E5M2, finite, a single NaN at negative zero (AMD).
    Float8E5M2Fnuz,
    /// FP8, 8 exponent bits and no sign or mantissa: powers of two (the OCP MX scale).
    Float8E8M0Fnu,
    /// FP6, 2 exponent and 3 mantissa bits, finite (OCP MX).
    Float6E2M3Fn,
    /// FP6, 3 exponent and 2 mantissa bits, finite (OCP MX).
    Float6E3M2Fn,
    /// FP4, 2 exponent bits and 1 mantissa bit, finite (OCP MX).
    Float4E2M1Fn,
}

impl MiniFloat {
    /// Every format, in DLPack code order.
    pub const ALL: [MiniFloat; 11] = [
        MiniFloat::Float8E3M4,
        MiniFloat::Float8E4M3,
        MiniFloat::Float8E4M3B11Fnuz,
        MiniFloat::Float8E4M3Fn,
        MiniFloat::Float8E4M3Fnuz,
        MiniFloat::Float8E5M2,
        MiniFloat::Float8E5M2Fnuz,
        MiniFloat::Float8E8M0Fnu,
        MiniFloat::Float6E2M3Fn,
        MiniFloat::Float6E3M2Fn,
        MiniFloat::Float4E2M1Fn,
    ];

    /// The bits one value takes: 8, 6 or 4.
    pub const fn bits(self) -> u8 {
        match self {
            MiniFloat::Float6E2M3Fn | MiniFloat::Float6E3M2Fn => 6,
            MiniFloat::Float4E2M1Fn => 4,
            _ => 8,
        }
    }

    /// Whether a value takes less than a byte (FP6, FP4), so that a packed array is not
    /// byte-addressable.
    pub const fn is_sub_byte(self) -> bool {
        self.bits() < 8
    }

    /// The name `ml_dtypes` (and PyTorch, JAX) give it: `float8_e4m3fn`, `float4_e2m1fn`, ….
    pub const fn name(self) -> &'static str {
        match self {
            MiniFloat::Float8E3M4 => "float8_e3m4",
            MiniFloat::Float8E4M3 => "float8_e4m3",
            MiniFloat::Float8E4M3B11Fnuz => "float8_e4m3b11fnuz",
            MiniFloat::Float8E4M3Fn => "float8_e4m3fn",
            MiniFloat::Float8E4M3Fnuz => "float8_e4m3fnuz",
            MiniFloat::Float8E5M2 => "float8_e5m2",
            MiniFloat::Float8E5M2Fnuz => "float8_e5m2fnuz",
            MiniFloat::Float8E8M0Fnu => "float8_e8m0fnu",
            MiniFloat::Float6E2M3Fn => "float6_e2m3fn",
            MiniFloat::Float6E3M2Fn => "float6_e3m2fn",
            MiniFloat::Float4E2M1Fn => "float4_e2m1fn",
        }
    }

    /// The format called `name` (as [`name`](Self::name) spells it).
    ///
    /// ```
    /// use array_protocol::MiniFloat;
    ///
    /// assert_eq!(MiniFloat::from_name("float8_e5m2"), Some(MiniFloat::Float8E5M2));
    /// assert_eq!(MiniFloat::from_name("float8"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<MiniFloat> {
        MiniFloat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// DLPack's `DLDataTypeCode` for it (7 to 17).
    pub const fn dlpack_code(self) -> u8 {
        // The codes follow `ALL`'s order from kDLFloat8_e3m4 = 7.
        7 + self as u8
    }

    /// The format of DLPack code `code`, if it is one of these.
    pub fn from_dlpack_code(code: u8) -> Option<MiniFloat> {
        MiniFloat::ALL
            .get(usize::from(code.checked_sub(7)?))
            .copied()
    }
}

/// One value of each [`MiniFloat`] format as a plain byte, for typed views, copies and exports
/// of arrays of them: the bits as stored (FP6 and FP4 values in the low 6 or 4 bits of their
/// byte, DLPack's *padded* form), with no arithmetic. Every byte is accepted. Convert with a
/// crate that computes in the format (`float8` for e4m3fn and e5m2, behind this crate's
/// `float8` feature).
///
/// ```
/// use array_protocol::bytes8::Float8E4M3Fnuz;
/// use array_protocol::{ArrayView, Element, ItemType, MiniFloat};
///
/// assert_eq!(Float8E4M3Fnuz::item_type(), ItemType::mini_float(MiniFloat::Float8E4M3Fnuz));
/// let data = [Float8E4M3Fnuz(0x38), Float8E4M3Fnuz(0x40)];
/// let v = ArrayView::from_slice(&data, &[2])?;
/// assert_eq!(v.item().describe(), "float8_e4m3fnuz");
/// assert_eq!(v.typed::<Float8E4M3Fnuz>()?[[1]], Float8E4M3Fnuz(0x40));
/// # Ok::<(), array_protocol::Error>(())
/// ```
pub mod bytes8 {
    use super::MiniFloat;
    use crate::item::element::Element;
    use crate::item::ItemType;

    macro_rules! byte_formats {
        ($($name:ident => $format:literal),* $(,)?) => {$(
            #[doc = concat!("One `", $format, "` value, as its byte (see the [module](self)).")]
            #[repr(transparent)]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(pub u8);

            // SAFETY: `#[repr(transparent)]` over one `u8`: one byte, no padding, every bit
            // pattern valid; the item type is the one-byte mini float `FORMAT` names (the
            // `[name]` extension of the PEP 3118 reader reads it back).
            unsafe impl Element for $name {
                const FORMAT: &'static str = concat!("[", $format, "]");
                const ITEM_TYPE: ItemType = ItemType::mini_float(MiniFloat::$name);
                const HAS_INVALID_BIT_PATTERNS: bool = false;
            }

            // SAFETY: as above: one byte, any value, no padding.
            unsafe impl bytemuck::Zeroable for $name {}
            // SAFETY: as above; `Copy` and `'static`.
            unsafe impl bytemuck::Pod for $name {}
        )*};
    }

    byte_formats! {
        Float8E3M4 => "float8_e3m4",
        Float8E4M3 => "float8_e4m3",
        Float8E4M3B11Fnuz => "float8_e4m3b11fnuz",
        Float8E4M3Fn => "float8_e4m3fn",
        Float8E4M3Fnuz => "float8_e4m3fnuz",
        Float8E5M2 => "float8_e5m2",
        Float8E5M2Fnuz => "float8_e5m2fnuz",
        Float8E8M0Fnu => "float8_e8m0fnu",
        Float6E2M3Fn => "float6_e2m3fn",
        Float6E3M2Fn => "float6_e3m2fn",
        Float4E2M1Fn => "float4_e2m1fn",
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_format_has_a_byte_type_that_reads_back() {
            let types = [
                (Float8E3M4::ITEM_TYPE, Float8E3M4::FORMAT),
                (Float8E4M3::ITEM_TYPE, Float8E4M3::FORMAT),
                (Float8E4M3B11Fnuz::ITEM_TYPE, Float8E4M3B11Fnuz::FORMAT),
                (Float8E4M3Fn::ITEM_TYPE, Float8E4M3Fn::FORMAT),
                (Float8E4M3Fnuz::ITEM_TYPE, Float8E4M3Fnuz::FORMAT),
                (Float8E5M2::ITEM_TYPE, Float8E5M2::FORMAT),
                (Float8E5M2Fnuz::ITEM_TYPE, Float8E5M2Fnuz::FORMAT),
                (Float8E8M0Fnu::ITEM_TYPE, Float8E8M0Fnu::FORMAT),
                (Float6E2M3Fn::ITEM_TYPE, Float6E2M3Fn::FORMAT),
                (Float6E3M2Fn::ITEM_TYPE, Float6E3M2Fn::FORMAT),
                (Float4E2M1Fn::ITEM_TYPE, Float4E2M1Fn::FORMAT),
            ];
            for (format, (item, text)) in MiniFloat::ALL.into_iter().zip(types) {
                assert_eq!(item, ItemType::mini_float(format));
                assert_eq!(ItemType::from_pep3118(text).unwrap(), item, "{text}");
                assert_eq!(item.itemsize(), 1);
            }
        }
    }
}
