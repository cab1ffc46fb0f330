//! Arbitrary layouts exported by `PyArray`, for differential tests against CPython's reference
//! exporter (`_testbuffer.ndarray`) over the same memory.

use array_protocol::{
    AlignedBytes, ArrayProducer, ArrayProducerMut, ArrayView, ArrayViewMut, Error, ItemType,
};
use array_protocol_python::PyArray;
use array_protocol_python::Result;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A copy of some bytes (16-byte aligned) described by an item type, shape, byte strides and
/// byte offset, all as given.
struct Layout {
    bytes: AlignedBytes,
    item: ItemType,
    shape: Vec<usize>,
    strides: Option<Vec<isize>>,
    offset: usize,
}

impl ArrayProducer for Layout {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        ArrayView::new(
            self.bytes.as_slice(),
            self.item.clone(),
            &self.shape,
            self.strides.as_deref(),
            self.offset,
        )
    }
}

impl ArrayProducerMut for Layout {
    fn try_array_mut(&mut self) -> Result<ArrayViewMut<'_>, Error> {
        ArrayViewMut::new(
            self.bytes.as_mut_slice(),
            self.item.clone(),
            &self.shape,
            self.strides.as_deref(),
            self.offset,
        )
    }
}

/// Exports a copy of `data` as items of PEP 3118 `format` with `shape`, byte `strides` (C order
/// when `None`) and the first element at byte `offset`; writable when `writable` (the layout
/// may still make it read-only: zero or overlapping strides).
#[pyfunction]
#[pyo3(signature = (data, format, shape, strides = None, offset = 0, writable = false))]
fn export_layout(
    data: &[u8],
    format: &str,
    shape: Vec<usize>,
    strides: Option<Vec<isize>>,
    offset: usize,
    writable: bool,
) -> Result<PyArray> {
    let item = ItemType::from_pep3118(format)
        .map_err(|e| PyValueError::new_err(format!("format {format:?}: {e}")))?;
    let mut bytes = AlignedBytes::try_zeroed(data.len())?;
    bytes.as_mut_slice().copy_from_slice(data);
    let layout = Layout {
        bytes,
        item,
        shape,
        strides,
        offset,
    };
    let array = if writable {
        PyArray::new_mut(layout)
    } else {
        PyArray::new(layout)
    };
    Ok(array?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(export_layout, m)?)
}
