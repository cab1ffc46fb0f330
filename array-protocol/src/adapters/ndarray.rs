//! `ndarray` (feature `ndarray`): arrays and views are producers; views are zero-copy consumers;
//! owned arrays are copying consumers.
//!
//! ```
//! use array_protocol::{ArrayConsumer, ArrayProducer, FromArrayView};
//! use ndarray::{s, Array2, ArrayView2};
//!
//! let a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 10 + j) as f64);
//! let reversed = a.slice(s![..;-1, ..]);           // negative stride
//! let view = reversed.array();                      // zero-copy
//! assert_eq!((view.shape(), view.strides()), (&[3, 4][..], &[-32, 8][..]));
//! let back = ArrayView2::<f64>::from_array_view(view.clone())?;
//! assert_eq!(back, reversed);
//! assert_eq!(back.as_ptr(), reversed.as_ptr());
//! let owned = Array2::<f64>::from_array(&view.transpose())?; // a copy, in logical order
//! assert_eq!(owned, reversed.t());
//! # Ok::<(), array_protocol::Error>(())
//! ```
//!
//! ndarray counts strides in elements, this crate in bytes: a view whose strides are not whole
//! elements (a field of a record array) is refused rather than truncated.
//!
//! A view of an ndarray array covers the bytes from its lowest to its highest element. Arrays
//! made by safe ndarray code only have initialised elements of one allocation there; an array
//! built with ndarray's `unsafe` raw-pointer constructors over memory whose gaps hold padding
//! or uninitialised bytes is outside what this adapter supports.

use core::ptr::NonNull;

use ndarray::{Axis, Dimension, IxDyn, ShapeBuilder};

use crate::error::{error, Error};
use crate::layout::Axes;
use crate::{
    ArrayConsumer, ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, Contiguity, Element,
    FromArrayView, FromArrayViewMut, Requirements, TypedArrayProducer,
};

/// Where an ndarray array's elements lie, and its byte strides.
struct Extent {
    foreign: crate::layout::Foreign,
    strides: Axes<isize>,
}

fn extent<A>(ptr: *const A, shape: &[usize], strides: &[isize]) -> Result<Extent, Error> {
    let strides = crate::layout::scaled_strides(strides, core::mem::size_of::<A>())?;
    let foreign = crate::layout::Foreign::locate(
        ptr.cast::<u8>().cast_mut(),
        shape,
        &strides,
        core::mem::size_of::<A>(),
    )?;
    Ok(Extent { foreign, strides })
}

/// The item, shape and byte strides of the view of an ndarray array of `A`: a fixed-array `A`
/// adds its axes at the end.
fn view_parts<A: Element>(
    e: &Extent,
    shape: &[usize],
) -> Result<(crate::ItemType, Axes<usize>, Axes<isize>), Error> {
    let whole = A::ITEM_TYPE;
    let (item, inner) = crate::transform::element_parts(&whole);
    let mut full = Axes::from_slice(shape);
    let mut strides = e.strides.clone();
    crate::transform::push_inner_axes(&mut full, &mut strides, inner, item.itemsize());
    Ok((item, full, strides))
}

impl<A, S, D> ArrayProducer for ndarray::ArrayBase<S, D>
where
    A: Element,
    S: ndarray::Data<Elem = A>,
    D: Dimension,
{
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        let e = extent(self.as_ptr(), self.shape(), self.strides())?;
        let (item, shape, strides) = view_parts::<A>(&e, self.shape())?;
        // SAFETY: ndarray keeps all elements of an array inside one allocation, and the bytes
        // from the lowest to the highest element are elements of that allocation (of this array
        // or of the array it was sliced from), initialised and without padding (`A: Element`);
        // they are borrowed for as long as `self`.
        unsafe { crate::ArrayView::from_foreign(&e.foreign, item, &shape, &strides) }
    }
}

impl<A, S, D> TypedArrayProducer for ndarray::ArrayBase<S, D>
where
    A: Element,
    S: ndarray::Data<Elem = A>,
    D: Dimension + NdDim,
{
    type Item = A;
    type Dim = <D as NdDim>::Dim;
}

/// ndarray's dimension types as this crate's: `Ix3` is [`Ix<3>`](crate::Ix), `IxDyn` is
/// [`IxDyn`](crate::IxDyn).
pub trait NdDim {
    /// The number of axes, in this crate's terms.
    type Dim: crate::Dimension;
}

macro_rules! nd_dims {
    ($($n:literal)*) => {$(
        impl NdDim for ndarray::Dim<[usize; $n]> {
            type Dim = crate::Ix<$n>;
        }
    )*};
}

nd_dims!(0 1 2 3 4 5 6);

impl NdDim for IxDyn {
    type Dim = crate::IxDyn;
}

