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
