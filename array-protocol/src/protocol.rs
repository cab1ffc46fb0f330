//! The protocol: producers describe their memory as views; consumers declare what they need and
//! read views, knowing nothing of the producer.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{error, Error};
use crate::item::element::Element;
use crate::item::ItemType;
use crate::typed::TypedView;
use crate::view::{ArrayBase, ArrayView, ArrayViewMut, Data};

/// A type that can show its memory as an array, without copying.
///
/// The view borrows `self`, so the borrow checker keeps the owner from reallocating or dropping
/// its memory while a view is out.
///
/// ```
/// use array_protocol::ArrayProducer;
///
/// let pixels: Vec<[u8; 4]> = vec![[255, 0, 0, 255]; 6];
/// let view = pixels.array();
/// assert_eq!((view.shape(), view.item().describe().as_str()), (&[6, 4][..], "|u1"));
/// assert_eq!(view.as_ptr(), pixels.as_ptr().cast());
/// ```
///
/// The owner cannot change while a view is out:
///
/// ```compile_fail,E0502
/// use array_protocol::ArrayProducer;
///
/// let mut samples = vec![1.0f32];
/// let view = samples.array();
/// samples.push(2.0); // cannot borrow `samples` as mutable: the view borrows it
/// assert_eq!(view.len(), 1);
/// ```
pub trait ArrayProducer {
    /// A view of the array, or why the producer cannot describe its memory (a derived
    /// producer whose shape fields disagree with its data, say).
    fn try_array(&self) -> Result<ArrayView<'_>, Error>;

    /// A view of the array.
    ///
    /// # Panics
    /// When [`try_array`](Self::try_array) fails; call that to handle the error instead.
    #[inline]
    #[track_caller]
    fn array(&self) -> ArrayView<'_> {
        match self.try_array() {
            Ok(view) => view,
            Err(e) => crate::error::inconsistent(core::any::type_name::<Self>(), &e),
        }
    }

    /// Names of the array's axes, one per axis, when the producer names them (an image's
    /// `["H", "W", "C"]`): exporters that can carry them do (Arrow's `arrow.fixed_shape_tensor`
    /// `"dim_names"`). `#[derive(ArrayProducer)]` takes them as `#[array(dim_names = [..])]`.
    fn axis_names(&self) -> Option<&[&str]> {
        None
    }
}

/// The number of axes of a [`TypedArrayProducer`]'s typed view, in its type: [`Ix<N>`] for a
/// fixed number, [`IxDyn`] when it is known only at run time.
pub trait Dimension: 'static {
    /// The number of axes, when fixed.
    const NDIM: Option<usize>;
}

/// A fixed number `N` of axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Ix<const N: usize>;

/// A number of axes known only at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct IxDyn;

impl<const N: usize> Dimension for Ix<N> {
    const NDIM: Option<usize> = Some(N);
}

impl Dimension for IxDyn {
    const NDIM: Option<usize> = None;
}

/// A producer whose element type, and number of axes, are known at compile time, so generic
/// code can require them and a mismatch is a compile error:
///
/// ```
/// use array_protocol::{Ix, TypedArrayProducer};
///
/// fn brightest<P: TypedArrayProducer<Item = u8, Dim = Ix<1>>>(samples: &P) -> u8 {
///     samples.typed_array().iter().copied().max().unwrap_or(0)
/// }
/// assert_eq!(brightest(&vec![3u8, 9, 4]), 9);
/// ```
///
/// ```compile_fail,E0271
/// use array_protocol::{Ix, TypedArrayProducer};
///
/// fn needs_2d<P: TypedArrayProducer<Item = u8, Dim = Ix<2>>>(_: &P) {}
/// needs_2d(&vec![3u8, 9, 4]); // a Vec is one axis
/// ```
///
/// The typed view's elements are `Item`s: for a container of fixed arrays (`Vec<[u8; 4]>`),
/// `Item` is the fixed array, while the untyped [`array`](ArrayProducer::array) view has its
/// scalars along an extra axis.
pub trait TypedArrayProducer: ArrayProducer {
    /// The Rust type of one element.
    type Item: Element;
    /// The number of axes of the typed view.
    type Dim: Dimension;

