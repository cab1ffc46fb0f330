//! numpy arrays read from numpy's own array struct, without a buffer request: the fast path of
//! [`import`](super::import) for exact `numpy.ndarray` objects of the builtin numeric types.
//!
//! numpy's `PyArrayObject` and the head of `PyArray_Descr` (up to `type_num`) are part of its
//! public C ABI, the same in numpy 1.x and 2.x (rust-numpy and every C extension read them). The
//! path is taken only when the object's type *is* `numpy.ndarray` (the type object found in the
//! already imported `numpy` module, never importing it), the descriptor is a builtin scalar in
//! native byte order, and the array has at most [`MAX_NDIM`](array_protocol::MAX_NDIM) axes; every other
//! array (subclasses, records, strings, non-native byte orders, `longdouble`) goes through the
//! buffer protocol as before. The description is validated as a buffer's is
//! ([`Foreign::locate`]), and the handle holds a reference to the array, which keeps its memory
//! alive: numpy refuses to resize an array others hold a reference to, as it does for buffer
//! exports.

use std::ffi::{c_char, c_int, CStr};
use std::prelude::rust_2021::*;
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;

use super::claims::Claim;
use array_protocol::item::{ItemType, Scalar, ScalarKind};
use array_protocol::layout::{Extent, Foreign};
use array_protocol::TypedView;
use array_protocol::{ArrayView, Element, Error};
use pyo3::PyResult;

/// The head of numpy's `PyArrayObject_fields`.
#[repr(C)]
struct ArrayHead {
    ob_base: ffi::PyObject,
    data: *mut c_char,
    nd: c_int,
    dimensions: *mut ffi::Py_ssize_t,
    strides: *mut ffi::Py_ssize_t,
    base: *mut ffi::PyObject,
    descr: *mut DescrHead,
    flags: c_int,
}

/// The head of numpy's `PyArray_Descr`, the same in numpy 1.x and 2.x up to `type_num`.
#[repr(C)]
struct DescrHead {
    ob_base: ffi::PyObject,
    typeobj: *mut ffi::PyTypeObject,
    kind: c_char,
    type_char: c_char,
    byteorder: c_char,
    former_flags: c_char,
    type_num: c_int,
}

/// `NPY_ARRAY_WRITEABLE`.
const WRITEABLE: c_int = 0x0400;
/// `NPY_ARRAY_ALIGNED`.
const ALIGNED: c_int = 0x0100;
/// `NPY_ARRAY_WARN_ON_WRITE`: numpy exports such arrays (views of `broadcast_arrays`) as
/// read-only buffers.
const WARN_ON_WRITE: c_int = 1 << 31;

/// `numpy.ndarray`, once the `numpy` module has been seen imported (a reference is kept).
static NDARRAY: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(std::ptr::null_mut());

/// An imported numpy array: the array itself (held) and its validated view.
pub(super) struct NumpyArray {
    pub(super) view: ArrayView<'static>,
    pub(super) readonly: bool,
    /// The format numpy's own buffer export gives, for re-exports.
    pub(super) format: &'static CStr,
    /// Last: the view goes before the memory it borrows may.
    _hold: NumpyHold,
}

/// What keeps an imported numpy array's memory alive and claimed: a reference to the array
/// (numpy refuses to resize an array others hold) and the import's claim, both released in one
/// attachment when dropped.
pub(super) struct NumpyHold {
    object: Option<Py<PyAny>>,
    /// The import's claim, ended in the same attachment as the reference is released.
    claim: Option<Claim>,
}

impl NumpyHold {
    /// Holds `obj` and `claim`.
    #[inline]
    pub(super) fn new(obj: &Bound<'_, PyAny>, claim: Claim) -> NumpyHold {
        NumpyHold {
            object: Some(obj.clone().unbind()),
            claim: Some(claim),
        }
    }
}

