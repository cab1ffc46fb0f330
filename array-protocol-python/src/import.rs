//! One-call imports ([`import`]) and the argument types of `#[pyfunction]`s.

use std::format;
use std::marker::PhantomData;
use std::prelude::rust_2021::*;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;

use super::buffer::{Buffer, BufferMut};
use super::claims::Claim;
use super::dim::{self, Dim};
use super::interface::Interface;
use array_protocol::arrow::ArrowImport;
use array_protocol::dlpack::DLPackArray;
use array_protocol::layout::Foreign;
use array_protocol::{ArrayConsumer, ArrayProducer, ArrayView, Element, Error, IxDyn};
use array_protocol::{TypedView, TypedViewMut};

/// An array imported by [`import`] or [`from_dlpack`](super::from_dlpack), through whichever
/// route its object offers: `'static`, `Send` and `Sync`, an [`ArrayProducer`]; re-exported by
/// [`PyArray::new`](super::PyArray::new) with the same memory.
pub struct Imported {
    /// The claim of the DLPack, `__array_interface__` and Arrow routes (a `Buffer` and a numpy
    /// array hold their own). First, so that it ends before the route releases the memory.
    _claim: Option<Claim>,
    route: Route,
}

/// Each route with its validated view, made once. The views' `'static` is this module's to
/// keep: the memory lives as long as the route's handle, beside which the view is kept and
/// dropped, and it is only handed out re-borrowed for a `&Imported`. The common routes are
/// inline; the others are boxed, which keeps every handle small to move.
enum Route {
    Buffer(Buffer),
    Numpy(super::numpy::NumpyArray),
    Other(Box<Other>),
}

struct Other {
    source: Source,
    view: ArrayView<'static>,
}

enum Source {
    /// The tensor, and whether it came through the producer's exchange table.
    DLPack(DLPackArray, bool),
    Interface(Interface),
    Arrow(ArrowImport),
}

// SAFETY: every route is `Send`: `Buffer` and `Interface` are; a `DLPackArray` owns its tensor,
// plain memory whose deleter may run on any thread (DLPack's contract); a `Claim` is an id.
unsafe impl Send for Imported {}
// SAFETY: `&Imported` gives only read-only views of the memory.
unsafe impl Sync for Imported {}

impl Imported {
    pub(crate) fn dlpack(
        py: Python<'_>,
        array: DLPackArray,
        via_table: bool,
    ) -> Result<Imported, Error> {
        // SAFETY: the view is kept beside the array, in `Imported`, and never outlives it.
        let view = unsafe { array.detached_view() }?;
        let claim = Claim::new(py, &view, false, "a DLPack tensor")?;
        Ok(Imported {
            route: Route::Other(Box::new(Other {
                source: Source::DLPack(array, via_table),
                view,
            })),
            _claim: Some(claim),
        })
    }