impl<A, S, D> ArrayProducerMut for ndarray::ArrayBase<S, D>
where
    A: Element,
    S: ndarray::DataMut<Elem = A>,
    D: Dimension,
{
    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        #[allow(clippy::let_unit_value)]
        let () = crate::item::element::AllBitPatterns::<A>::CHECK;
        let ptr = self.as_mut_ptr(); // makes shared (Arc) storage unique first
        let shape = Axes::from_slice(self.shape());
        let e = extent(ptr.cast_const(), &shape, self.strides())?;
        // SAFETY: as for `try_array`, borrowed uniquely through `&mut self`; writes of any bytes
        // are valid `A`s (checked at compile time above).
        let bytes = unsafe { e.foreign.bytes_mut() };
        let (item, shape, strides) = view_parts::<A>(&e, &shape)?;
        ArrayViewMut::new(bytes, item, &shape, Some(&strides), e.foreign.offset())
    }
}

fn requirements<A: Element, D: Dimension>() -> Requirements {
    let whole = A::ITEM_TYPE;
    let (item, inner) = crate::transform::element_parts(&whole);
    Requirements {
        item: Some(item),
        ndim: D::NDIM.map(|n| n + inner.len()),
        contiguity: Contiguity::Any,
        writable: false,
    }
}

/// Shape and non-negative element strides as ndarray dimensions, and the lowest element's
/// offset from the first, in bytes.
#[inline]
fn element_strides<A, D: Dimension>(
    shape: &[usize],
    strides: &[isize],
) -> Result<(D, D, isize), Error> {
    if D::NDIM.is_some_and(|n| n != shape.len()) {
        return Err(error!(
            Shape,
            "expected {} axes, got {}",
            D::NDIM.unwrap_or(0),
            shape.len()
        ));
    }
    let size = core::mem::size_of::<A>() as isize;
    let mut dims = D::zeros(shape.len());
    let mut abs = D::zeros(shape.len());
    let mut low = 0isize;
    // Indexed up to the dimension's own count (a constant for `Ix3`), not zipped: the loop is
    // unrolled, and the copy of the shape does not become a call to `memcpy`.
    let n = dims.ndim();
    let (shape, strides) = (&shape[..n], &strides[..n]);
    for axis in 0..n {
        let (d, s) = (shape[axis], strides[axis]);
        // Zero-size elements: every element is at the first, whatever the strides say.
        let elements = if size == 0 {
            0
        } else {
            match crate::layout::element_stride(s, d, size as usize) {
                Some(e) => e,
                None => return Err(not_whole::<A>(axis, s)),
            }
        };
        dims[axis] = d;
        abs[axis] = elements.unsigned_abs();
        if s < 0 && d > 1 {
            // Inside the validated extent (invariant 3).
            low += s * (d as isize - 1);
        }
    }
    Ok((dims, abs, low))
}

#[cold]
fn not_whole<A>(axis: usize, s: isize) -> Error {
    error!(
        Layout,
        "stride {s} of axis {axis} is not a whole number of {}-byte {} elements, which ndarray needs (it counts strides in elements); copy the array first",
        core::mem::size_of::<A>(),
        core::any::type_name::<A>()
    )
}

/// Inverts the axes whose strides were negative, so the view starts at the first element.
fn flip<V: ndarray::RawData, D: Dimension>(
    mut v: ndarray::ArrayBase<V, D>,
    strides: &[isize],
) -> ndarray::ArrayBase<V, D> {
    for (axis, &s) in strides.iter().enumerate() {
        if s < 0 {
            v.invert_axis(Axis(axis));
        }
    }
    v
}

/// Whether `view` has the item type and number of axes an ndarray view of `A` with `D` needs,
/// checked without building the requirements (the common, successful case).
#[inline]
fn fits<A: Element, D: Dimension>(view: &ArrayView<'_>) -> bool {
    if let (crate::ItemType::Scalar(want), crate::ItemType::Scalar(have)) =
        (&A::ITEM_TYPE, view.item())
    {
        return D::NDIM.is_none_or(|n| n == view.ndim()) && want == have;
    }
    let whole = A::ITEM_TYPE;
    let (item, inner) = crate::transform::element_parts(&whole);
    D::NDIM.is_none_or(|n| n + inner.len() == view.ndim()) && *view.item() == item
}

