//! DLPack 1.3's C exchange API: the parts of the tables `RustArray` and `DLPackTensor` publish
//! as their type's `__dlpack_c_exchange_api__` (each type's own functions live with it), and the
//! importer's use of a producer's table.
//!
//! A consumer that finds the table takes tensors through plain C calls: no capsule, no
//! `__dlpack__` call, no keyword dictionary. The functions follow `dlpack.h` 1.3:
//! - `managed_tensor_from_py_object_no_sync`: what `__dlpack__(max_version=(1, 3))` returns,
//!   read-only flag included, without the capsule;
//! - `dltensor_from_py_object_no_sync` (`RustArray` only): a description borrowed from the
//!   object, for writable arrays only, since a bare `DLTensor` has no flags to say read-only
//!   (or that FP6/FP4 items are padded); `BufferError` otherwise;
//! - `managed_tensor_to_py_object_no_sync`: a `RustArray` owning the tensor when its memory is
//!   host memory this crate can view (writable unless marked read-only), a `DLPackTensor`
//!   otherwise (device memory, packed FP6/FP4);
//! - `managed_tensor_allocator`: a new zeroed, C-contiguous, writable tensor on the CPU (other
//!   devices are refused: this crate does not allocate device memory); callable without the GIL;
//! - `current_work_stream`: `NULL` for every device, the default stream: this crate queues no
//!   work on any device.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::format;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::prelude::rust_2021::*;
use std::sync::Mutex;

use pyo3::exceptions::{PyBufferError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyType;

use array_protocol::dlpack::{
    DLManagedTensorVersioned, DLPackArray, DLPackExchangeAPI, DLTensor, DL_CPU,
    EXCHANGE_API_CAPSULE_NAME,
};
use array_protocol::layout::MAX_NDIM;
use array_protocol::{Array, ErrorKind, ItemType, Order};

/// The `dlpack_exchange_api` capsule of `table`, for a type's `__dlpack_c_exchange_api__`.
pub(super) fn capsule(py: Python<'_>, table: &'static DLPackExchangeAPI) -> PyResult<Py<PyAny>> {
    let pointer = std::ptr::from_ref(table).cast_mut().cast::<c_void>();
    // SAFETY: a non-NULL pointer to a `static` (alive for the process, as the table must be),
    // a static name, no destructor. Consumers only read the table.
    let raw = unsafe { ffi::PyCapsule_New(pointer, EXCHANGE_API_CAPSULE_NAME.as_ptr(), None) };
    if raw.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference we own.
    Ok(unsafe { Bound::from_owned_ptr(py, raw) }.unbind())
}

/// Runs `f` attached to the interpreter (the functions are called with the GIL held; attaching
/// then costs a check), raising its error: `0` on success, `-1` with a Python exception set.
/// A panic is caught: it must not cross the C boundary.
fn with_python(f: impl FnOnce(Python<'_>) -> PyResult<()>) -> c_int {
    // `try_attach` does not panic when the interpreter is shutting down; nothing can be done
    // then, and no exception can be set.
    Python::try_attach(|py| match catch_unwind(AssertUnwindSafe(|| f(py))) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            e.restore(py);
            -1
        }
        Err(_) => {
            PyRuntimeError::new_err("array-protocol: a DLPack exchange function panicked")
                .restore(py);
            -1
        }
    })
    .unwrap_or(-1)
}

/// The object behind `py_object`, cast to the table's type `T`.
///
/// # Safety
/// `py_object` is NULL or a live object, borrowed for `'py`.
unsafe fn object<'py, T: pyo3::PyTypeInfo>(
    py: Python<'py>,
    py_object: *mut c_void,
    type_name: &str,
) -> PyResult<Bound<'py, T>> {
    if py_object.is_null() {
        return Err(PyValueError::new_err("the object is NULL"));
    }
    // SAFETY: a live object (the caller's contract), borrowed.
    let any = unsafe { Bound::from_borrowed_ptr(py, py_object.cast::<ffi::PyObject>()) };
    any.cast_into::<T>().map_err(|e| {
        let found = e.into_inner().get_type().to_string();
        PyTypeError::new_err(format!(
            "this DLPack exchange table is {type_name}'s; the object is a {found}"
        ))
    })
}

