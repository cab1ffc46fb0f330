//! Hand N-dimensional arrays between libraries and languages without copying.
//!
//! A producer describes its memory with an [`ItemType`] (what one element looks like), a shape,
//! strides and an offset; a consumer reads it knowing only this protocol. Item types are read and
//! written in every dialect the array world uses: PEP 3118 / `struct` format strings, NumPy's
//! `__array_interface__` typestr and descr, and DLPack's `DLDataType`.
//!
//! # Example
//! ```
//! use array_protocol::{Element, ItemType};
//!
//! // A record written by numpy or C, read from its PEP 3118 format.
//! let particle = ItemType::from_pep3118("T{(3)f:pos:I:id:d:mass:}").unwrap();
//! assert_eq!(particle.itemsize(), 24);
//! assert_eq!(particle.field("mass").unwrap().offset(), 16);
//! assert_eq!(
//!     particle.descr().to_string(),
//!     "[('pos', '<f4', (3,)), ('id', '<u4'), ('mass', '<f8')]"
//! );
//!
//! // Rust types know their item type at compile time.
//! assert_eq!(<[f32; 3]>::FORMAT, "(3)f");
//! assert_eq!(f64::item_type().to_dlpack().map(|d| (d.code, d.bits, d.lanes)), Some((2, 64, 1)));
//! ```
//!
//! # Details
//! - One model, [`ItemType`]: scalars ([`Scalar`]) with a [`ByteOrder`], sub-arrays
//!   ([`SubArray`]) and records ([`Struct`] of [`Field`]s with offsets and padding).
//! - [`ItemType::from_pep3118`] reads the full PEP 3118 grammar with NumPy's semantics and is
//!   stricter than NumPy where NumPy accepts garbage; [`ItemType::to_pep3118`] writes a canonical
//!   form that reads back to the same item type.
//! - [`Element`] ties a Rust type to its item type as a compile-time constant.
//! - The core is `no_std` (it needs `alloc`) and depends only on `bytemuck`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod copy;
mod error;
pub mod item;
pub mod layout;
mod owned;
mod protocol;
mod reinterpret;
mod typed;
mod view;

pub use error::{Dialect, Error, ErrorKind, FormatError};

/// Derives [`Element`] for a `#[repr(C)]` record, computing its PEP 3118 format at compile time.
///
/// ```
/// use array_protocol::{Element, ItemType};
///
/// #[derive(Element, Clone, Copy)]
/// #[repr(C)]
/// struct Rgba { r: u8, g: u8, b: u8, a: u8 }
///
/// const F: &str = Rgba::FORMAT;
/// assert_eq!(F, "T{B:r:B:g:B:b:B:a:}");
/// assert_eq!(Rgba::item_type().itemsize(), 4);
/// ```
///
/// Rules, each checked at compile time with an error on the offending tokens:
/// - a struct (not an enum or union) with `#[repr(C)]`, `#[repr(C, packed)]` or
///   `#[repr(transparent)]` (one field; the format is the field's own);
/// - `Copy`, and every field an [`Element`] (primitives, `bool`, fixed arrays, other derived
///   records, generic parameters bounded by `Element`);
/// - no implicit padding: padding bytes are uninitialised and must not be exposed through byte
///   views. Name it with an explicit field `#[array(pad)] _pad: [u8; N]` (written `Nx` in the
///   format, never exposed as a field) or use `#[repr(C, packed)]`;
/// - a generic `#[repr(C)]` struct must use one base type for all fields (`T`, `[T; N]`), since
///   other generic layouts have padding for some type arguments;
/// - `#[array(crate = "path")]` names the runtime crate when it is renamed.
///
/// The derive also implements bytemuck's `NoUninit`, and `Zeroable` and `AnyBitPattern`
/// when every field has them, so bytemuck's casts work without deriving its traits (do not
/// derive them as well).
///
/// ```compile_fail
/// #[derive(array_protocol::Element, Clone, Copy)]
/// #[repr(C)]
/// struct Padded { tag: u8, value: u32 } // 3 bytes of padding after `tag`
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use array_protocol_derive::Element;
pub use item::dlpack::{DLDataType, DLDataTypeCode};
pub use item::element::Element;
pub use item::numpy::{Descr, DescrField, DescrFormat};
pub use item::{
    ByteOrder, Field, ItemType, Scalar, ScalarKind, Struct, SubArray, LONG_DOUBLE_SIZE,
};
pub use layout::{Layout, Order, MAX_NDIM};
pub use owned::{AlignedBytes, Array};
pub use protocol::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, Contiguity, FromArrayView, FromArrayViewMut,
    Requirements,
};
pub use typed::{Iter, IterMut, TypedView, TypedViewMut};
pub use view::{ArrayBase, ArrayView, ArrayViewMut, Data, DataMut};

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