impl<'a, A: Element, D: Dimension> FromArrayView<'a> for ndarray::ArrayView<'a, A, D> {
    fn requirements() -> Requirements {
        requirements::<A, D>()
    }

    #[inline]
    fn from_array_view(view: ArrayView<'a>) -> Result<Self, Error> {
        if !fits::<A, D>(&view) {
            // Says what was expected and what was found.
            requirements::<A, D>().check(&view)?;
        }
        Self::read_array_view(view)
    }

    #[inline]
    fn read_array_view(view: ArrayView<'a>) -> Result<Self, Error> {
        let (outer, len) = crate::typed::check_typed::<A, _>(&view)?;
        let (shape, strides) = (&view.shape()[..outer], &view.strides()[..outer]);
        let (shape, abs, low) = element_strides::<A, D>(shape, strides)?;
        let ptr = if len == 0 {
            NonNull::<A>::dangling().as_ptr().cast_const()
        } else {
            view.as_ptr().wrapping_offset(low).cast::<A>()
        };
        // SAFETY: `ptr` is the lowest-addressed element of a validated view (invariant 3; or
        // dangling and aligned for an empty one); every element reached with the non-negative
        // element strides `abs` from it is one of the view's elements: in bounds, aligned and
        // valid (invariants 8–10, checked by `check_typed`), borrowed immutably for `'a`. Axes
        // with negative strides are inverted after.
        let v = unsafe { ndarray::ArrayView::from_shape_ptr(shape.strides(abs), ptr) };
        Ok(flip(v, strides))
    }
}

/// A fixed-axis typed view as an ndarray view of the same memory, with nothing compared at run
/// time but the strides, which ndarray counts in elements: a stride that is not a whole number
/// of elements is refused. With feature `image` too, an image buffer becomes an ndarray view
/// this way without copying, faster than any path through untyped views:
///
/// ```
/// # #[cfg(feature = "image")] {
/// use array_protocol::TypedViewN;
///
/// let img = image::RgbaImage::from_fn(4, 2, |x, y| image::Rgba([x as u8, y as u8, 7, 255]));
/// let nd = ndarray::ArrayView3::<u8>::try_from(TypedViewN::from_image(&img)?)?;
/// assert_eq!((nd.dim(), nd[[1, 3, 1]]), ((2, 4, 4), 1));
/// assert_eq!(nd.as_ptr(), img.as_raw().as_ptr());
/// # }
/// # Ok::<(), array_protocol::Error>(())
/// ```
impl<'a, A: Element, const N: usize> TryFrom<crate::TypedViewN<'a, A, N>>
    for ndarray::ArrayView<'a, A, ndarray::Dim<[usize; N]>>
where
    ndarray::Dim<[usize; N]>: Dimension,
{
    type Error = Error;

    #[inline]
    fn try_from(view: crate::TypedViewN<'a, A, N>) -> Result<Self, Error> {
        let (shape, strides) = (view.shape(), view.strides());
        let (dims, abs, low) = element_strides::<A, ndarray::Dim<[usize; N]>>(&shape, &strides)?;
        let ptr = if view.is_empty() {
            NonNull::<A>::dangling().as_ptr().cast_const()
        } else {
            view.as_ptr().cast::<u8>().wrapping_offset(low).cast::<A>()
        };
        // SAFETY: as for `FromArrayView`: `ptr` is the lowest element of a typed view whose
        // elements are in bounds, aligned and valid (invariants 3, 9, 10), reached from it with
        // the non-negative element strides `abs`, borrowed for `'a`; negative axes inverted after.
        let v = unsafe { ndarray::ArrayView::from_shape_ptr(dims.strides(abs), ptr) };
        Ok(flip(v, &strides))
    }
}

impl<'a, A: Element, D: Dimension> FromArrayViewMut<'a> for ndarray::ArrayViewMut<'a, A, D> {
    fn requirements() -> Requirements {
        Requirements {
            writable: true,
            ..requirements::<A, D>()
        }
    }

    fn read_array_view_mut(view: ArrayViewMut<'a>) -> Result<Self, Error> {
        let typed = view.into_typed_mut::<A>()?;
        let (shape, abs, low) = element_strides::<A, D>(typed.shape(), typed.strides())?;
        let ptr = if typed.is_empty() {
            NonNull::<A>::dangling().as_ptr()
        } else {
            typed
                .as_ptr()
                .cast::<u8>()
                .wrapping_offset(low)
                .cast::<A>()
                .cast_mut()
        };
        // SAFETY: as for the read-only view; the elements do not overlap (checked when the
        // writable view was made) and are borrowed uniquely for `'a` through the consumed view.
        let v = unsafe { ndarray::ArrayViewMut::from_shape_ptr(shape.strides(abs), ptr) };
        Ok(flip(v, typed.strides()))
    }
}

impl<A: Element, D: Dimension> ArrayConsumer for ndarray::Array<A, D> {
    fn requirements() -> Requirements {
        requirements::<A, D>()
    }

    fn read_array(array: &ArrayView<'_>) -> Result<Self, Error> {
        let whole = A::ITEM_TYPE;
        let (_, inner) = crate::transform::element_parts(&whole);
        let outer = &array.shape()[..array.ndim() - inner.len()];
        let values = array.to_vec::<A>()?;
        ndarray::Array::from_shape_vec(IxDyn(outer), values)
            .map_err(|e| error!(Shape, "{e}"))?
            .into_dimensionality::<D>()
            .map_err(|e| error!(Shape, "{e}"))
    }
}