impl Drop for NumpyHold {
    fn drop(&mut self) {
        let Some(object) = self.object.take() else {
            return;
        };
        // At once when attached (the usual case, at the end of a `#[pyfunction]`); from another
        // thread, attaching first. One attachment for both the claim and the reference. When
        // the interpreter is gone or shutting down, nothing can be released: both are left.
        let claim = self.claim.take();
        let mut object = Some(object);
        let _ = Python::try_attach(|py| {
            if let Some(claim) = claim {
                claim.release(py);
            }
            if let Some(object) = object.take() {
                object.drop_ref(py);
            }
        });
        // Not attached (the interpreter is gone): the reference cannot be released.
        std::mem::forget(object);
    }
}

/// A native scalar, its order normalised as the PEP 3118 reader's codes are.
const fn scalar(kind: ScalarKind, size: usize) -> ItemType {
    match Scalar::native(kind, size) {
        Some(s) => ItemType::Scalar(s),
        None => panic!("numpy's builtin types have sizes their kinds allow"),
    }
}

/// The item type and numpy's buffer format of each builtin `type_num` in native order, for the
/// types whose size the number fixes (C `long` is the platform's), indexed by the number: a
/// lookup, with nothing built per import.
static BUILTIN: [Option<(ItemType, &CStr)>; 24] = {
    use ScalarKind::{Bool, Complex, Float, Int, UInt};
    const LONG: usize = std::mem::size_of::<std::ffi::c_long>();
    [
        /* 0 */ Some((scalar(Bool, 1), c"?")),
        /* 1 */ Some((scalar(Int, 1), c"b")),
        /* 2 */ Some((scalar(UInt, 1), c"B")),
        /* 3 */ Some((scalar(Int, 2), c"h")),
        /* 4 */ Some((scalar(UInt, 2), c"H")),
        /* 5 */ Some((scalar(Int, 4), c"i")),
        /* 6 */ Some((scalar(UInt, 4), c"I")),
        /* 7 */ Some((scalar(Int, LONG), c"l")),
        /* 8 */ Some((scalar(UInt, LONG), c"L")),
        /* 9 */ Some((scalar(Int, 8), c"q")),
        /* 10 */ Some((scalar(UInt, 8), c"Q")),
        /* 11 */ Some((scalar(Float, 4), c"f")),
        /* 12 */ Some((scalar(Float, 8), c"d")),
        /* 13 */ None,
        /* 14 */ Some((scalar(Complex, 8), c"Zf")),
        /* 15 */ Some((scalar(Complex, 16), c"Zd")),
        /* 16 */ None,
        /* 17 */ None,
        /* 18 */ None,
        /* 19 */ None,
        /* 20 */ None,
        /* 21 */ None,
        /* 22 */ None,
        /* 23 */ Some((scalar(Float, 2), c"e")),
    ]
};

/// The item type and numpy's buffer format of a builtin `type_num` (see [`BUILTIN`]).
#[inline]
fn builtin(type_num: c_int) -> Option<&'static (ItemType, &'static CStr)> {
    BUILTIN.get(usize::try_from(type_num).ok()?)?.as_ref()
}

/// Whether `obj`'s type is `numpy.ndarray` itself.
fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a live object's type.
    let ty = unsafe { ffi::Py_TYPE(obj.as_ptr()) };
    let known = NDARRAY.load(Ordering::Relaxed);
    if !known.is_null() {
        return ty == known;
    }
    let Some(found) = ndarray_type(obj.py()) else {
        return false;
    };
    NDARRAY.store(found, Ordering::Relaxed);
    ty == found
}

