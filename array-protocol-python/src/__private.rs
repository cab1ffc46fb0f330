//! Items only the derive macros use. Not part of the public API; no stability promises.

pub use pyo3;

/// `#[array(python)]`: `IntoPyObject` for a derived producer, so a `#[pyfunction]` returns it
/// as a Python array (a read-only [`PyArray`](crate::PyArray)).
#[doc(hidden)]
#[macro_export]
macro_rules! __array_protocol_into_python {
    ([$($generics:tt)*] [$($ty:tt)*] [$($bounds:tt)*] [$constructor:ident]) => {
        #[automatically_derived]
        impl $($generics)* $crate::__private::pyo3::IntoPyObject<'__py> for $($ty)*
        where
            $($bounds)*
            Self: ::core::marker::Send + ::core::marker::Sync + 'static,
        {
            type Target = $crate::PyArray;
            type Output = $crate::__private::pyo3::Bound<'__py, $crate::PyArray>;
            type Error = $crate::__private::pyo3::PyErr;
            fn into_pyobject(
                self,
                py: $crate::__private::pyo3::Python<'__py>,
            ) -> ::core::result::Result<Self::Output, Self::Error> {
                let array = $crate::PyArray::$constructor(self).map_err($crate::to_pyerr)?;
                $crate::__private::pyo3::Bound::new(py, array)
            }
        }
    };
}

pub use crate::__array_protocol_into_python as into_python;

/// `#[array(python)]` on a derived consumer: `FromPyObject`, so a `#[pyfunction]` takes it as
/// an argument, read from any array by copying (as [`Copied`](crate::Copied)).
#[doc(hidden)]
#[macro_export]
macro_rules! __array_protocol_from_python {
    ([$($generics:tt)*] [$($ty:tt)*] [$($bounds:tt)*]) => {
        #[automatically_derived]
        impl $($generics)* $crate::__private::pyo3::FromPyObject<'__a, '__py> for $($ty)*
        where
            $($bounds)*
        {
            type Error = $crate::__private::pyo3::PyErr;
            fn extract(
                obj: $crate::__private::pyo3::Borrowed<'__a, '__py, $crate::__private::pyo3::PyAny>,
            ) -> ::core::result::Result<Self, Self::Error> {
                <$crate::Copied<Self> as $crate::__private::pyo3::FromPyObject<'__a, '__py>>::extract(obj)
                    .map($crate::Copied::into_inner)
            }
        }
    };
}

pub use crate::__array_protocol_from_python as from_python;