    /// The elements as a typed view. Producers whose memory is a slice of `Item`s hand it out
    /// without checking anything at run time; the default checks the untyped view.
    fn try_typed_array(&self) -> Result<TypedView<'_, Self::Item>, Error> {
        self.try_array()?.typed::<Self::Item>()
    }

    /// The elements as a typed view.
    ///
    /// # Panics
    /// When [`try_typed_array`](Self::try_typed_array) fails.
    #[track_caller]
    fn typed_array(&self) -> TypedView<'_, Self::Item> {
        match self.try_typed_array() {
            Ok(view) => view,
            Err(e) => crate::error::inconsistent(core::any::type_name::<Self>(), &e),
        }
    }
}

/// A producer whose memory may also be written through a view.
///
/// Implemented for slices of element types that are valid for every bit pattern; a writable
/// byte view of `bool`s would let anyone store a 2 in one, so that does not compile:
///
/// ```compile_fail,E0080
/// use array_protocol::ArrayProducerMut;
///
/// let mut flags = vec![true, false];
/// let _ = flags.array_mut();
/// ```
pub trait ArrayProducerMut: ArrayProducer {
    /// A writable view, or why the producer cannot describe its memory.
    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error>;

    /// A writable view of the array.
    ///
    /// # Panics
    /// When [`try_array_mut`](Self::try_array_mut) fails.
    #[track_caller]
    fn array_mut(&mut self) -> ArrayViewMut<'_> {
        match self.try_array_mut() {
            Ok(view) => view,
            Err(e) => crate::error::inconsistent(core::any::type_name::<Self>(), &e),
        }
    }
}

/// Which contiguity a consumer needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Contiguity {
    /// Any strides.
    Any,
    /// Row-major contiguous.
    C,
    /// Column-major contiguous.
    Fortran,
    /// Contiguous in either order.
    Either,
}

/// What a consumer requires of an array, checked by the protocol before the consumer runs.
///
/// ```
/// use array_protocol::{ArrayView, Contiguity, Element, Requirements};
///
/// let data = [0.0f64; 24];
/// let v = ArrayView::new(bytemuck::cast_slice(&data), f64::item_type(), &[2, 3, 4], None, 0)?
///     .transpose();
/// let need = Requirements { item: Some(f32::item_type()), ndim: Some(2), contiguity: Contiguity::C, writable: false };
/// assert_eq!(
///     need.check(&v).unwrap_err().to_string(),
///     "expected a C-contiguous 2-D array of <f4, got a Fortran-contiguous 3-D array of <f8"
/// );
/// # Ok::<(), array_protocol::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirements {
    /// The item type, if one is required.
    pub item: Option<ItemType>,
    /// The number of axes, if fixed.
    pub ndim: Option<usize>,
    /// The contiguity needed.
    pub contiguity: Contiguity,
    /// Whether the consumer writes.
    pub writable: bool,
}

impl Requirements {
    /// Any array at all.
    pub const ANY: Requirements = Requirements {
        item: None,
        ndim: None,
        contiguity: Contiguity::Any,
        writable: false,
    };

    /// What it takes to read arrays of `T` with `outer` axes before `T`'s own: a fixed-array
    /// `T` such as `[[f32; 3]; 4]` adds its axes at the end and requires their item type.
    pub fn for_element<T: Element>(outer: Option<usize>) -> Requirements {
        let whole = T::ITEM_TYPE;
        let (item, inner) = crate::transform::element_parts(&whole);
        Requirements {
            item: Some(item),
            ndim: outer.map(|n| n + inner.len()),
            contiguity: Contiguity::Any,
            writable: false,
        }
    }