/// `numpy.ndarray` as numpy's own C API names it (entry 2 of the `_ARRAY_API` capsule of its
/// `_multiarray_umath` module, as every C extension and rust-numpy find it), when numpy is
/// imported (it is never imported here). A module merely called `numpy` with an `ndarray`
/// attribute is not enough: the struct read below must be numpy's. A reference is kept for the
/// life of the process, so the pointer stays the type's.
fn ndarray_type(py: Python<'_>) -> Option<*mut ffi::PyTypeObject> {
    let modules = py.import("sys").ok()?.getattr("modules").ok()?;
    let core = [
        "numpy._core._multiarray_umath",
        "numpy.core._multiarray_umath",
    ]
    .into_iter()
    .find_map(|name| modules.get_item(name).ok())?;
    let capsule = core.getattr("_ARRAY_API").ok()?;
    // SAFETY: a plain query on a live object; numpy's capsule has no name.
    if unsafe { ffi::PyCapsule_IsValid(capsule.as_ptr(), std::ptr::null()) } != 1 {
        return None;
    }
    // SAFETY: a valid capsule without a name.
    let api = unsafe { ffi::PyCapsule_GetPointer(capsule.as_ptr(), std::ptr::null()) }
        .cast::<*mut ffi::PyTypeObject>();
    if api.is_null() {
        return None;
    }
    // SAFETY: numpy's API table has hundreds of entries, alive while numpy is loaded (for the
    // process: numpy cannot be unloaded); entry 2 is `&PyArray_Type`.
    let entry = unsafe { api.add(2) };
    // SAFETY: as above: an initialised entry of the table.
    let ty = unsafe { entry.read() };
    if ty.is_null() {
        return None;
    }
    // SAFETY: a live type object (numpy's static `PyArray_Type`).
    let ty = unsafe { Bound::from_borrowed_ptr(py, ty.cast::<ffi::PyObject>()) }
        .cast_into::<pyo3::types::PyType>()
        .ok()?;
    // numpy's array type is a static type.
    // SAFETY: a plain query on a live type.
    let flags = unsafe { ffi::PyType_GetFlags(ty.as_ptr().cast()) };
    if flags & ffi::Py_TPFLAGS_HEAPTYPE != 0 {
        return None;
    }
    Some(ty.into_ptr().cast())
}

/// What numpy's own struct says of an exact `numpy.ndarray` of a builtin numeric type in native
/// byte order: nothing checked yet but the lengths' signs.
struct Head<'o> {
    first: *mut u8,
    item: &'static ItemType,
    shape: &'o [usize],
    strides: &'o [isize],
    parts: Parts,
}

/// Reads `obj`'s struct, or `None` when it is not an exact `numpy.ndarray` of a builtin numeric
/// type in native byte order, aligned, with at most [`MAX_NDIM`](array_protocol::MAX_NDIM) axes (the
/// caller uses the buffer protocol then). The lengths and strides are numpy's own, borrowed.
///
/// Not on a free-threaded CPython: there another thread may change the array's struct
/// (`a.shape = …`) while it is read; those builds use the buffer protocol.
///
/// # Safety
/// No Python code runs while the returned `Head` lives: numpy's `shape` setter frees the lengths
/// and strides it borrows (the GIL alone does not prevent it, Python code on this thread holds it
/// too). The callers copy what they keep before calling anything that may run Python code.
#[inline(always)]
unsafe fn head<'o>(obj: &'o Bound<'_, PyAny>) -> Option<Result<Head<'o>, Error>> {
    if cfg!(Py_GIL_DISABLED) || !is_ndarray(obj) {
        return None;
    }
    // SAFETY: `obj` is a `numpy.ndarray` (checked by its type), whose struct starts with these
    // fields; they are read while `obj` is alive and the GIL is held.
    let head = unsafe { &*obj.as_ptr().cast::<ArrayHead>() };
    if head.descr.is_null() {
        return None;
    }
    // SAFETY: an array's descriptor is a live `PyArray_Descr`, starting with these fields.
    let descr = unsafe { &*head.descr };
    let native = match descr.byteorder as u8 {
        b'=' | b'|' => true,
        b'<' => cfg!(target_endian = "little"),
        b'>' => cfg!(target_endian = "big"),
        _ => false,
    };
    // Unaligned arrays take the buffer protocol, whose format numpy then writes differently
    // (`=d` rather than `d`), as their re-exports must.
    if head.flags & ALIGNED == 0 {
        return None;
    }
    let (item, format) = builtin(descr.type_num).filter(|_| native)?;
    let (item, format) = (item, *format);
    let nd = usize::try_from(head.nd)
        .ok()
        .filter(|&n| n <= array_protocol::MAX_NDIM)?;
    let (shape, strides): (&[isize], &[isize]) = if nd == 0 {
        (&[], &[])
    } else {
        if head.dimensions.is_null() || head.strides.is_null() {
            return None;
        }
        // SAFETY: numpy keeps `nd` lengths at this pointer while the array lives, unchanged
        // while no Python code runs (this function's contract; with the GIL held, no other
        // thread runs any).
        let dims = unsafe { std::slice::from_raw_parts(head.dimensions, nd) };
        // SAFETY: and `nd` strides at this one.
        let steps = unsafe { std::slice::from_raw_parts(head.strides, nd) };
        (dims, steps)
    };
    if let Some(&d) = shape.iter().find(|&&d| d < 0) {
        return Some(Err(Error::new(
            array_protocol::ErrorKind::Unsupported,
            std::format!("the numpy array has a negative length {d}"),
        )));
    }
    Some(Ok(Head {
        first: head.data.cast(),
        item,
        // Every length is at least 0 (checked just above), so each reads the same as a `usize`.
        // SAFETY: `isize` and `usize` have one size and alignment, every length was checked
        // non-negative above, and the slice borrows `shape` for as long as it does.
        shape: unsafe { std::slice::from_raw_parts(shape.as_ptr().cast::<usize>(), shape.len()) },
        strides,
        parts: Parts {
            readonly: head.flags & WRITEABLE == 0 || head.flags & WARN_ON_WRITE != 0,
            format,
        },
    }))
}

