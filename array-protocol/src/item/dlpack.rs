//! DLPack's dialect: `DLDataType {code, bits, lanes}` as in `dlpack.h` 1.x.

use alloc::string::String;

use super::{ByteOrder, ItemType, MiniFloat, ScalarKind};
use crate::error::{Dialect, FormatError};

/// DLPack's `DLDataType`, laid out as in `dlpack.h` (`uint8_t code, bits; uint16_t lanes`).
///
/// ```
/// use array_protocol::{DLDataType, DLDataTypeCode, Element, ItemType};
///
/// let dt = DLDataType { code: DLDataTypeCode::Float as u8, bits: 32, lanes: 1 };
/// assert_eq!(ItemType::from_dlpack(dt).unwrap(), f32::item_type());
/// assert_eq!(f32::item_type().to_dlpack(), Some(dt));
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DLDataType {
    /// The type code, one of [`DLDataTypeCode`].
    pub code: u8,
    /// Bits per lane.
    pub bits: u8,
    /// Lanes per element (vector types); always 1 for the item types this crate maps.
    pub lanes: u16,
}

/// The type codes of `dlpack.h` 1.x (`DLDataTypeCode`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // the names are DLPack's own
pub enum DLDataTypeCode {
    Int = 0,
    UInt = 1,
    Float = 2,
    OpaqueHandle = 3,
    Bfloat = 4,
    Complex = 5,
    Bool = 6,
    Float8E3M4 = 7,
    Float8E4M3 = 8,
    Float8E4M3B11Fnuz = 9,
    Float8E4M3Fn = 10,
    Float8E4M3Fnuz = 11,
    Float8E5M2 = 12,
    Float8E5M2Fnuz = 13,
    Float8E8M0Fnu = 14,
    Float6E2M3Fn = 15,
    Float6E3M2Fn = 16,
    Float4E2M1Fn = 17,
}

fn code_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "Int",
        1 => "UInt",
        2 => "Float",
        3 => "OpaqueHandle",
        4 => "Bfloat",
        5 => "Complex",
        6 => "Bool",
        7 => "Float8_e3m4",
        8 => "Float8_e4m3",
        9 => "Float8_e4m3b11fnuz",
        10 => "Float8_e4m3fn",
        11 => "Float8_e4m3fnuz",
        12 => "Float8_e5m2",
        13 => "Float8_e5m2fnuz",
        14 => "Float8_e8m0fnu",
        15 => "Float6_e2m3fn",
        16 => "Float6_e3m2fn",
        17 => "Float4_e2m1fn",
        _ => return None,
    })
}

impl ItemType {
    /// The DLPack data type, or `None` for what DLPack cannot carry: records, sub-arrays,
    /// strings, void, `long double`, and anything not in native byte order.
    ///
    /// A [`MiniFloat`] gets its code and its own bits (8, 6 or 4); since the item model holds
    /// FP6 and FP4 one per byte, a tensor of them is *padded* in DLPack's terms, which the
    /// exporter says with `DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED`.
    ///
    /// ```
    /// use array_protocol::{ItemType, MiniFloat};
    ///
    /// let dt = ItemType::mini_float(MiniFloat::Float4E2M1Fn).to_dlpack().unwrap();
    /// assert_eq!((dt.code, dt.bits, dt.lanes), (17, 4, 1));
    /// ```
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// let dt = ItemType::from_pep3118("Zd").unwrap().to_dlpack().unwrap();
    /// assert_eq!((dt.code, dt.bits, dt.lanes), (5, 128, 1));
    /// assert_eq!(ItemType::from_pep3118(">d").unwrap().to_dlpack(), None);
    /// assert_eq!(ItemType::from_pep3118("T{d:x:d:y:}").unwrap().to_dlpack(), None);
    /// ```
    pub fn to_dlpack(&self) -> Option<DLDataType> {
        let s = self.as_scalar()?;
        if !s.order().is_native() || s.is_long_double() {
            return None;
        }
        if let ScalarKind::MiniFloat(f) = s.kind() {
            return Some(DLDataType {
                code: f.dlpack_code(),
                bits: f.bits(),
                lanes: 1,
            });
        }
        let code = match s.kind() {
            ScalarKind::Bool => DLDataTypeCode::Bool,
            ScalarKind::Int => DLDataTypeCode::Int,
            ScalarKind::UInt => DLDataTypeCode::UInt,
            ScalarKind::Float => DLDataTypeCode::Float,
            ScalarKind::BFloat => DLDataTypeCode::Bfloat,
            ScalarKind::Complex => DLDataTypeCode::Complex,
            _ => return None,
        };
        Some(DLDataType {
            code: code as u8,
            bits: u8::try_from(s.size() * 8).ok()?,
            lanes: 1,
        })
    }

