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
//! - [`Element`] ties a Rust type to its item type as a compile-time constant
//!   ([`Element::ITEM_TYPE`]); `#[derive(Element)]` builds it for `#[repr(C)]` records. Cloning
//!   an [`ItemType`] never allocates.
//! - [`ArrayView`] / [`ArrayViewMut`]: validated views (bounds, overflow, overlap; the invariants
//!   are numbered in [`layout`]) built from bytes or typed slices ([`ArrayView::from_slice`]),
//!   with borrowing reinterpreting views (`t`, `slice`, `field`, `real`, `cast`, …), typed access
//!   ([`TypedView`], and [`TypedViewN`] for a number of axes fixed at compile time) and fast
//!   copies; [`ArrayProducer`] / [`TypedArrayProducer`] (element type and number of axes in the
//!   type) / [`ArrayConsumer`] / [`FromArrayView`] connect libraries that know nothing of each
//!   other, and derive for your own types.
//! - One [`Error`] type, built with [`Error::new`] and kept causes; `std` converts it to and
//!   from `std::io::Error`.
//! - Adapters behind features: `ndarray`, `image`, `memmap2` (module `mmap`), `dlpack` (C ABI)
//!   and `arrow` (the Arrow C data interface); element types from `half` (f16, bf16),
//!   `num-complex` and `float8` (FP8 e4m3fn and e5m2; the other FP8/FP6/FP4 formats are
//!   [`MiniFloat`] item types). Python (PyO3) is the crate `array-protocol-python`, built on
//!   this crate's public API only: foreign memory becomes a view through
//!   [`ArrayView::from_raw_parts`] (or [`layout::Foreign`]), checked as any other.
//! - The core is `no_std` (it needs `alloc`) and depends only on `bytemuck` (and, with `std` on
//!   Linux, on `libc` to ask for huge pages for arrays of 4 MiB and more).
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![warn(
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block,
    clippy::missing_safety_doc
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[doc(hidden)]
pub mod __private;
pub mod adapters;
mod copy;
mod error;
pub mod item;
pub mod layout;
mod owned;
mod protocol;
mod transform;
mod typed;
mod view;

pub use error::{Advice, Dialect, Error, ErrorKind, FormatError};

#[cfg(feature = "arrow")]
#[cfg_attr(docsrs, doc(cfg(feature = "arrow")))]
pub use adapters::arrow;
#[cfg(feature = "dlpack")]
#[cfg_attr(docsrs, doc(cfg(feature = "dlpack")))]
pub use adapters::dlpack;
#[cfg(feature = "memmap2")]
#[cfg_attr(docsrs, doc(cfg(feature = "memmap2")))]
pub use adapters::mmap;

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
/// - a struct with `#[repr(C)]`, `#[repr(C, packed)]`, `#[repr(C, packed(N))]`,
///   `#[repr(C, align(N))]` or `#[repr(transparent)]` (one field; the format is the field's
///   own), or a fieldless enum with an integer `repr` (below); not a union;
/// - `Copy`, and every field an [`Element`] (primitives, `bool`, fixed arrays, [`Be`]/[`Le`],
///   other derived records, generic parameters bounded by `Element`);
/// - no implicit padding: padding bytes are uninitialised and must not be exposed through byte
///   views. Name it with an explicit field `#[array(pad)] _pad: [u8; N]` (written `Nx` in the
///   format, never exposed as a field) or use `#[repr(C, packed)]`;
/// - generic records are checked **per instantiation**: `Two<u32, f32>` is accepted,
///   `Two<u8, u32>` (3 bytes of padding) is a compile error naming the instantiation, the gap
///   and the fix wherever it would be viewed as bytes (its `FORMAT` and `ITEM_TYPE`, views,
///   producers, exports). bytemuck's `NoUninit`, which has no such per-instantiation hook, is
///   implemented only where every instantiation is padding-free: non-generic records,
///   `repr(transparent)`, `repr(C, packed)`, and `repr(C)` records without `align` whose fields
///   share one base type (`T`, `[T; N]`) — always bounded on the fields being `NoUninit`;
/// - formats are built at compile time with no limit for non-generic records; a generic
///   record's or a fixed array's format can be up to 1 MiB (1,048,576 bytes), beyond which the
///   error names the record and the limit.
///
/// Attributes:
/// - `#[array(crate = "path")]` names the runtime crate when it is renamed;
/// - `#[array(pad)]` on a `[u8; N]` field: explicit padding, in the format as `Nx`;
/// - `#[array(rename = "class")]`: the field's name in the item type (`class_: u8` becomes
///   numpy's `('class', '|u1')`);
/// - `#[array(skip)]` on a zero-sized field such as `PhantomData<T>`: left out of the item type
///   (anything with bytes is a compile error);
/// - `#[array(string)]` on a `[u8; N]` field: a byte string, PEP 3118 `Ns`, numpy `|SN`;
/// - `#[array(unicode)]` on a `[u32; N]` field: N UCS-4 code points, PEP 3118 `Nw`, numpy
///   `<UN` (native order).
///
/// ```
/// use array_protocol::{Be, Element};
///
/// #[derive(Element, Clone, Copy, Debug, PartialEq)]
/// #[repr(u8)]
/// enum Color { Red = 0, Green = 1, Blue = 2 }
///
/// #[derive(Element, Clone, Copy)]
/// #[repr(C)]
/// struct Star {
///     #[array(string)]
///     name: [u8; 16],
///     #[array(unicode)]
///     label: [u32; 4],
///     #[array(rename = "class")]
///     class_: u8,
///     color: Color,
///     id: Be<u16>, // stored big-endian, as in a file written on another machine
/// }
///
/// assert_eq!(
///     Star::item_type().descr().to_string(),
///     "[('name', '|S16'), ('label', '<U4'), ('class', '|u1'), ('color', '|u1'), ('id', '>u2')]"
/// );
/// ```
///
/// A fieldless enum with `#[repr(u8)]` (or any integer `repr`) is that integer's item type;
/// reading bytes that are no discriminant as the enum ([`ArrayView::typed`],
/// [`ArrayConsumer`]s) is refused with [`ErrorKind::InvalidValue`], as for `bool`.
///
/// The derive also implements bytemuck's `Zeroable` and `AnyBitPattern` when every field has
/// them, and `NoUninit` as above, so bytemuck's casts work without deriving its traits (do not
/// derive them as well).
///
/// ```compile_fail
/// #[derive(array_protocol::Element, Clone, Copy)]
/// #[repr(C)]
/// struct Padded { tag: u8, value: u32 } // 3 bytes of padding after `tag`
/// ```
///
/// A padded instantiation of a generic record fails when it is used as bytes:
///
/// ```compile_fail,E0080
/// use array_protocol::{ArrayView, Element, Order};
///
/// #[derive(Element, Clone, Copy)]
/// #[repr(C, align(16))]
/// struct Aligned<T: Element> { a: T }
///
/// let v = [Aligned { a: 1u8 }; 2]; // 15 bytes of padding each
/// let _ = ArrayView::from_slice(&v, &[2]).unwrap().as_bytes(Order::C);
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use array_protocol_derive::Element;

/// Derives [`ArrayProducer`], [`TypedArrayProducer`] and, when the data field can be written
/// (`Vec<T>`, `Box<[T]>`, `[T; N]`, `&mut [T]`), [`ArrayProducerMut`] for a type that holds
/// its elements in one field and its axes in others. The view is zero-copy.
///
/// ```
/// use array_protocol::{ArrayConsumer, ArrayProducer, Element, TypedArrayProducer};
///
/// #[derive(Element, Clone, Copy, Debug, PartialEq)]
/// #[repr(C)]
/// struct Rgba { r: u8, g: u8, b: u8, a: u8 }
///
/// #[derive(ArrayProducer, ArrayConsumer, Debug, PartialEq)]
/// #[array(shape = [height, width])]
/// struct RgbaImage { width: usize, height: usize, #[array(data)] pixels: Vec<Rgba> }
///
/// let image = RgbaImage { width: 3, height: 2, pixels: vec![Rgba { r: 1, g: 2, b: 3, a: 4 }; 6] };
/// let view = image.array();
/// assert_eq!((view.shape(), view.as_ptr()), (&[2, 3][..], image.pixels.as_ptr().cast()));
///
/// // Any readable array of `Rgba` with two axes becomes an image, copied in logical order.
/// let transposed = RgbaImage::from_array(&view.transpose())?;
/// assert_eq!((transposed.width, transposed.height), (2, 3));
///
/// // The element type is known statically.
/// fn needs_pixels<P: TypedArrayProducer<Item = Rgba>>(_: &P) {}
/// needs_pixels(&image);
/// # Ok::<(), array_protocol::Error>(())
/// ```
///
/// Attributes:
/// - `#[array(data)]` on the field holding the elements: `Vec<T>`, `Box<[T]>`, `[T; N]`,
///   `&'a [T]`, `&'a mut [T]`, `Arc<[T]>` or `Rc<[T]>`;
/// - `#[array(shape = [a, b, …])]`: the axes, each a field of integer type or a constant
///   (an `UPPER_CASE` path or a literal), C order;
/// - `#[array(order = "F")]` for Fortran order, or `#[array(strides = [pitch, 4])]` for byte
///   strides (fields or constants), such as row-padded images;
/// - `#[array(item = u8, shape = [height, width, 4])]` exports each element as items of another
///   type along extra constant axes (checked at compile time: 4 × `u8` must be one element;
///   the error gives the sizes found);
/// - `#[array(dim_names = ["H", "W", "C"])]`: one name per axis, returned by
///   [`ArrayProducer::axis_names`]. An Arrow export of an N-D array is a column of
///   `arrow.fixed_shape_tensor` with one row per index of the first axis, so the first name
///   names the rows and Arrow's `dim_names` are the others;
/// - `#[array(python)]` (with the crate `array-protocol-python`): a producer converts into a Python array when a
///   `#[pyfunction]` returns it (a read-only `RustArray`); a consumer with owned data becomes a
///   `#[pyfunction]` argument, copied from any array Python passes;
/// - `#[array(crate = "path")]` when the runtime crate is renamed.
///
/// # Panics
/// [`ArrayProducer::array`] panics if the fields contradict the data (a shape larger or
/// smaller than the data holds: with no `strides`, the data holds exactly the elements the
/// shape says); [`ArrayProducer::try_array`] returns that as an error instead.
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use array_protocol_derive::ArrayProducer;

/// Derives [`ArrayConsumer`] (owned data field: copies from any readable array) or
/// [`FromArrayView`] (data field `&'a [T]`: borrows a contiguous array without copying), with
/// the same attributes as [`derive@ArrayProducer`]. Shape fields are filled from the array,
/// stride fields from the copy's contiguous layout, other fields from `Default`; a wrong item
/// type, number of axes or constant axis length is refused with the protocol's error, and so
/// is an array whose axes give different lengths to one field (`shape = [n, n]` and a 2×3
/// array).
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use array_protocol_derive::ArrayConsumer;
pub use item::bytes8;
pub use item::dlpack::{DLDataType, DLDataTypeCode};
pub use item::element::Element;
pub use item::numpy::{Descr, DescrField, DescrFormat};
pub use item::{Be, Le};
pub use item::{
    ByteOrder, Field, ItemType, MiniFloat, Scalar, ScalarKind, Struct, SubArray, LONG_DOUBLE_SIZE,
};
pub use layout::{Layout, Order, MAX_NDIM};
pub use owned::{AlignedBytes, Array};
pub use protocol::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, Contiguity, Dimension, FromArrayView,
    FromArrayViewMut, Ix, IxDyn, Requirements, TypedArrayProducer,
};
pub use typed::{Iter, IterMut, TypedView, TypedViewMut, TypedViewN};
pub use view::{ArrayBase, ArrayView, ArrayViewMut, Data, DataMut};

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
