//! C functions over `array_protocol::dlpack`, used by `tests/c/dlpack_roundtrip.c`.

use std::sync::atomic::{AtomicI64, Ordering};

use array_protocol::dlpack::{export, DLManagedTensorVersioned, DLPackArray};
use array_protocol::{ArrayProducer, ArrayView};

static ALIVE: AtomicI64 = AtomicI64::new(0);

/// A `rows × cols` matrix of `f64` (value `10 * i + j`) exported transposed: a strided tensor.
struct Matrix {
    values: Vec<f64>,
    rows: usize,
    cols: usize,
}

impl Drop for Matrix {
    fn drop(&mut self) {
        ALIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ArrayProducer for Matrix {
    fn try_array(&self) -> Result<ArrayView<'_>, array_protocol::Error> {
        Ok(ArrayView::from_slice(&self.values, &[self.rows, self.cols])?.transpose())
    }
}

/// Exports the transpose of a `rows × cols` matrix; the caller owns the tensor.
#[no_mangle]
pub extern "C" fn ap_export_matrix(rows: i64, cols: i64) -> *mut DLManagedTensorVersioned {
    let (rows, cols) = (rows.max(0) as usize, cols.max(0) as usize);
    let values = (0..rows * cols)
        .map(|k| (10 * (k / cols) + k % cols) as f64)
        .collect();
    ALIVE.fetch_add(1, Ordering::SeqCst);
    match export(Matrix { values, rows, cols }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ap_export_matrix: {e}");
            std::ptr::null_mut()
        }
    }
}

/// How many exported matrices are still alive (their deleter not yet called).
#[no_mangle]
pub extern "C" fn ap_exports_alive() -> i64 {
    ALIVE.load(Ordering::SeqCst)
}

/// Takes ownership of `tensor` and returns the sum of its `f64` elements, or NaN (with the
/// reason on stderr) when it is refused. The tensor's deleter is called exactly once either way.
///
/// # Safety
/// `tensor` is a valid `DLManagedTensorVersioned` the caller owns and hands over.
#[no_mangle]
pub unsafe extern "C" fn ap_sum_f64(tensor: *mut DLManagedTensorVersioned) -> f64 {
    // SAFETY: the caller's contract.
    let array = match unsafe { DLPackArray::from_raw(tensor) } {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ap_sum_f64: {e}");
            return f64::NAN;
        }
    };
    // `try_array`: a tensor on a device the CPU cannot address imports as a description only.
    let view = match array.try_array() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("ap_sum_f64: {e}");
            return f64::NAN;
        }
    };
    match view.typed::<f64>() {
        Ok(t) => t.iter().sum(),
        Err(e) => {
            eprintln!("ap_sum_f64: {e}");
            f64::NAN
        }
    }
}

/// Takes ownership of `tensor` (on any device) and hands it on as a new tensor the caller owns,
/// with the same description; its memory is never read. NULL (with the reason on stderr) when
/// the import is refused, the producer's deleter then called once.
///
/// # Safety
/// `tensor` is a valid `DLManagedTensorVersioned` the caller owns and hands over.
#[no_mangle]
pub unsafe extern "C" fn ap_reexport(
    tensor: *mut DLManagedTensorVersioned,
) -> *mut DLManagedTensorVersioned {
    // SAFETY: the caller's contract.
    match unsafe { DLPackArray::from_raw(tensor) } {
        Ok(a) => a.into_export(),
        Err(e) => {
            eprintln!("ap_reexport: {e}");
            std::ptr::null_mut()
        }
    }
}