    /// Checks `array` and says what was expected and what was found when it falls short.
    pub fn check<D: Data>(&self, array: &ArrayBase<D>) -> Result<(), Error> {
        let contiguous = match self.contiguity {
            Contiguity::Any => true,
            Contiguity::C => array.is_c_contiguous(),
            Contiguity::Fortran => array.is_f_contiguous(),
            Contiguity::Either => array.is_contiguous(),
        };
        let item_ok = self.item.as_ref().is_none_or(|i| i == array.item());
        let ndim_ok = self.ndim.is_none_or(|n| n == array.ndim());
        let writable_ok = !self.writable || D::WRITABLE;
        if contiguous && item_ok && ndim_ok && writable_ok {
            return Ok(());
        }
        let kind = if !item_ok
            && self
                .item
                .as_ref()
                .is_some_and(|i| i.to_native_order() == array.item().to_native_order())
        {
            crate::error::ErrorKind::ByteOrder
        } else if !item_ok {
            crate::error::ErrorKind::ItemType
        } else {
            crate::error::ErrorKind::Requirement
        };
        Err(Error::new(
            kind,
            alloc::format!(
                "expected {}, got {}",
                self.describe(),
                describe_array(array, self.writable)
            ),
        ))
    }

    fn describe(&self) -> String {
        let mut words = String::new();
        if self.writable {
            words.push_str("writable ");
        }
        words.push_str(match self.contiguity {
            Contiguity::Any => "",
            Contiguity::C => "C-contiguous ",
            Contiguity::Fortran => "Fortran-contiguous ",
            Contiguity::Either => "contiguous ",
        });
        if let Some(n) = self.ndim {
            words.push_str(&alloc::format!("{n}-D "));
        }
        words.push_str("array of ");
        match &self.item {
            Some(item) => words.push_str(&item.describe()),
            None => words.push_str("any items"),
        }
        with_article(words)
    }
}

fn describe_array<D: Data>(a: &ArrayBase<D>, mention_writability: bool) -> String {
    let order = if a.is_c_contiguous() {
        "C-contiguous"
    } else if a.is_f_contiguous() {
        "Fortran-contiguous"
    } else {
        "strided"
    };
    let access = match (mention_writability, D::WRITABLE) {
        (true, false) => "read-only ",
        _ => "",
    };
    with_article(alloc::format!(
        "{access}{order} {}-D array of {}",
        a.ndim(),
        a.item().describe()
    ))
}

fn with_article(words: String) -> String {
    let vowel = words.starts_with(['a', 'e', 'i', 'o', 'u', '8'])
        || words.starts_with("11")
        || words.starts_with("18");
    alloc::format!("{} {words}", if vowel { "an" } else { "a" })
}

/// A type that can be built from any array meeting its [`requirements`](Self::requirements),
/// by copying (owned results).
pub trait ArrayConsumer: Sized {
    /// What the array must be like; checked before [`read_array`](Self::read_array) runs.
    fn requirements() -> Requirements;

