//! Methods CPython calls directly, as `METH_FASTCALL | METH_KEYWORDS` functions of C, for the
//! method whose argument handling is most of its cost: `__dlpack__`, which a DLPack consumer
//! calls once per array, always with keywords. The keywords are matched by identity with
//! interned names (how CPython's own argument clinic does it), falling back to comparing the
//! strings.

use std::format;
use std::prelude::rust_2021::*;

use std::ffi::{c_int, c_long, CStr};
use std::panic::AssertUnwindSafe;

use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString, PyTuple, PyType};
use pyo3::Borrowed;

/// A method of the type `ty` called `name` (its docstring `doc`, whose first line is its
/// signature as CPython's `inspect` reads it) that runs `f`.
pub(super) fn method(
    ty: &Bound<'_, PyType>,
    name: &'static CStr,
    doc: &'static CStr,
    f: ffi::PyCFunctionFastWithKeywords,
) -> PyResult<Py<PyAny>> {
    // CPython keeps a pointer to the definition for as long as the method exists: it lives
    // for the rest of the program (one per creation of the type, normally one).
    let def: &'static mut ffi::PyMethodDef = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: ffi::PyMethodDefPointer {
            PyCFunctionFastWithKeywords: f,
        },
        ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ml_doc: doc.as_ptr(),
    }));
    // SAFETY: `ty` is a live type object (held by the borrow) and `def` a complete method
    // definition that outlives the descriptor; the call returns a new reference or NULL with
    // an exception set, which `from_owned_ptr_or_err` takes over.
    let descr = unsafe { ffi::PyDescr_NewMethod(ty.as_type_ptr(), def) };
    // SAFETY: as above.
    unsafe { Bound::from_owned_ptr_or_err(ty.py(), descr) }.map(Bound::unbind)
}

/// Runs a method's body `f` for CPython: its value as a new reference, or NULL with the
/// error (or the panic, as a `PanicException`) set as the current exception.
pub(super) fn run(f: impl FnOnce(Python<'_>) -> PyResult<Py<PyAny>>) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a method with the calling thread attached to the interpreter
    // (holding the GIL), and the token does not outlive this call.
    let py = unsafe { Python::assume_attached() };
    match std::panic::catch_unwind(AssertUnwindSafe(|| f(py))) {
        Ok(Ok(value)) => value.into_ptr(),
        Ok(Err(e)) => {
            e.restore(py);
            std::ptr::null_mut()
        }
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a Rust panic".to_string());
            PanicException::new_err(message).restore(py);
            std::ptr::null_mut()
        }
    }
}

/// The keyword arguments of a vectorcall, matched to `names` (keyword-only parameters, all
/// optional): `out[k]` is the value passed for `names[k]`, `None` when it was not passed.
/// Positional arguments, unknown keywords and repeated ones are `TypeError`s naming `function`.
///
/// # Safety
/// `args`, `nargs` and `kwnames` are what CPython passed to a `METH_FASTCALL | METH_KEYWORDS`
/// function in this call: `args[..nargs + len(kwnames)]` are borrowed references valid for
/// the call, `kwnames` NULL or a tuple of strings. The values returned must not be used after
/// the call returns.
pub(super) unsafe fn keywords<'a, 'py, const N: usize>(
    py: Python<'py>,
    function: &str,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
    names: [&Bound<'py, PyString>; N],
) -> PyResult<[Option<Borrowed<'a, 'py, PyAny>>; N]> {
    if nargs != 0 {
        return Err(PyTypeError::new_err(format!(
            "{function}() takes no positional arguments ({nargs} given)"
        )));
    }
    let mut out = [None; N];
    if kwnames.is_null() {
        return Ok(out);
    }
    // SAFETY: the caller's contract: `kwnames` is a tuple, borrowed for the call.
    let kwnames = unsafe { Borrowed::from_ptr(py, kwnames) };
    // SAFETY: as above: it is a tuple.
    let kwnames = unsafe { kwnames.cast_unchecked::<PyTuple>() };
    if kwnames.is_empty() {
        return Ok(out);
    }
    // SAFETY: the caller's contract: with no positional arguments, `args` points to the
    // values of the keywords, one per name, borrowed references valid for the call.
    let values = unsafe { std::slice::from_raw_parts(args, kwnames.len()) };
    for (name, &value) in kwnames.iter_borrowed().zip(values) {
        let slot = match names.iter().position(|n| name.is(*n)) {
            Some(k) => k,
            None => match names.iter().position(|n| name.eq(*n).unwrap_or(false)) {
                Some(k) => k,
                None => {
                    return Err(PyTypeError::new_err(format!(
                        "{function}() got an unexpected keyword argument '{}'",
                        *name
                    )))
                }
            },
        };
        if out[slot].is_some() {
            return Err(PyTypeError::new_err(format!(
                "{function}() got multiple values for argument '{}'",
                *name
            )));
        }
        // SAFETY: `value` is a live object, borrowed for the call (above).
        out[slot] = Some(unsafe { Borrowed::from_ptr(py, value) });
    }
    Ok(out)
}

/// An optional argument's value: `None` when it was not passed or was `None`, else `T`
/// extracted; a `TypeError` from the extraction names the argument.
pub(super) fn optional<'py, T: FromPyObjectOwned<'py>>(
    value: Option<Borrowed<'_, 'py, PyAny>>,
    name: &str,
) -> PyResult<Option<T>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v.extract::<T>().map(Some).map_err(|e| {
            // As PyO3 reports a failed argument: a `TypeError` says which argument.
            let e: PyErr = e.into();
            let py = v.py();
            if e.is_instance_of::<PyTypeError>(py) {
                PyTypeError::new_err(format!("argument '{name}': {}", e.value(py)))
            } else {
                e
            }
        }),
    }
}

/// [`optional`] for a pair of integers (`max_version`, `dl_device`), reading the common case, a
/// tuple of two `int`s in range, directly; anything else is extracted as [`optional`] does.
pub(super) fn optional_pair<'py, T>(
    value: Option<Borrowed<'_, 'py, PyAny>>,
    name: &str,
) -> PyResult<Option<(T, T)>>
where
    T: TryFrom<c_long> + FromPyObjectOwned<'py>,
{
    if let Some(pair) = value.as_ref().and_then(|v| v.cast_exact::<PyTuple>().ok()) {
        if pair.len() == 2 {
            let mut out = [None, None];
            for (slot, item) in out.iter_mut().zip(pair.iter_borrowed()) {
                if item.is_exact_instance_of::<PyInt>() {
                    let mut overflow: c_int = 0;
                    // SAFETY: `item` is a live `int` (borrowed from the tuple, which the caller
                    // holds); this call sets no exception, reporting overflow in `overflow`.
                    let n = unsafe { ffi::PyLong_AsLongAndOverflow(item.as_ptr(), &mut overflow) };
                    if overflow == 0 {
                        *slot = T::try_from(n).ok();
                    }
                }
            }
            if let [Some(a), Some(b)] = out {
                return Ok(Some((a, b)));
            }
        }
    }
    optional::<(T, T)>(value, name)
}
