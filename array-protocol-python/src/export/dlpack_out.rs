//! `RustArray`'s DLPack exports: `__dlpack__` (called through a fast method descriptor) and its C exchange table.

#[allow(unused_imports)]
use super::*;

impl PyArray {
    /// What `__dlpack__` does with its arguments, as its docstring ([`DLPACK_DOC`]) says.
    pub(super) fn dlpack(
        slf: &Bound<'_, Self>,
        stream: Option<Borrowed<'_, '_, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if stream.as_ref().is_some_and(|s| !s.is_none()) {
            return Err(PyValueError::new_err("stream must be None for CPU arrays"));
        }
        if let Some(device) = dl_device {
            if device != (dlpack::DL_CPU, 0) {
                return Err(PyBufferError::new_err(format!(
                    "the array is on the CPU (1, 0); device {device:?} was requested"
                )));
            }
        }
        let versioned = max_version.is_some_and(|(major, _)| major >= 1);
        let this = slf.get();
        let held = this.exports.hold()?;
        let state = this.state(&held);
        if !versioned && !state.meta()?.writable && copy != Some(true) {
            // The legacy capsule has no read-only flag: consumers would write memory that Rust
            // holds immutably. numpy refuses its read-only arrays the same way.
            return Err(PyBufferError::new_err(
                "cannot export a read-only array through the legacy DLPack capsule, which cannot signal read-only; ask for max_version >= (1, 0)",
            ));
        }
        let managed = PyArray::dlpack_tensor_of(slf, &held, state, copy)?;
        drop(held);
        // SAFETY: `managed` is a live tensor; the capsule owns it until a consumer renames it.
        unsafe { crate::dlpack::capsule(py, managed, versioned) }
    }
}

/// `__dlpack__`'s docstring; its first line is the signature `inspect` reads.
pub(super) const DLPACK_DOC: &std::ffi::CStr =
    c"__dlpack__($self, /, *, stream=None, max_version=None, dl_device=None, copy=None)
--

DLPack: a `dltensor_versioned` capsule (DLPack 1.3, strides always given, the read-only flag set
unless the array may be written) when the caller accepts DLPack 1.x (max_version >= (1, 0)), the
legacy `dltensor` capsule otherwise (writable arrays only: it cannot say read-only). copy=True
always copies, copy=False and None never do; dl_device must be the CPU, (1, 0); stream must be
None, as for every CPU array.";

/// `__dlpack__` as CPython calls it (`METH_FASTCALL | METH_KEYWORDS`).
///
/// # Safety
/// Called by CPython only, through the method descriptor [`PyArray::dlpack_method`] makes:
/// `slf` is the object the method was called on (the descriptor has checked that it is an
/// instance of this class), and the arguments are as [`fastcall::keywords`](crate::fastcall)
/// requires.
pub(super) unsafe extern "C" fn dlpack_fastcall(
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    use crate::fastcall::{keywords, optional, optional_pair, run};
    run(|py| {
        let names = [
            intern!(py, "stream"),
            intern!(py, "max_version"),
            intern!(py, "dl_device"),
            intern!(py, "copy"),
        ];
        // SAFETY: this function's contract: CPython's arguments for this call, used only
        // within it.
        let [stream, max_version, dl_device, copy] =
            unsafe { keywords(py, "__dlpack__", args, nargs, kwnames, names) }?;
        // SAFETY: `slf` is a borrowed reference to the object the method was called on,
        // valid for the call; its type is checked again here.
        let slf = unsafe { Borrowed::from_ptr(py, slf) };
        let slf = slf.cast::<PyArray>()?;
        PyArray::dlpack(
            &slf,
            stream,
            optional_pair(max_version, "max_version")?,
            optional_pair(dl_device, "dl_device")?,
            optional(copy, "copy")?,
        )
    })
}

/// An array DLPack cannot carry: a `BufferError`, as numpy and the array API standard raise from
/// `__dlpack__`.
pub(super) fn dlpack_error(e: Error) -> PyErr {
    PyBufferError::new_err(e.to_string())
}

/// Releases a reference from a deleter, which consumers call with the GIL held (numpy, torch) or
/// from another thread.
#[cfg(not(feature = "abi3"))]
pub(super) fn release(object: Py<PyArray>) {
    // SAFETY: a plain query of this thread's state (the interpreter is initialised: checked by
    // the caller).
    if unsafe { ffi::PyGILState_Check() } == 1 {
        // The usual case. Release the reference now rather than through PyO3's deferred pool,
        // which a deleter called outside a PyO3 call would go through.
        let ptr = object.into_ptr();
        // SAFETY: a strong reference we own, released once, with the GIL held.
        unsafe { ffi::Py_DECREF(ptr) };
    } else {
        // Another thread: PyO3 attaches to release it.
        Python::attach(|_| drop(object));
    }
}

/// As above; the stable ABI has no `PyGILState_Check`, so PyO3 attaches (at once when the GIL
/// is held).
#[cfg(feature = "abi3")]
pub(super) fn release(object: Py<PyArray>) {
    Python::attach(|_| drop(object));
}

/// `RustArray`'s exchange table (see [`python`](super)'s DLPack section).
pub(super) static ARRAY_TABLE: dlpack::DLPackExchangeAPI = dlpack::DLPackExchangeAPI {
    header: dlpack::DLPackExchangeAPIHeader {
        version: dlpack::DLPACK_VERSION,
        prev_api: std::ptr::null_mut(),
    },
    managed_tensor_allocator: Some(crate::exchange::allocate),
    managed_tensor_from_py_object_no_sync: Some(array_tensor),
    managed_tensor_to_py_object_no_sync: Some(array_object),
    dltensor_from_py_object_no_sync: Some(array_dltensor),
    current_work_stream: Some(crate::exchange::current_stream),
};

pub(super) unsafe extern "C" fn array_tensor(
    py_object: *mut c_void,
    out: *mut *mut dlpack::DLManagedTensorVersioned,
) -> std::ffi::c_int {
    // SAFETY: the table's contract, passed on.
    unsafe {
        crate::exchange::from_object::<PyArray, _>(py_object, out, "RustArray", |a| {
            PyArray::dlpack_tensor(a, None)
        })
    }
}

pub(super) unsafe extern "C" fn array_dltensor(
    py_object: *mut c_void,
    out: *mut dlpack::DLTensor,
) -> std::ffi::c_int {
    // SAFETY: the table's contract, passed on.
    unsafe {
        crate::exchange::from_object::<PyArray, _>(py_object, out, "RustArray", |a| {
            a.get().bare_tensor()
        })
    }
}

pub(super) unsafe extern "C" fn array_object(
    tensor: *mut dlpack::DLManagedTensorVersioned,
    out_py_object: *mut *mut c_void,
) -> std::ffi::c_int {
    // SAFETY: the table's contract, passed on.
    unsafe {
        crate::exchange::to_object(tensor, out_py_object, |py, array| {
            // Only CPU tensors become arrays: a `RustArray` says it is on the CPU, so host
            // memory of another device (CUDA host or managed memory), device memory and packed
            // FP6/FP4 stay `DLPackTensor`s, with their device.
            Ok(
                if array.device().device_type == dlpack::DL_CPU && array.try_array().is_ok() {
                    if array.is_read_only() {
                        Bound::new(py, PyArray::new(array).map_err(crate::to_pyerr)?)?.into_any()
                    } else {
                        Bound::new(py, PyArray::new_mut(array).map_err(crate::to_pyerr)?)?
                            .into_any()
                    }
                } else {
                    Bound::new(py, crate::device::DeviceArray::from_array(array))?.into_any()
                },
            )
        })
    }
}