    /// Reads a DLPack data type (native byte order, as DLPack has no other). Vector types
    /// (`lanes != 1`), opaque handles, unknown codes and bits that do not match the code are
    /// refused with an error naming them. The FP8/FP6/FP4 codes read as [`MiniFloat`] item
    /// types of one byte per element: whether a tensor of FP6/FP4 is packed is said by its
    /// flags, not its data type, and is the importer's business.
    ///
    /// ```
    /// use array_protocol::{DLDataType, ItemType, MiniFloat};
    ///
    /// let fp8 = DLDataType { code: 10, bits: 8, lanes: 1 };
    /// assert_eq!(ItemType::from_dlpack(fp8).unwrap(), ItemType::mini_float(MiniFloat::Float8E4M3Fn));
    /// let wrong = DLDataType { code: 17, bits: 8, lanes: 1 };
    /// assert_eq!(
    ///     ItemType::from_dlpack(wrong).unwrap_err().to_string(),
    ///     "invalid DLPack data type: found Float4_e2m1fn with 8 bits, expected 4"
    /// );
    /// ```
    pub fn from_dlpack(dtype: DLDataType) -> Result<ItemType, FormatError> {
        let err = |msg: String| FormatError::new(Dialect::DLPack, String::new(), None, msg);
        if dtype.lanes != 1 {
            return Err(err(alloc::format!(
                "found a vector type with {} lanes, expected lanes = 1",
                dtype.lanes
            )));
        }
        if let Some(f) = MiniFloat::from_dlpack_code(dtype.code) {
            if dtype.bits != f.bits() {
                return Err(err(alloc::format!(
                    "found {} with {} bits, expected {}",
                    code_name(dtype.code).unwrap_or("unknown"),
                    dtype.bits,
                    f.bits()
                )));
            }
            return Ok(ItemType::mini_float(f));
        }
        let kind = match dtype.code {
            0 => ScalarKind::Int,
            1 => ScalarKind::UInt,
            2 => ScalarKind::Float,
            4 => ScalarKind::BFloat,
            5 => ScalarKind::Complex,
            6 => ScalarKind::Bool,
            code => {
                let name = code_name(code).unwrap_or("unknown");
                return Err(err(alloc::format!(
                    "found code {code} ({name}) with {} bits, which has no item type here; \
                     expected Int, UInt, Float, Bfloat, Complex, Bool or an FP8/FP6/FP4 code",
                    dtype.bits
                )));
            }
        };
        let valid_bits = match kind {
            ScalarKind::Int | ScalarKind::UInt => matches!(dtype.bits, 8 | 16 | 32 | 64),
            ScalarKind::Float => matches!(dtype.bits, 16 | 32 | 64),
            ScalarKind::BFloat => dtype.bits == 16,
            ScalarKind::Complex => matches!(dtype.bits, 64 | 128),
            _ => dtype.bits == 8,
        };
        if !valid_bits {
            return Err(err(alloc::format!(
                "found {} with {} bits, which has no item type here",
                code_name(dtype.code).unwrap_or("unknown"),
                dtype.bits
            )));
        }
        ItemType::scalar(kind, usize::from(dtype.bits / 8), ByteOrder::NATIVE)
    }
}