    /// The array as a view.
    pub fn view(&self) -> ArrayView<'_> {
        // SAFETY: the clone is re-borrowed for the life of `&self`.
        unsafe { self.detached_view() }.clone()
    }

    /// The view with the lifetime of the memory, for handles that keep `self` beside it.
    ///
    /// # Safety
    /// Nothing made from the view (clones, typed views) is used after `self` is dropped.
    pub(crate) unsafe fn detached_view(&self) -> &ArrayView<'static> {
        match &self.route {
            // SAFETY: the caller's contract, which covers the buffer this import holds.
            Route::Buffer(b) => unsafe { b.detached_view() },
            Route::Numpy(n) => &n.view,
            Route::Other(o) => &o.view,
        }
    }

    /// Which route it came by: `"buffer protocol"`, `"numpy"` (an exact `numpy.ndarray` of a
    /// builtin numeric type, read from numpy's own array struct without a buffer request),
    /// `"DLPack"`, `"__array_interface__"` or `"Arrow"`.
    pub fn route(&self) -> &'static str {
        match self.route {
            Route::Buffer(_) => "buffer protocol",
            Route::Numpy(_) => "numpy",
            Route::Other(ref o) => match o.source {
                Source::DLPack(..) => "DLPack",
                Source::Interface(_) => "__array_interface__",
                Source::Arrow(_) => "Arrow",
            },
        }
    }

    /// Whether the exporter marked the array read-only (this handle only reads either way).
    pub fn is_read_only(&self) -> bool {
        match &self.route {
            Route::Buffer(b) => b.is_read_only(),
            Route::Numpy(n) => n.readonly,
            Route::Other(o) => match &o.source {
                Source::DLPack(d, _) => d.is_read_only(),
                Source::Interface(i) => i.is_read_only(),
                Source::Arrow(_) => true,
            },
        }
    }

    /// Whether a DLPack tensor was taken through its producer's C exchange table
    /// (`__dlpack_c_exchange_api__`) rather than a `__dlpack__` capsule.
    pub fn via_exchange_api(&self) -> bool {
        matches!(&self.route, Route::Other(o) if matches!(o.source, Source::DLPack(_, true)))
    }

    /// The Arrow extension type of an array that came by the Arrow route
    /// (`"arrow.fixed_shape_tensor"`, …).
    pub fn arrow_extension(&self) -> Option<&str> {
        match &self.route {
            Route::Other(o) => match &o.source {
                Source::Arrow(a) => a.extension(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The format string the exporter gives in the buffer protocol, when the array came by the
    /// buffer protocol or from numpy: what a re-export hands on unchanged.
    pub(crate) fn exporter_format(&self) -> Option<&std::ffi::CStr> {
        match &self.route {
            Route::Buffer(b) => Some(b.format()),
            Route::Numpy(n) => Some(n.format),
            _ => None,
        }
    }

    /// The buffer-protocol handle, when the array came by that route.
    pub fn as_buffer(&self) -> Option<&Buffer> {
        match &self.route {
            Route::Buffer(b) => Some(b),
            _ => None,
        }
    }
}

impl ArrayProducer for Imported {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        Ok(self.view())
    }
}

/// Imports any array-like Python object in place, trying in order the buffer protocol, DLPack
/// (`__dlpack__`, CPU), `__array_interface__` and Arrow (`__arrow_c_device_array__` or
/// `__arrow_c_array__`, then `__arrow_c_device_stream__` or `__arrow_c_stream__` with one
/// non-empty chunk: pyarrow arrays and chunked arrays, Polars series, one-column tables; several
/// chunks are [`import_chunks`]'s). Arrow device arrays are read in place when the CPU
/// addresses their memory; others are refused (take them with
/// [`DeviceArray`](super::DeviceArray)). The handle is `'static`, `Send` and `Sync`.
///
/// Errors: `TypeError` when `obj` offers none of the routes; otherwise the route's own error
/// (`BufferError` for memory that cannot be described or overlaps a live writable import,
/// `ValueError` for an unreadable format). A route that exists but fails this crate's checks is
/// not skipped (numpy treats a bad buffer the same way); only an exporter's refusal to export a
/// buffer at all moves on to its DLPack (JAX refuses buffers of FP8 and bfloat16 arrays).
#[inline]
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    // Exact numpy arrays of numbers: read from numpy's own struct (what its buffer export would
    // say, without the request).
    // SAFETY: the view is kept beside the reference `NumpyArray` holds.
    if let Some(import) = unsafe {
        super::numpy::with(obj, |view, parts| {
            let claim =
                Claim::new(obj.py(), &view, false, "a numpy array").map_err(crate::to_pyerr)?;
            Ok(Imported {
                route: Route::Numpy(super::numpy::NumpyArray::new(obj, view, parts, claim)),
                _claim: None,
            })
        })
    } {
        return import;
    }
    import_other(obj)
}

/// Every route but numpy's.
#[inline(never)]
fn import_other(obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    // SAFETY: a plain query on a live object.
    if unsafe { ffi::PyObject_CheckBuffer(obj.as_ptr()) } != 0 {
        match Buffer::get_unless_refused(obj)? {
            Ok(buffer) => {
                return Ok(Imported {
                    route: Route::Buffer(buffer),
                    _claim: None,
                })
            }
            // The exporter refused (JAX does for FP8 and bfloat16 items): its DLPack may not.
            Err(refusal) if obj.hasattr("__dlpack__")? => {
                return super::from_dlpack(obj).map_err(|e| {
                    let message = format!("{e} (and its buffer protocol refused: {refusal})");
                    PyErr::from_type(e.get_type(obj.py()), message)
                })
            }
            Err(refusal) => return Err(refusal),
        }
    }
    if obj.hasattr("__dlpack__")? {
        return super::from_dlpack(obj);
    }
    if obj.hasattr("__array_interface__")? {
        let interface = Interface::get(obj)?;
        // SAFETY: the view is kept beside the interface, in `Imported`, and never outlives it.
        let view = unsafe { interface.detached_view() }.map_err(crate::to_pyerr)?;
        let claim = Claim::new(obj.py(), &view, false, "an __array_interface__ array")
            .map_err(crate::to_pyerr)?;
        return Ok(Imported {
            route: Route::Other(Box::new(Other {
                source: Source::Interface(interface),
                view,
            })),
            _claim: Some(claim),
        });
    }
    if super::arrow::has_array(obj)? || super::arrow::has_stream(obj)? {
        return Imported::arrow(obj.py(), super::arrow::import(obj)?);
    }
    Err(not_an_array(obj))
}

impl Imported {
    fn arrow(py: Python<'_>, arrow: ArrowImport) -> PyResult<Imported> {
        // SAFETY: the view is kept beside the import, in `Imported`, and never outlives it.
        let view = unsafe { arrow.detached_view() }.map_err(crate::to_pyerr)?;
        let claim = Claim::new(py, &view, false, "an Arrow array").map_err(crate::to_pyerr)?;
        Ok(Imported {
            route: Route::Other(Box::new(Other {
                source: Source::Arrow(arrow),
                view,
            })),
            _claim: Some(claim),
        })
    }
}

/// Imports an array that may come in chunks: one [`Imported`] per non-empty chunk of an Arrow
/// stream, in order, each in place (a pyarrow `ChunkedArray` or table column, a Polars series
/// or one-column data frame, a DuckDB relation of one column, any object whose only Arrow
/// route is `__arrow_c_stream__` or `__arrow_c_device_stream__`), checked as one array: one
/// item type and, for tensor columns, one row shape (a refusal names the chunk and why). An
/// object that [`import`] takes by another route first (the buffer protocol, DLPack,
/// `__array_interface__`, one Arrow array) is one chunk, whatever its length. The stream is
/// read once, through its own callbacks: no Python call per chunk.
///
/// ```no_run
/// use array_protocol_python::import_chunks;
/// use pyo3::prelude::*;
///
/// /// The sum of a float64 column, chunk by chunk, without combining the chunks.
/// #[pyfunction]
/// fn column_sum(column: &Bound<'_, PyAny>) -> PyResult<f64> {
///     let mut total = 0.0;
///     for chunk in import_chunks(column)? {
///         let view = chunk.view();
///         let values = view.typed::<f64>().map_err(array_protocol_python::to_pyerr)?;
///         total += values.iter().sum::<f64>();
///     }
///     Ok(total)
/// }
/// ```
pub fn import_chunks(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Imported>> {
    // SAFETY: a plain query on a live object.
    let single = unsafe { ffi::PyObject_CheckBuffer(obj.as_ptr()) } != 0
        || obj.hasattr("__dlpack__")?
        || obj.hasattr("__array_interface__")?
        || super::arrow::has_array(obj)?;
    if single || !super::arrow::has_stream(obj)? {
        return Ok(vec![import(obj)?]);
    }
    super::arrow::import_stream(obj)?
        .into_iter()
        .map(|chunk| Imported::arrow(obj.py(), chunk))
        .collect()
}

fn not_an_array(obj: &Bound<'_, PyAny>) -> PyErr {
    let name = obj
        .get_type()
        .name()
        .map_or_else(|_| "object".to_string(), |n| n.to_string());
    PyTypeError::new_err(format!(
        "expected an array (an object with the buffer protocol, __dlpack__, __array_interface__ or the Arrow PyCapsule interface), got {name}"
    ))
}

impl<'a, 'py> FromPyObject<'a, 'py> for Imported {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Imported> {
        import(&obj)
    }
}

/// A `#[pyfunction]` argument: any readable array (any route of [`import`]) whose items are
/// `T` in native byte order, aligned, viewed in place, with any number of axes or, for
/// `TypedArray<T, Ix<N>>`, exactly `N` ([`Dim`]). Extraction fails with `TypeError` when the
/// item type is not `T` (naming both) and `ValueError` when the memory cannot be viewed as `T`
/// (misaligned, or values invalid for `T`) or the array has another number of axes than `N`
/// (`expected a 3-D array, got a 2-D array`).
///
/// An exact `numpy.ndarray` of a builtin scalar type is typed straight from numpy's struct: its
/// description is checked by the same rules as any view's, then kept as the typed view alone
/// (the untyped view is made only when asked for, by [`ArrayProducer`] or
/// [`into_inner`](Self::into_inner)). Every other array goes through [`import`].
///
/// ```no_run
/// use array_protocol_python::TypedArray;
/// use pyo3::prelude::*;
///
/// #[pyfunction]
/// fn total(a: TypedArray<f64>) -> f64 {
///     a.view().iter().sum()
/// }
/// ```
///
/// With the number of axes in the type, the view's shape is an array:
///
/// ```
/// use array_protocol::Ix;
/// use array_protocol_python::TypedArray;
/// use pyo3::prelude::*;
///
/// /// The trace of a square matrix.
/// #[pyfunction]
/// fn trace(m: TypedArray<f64, Ix<2>>) -> PyResult<f64> {
///     let m = m.view();
///     let [rows, cols] = m.shape();
///     if rows != cols {
///         let message = format!("expected a square matrix, got {rows}×{cols}");
///         return Err(pyo3::exceptions::PyValueError::new_err(message));
///     }
///     Ok((0..rows).map(|i| m[[i, i]]).sum())
/// }
/// ```
pub struct TypedArray<T: 'static, D: Dim = IxDyn> {
    inner: Typed<T>,
    _dim: PhantomData<fn() -> D>,
}

struct Typed<T: 'static> {
    /// Checked once, at the import. Its `'static` is this module's to keep: the memory lives as
    /// long as `source`, beside which the view is kept and dropped, and it is only handed out
    /// re-borrowed for a `&TypedArray`.
    view: TypedView<'static, T>,
    source: TypedSource,
}

