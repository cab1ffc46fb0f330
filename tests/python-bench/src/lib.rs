//! `array_protocol_bench`: one function written twice, with array-protocol's argument types and
//! with rust-numpy's, so a benchmark can compare the cost of importing and reading an array.

use array_protocol::python::TypedArray;
use numpy::PyReadonlyArrayDyn;
use pyo3::prelude::*;

/// The sum of a float64 array, imported by array-protocol (any exporter, read in place).
#[pyfunction]
fn sum_ours(a: TypedArray<f64>) -> f64 {
    let v = a.view();
    match v.as_slice() {
        Some(xs) => xs.iter().sum(),
        None => v.iter().sum(),
    }
}

/// The same, imported by rust-numpy (numpy arrays only).
#[pyfunction]
fn sum_rust_numpy(a: PyReadonlyArrayDyn<'_, f64>) -> f64 {
    match a.as_slice() {
        Ok(xs) => xs.iter().sum(),
        Err(_) => a.as_array().iter().sum(),
    }
}

#[pymodule]
fn array_protocol_bench(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sum_ours, m)?)?;
    m.add_function(wrap_pyfunction!(sum_rust_numpy, m)?)?;
    Ok(())
}