    /// Builds the value from an array that meets the requirements.
    fn read_array(array: &ArrayView<'_>) -> Result<Self, Error>;

    /// Checks the requirements, then reads the array.
    ///
    /// ```
    /// use array_protocol::{ArrayConsumer, ArrayProducer};
    ///
    /// let grid: Vec<[[f32; 3]; 2]> = vec![[[1.0; 3]; 2]; 4];
    /// let copy = Vec::<[[f32; 3]; 2]>::from_array(&grid.array())?;
    /// assert_eq!(copy, grid);
    /// let err = Vec::<f64>::from_array(&grid.array()).unwrap_err();
    /// assert_eq!(err.to_string(), "expected a 1-D array of <f8, got a C-contiguous 3-D array of <f4");
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    ///
    /// A consumer copies, so data in the other byte order (`>f8` on a little-endian machine,
    /// a numpy array read from a file written elsewhere) is converted to native order on the
    /// way ([`to_native_order`](crate::ArrayBase::to_native_order)) instead of refused;
    /// zero-copy consumers ([`FromArrayView`]) keep refusing it.
    ///
    /// ```
    /// use array_protocol::{ArrayConsumer, ArrayView, ItemType};
    ///
    /// let big_endian = [0x3fu8, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]; // 1.0, 2.0
    /// let v = ArrayView::new(&big_endian, ItemType::from_pep3118(">d")?, &[2], None, 0)?;
    /// assert_eq!(Vec::<f64>::from_array(&v)?, [1.0, 2.0]);
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    fn from_array(array: &ArrayView<'_>) -> Result<Self, Error> {
        let requirements = Self::requirements();
        match requirements.check(array) {
            Ok(()) => Self::read_array(array),
            Err(e) if e.kind() == crate::ErrorKind::ByteOrder => {
                let native = array.to_native_order()?;
                let view = native.view();
                requirements.check(&view)?;
                Self::read_array(&view)
            }
            Err(e) => Err(e),
        }
    }
}

/// A type that borrows an array's memory without copying (zero-copy results).
pub trait FromArrayView<'a>: Sized {
    /// What the array must be like.
    fn requirements() -> Requirements;

    /// Builds the value from a view that meets the requirements.
    fn read_array_view(view: ArrayView<'a>) -> Result<Self, Error>;

    /// Checks the requirements, then borrows the view.
    fn from_array_view(view: ArrayView<'a>) -> Result<Self, Error> {
        Self::requirements().check(&view)?;
        Self::read_array_view(view)
    }
}

/// A type that borrows an array's memory writably without copying.
pub trait FromArrayViewMut<'a>: Sized {
    /// What the array must be like.
    fn requirements() -> Requirements;

    /// Builds the value from a view that meets the requirements.
    fn read_array_view_mut(view: ArrayViewMut<'a>) -> Result<Self, Error>;

    /// Checks the requirements, then borrows the view.
    fn from_array_view_mut(view: ArrayViewMut<'a>) -> Result<Self, Error> {
        Self::requirements().check(&view)?;
        Self::read_array_view_mut(view)
    }
}

/// A view of a slice of elements: its own axis, then a fixed-array element's axes. A slice
/// always has a valid C-order layout, so this cannot fail.
#[inline]
fn slice_view<T: Element>(items: &[T]) -> ArrayView<'_> {
    ArrayView::from_slice(items, &[items.len()])
        .unwrap_or_else(|e| unreachable!("a slice's own layout is valid: {e}"))
}

#[inline]
fn slice_view_mut<T: Element>(items: &mut [T]) -> ArrayViewMut<'_> {
    let len = items.len();
    ArrayViewMut::from_slice_mut(items, &[len])
        .unwrap_or_else(|e| unreachable!("a slice's own layout is valid: {e}"))
}

macro_rules! slice_producers {
    ($($ty:ty $(, const $n:ident)?;)*) => {$(
        impl<T: Element $(, const $n: usize)?> ArrayProducer for $ty {
            #[inline]
            fn try_array(&self) -> Result<ArrayView<'_>, Error> {
                Ok(slice_view::<T>(&self[..]))
            }
        }

        impl<T: Element $(, const $n: usize)?> TypedArrayProducer for $ty {
            type Item = T;
            type Dim = Ix<1>;

            #[inline]
            fn try_typed_array(&self) -> Result<TypedView<'_, T>, Error> {
                Ok(TypedView::from_slice(&self[..]))
            }
        }
    )*};
}

slice_producers! {
    Vec<T>;
    Box<[T]>;
    [T];
    [T; N], const N;
    &[T];
    &mut [T];
}