enum TypedSource {
    /// An exact numpy array of `T`s, typed straight from numpy's struct (no untyped view made).
    Numpy(super::numpy::NumpyHold, super::numpy::Parts),
    /// Any other route, or a fixed-array `T`: the untyped import, whose view was typed.
    Imported(Box<Imported>),
}

impl<T: Element, D: Dim> TypedArray<T, D> {
    /// Imports `obj` and checks its items are `T` and, for [`Ix<N>`](array_protocol::Ix), that
    /// it has `N` axes.
    #[inline]
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<TypedArray<T, D>> {
        // numpy arrays of scalars: typed from numpy's struct, without an untyped view.
        // SAFETY: the view is kept beside the hold, in `Typed`, and never outlives it.
        if let Some(checked) = unsafe { super::numpy::typed::<T>(obj) } {
            let c = checked?;
            // A scalar `T` keeps every axis; the claim ends with `c` when this fails.
            dim::check::<D>(c.shape.len(), 0)?;
            return Ok(TypedArray {
                inner: Typed {
                    // SAFETY: `typed` checked this description for `T` (a scalar, so every
                    // axis is kept); the view is kept beside the hold, in `Typed`.
                    view: unsafe { TypedView::from_checked(c.first, c.shape, c.strides, c.len) },
                    source: TypedSource::Numpy(c.hold, c.parts),
                },
                _dim: PhantomData,
            });
        }
        TypedArray::from_imported(import(obj)?)
    }

