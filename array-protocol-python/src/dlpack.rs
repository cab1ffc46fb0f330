//! DLPack: objects with `__dlpack__` taken over (through their type's exchange table when it has
//! one, else a capsule, versioned or legacy); the capsules `PyArray` and `DeviceArray` export.

use std::format;
use std::prelude::rust_2021::*;

use pyo3::exceptions::{PyTypeError, PyValueError};
use std::ffi::{c_void, CStr};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use array_protocol::dlpack::{DLManagedTensorVersioned, DLPackArray, DLTensor};

use super::import::Imported;

/// DLPack's legacy `DLManagedTensor`.
#[repr(C)]
struct LegacyManaged {
    dl_tensor: DLTensor,
    manager_ctx: *mut std::ffi::c_void,
    deleter: Option<unsafe extern "C" fn(*mut LegacyManaged)>,
}

/// A legacy tensor presented as a versioned one (read-only, as numpy treats them).
#[repr(C)]
struct Adapted {
    versioned: DLManagedTensorVersioned,
    legacy: *mut LegacyManaged,
}

unsafe extern "C" fn delete_adapted(t: *mut DLManagedTensorVersioned) {
    // SAFETY: `t` is the first field of a box leaked by `from_dlpack`; this deleter runs once.
    let boxed = unsafe { Box::from_raw(t.cast::<Adapted>()) };
    // SAFETY: the legacy tensor the adapted one owns, still live.
    let deleter = unsafe { (*boxed.legacy).deleter };
    if let Some(d) = deleter {
        // SAFETY: the legacy tensor's own deleter, called once, here.
        unsafe { d(boxed.legacy) };
    }
}

/// Takes over `obj`'s array through `__dlpack__` (asking for DLPack up to 1.3, falling back to the
/// legacy form); CPU arrays only. `TypeError` when `obj` has no `__dlpack__`. The handle claims
/// the memory as [`import`](super::import) does.
///
/// When `obj`'s type publishes DLPack 1.3's C exchange API (`__dlpack_c_exchange_api__`: torch,
/// tvm-ffi, this crate's own types), the tensor is taken through its table, with no capsule and
/// no Python call; a `BufferError` from the table falls back to `__dlpack__`.
/// [`Imported::via_exchange_api`] says which was used.
pub fn from_dlpack(obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    let (array, via_table) = take(obj, true)?;
    Imported::dlpack(obj.py(), array, via_table).map_err(crate::to_pyerr)
}

/// As [`from_dlpack`], through `__dlpack__` and its capsule only, even when `obj`'s type
/// publishes an exchange table.
pub fn from_dlpack_capsule(obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    let (array, _) = take(obj, false)?;
    Imported::dlpack(obj.py(), array, false).map_err(crate::to_pyerr)
}

/// `obj`'s tensor, through its type's exchange table when `use_table` and it has one (then
/// `true`), else through `__dlpack__`.
pub(super) fn take(obj: &Bound<'_, PyAny>, use_table: bool) -> PyResult<(DLPackArray, bool)> {
    if use_table {
        if let Some(table) = super::exchange::table_of(obj) {
            if let Some(array) = super::exchange::take(obj, table)? {
                return Ok((array, true));
            }
        }
    }
    Ok((take_capsule(obj)?, false))
}