/// `managed_tensor_from_py_object_no_sync` (`O` a tensor pointer) and
/// `dltensor_from_py_object_no_sync` (`O` a `DLTensor`) for a table of type `T` (`type_name` in
/// errors): `make` computes what is written to `out` from the object.
///
/// # Safety
/// `py_object` is NULL or a live object and `out` is NULL or writable (the table's contract).
pub(super) unsafe fn from_object<T: pyo3::PyTypeInfo, O>(
    py_object: *mut c_void,
    out: *mut O,
    type_name: &str,
    make: impl FnOnce(&Bound<'_, T>) -> PyResult<O>,
) -> c_int {
    with_python(|py| {
        if out.is_null() {
            return Err(PyValueError::new_err("out is NULL"));
        }
        // SAFETY: the table's contract: a live object, the GIL held.
        let object = unsafe { object::<T>(py, py_object, type_name) }?;
        let value = make(&object)?;
        // SAFETY: `out` is non-NULL and points at the caller's `O`.
        unsafe { out.write(value) };
        Ok(())
    })
}

/// `managed_tensor_to_py_object_no_sync`: `make` turns the tensor, taken over, into the
/// table's object.
///
/// # Safety
/// `tensor` is NULL or a tensor the caller hands over; `out_py_object` is NULL or writable.
pub(super) unsafe fn to_object(
    tensor: *mut DLManagedTensorVersioned,
    out_py_object: *mut *mut c_void,
    make: impl for<'py> FnOnce(Python<'py>, DLPackArray) -> PyResult<Bound<'py, PyAny>>,
) -> c_int {
    with_python(|py| {
        if tensor.is_null() {
            return Err(PyValueError::new_err("the tensor is NULL"));
        }
        // SAFETY: ownership moves in (the table's contract): the import deletes the tensor
        // once, whether it is refused or not.
        let array = unsafe { DLPackArray::from_raw(tensor) }.map_err(crate::to_pyerr)?;
        if out_py_object.is_null() {
            return Err(PyValueError::new_err("out_py_object is NULL"));
        }
        let object = make(py, array)?;
        // SAFETY: `out_py_object` is non-NULL; the new reference goes to the caller.
        unsafe { out_py_object.write(object.into_ptr().cast()) };
        Ok(())
    })
}

pub(super) unsafe extern "C" fn current_stream(
    device_type: c_int,
    device_id: i32,
    out_current_stream: *mut *mut c_void,
) -> c_int {
    let _ = (device_type, device_id);
    if out_current_stream.is_null() {
        return with_python(|_| Err(PyValueError::new_err("out_current_stream is NULL")));
    }
    // SAFETY: non-NULL, the caller's pointer.
    unsafe { out_current_stream.write(std::ptr::null_mut()) };
    0
}

type SetError = unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char);

pub(super) unsafe extern "C" fn allocate(
    prototype: *mut DLTensor,
    out: *mut *mut DLManagedTensorVersioned,
    error_ctx: *mut c_void,
    set_error: Option<SetError>,
) -> c_int {
    let fail = |kind: &CStr, message: String| {
        if let Some(set) = set_error {
            let message = CString::new(message).unwrap_or_default();
            // SAFETY: the caller's error function with its context and two C strings that live
            // through the call.
            unsafe { set(error_ctx, kind.as_ptr(), message.as_ptr()) };
        }
        -1
    };
    if out.is_null() {
        return fail(c"ValueError", "out is NULL".into());
    }
    // SAFETY: the prototype is NULL or a valid `DLTensor` (the caller's contract), read only.
    match catch_unwind(AssertUnwindSafe(|| unsafe { allocated(prototype) })) {
        Ok(Ok(tensor)) => {
            // SAFETY: `out` is non-NULL and points at the caller's pointer.
            unsafe { out.write(tensor) };
            0
        }
        Ok(Err((kind, message))) => fail(kind, message),
        Err(_) => fail(
            c"RuntimeError",
            "array-protocol: the allocator panicked".into(),
        ),
    }
}