    /// Checks an import's items are `T` and, for [`Ix<N>`](array_protocol::Ix), that it has
    /// `N` axes.
    pub fn from_imported(import: Imported) -> PyResult<TypedArray<T, D>> {
        // SAFETY: the typed view is kept beside the import, in `Typed`, and never outlives it.
        let untyped = unsafe { import.detached_view() };
        let view = untyped
            .typed::<T>()
            .map_err(|e| dim::typed_error::<T>(e, untyped.item()))?;
        dim::check::<D>(view.ndim(), untyped.ndim().saturating_sub(view.ndim()))?;
        Ok(TypedArray {
            inner: Typed {
                view,
                source: TypedSource::Imported(Box::new(import)),
            },
            _dim: PhantomData,
        })
    }

    /// The array as a typed view.
    ///
    /// # Panics
    /// For item types with invalid bit patterns (`bool`) only, when the memory was changed to
    /// hold an invalid value since the import (Python code writing `2` through a `uint8` view
    /// of a `bool` array); [`try_view`](Self::try_view) reports that as an error.
    #[inline]
    pub fn view(&self) -> D::View<'_, T> {
        match self.try_view() {
            Ok(v) => v,
            Err(e) => std::panic!("{e}"),
        }
    }

    /// The array as a typed view ([`TypedView`], or [`TypedViewN`](array_protocol::TypedViewN)
    /// for [`Ix<N>`](array_protocol::Ix)); for item types with invalid bit patterns (`bool`),
    /// the values are checked again, since Python code may have written the memory since the
    /// import.
    #[inline]
    pub fn try_view(&self) -> Result<D::View<'_, T>, Error> {
        self.inner.view.recheck_values()?;
        // The view's `'static` shortens to the life of `&self` (views are covariant): the
        // memory lives as long as `self`, whose source holds it. The number of axes was checked
        // at the import, so `fix` does not fail.
        D::fix(self.short_view())
    }

    /// The kept view, re-borrowed for the life of `&self`.
    #[inline(always)]
    fn short_view(&self) -> &TypedView<'_, T> {
        &self.inner.view
    }

    /// The untyped import.
    pub fn into_inner(self) -> Imported {
        let Typed { view, source } = self.inner;
        match source {
            TypedSource::Imported(import) => *import,
            TypedSource::Numpy(hold, parts) => {
                // SAFETY: the memory lives as long as `hold`, beside which the view is kept.
                let view = unsafe { untyped(&view) }
                    .expect("a typed view's description was validated as a view's");
                Imported {
                    route: Route::Numpy(super::numpy::NumpyArray::held(hold, view, parts)),
                    _claim: None,
                }
            }
        }
    }
}