/// `obj` as a numpy array read from its own struct, given to `make` (the validated view and
/// whether it is read-only), or `None` when it is not an exact `numpy.ndarray` of a builtin
/// numeric type in native byte order (see [`head`]; the caller uses the buffer protocol then).
/// Errors are those of a buffer with the same description. `make` builds the caller's handle
/// in place, around the view: these handles are large, and every move of one costs a copy.
///
/// # Safety
/// The view's `'static` is the caller's to keep: it must not be used after `obj` is released,
/// so `make` keeps it beside a reference to `obj` (as [`NumpyArray::new`] does).
#[inline]
pub(super) unsafe fn with<R>(
    obj: &Bound<'_, PyAny>,
    make: impl FnOnce(ArrayView<'static>, Parts) -> PyResult<R>,
) -> Option<PyResult<R>> {
    // SAFETY: only Rust runs until the view, which copies the lengths and strides, is built.
    let head = match unsafe { head(obj) }? {
        Ok(h) => h,
        Err(e) => return Some(Err(crate::to_pyerr(e))),
    };
    let foreign = match Foreign::locate(head.first, head.shape, head.strides, head.item.itemsize())
    {
        Ok(f) => f,
        Err(e) => return Some(Err(crate::to_pyerr(e))),
    };
    // SAFETY: the array's memory stays valid while the array lives, which the caller ensures
    // by keeping the view beside a reference to it (this function's contract); the span from
    // the lowest to the highest element is one allocation of numpy's (or of the object it
    // views).
    let view = match unsafe {
        array_protocol::ArrayView::from_foreign(
            &foreign,
            head.item.clone(),
            head.shape,
            head.strides,
        )
    } {
        Ok(v) => v,
        Err(e) => return Some(Err(crate::to_pyerr(e))),
    };
    Some(make(view, head.parts))
}

/// A numpy array of `T`s checked for a typed view ([`TypedView::check_foreign`]) and claimed
/// shared: what the view is built from, where it is kept (a view is large, and every move of
/// one costs a copy), and what keeps its memory.
pub(super) struct Checked<'o> {
    pub(super) first: *mut u8,
    /// numpy's own lengths and strides, borrowed: valid while no Python code runs.
    pub(super) shape: &'o [usize],
    pub(super) strides: &'o [isize],
    pub(super) len: usize,
    pub(super) hold: NumpyHold,
    pub(super) parts: Parts,
}