fn take_capsule(obj: &Bound<'_, PyAny>) -> PyResult<DLPackArray> {
    let py = obj.py();
    let type_name = obj.get_type().name()?.to_string();
    let method = obj.getattr("__dlpack__").map_err(|_| {
        PyTypeError::new_err(format!(
            "{type_name} has no __dlpack__: expected an array with DLPack or the buffer protocol"
        ))
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("max_version", (1, 3))?;
    let capsule = match method.call((), Some(&kwargs)) {
        Ok(c) => c,
        Err(e) if e.is_instance_of::<PyTypeError>(py) => method.call0()?,
        Err(e) => return Err(e),
    };
    let capsule = capsule
        .cast_into::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__dlpack__ did not return a capsule"))?;
    // SAFETY: the capsule's name is a NUL-terminated string that lives as long as the capsule,
    // which `capsule` keeps alive while it is copied.
    let name = capsule.name()?.map(|n| unsafe { n.as_cstr() }.to_owned());
    let raw = capsule.as_ptr();
    match name.as_deref().and_then(|n| n.to_str().ok()) {
        Some("dltensor_versioned") => {
            // SAFETY: a valid capsule with this name holds a DLManagedTensorVersioned; renaming
            // it to `used_…` hands ownership to us, so its destructor will not delete it.
            let t = unsafe { ffi::PyCapsule_GetPointer(raw, c"dltensor_versioned".as_ptr()) }
                .cast::<DLManagedTensorVersioned>();
            // SAFETY: `raw` is a valid capsule; the new name is a static string.
            if t.is_null() || unsafe { ffi::PyCapsule_SetName(raw, c"used_dltensor_versioned".as_ptr()) } != 0 {
                return Err(PyErr::fetch(py));
            }
            // SAFETY: we own the tensor now.
            unsafe { DLPackArray::from_raw(t) }.map_err(crate::to_pyerr)
        }
        Some("dltensor") => {
            // SAFETY: as above, for the legacy struct.
            let t = unsafe { ffi::PyCapsule_GetPointer(raw, c"dltensor".as_ptr()) }
                .cast::<LegacyManaged>();
            // SAFETY: `raw` is a valid capsule; the new name is a static string.
            if t.is_null() || unsafe { ffi::PyCapsule_SetName(raw, c"used_dltensor".as_ptr()) } != 0 {
                return Err(PyErr::fetch(py));
            }
            // SAFETY: `t` is a live legacy tensor we own: its description may be read.
            let description = unsafe { &raw const (*t).dl_tensor };
            let adapted = Box::new(Adapted {
                versioned: DLManagedTensorVersioned {
                    version: array_protocol::dlpack::DLPackVersion { major: 1, minor: 0 },
                    manager_ctx: std::ptr::null_mut(),
                    deleter: Some(delete_adapted),
                    flags: array_protocol::dlpack::DLPACK_FLAG_BITMASK_READ_ONLY,
                    // SAFETY: a copy of that description (plain data; the pointers in it stay
                    // valid while the legacy tensor lives, which the adapted one ensures).
                    dl_tensor: unsafe { std::ptr::read(description) },
                },
                legacy: t,
            });
            // SAFETY: the adapted tensor owns the legacy one and deletes it once.
            unsafe { DLPackArray::from_raw(Box::into_raw(adapted).cast()) }.map_err(crate::to_pyerr)
        }
        other => Err(PyValueError::new_err(format!("__dlpack__ returned a capsule named {other:?}, expected \"dltensor_versioned\" or \"dltensor\""))),
    }
}

const VERSIONED: &CStr = c"dltensor_versioned";
const LEGACY: &CStr = c"dltensor";

unsafe extern "C" fn delete_legacy(legacy: *mut LegacyManaged) {
    if legacy.is_null() {
        return;
    }
    // SAFETY: a box leaked by `capsule`, whose context is the versioned tensor it wraps; the
    // legacy deleter runs once.
    let boxed = unsafe { Box::from_raw(legacy) };
    let inner = boxed.manager_ctx.cast::<DLManagedTensorVersioned>();
    // SAFETY: the versioned tensor is live until its deleter runs, below.
    let deleter = unsafe { (*inner).deleter };
    if let Some(d) = deleter {
        // SAFETY: its own deleter, called once.
        unsafe { d(inner) };
    }
}

unsafe extern "C" fn capsule_destructor_versioned(capsule: *mut ffi::PyObject) {
    // SAFETY: called by Python with the capsule being destroyed.
    if unsafe { ffi::PyCapsule_IsValid(capsule, VERSIONED.as_ptr()) } != 1 {
        return;
    }
    // A capsule still named `dltensor_versioned` was never consumed, so its tensor is ours to
    // delete, once.
    // SAFETY: a valid capsule of that name holds the tensor.
    let t = unsafe { ffi::PyCapsule_GetPointer(capsule, VERSIONED.as_ptr()) }
        .cast::<DLManagedTensorVersioned>();
    // SAFETY: the tensor is live until its deleter runs, below.
    let deleter = unsafe { (*t).deleter };
    if let Some(d) = deleter {
        // SAFETY: its own deleter, called once.
        unsafe { d(t) };
    }
}

unsafe extern "C" fn capsule_destructor_legacy(capsule: *mut ffi::PyObject) {
    // SAFETY: called by Python with the capsule being destroyed.
    if unsafe { ffi::PyCapsule_IsValid(capsule, LEGACY.as_ptr()) } != 1 {
        return;
    }
    // SAFETY: a valid, unconsumed capsule of that name holds the legacy tensor, ours to delete.
    let t = unsafe { ffi::PyCapsule_GetPointer(capsule, LEGACY.as_ptr()) }.cast::<LegacyManaged>();
    // SAFETY: the tensor is live until its deleter runs, below.
    let deleter = unsafe { (*t).deleter };
    if let Some(d) = deleter {
        // SAFETY: its own deleter, called once.
        unsafe { d(t) };
    }
}

/// Wraps `managed` in a capsule that deletes it unless a consumer takes it.
///
/// # Safety
/// `managed` is a live tensor owned by the caller, handed to the capsule.
pub(super) unsafe fn capsule(
    py: Python<'_>,
    managed: *mut DLManagedTensorVersioned,
    versioned: bool,
) -> PyResult<Py<PyAny>> {
    let (pointer, name, destructor): (*mut c_void, &CStr, ffi::PyCapsule_Destructor) = if versioned
    {
        (managed.cast(), VERSIONED, capsule_destructor_versioned)
    } else {
        // SAFETY: `managed` is live: its description may be read.
        let description = unsafe { &raw const (*managed).dl_tensor };
        let legacy = Box::new(LegacyManaged {
            // SAFETY: a copy of that description, which points at memory the versioned tensor
            // keeps alive.
            dl_tensor: unsafe { std::ptr::read(description) },
            manager_ctx: managed.cast(),
            deleter: Some(delete_legacy),
        });
        (
            Box::into_raw(legacy).cast(),
            LEGACY,
            capsule_destructor_legacy,
        )
    };
    // SAFETY: a non-NULL pointer, a static name, a destructor that checks the name.
    let raw = unsafe { ffi::PyCapsule_New(pointer, name.as_ptr(), Some(destructor)) };
    if raw.is_null() {
        // The capsule was not made, so the tensor is still ours to delete, once.
        if versioned {
            // SAFETY: the tensor is live until its deleter runs, below.
            let deleter = unsafe { (*managed).deleter };
            if let Some(d) = deleter {
                // SAFETY: its own deleter, called once.
                unsafe { d(managed) };
            }
        } else {
            // SAFETY: the legacy box made above, deleted once (it deletes `managed` once).
            unsafe { delete_legacy(pointer.cast()) };
        }
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference we own.
    Ok(unsafe { Bound::from_owned_ptr(py, raw) }.unbind())
}