/// The untyped view of a typed view of `T`s made by [`TypedView::from_foreign`] for a scalar
/// `T`: the same description, validated again (it passes, by the same rules).
///
/// # Safety
/// The memory stays valid, and unwritten by others, for `'a`.
unsafe fn untyped<'a, T: Element>(view: &TypedView<'_, T>) -> Result<ArrayView<'a>, Error> {
    let item = T::item_type();
    let (shape, strides) = (view.shape(), view.strides());
    let foreign = Foreign::locate(
        view.as_ptr().cast_mut().cast(),
        shape,
        strides,
        item.itemsize(),
    )?;
    // SAFETY: the caller's contract.
    unsafe { array_protocol::ArrayView::from_foreign(&foreign, item, shape, strides) }
}

impl<T: Element, D: Dim> ArrayProducer for TypedArray<T, D> {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        match &self.inner.source {
            TypedSource::Imported(import) => import.try_array(),
            // SAFETY: the memory lives as long as `self`; the view is borrowed for `&self`.
            TypedSource::Numpy(..) => unsafe { untyped(&self.inner.view) },
        }
    }
}

impl<'a, 'py, T: Element, D: Dim> FromPyObject<'a, 'py> for TypedArray<T, D> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<TypedArray<T, D>> {
        TypedArray::get(&obj)
    }
}