/// `obj` as a numpy array of `T`s, checked for a typed view (no untyped view is built) and
/// claimed shared, or `None` when it is not an exact `numpy.ndarray` of a builtin numeric type
/// in native byte order (see [`head`]) or `T`'s item type is not a scalar (the caller takes the
/// general route then). Errors are those of [`with`] followed by a typed check of the view.
///
/// # Safety
/// The caller builds the typed view ([`TypedView::from_checked`] with these parts) before any
/// Python code runs (the lengths and strides are numpy's own, see [`head`]), keeps it beside the
/// returned [`NumpyHold`], and uses it no longer than that.
#[inline(always)]
pub(super) unsafe fn typed<'o, T: Element>(
    obj: &'o Bound<'_, PyAny>,
) -> Option<PyResult<Checked<'o>>> {
    // A fixed-array `T` takes the array's last axes: the general route keeps the full view.
    if !matches!(T::ITEM_TYPE, ItemType::Scalar(_)) {
        return None;
    }
    // SAFETY: no Python code runs before the caller builds the view (this function's contract):
    // here only Rust runs (the checks, the claim, a reference count).
    let head = match unsafe { head(obj) }? {
        Ok(h) => h,
        Err(e) => return Some(Err(crate::to_pyerr(e))),
    };
    // SAFETY: the array's memory stays valid while the array lives: `obj` is borrowed during
    // the check (which reads the values of `bool`s), and afterwards the caller keeps the view
    // beside the `NumpyHold` returned with it (this function's contract); the span from the
    // lowest to the highest element is one allocation of numpy's (or of the object it views).
    let checked =
        unsafe { TypedView::<T>::check_foreign(head.first, head.item, head.shape, head.strides) };
    let len = match checked {
        Ok((outer, len)) => {
            debug_assert_eq!(outer, head.shape.len(), "a scalar `T` keeps every axis");
            len
        }
        Err(e) => return Some(Err(super::dim::typed_error::<T>(e, head.item))),
    };
    let extent = Extent {
        first: head.first as usize,
        shape: head.shape,
        strides: head.strides,
        itemsize: head.item.itemsize(),
    };
    let claim = match Claim::of(obj.py(), extent, len, false, "a numpy array") {
        Ok(c) => c,
        Err(e) => return Some(Err(crate::to_pyerr(e))),
    };
    Some(Ok(Checked {
        first: head.first,
        shape: head.shape,
        strides: head.strides,
        len,
        hold: NumpyHold::new(obj, claim),
        parts: head.parts,
    }))
}

/// What a numpy array says besides its view.
#[derive(Clone, Copy)]
pub(super) struct Parts {
    pub(super) readonly: bool,
    /// The format numpy's own buffer export gives, for re-exports.
    pub(super) format: &'static CStr,
}

impl NumpyArray {
    /// The handle of `obj`, whose view is `view`, holding `obj` and `claim`.
    #[inline]
    pub(super) fn new(
        obj: &Bound<'_, PyAny>,
        view: ArrayView<'static>,
        parts: Parts,
        claim: Claim,
    ) -> NumpyArray {
        NumpyArray::held(NumpyHold::new(obj, claim), view, parts)
    }

    /// The handle whose view is `view`, of the array `hold` keeps.
    #[inline]
    pub(super) fn held(hold: NumpyHold, view: ArrayView<'static>, parts: Parts) -> NumpyArray {
        NumpyArray {
            view,
            readonly: parts.readonly,
            format: parts.format,
            _hold: hold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_types_agree_with_their_formats() {
        for type_num in 0..32 {
            if let Some((item, format)) = builtin(type_num) {
                let parsed = ItemType::from_pep3118(format.to_str().unwrap()).unwrap();
                assert_eq!(*item, parsed, "type_num {type_num}");
            }
        }
    }
}