/// A zeroed C-contiguous tensor of the prototype's item type and shape, on the CPU.
///
/// # Safety
/// `prototype` is NULL or a valid `DLTensor` whose `shape` holds `ndim` lengths.
unsafe fn allocated(
    prototype: *const DLTensor,
) -> Result<*mut DLManagedTensorVersioned, (&'static CStr, String)> {
    let value = |m: String| (c"ValueError", m);
    if prototype.is_null() {
        return Err(value("the prototype is NULL".into()));
    }
    // SAFETY: non-NULL, valid by the caller's contract.
    let p = unsafe { &*prototype };
    if p.device.device_type != DL_CPU {
        return Err((
            c"BufferError",
            format!(
                "array-protocol allocates on the CPU only; the prototype is on {}",
                p.device
            ),
        ));
    }
    let ndim = usize::try_from(p.ndim)
        .ok()
        .filter(|&n| n <= MAX_NDIM)
        .ok_or_else(|| value(format!("ndim {} is not in 0..={MAX_NDIM}", p.ndim)))?;
    if ndim > 0 && p.shape.is_null() {
        return Err(value("the prototype's shape is NULL".into()));
    }
    let lengths = if ndim == 0 {
        &[][..]
    } else {
        // SAFETY: `ndim` lengths at a non-NULL pointer (the caller's contract).
        unsafe { std::slice::from_raw_parts(p.shape, ndim) }
    };
    let shape = lengths
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| value(format!("axis length {d} is negative"))))
        .collect::<Result<Vec<_>, _>>()?;
    let item = ItemType::from_dlpack(p.dtype).map_err(|e| (c"TypeError", e.to_string()))?;
    let kind = |e: &array_protocol::Error| match e.kind() {
        ErrorKind::OutOfMemory => c"MemoryError",
        _ => c"ValueError",
    };
    let array = Array::zeros(item, &shape, Order::C).map_err(|e| (kind(&e), e.to_string()))?;
    array_protocol::dlpack::export_mut(array).map_err(|e| (kind(&e), e.to_string()))
}

/// Types whose table was looked up: the type (held, so its address stays its own) and the table
/// (`0`: none). Bounded: types past the bound are looked up every time.
static KNOWN: Mutex<Vec<(Py<PyType>, usize)>> = Mutex::new(Vec::new());
const KNOWN_MAX: usize = 64;