/// A `#[pyfunction]` argument: the chunks of an array that may come in several
/// ([`import_chunks`]: a pyarrow `ChunkedArray` or table column, a Polars series, a Ray Data
/// batch's column), each a [`TypedArray<T, D>`] viewed in place: items `T`, and `N` axes per
/// chunk for [`Ix<N>`](array_protocol::Ix) (the rows, then a tensor column's inner axes).
/// Extraction fails as [`TypedArray`]'s does, naming the chunk.
///
/// ```
/// use array_protocol::Ix;
/// use array_protocol_python::TypedChunks;
/// use pyo3::prelude::*;
///
/// /// The sum of each 2-D tensor of a `fixed_shape_tensor` column (shape `[rows, h, w]` per
/// /// chunk), however many chunks the column has.
/// #[pyfunction]
/// fn tensor_sums(column: TypedChunks<f32, Ix<3>>) -> Vec<f32> {
///     let mut sums = Vec::with_capacity(column.rows());
///     for chunk in column.views() {
///         let [rows, h, w] = chunk.shape();
///         for r in 0..rows {
///             sums.push((0..h).flat_map(|i| (0..w).map(move |j| (i, j))).map(|(i, j)| chunk[[r, i, j]]).sum());
///         }
///     }
///     sums
/// }
/// ```
pub struct TypedChunks<T: 'static, D: Dim = IxDyn> {
    chunks: Vec<TypedArray<T, D>>,
}

