//! DLPack imports: objects with `__dlpack__` taken over, versioned or legacy.

use std::format;
use std::prelude::rust_2021::*;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use crate::dlpack::{DLManagedTensorVersioned, DLPackArray, DLTensor};

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

/// Takes over `obj`'s array through `__dlpack__` (asking for DLPack 1.x, falling back to the
/// legacy form); CPU arrays only. `TypeError` when `obj` has no `__dlpack__`. The handle claims
/// the memory as [`import`](super::import) does.
pub fn from_dlpack(obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    Ok(Imported::dlpack(take(obj)?)?)
}

fn take(obj: &Bound<'_, PyAny>) -> PyResult<DLPackArray> {
    let py = obj.py();
    let type_name = obj.get_type().name()?.to_string();
    let method = obj.getattr("__dlpack__").map_err(|_| {
        PyTypeError::new_err(format!(
            "{type_name} has no __dlpack__: expected an array with DLPack or the buffer protocol"
        ))
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("max_version", (1, 0))?;
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
            unsafe { DLPackArray::from_raw(t) }.map_err(PyErr::from)
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
                    version: crate::dlpack::DLPackVersion { major: 1, minor: 0 },
                    manager_ctx: std::ptr::null_mut(),
                    deleter: Some(delete_adapted),
                    flags: crate::dlpack::DLPACK_FLAG_BITMASK_READ_ONLY,
                    // SAFETY: a copy of that description (plain data; the pointers in it stay
                    // valid while the legacy tensor lives, which the adapted one ensures).
                    dl_tensor: unsafe { std::ptr::read(description) },
                },
                legacy: t,
            });
            // SAFETY: the adapted tensor owns the legacy one and deletes it once.
            unsafe { DLPackArray::from_raw(Box::into_raw(adapted).cast()) }.map_err(PyErr::from)
        }
        other => Err(PyValueError::new_err(format!("__dlpack__ returned a capsule named {other:?}, expected \"dltensor_versioned\" or \"dltensor\""))),
    }
}
