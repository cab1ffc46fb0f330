//! The number of axes of [`TypedArray`](super::TypedArray) and
//! [`TypedArrayMut`](super::TypedArrayMut), in their type.

use std::format;
use std::prelude::rust_2021::*;

use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

use array_protocol::{Error, Ix, IxDyn, TypedView, TypedViewN};

mod sealed {
    pub trait Sealed {}
    impl Sealed for array_protocol::IxDyn {}
    impl<const N: usize> Sealed for array_protocol::Ix<N> {}
}

/// The number of axes an argument type accepts: [`IxDyn`] (the default) any number, checked
/// by nobody, and [`Ix<N>`] exactly `N`, checked when the argument is extracted (a
/// `ValueError` otherwise), after which its view is a [`TypedViewN`] whose
/// [`shape`](TypedViewN::shape) is a `[usize; N]`. Implemented for these two only.
pub trait Dim: array_protocol::Dimension + sealed::Sealed {
    /// The typed view handed out: [`TypedView`] for [`IxDyn`], [`TypedViewN`] for [`Ix<N>`].
    type View<'a, T: 'a>;

    /// `view` as [`View`](Self::View), which fails only for a view of another number of axes
    /// (a `Shape` error).
    #[doc(hidden)]
    fn fix<'a, T: 'a>(view: &TypedView<'a, T>) -> Result<Self::View<'a, T>, Error>;
}

impl Dim for IxDyn {
    type View<'a, T: 'a> = TypedView<'a, T>;

    #[inline(always)]
    fn fix<'a, T: 'a>(view: &TypedView<'a, T>) -> Result<TypedView<'a, T>, Error> {
        Ok(view.clone())
    }
}

impl<const N: usize> Dim for Ix<N> {
    type View<'a, T: 'a> = TypedViewN<'a, T, N>;

    #[inline(always)]
    fn fix<'a, T: 'a>(view: &TypedView<'a, T>) -> Result<TypedViewN<'a, T, N>, Error> {
        view.as_fixed::<N>()
    }
}

/// `Ok` when a typed view of `found` axes suits `D`; otherwise the `ValueError` that names both
/// numbers of axes as the Python user sees them: those of the whole array, including the
/// `item_axes` that are each item's own (a fixed-array item type such as `[u8; 4]`).
#[inline(always)]
pub(crate) fn check<D: Dim>(found: usize, item_axes: usize) -> Result<(), PyErr> {
    match D::NDIM {
        Some(expected) if expected != found => Err(wrong_ndim(expected, found, item_axes)),
        _ => Ok(()),
    }
}

#[cold]
#[inline(never)]
fn wrong_ndim(expected: usize, found: usize, item_axes: usize) -> PyErr {
    let (e, f) = (expected + item_axes, found + item_axes);
    PyValueError::new_err(match item_axes {
        0 => format!("expected a {e}-D array, got a {f}-D array"),
        1 => {
            format!("expected a {e}-D array, got a {f}-D array (the last axis is each item's own)")
        }
        n => format!(
            "expected a {e}-D array, got a {f}-D array (the last {n} axes are each item's own)"
        ),
    })
}

/// The error of a typed import of `T`s from an array of `found` items: a wrong item type in
/// numpy's dtype names (`expected float64, got float32`) when both items have one, the first
/// differing field when both are records (`field 'mass' is float32, expected float64`), and
/// otherwise as [`to_pyerr`](crate::to_pyerr) maps it.
#[cold]
#[inline(never)]
pub(crate) fn typed_error<T: array_protocol::Element>(
    e: Error,
    found: &array_protocol::ItemType,
) -> PyErr {
    if e.kind() == array_protocol::ErrorKind::ItemType {
        let want = T::ITEM_TYPE;
        if let (Some(w), Some(g)) = (
            crate::dtypes::scalar_name(&want),
            crate::dtypes::scalar_name(found),
        ) {
            return pyo3::exceptions::PyTypeError::new_err(format!("expected {w}, got {g}"));
        }
        if let Some(difference) = crate::dtypes::record_difference(&want, found) {
            return pyo3::exceptions::PyTypeError::new_err(format!(
                "expected records of {}: {difference}",
                want.descr()
            ));
        }
    }
    crate::to_pyerr(e)
}