// Writable views expose raw bytes: `bytes_mut` refuses, at compile time, element types with
// invalid bit patterns.
macro_rules! slice_producers_mut {
    ($($ty:ty $(, const $n:ident)?;)*) => {$(
        impl<T: Element $(, const $n: usize)?> ArrayProducerMut for $ty {
            #[inline]
            fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
                Ok(slice_view_mut::<T>(&mut self[..]))
            }
        }
    )*};
}

slice_producers_mut! {
    Vec<T>;
    Box<[T]>;
    [T];
    [T; N], const N;
    &mut [T];
}

/// Owned arrays are writable producers of themselves.
impl ArrayProducerMut for crate::owned::Array {
    #[inline]
    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        Ok(self.view_mut())
    }
}

/// Views and owned arrays are producers of themselves.
impl<D: Data> ArrayProducer for ArrayBase<D> {
    #[inline]
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        Ok(self.view())
    }
}

impl<T: Element> ArrayConsumer for Vec<T> {
    fn requirements() -> Requirements {
        Requirements::for_element::<T>(Some(1))
    }

    fn read_array(array: &ArrayView<'_>) -> Result<Self, Error> {
        array.to_vec::<T>()
    }
}

impl<T: Element> ArrayConsumer for Box<[T]> {
    fn requirements() -> Requirements {
        Requirements::for_element::<T>(Some(1))
    }

    fn read_array(array: &ArrayView<'_>) -> Result<Self, Error> {
        array.to_vec::<T>().map(Vec::into_boxed_slice)
    }
}

impl<T: Element, const N: usize> ArrayConsumer for [T; N] {
    fn requirements() -> Requirements {
        Requirements::for_element::<T>(Some(1))
    }

    fn read_array(array: &ArrayView<'_>) -> Result<Self, Error> {
        if array.shape().first() != Some(&N) {
            return Err(error!(
                Shape,
                "expected {N} elements along axis 0, got shape {:?}",
                array.shape()
            ));
        }
        array
            .to_vec::<T>()?
            .try_into()
            .map_err(|v: Vec<T>| error!(Shape, "expected {N} elements, got {}", v.len()))
    }
}

impl<'a, T: Element> FromArrayView<'a> for &'a [T] {
    fn requirements() -> Requirements {
        Requirements {
            contiguity: Contiguity::C,
            ..Requirements::for_element::<T>(Some(1))
        }
    }

    fn read_array_view(view: ArrayView<'a>) -> Result<Self, Error> {
        view.typed::<T>()?
            .as_slice()
            .ok_or_else(|| error!(Requirement, "expected a C-contiguous array"))
    }
}

impl<'a, T: Element> FromArrayViewMut<'a> for &'a mut [T] {
    fn requirements() -> Requirements {
        Requirements {
            contiguity: Contiguity::C,
            writable: true,
            ..Requirements::for_element::<T>(Some(1))
        }
    }

    fn read_array_view_mut(view: ArrayViewMut<'a>) -> Result<Self, Error> {
        let mut typed = view.into_typed_mut::<T>()?;
        let len = typed.len();
        let slice = typed
            .as_slice_mut()
            .ok_or_else(|| error!(Requirement, "expected a C-contiguous array"))?;
        let ptr = slice.as_mut_ptr();
        // SAFETY: the slice covers the view's `len` elements, which are borrowed for `'a`
        // through the consumed `ArrayViewMut<'a>`; `typed` is dropped without further use.
        Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
    }
}

/// Refuses an array whose axis `axis` is not `expected` long (a constant in the shape).
pub fn expect_len(shape: &[usize], axis: usize, expected: usize) -> Result<(), Error> {
    match shape.get(axis) {
        Some(&n) if n == expected => Ok(()),
        Some(&n) => Err(crate::error::error!(
            Shape,
            "expected axis {axis} of length {expected}, got {n} (shape {shape:?})"
        )),
        None => Err(crate::error::error!(
            Shape,
            "expected an axis {axis} of length {expected}, got shape {shape:?}"
        )),
    }
}