/// The exchange table (major version 1) of `obj`'s type, looked up once per type.
pub(super) fn table_of(obj: &Bound<'_, PyAny>) -> Option<&'static DLPackExchangeAPI> {
    let ty = obj.get_type();
    let known = |list: &Vec<(Py<PyType>, usize)>| {
        list.iter()
            .find(|(t, _)| t.as_ptr() == ty.as_ptr())
            .map(|&(_, table)| table)
    };
    let cached = KNOWN.lock().ok().and_then(|list| known(&list));
    let table = match cached {
        Some(table) => table,
        None => match lookup(&ty) {
            usize::MAX => 0,
            table => {
                if let Ok(mut list) = KNOWN.lock() {
                    if list.len() < KNOWN_MAX && known(&list).is_none() {
                        list.push((ty.clone().unbind(), table));
                    }
                }
                table
            }
        },
    };
    // SAFETY: a non-zero entry is a table found by `lookup`, which the producer keeps alive for
    // the life of the process (DLPack's rule for these tables).
    (table != 0).then(|| unsafe { &*(table as *const DLPackExchangeAPI) })
}

/// The address of `ty`'s table, `0` when it has none usable here, `usize::MAX` when the lookup
/// failed otherwise (not to be remembered).
fn lookup(ty: &Bound<'_, PyType>) -> usize {
    let capsule = match ty.getattr(intern!(ty.py(), "__dlpack_c_exchange_api__")) {
        Ok(c) => c,
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyAttributeError>(ty.py()) => return 0,
        // Anything else may be passing: not remembered.
        Err(_) => return usize::MAX,
    };
    let name = EXCHANGE_API_CAPSULE_NAME.as_ptr();
    // SAFETY: a plain query on a live object.
    if unsafe { ffi::PyCapsule_IsValid(capsule.as_ptr(), name) } != 1 {
        return 0;
    }
    // SAFETY: a valid capsule of that name.
    let header = unsafe { ffi::PyCapsule_GetPointer(capsule.as_ptr(), name) };
    // SAFETY: a `dlpack_exchange_api` capsule points at a table header, alive for the process.
    let table = unsafe { DLPackExchangeAPI::find_v1(header.cast()) };
    match table {
        Some(t) if t.managed_tensor_from_py_object_no_sync.is_some() => {
            t as *const DLPackExchangeAPI as usize
        }
        _ => 0,
    }
}

/// Takes `obj`'s tensor through `table`: `None` when the producer refuses it with a
/// `BufferError` (the caller falls back to `__dlpack__`, as the exchange API suggests).
pub(super) fn take(
    obj: &Bound<'_, PyAny>,
    table: &DLPackExchangeAPI,
) -> PyResult<Option<DLPackArray>> {
    let py = obj.py();
    let Some(from_object) = table.managed_tensor_from_py_object_no_sync else {
        return Ok(None);
    };
    let mut out: *mut DLManagedTensorVersioned = std::ptr::null_mut();
    // SAFETY: the producer's function for objects of its type, which `obj` is (the table was
    // found on its type), called with the GIL held and a pointer to write the result to.
    let status = unsafe { from_object(obj.as_ptr().cast(), &mut out) };
    if status != 0 {
        let error = PyErr::take(py).unwrap_or_else(|| {
            PyBufferError::new_err("the DLPack exchange table refused the tensor without an error")
        });
        if error.is_instance_of::<PyBufferError>(py) {
            return Ok(None);
        }
        return Err(error);
    }
    if out.is_null() {
        return Err(PyBufferError::new_err(
            "the DLPack exchange table returned no tensor",
        ));
    }
    // SAFETY: a tensor the producer handed us to own.
    Ok(Some(
        unsafe { DLPackArray::from_raw(out) }.map_err(crate::to_pyerr)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use array_protocol::dlpack::{DLDataType, DLDevice};

    unsafe extern "C" fn count_error(
        ctx: *mut c_void,
        kind: *const c_char,
        message: *const c_char,
    ) {
        // SAFETY: the allocator passes C strings that live through the call.
        let kind = unsafe { CStr::from_ptr(kind) };
        // SAFETY: as above.
        let message = unsafe { CStr::from_ptr(message) };
        assert!(!kind.to_bytes().is_empty() && !message.to_bytes().is_empty());
        // SAFETY: the test passes a pointer to a `usize` as the context.
        unsafe { *ctx.cast::<usize>() += 1 };
    }

    /// Deletes a tensor the allocator made, once.
    fn delete(tensor: *mut DLManagedTensorVersioned) {
        // SAFETY: a live tensor the test owns.
        let deleter = unsafe { (*tensor).deleter }.unwrap();
        // SAFETY: its own deleter, called once.
        unsafe { deleter(tensor) };
    }

    fn prototype(shape: &mut [i64], ndim: i32, device: i32) -> DLTensor {
        DLTensor {
            data: std::ptr::null_mut(),
            device: DLDevice {
                device_type: device,
                device_id: 0,
            },
            ndim,
            dtype: DLDataType {
                code: 2,
                bits: 64,
                lanes: 1,
            },
            shape: if shape.is_empty() {
                std::ptr::null_mut()
            } else {
                shape.as_mut_ptr()
            },
            strides: std::ptr::null_mut(),
            byte_offset: 0,
        }
    }

    /// Calls the allocator: its status, the tensor and the number of errors reported.
    fn allocate_with(p: *mut DLTensor) -> (c_int, *mut DLManagedTensorVersioned, usize) {
        let alloc: array_protocol::dlpack::DLPackManagedTensorAllocator = allocate;
        let mut out: *mut DLManagedTensorVersioned = std::ptr::null_mut();
        let mut errors = 0usize;
        let ctx = (&raw mut errors).cast::<c_void>();
        // SAFETY: `p` is NULL or a prototype whose shape pointer is valid for its `ndim` or
        // NULL (which the allocator must refuse before reading); a valid out pointer.
        let status = unsafe { alloc(p, &mut out, ctx, Some(count_error)) };
        (status, out, errors)
    }

    /// The allocator without Python: hostile prototypes are refused through the error callback,
    /// exactly once each, and nothing is written to `out`; good ones give zeroed tensors whose
    /// deleter frees them once.
    #[test]
    fn allocator_checks_every_prototype() {
        let mut shape = [3i64, 4];
        let mut p = prototype(&mut shape, 2, DL_CPU);
        let (status, out, errors) = allocate_with(&mut p);
        assert_eq!((status, errors), (0, 0));
        // SAFETY: the tensor just made, alive until it is deleted below.
        let t = unsafe { &(*out).dl_tensor };
        // SAFETY: its two lengths.
        let lengths = unsafe { std::slice::from_raw_parts(t.shape, 2) };
        // SAFETY: its two strides (always given).
        let strides = unsafe { std::slice::from_raw_parts(t.strides, 2) };
        assert_eq!((t.ndim, lengths, strides), (2, &[3, 4][..], &[4, 1][..]));
        // SAFETY: its 12 float64 elements, C-contiguous.
        let bytes = unsafe { std::slice::from_raw_parts(t.data.cast::<u8>(), 96) };
        assert!(bytes.iter().all(|&b| b == 0));
        delete(out);

        let mut big = [i64::MAX, 2];
        let mut negative = [-1i64];
        let mut zero = [0i64, 5];
        let cases: Vec<(DLTensor, usize)> = vec![
            (prototype(&mut big, 2, DL_CPU), 1),
            (prototype(&mut negative, 1, DL_CPU), 1),
            (prototype(&mut [], 1, DL_CPU), 1), // ndim 1 with a NULL shape
            (prototype(&mut [], -1, DL_CPU), 1), // negative ndim
            (prototype(&mut [], 65, DL_CPU), 1), // too many axes
            (prototype(&mut zero, 2, 2), 1),    // CUDA
            (prototype(&mut zero, 2, DL_CPU), 0), // empty is fine
            (prototype(&mut [], 0, DL_CPU), 0), // 0-d is fine
        ];
        for (k, (mut p, expect_errors)) in cases.into_iter().enumerate() {
            let (status, out, errors) = allocate_with(&mut p);
            assert_eq!(errors, expect_errors, "case {k}");
            if expect_errors == 0 {
                assert_eq!(status, 0, "case {k}");
                delete(out);
            } else {
                assert!(status != 0 && out.is_null(), "case {k}");
            }
        }
        let (status, out, errors) = allocate_with(std::ptr::null_mut());
        assert!(status != 0 && out.is_null() && errors == 1);
        // A NULL out pointer, without an error callback.
        let alloc: array_protocol::dlpack::DLPackManagedTensorAllocator = allocate;
        // SAFETY: a NULL out pointer, which the allocator must refuse.
        let status = unsafe { alloc(&mut p, std::ptr::null_mut(), std::ptr::null_mut(), None) };
        assert_ne!(status, 0);
    }
}
