//! `RustArray`'s Arrow exports: the PyCapsule interface, and `ArrowExport` for exports with options.

#[allow(unused_imports)]
use super::*;

/// Arrow's `"dim_names"` name the axes of each row's tensor: every axis's name but the first.
pub(super) fn inner_names(names: Option<Vec<String>>, ndim: usize) -> Option<Vec<String>> {
    names
        .filter(|n| n.len() == ndim && ndim >= 2)
        .map(|n| n[1..].to_vec())
}

/// What Arrow exports of `slf` are made from: its view, with the lifetime of the owner's memory,
/// and a counted reference that keeps the object alive and its owner unchanged.
pub(super) fn arrow_source(
    slf: &Bound<'_, PyArray>,
    allow_copy: bool,
) -> PyResult<arrow::Source<KeepAlive>> {
    let this = slf.get();
    let held = this.exports.hold()?;
    let v = this.state(&held).owner.view().map_err(crate::to_pyerr)?;
    let buffer = v.buffer();
    // SAFETY: the owner's memory, which stays put and unchanged while the export count is
    // non-zero (`with_owner_mut` and `resize` refuse then); `held` counts an export until the
    // `KeepAlive` made next holds one of its own, which every Arrow structure of the export
    // holds until released, and this view is only used through them.
    let memory: &'static [u8] =
        unsafe { std::slice::from_raw_parts(buffer.as_ptr(), buffer.len()) };
    let view = ArrayView::new(
        memory,
        v.item().clone(),
        v.shape(),
        Some(v.strides()),
        v.offset(),
    )
    .map_err(crate::to_pyerr)?;
    let keep = Arc::new(KeepAlive::new(slf.clone().unbind(), held.share()));
    Ok(arrow::Source {
        keep,
        view,
        options: array_protocol::arrow::ExportOptions {
            dim_names: this.dim_names.clone(),
            allow_copy,
        },
    })
}

/// An Arrow view of a [`PyArray`] made with options (`PyArray.arrow(allow_copy=True)`): the
/// same PyCapsule interface, copying what Arrow cannot describe in place (records become struct
/// arrays, one copied buffer per field; other layouts a C-contiguous native copy).
#[pyclass(name = "ArrowExport", module = "array_protocol", frozen)]
pub struct ArrowExport {
    array: Py<PyArray>,
    allow_copy: bool,
}

impl ArrowExport {
    pub(super) fn new(array: Py<PyArray>, allow_copy: bool) -> ArrowExport {
        ArrowExport { array, allow_copy }
    }
}

#[pymethods]
impl ArrowExport {
    pub(super) fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let source = arrow_source(self.array.bind(py), self.allow_copy)?;
        arrow::schema_capsule(py, source.export().map_err(arrow::arrow_error)?)
    }

    #[pyo3(signature = (requested_schema = None))]
    pub(super) fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let _ = requested_schema;
        let source = arrow_source(self.array.bind(py), self.allow_copy)?;
        arrow::array_capsules(py, source.export().map_err(arrow::arrow_error)?)
    }

    #[pyo3(signature = (requested_schema = None))]
    pub(super) fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = requested_schema;
        let source = arrow_source(self.array.bind(py), self.allow_copy)?;
        arrow::stream_capsule(py, Box::new(move || source.export()))
    }

    #[pyo3(signature = (requested_schema = None, **kwargs))]
    pub(super) fn __arrow_c_device_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let _ = requested_schema;
        arrow::check_device_kwargs("__arrow_c_device_array__", kwargs)?;
        let source = arrow_source(self.array.bind(py), self.allow_copy)?;
        arrow::device_array_capsules(py, source.export().map_err(arrow::arrow_error)?)
    }

    #[pyo3(signature = (requested_schema = None, **kwargs))]
    pub(super) fn __arrow_c_device_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = requested_schema;
        arrow::check_device_kwargs("__arrow_c_device_stream__", kwargs)?;
        let source = arrow_source(self.array.bind(py), self.allow_copy)?;
        arrow::device_stream_capsule(py, Box::new(move || source.export()))
    }
}