impl<T: Element, D: Dim> TypedChunks<T, D> {
    /// Imports `obj`'s chunks ([`import_chunks`]) and checks each as [`TypedArray::get`] does.
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<TypedChunks<T, D>> {
        let imports = import_chunks(obj)?;
        let many = imports.len() > 1;
        let chunks = imports
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                TypedArray::from_imported(chunk).map_err(|e| {
                    if many {
                        PyErr::from_type(
                            e.get_type(obj.py()),
                            format!("chunk {i}: {}", e.value(obj.py())),
                        )
                    } else {
                        e
                    }
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(TypedChunks { chunks })
    }

    /// The number of chunks (the non-empty ones of a stream).
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Whether there is no chunk (an empty stream, or one of empty arrays only).
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The number of rows (the first axis) over every chunk; 1 for each 0-D chunk.
    pub fn rows(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.short_view().shape().first().copied().unwrap_or(1))
            .sum()
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> &[TypedArray<T, D>] {
        &self.chunks
    }

    /// Each chunk's view, in order.
    ///
    /// # Panics
    /// As [`TypedArray::view`] (only for item types with invalid bit patterns, after Python
    /// code wrote such a value).
    pub fn views(&self) -> impl Iterator<Item = D::View<'_, T>> + '_ {
        self.chunks.iter().map(TypedArray::view)
    }

    /// The typed chunks.
    pub fn into_inner(self) -> Vec<TypedArray<T, D>> {
        self.chunks
    }
}

impl<'a, 'py, T: Element, D: Dim> FromPyObject<'a, 'py> for TypedChunks<T, D> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<TypedChunks<T, D>> {
        TypedChunks::get(&obj)
    }
}

/// A `#[pyfunction]` argument: a writable buffer-protocol array of `T` ([`BufferMut`]), for
/// functions that write their results in place, with any number of axes or, for
/// `TypedArrayMut<T, Ix<N>>`, exactly `N` ([`Dim`]; a `ValueError` otherwise). The writable
/// view is a [`TypedViewMut`] either way (indexed by `[usize; N]`); [`view`](Self::view) is a
/// [`TypedViewN`](array_protocol::TypedViewN) for `Ix<N>`.
///
/// ```no_run
/// use array_protocol_python::TypedArrayMut;
/// use pyo3::prelude::*;
///
/// #[pyfunction]
/// fn double(mut a: TypedArrayMut<f64>) {
///     for x in a.view_mut().iter_mut() {
///         *x *= 2.0;
///     }
/// }
/// ```
///
/// With the number of axes in the type:
///
/// ```
/// use array_protocol::Ix;
/// use array_protocol_python::TypedArrayMut;
/// use pyo3::prelude::*;
///
/// /// Sets each pixel of an image (rows, columns, channels) to its mean over the channels.
/// #[pyfunction]
/// fn to_gray(mut image: TypedArrayMut<f32, Ix<3>>) {
///     let [rows, cols, channels] = image.view().shape();
///     let mut pixels = image.view_mut();
///     for (i, j) in (0..rows).flat_map(|i| (0..cols).map(move |j| (i, j))) {
///         let mean = (0..channels).map(|c| pixels[[i, j, c]]).sum::<f32>() / channels as f32;
///         (0..channels).for_each(|c| pixels[[i, j, c]] = mean);
///     }
/// }
/// ```
pub struct TypedArrayMut<T, D: Dim = IxDyn> {
    buffer: BufferMut,
    _item: PhantomData<fn() -> (T, D)>,
}

impl<T: Element, D: Dim> TypedArrayMut<T, D> {
    /// Borrows `obj` for writing and checks its items are `T` and, for
    /// [`Ix<N>`](array_protocol::Ix), that it has `N` axes.
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<TypedArrayMut<T, D>> {
        let buffer = BufferMut::get(obj)?;
        let untyped = buffer.view();
        let view = untyped
            .typed::<T>()
            .map_err(|e| dim::typed_error::<T>(e, untyped.item()))?;
        dim::check::<D>(view.ndim(), untyped.ndim().saturating_sub(view.ndim()))?;
        Ok(TypedArrayMut {
            buffer,
            _item: PhantomData,
        })
    }

    /// The array as a typed view ([`TypedView`], or [`TypedViewN`](array_protocol::TypedViewN)
    /// for [`Ix<N>`](array_protocol::Ix)).
    pub fn view(&self) -> D::View<'_, T> {
        let view = self
            .buffer
            .view()
            .typed::<T>()
            .expect("the item type is checked when the array is imported");
        D::fix(&view).expect("the number of axes is checked when the array is imported")
    }

    /// The array as a writable typed view.
    pub fn view_mut(&mut self) -> TypedViewMut<'_, T> {
        self.buffer
            .view_mut()
            .into_typed_mut::<T>()
            .expect("the item type is checked when the array is imported")
    }

    /// The untyped import.
    pub fn into_inner(self) -> BufferMut {
        self.buffer
    }
}

impl<'a, 'py, T: Element, D: Dim> FromPyObject<'a, 'py> for TypedArrayMut<T, D> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<TypedArrayMut<T, D>> {
        TypedArrayMut::get(&obj)
    }
}

/// A `#[pyfunction]` argument: any array read into a consumer `C` (a
/// `#[derive(ArrayConsumer)]` struct, `Vec<T>`, an ndarray array…) by copying, so the function
/// owns it. Errors as [`import`], then as `C`'s requirements (`TypeError` for the item type,
/// `ValueError` for the shape).
pub struct Copied<C>(pub C);

impl<C> Copied<C> {
    /// The consumer.
    pub fn into_inner(self) -> C {
        self.0
    }
}

impl<C> core::ops::Deref for Copied<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

impl<'a, 'py, C: ArrayConsumer> FromPyObject<'a, 'py> for Copied<C> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Copied<C>> {
        let import = import(&obj)?;
        Ok(Copied(
            C::from_array(&import.view()).map_err(crate::to_pyerr)?,
        ))
    }
}
