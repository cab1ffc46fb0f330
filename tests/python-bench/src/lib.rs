//! `array_protocol_bench`: one function written twice, with array-protocol's argument types and
//! with rust-numpy's, so a benchmark can compare the cost of importing and reading an array.

use array_protocol_python::TypedArray;
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

/// `n` imports of `a` with a typed read of its first element, by array-protocol: the import
/// cost without a Python call around each.
#[pyfunction]
fn imports_ours(a: &Bound<'_, PyAny>, n: usize) -> PyResult<f64> {
    let mut total = 0.0;
    for _ in 0..n {
        let t = TypedArray::<f64>::get(a)?;
        total += t.view().iter().next().copied().unwrap_or(0.0);
    }
    Ok(total)
}

/// The same by rust-numpy.
#[pyfunction]
fn imports_rust_numpy(a: &Bound<'_, PyAny>, n: usize) -> PyResult<f64> {
    let mut total = 0.0;
    for _ in 0..n {
        let t: PyReadonlyArrayDyn<'_, f64> = a.extract()?;
        total += t.as_array().iter().next().copied().unwrap_or(0.0);
    }
    Ok(total)
}

#[pymodule]
fn array_protocol_bench(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sum_ours, m)?)?;
    m.add_function(wrap_pyfunction!(sum_rust_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(imports_ours, m)?)?;
    m.add_function(wrap_pyfunction!(imports_rust_numpy, m)?)?;
    Ok(())
}
