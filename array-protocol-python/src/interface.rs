//! `__array_interface__` imports (version 3): the data pointer is kept alive by holding the
//! object; `typestr` and `descr` are read with this crate's NumPy dialect parsers; what can be
//! checked is checked before any view exists.

use std::format;
use std::prelude::rust_2021::*;

use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::buffer::Buffer;
use array_protocol::item::numpy::{Descr, DescrField};
use array_protocol::layout::{contiguous_strides, Foreign};
use array_protocol::{ArrayView, Error, ItemType, Order};

/// An array read through `__array_interface__`, kept alive by holding its object.
pub(crate) struct Interface {
    /// Keeps the memory alive: the interface's pointer is valid while the object lives (and is
    /// not resized, which this crate cannot see; numpy's own consumers have the same contract).
    _object: Py<PyAny>,
    /// When `data` is a buffer object (Pillow gives `bytes`): its buffer, which holds the memory.
    _data: Option<Buffer>,
    item: ItemType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    foreign: Foreign,
    readonly: bool,
}

// SAFETY: only read: the memory through views, the object never touched until dropped (PyO3
// defers the decrement until a thread attached to the interpreter can make it); `data` is a
// `Buffer`, itself `Send + Sync`.
unsafe impl Send for Interface {}
// SAFETY: as above; `&Interface` gives only shared, read-only access.
unsafe impl Sync for Interface {}

impl Interface {
    /// Reads `obj.__array_interface__`. `TypeError` when it is missing or not a dict.
    pub(crate) fn get(obj: &Bound<'_, PyAny>) -> PyResult<Interface> {
        let d = obj.getattr("__array_interface__")?;
        let d = d
            .cast::<PyDict>()
            .map_err(|_| PyTypeError::new_err("__array_interface__ is not a dict"))?;
        let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            Ok(d.get_item(key)?.filter(|v| !v.is_none()))
        };
        let bad = |what: String| PyValueError::new_err(format!("__array_interface__: {what}"));
        let version: i64 = match get("version")? {
            Some(v) => v.extract()?,
            None => 3,
        };
        if version != 3 {
            return Err(bad(format!("version {version}, expected 3")));
        }
        if get("mask")?.is_some() {
            return Err(PyBufferError::new_err(
                "__array_interface__ has a mask: masked arrays are not plain memory",
            ));
        }
        let shape: Vec<usize> = get("shape")?
            .ok_or_else(|| bad("no shape".into()))?
            .extract()
            .map_err(|_| bad("shape is not a tuple of non-negative ints".into()))?;
        if shape.len() > array_protocol::MAX_NDIM {
            return Err(bad(format!(
                "{} axes, more than {}",
                shape.len(),
                array_protocol::MAX_NDIM
            )));
        }
        let typestr: String = get("typestr")?
            .ok_or_else(|| bad("no typestr".into()))?
            .extract()
            .map_err(|_| bad("typestr is not a str".into()))?;
        let mut item = ItemType::from_typestr(&typestr)
            .map_err(Error::from)
            .map_err(crate::to_pyerr)?;
        if typestr.get(1..2) == Some("V") {
            if let Some(descr) = get("descr")? {
                let descr = read_descr(&descr)?;
                let trivial = matches!(&descr.0[..], [DescrField { name, shape: None, .. }] if name.is_empty());
                if !trivial {
                    let described = ItemType::from_descr(&descr)
                        .map_err(Error::from)
                        .map_err(crate::to_pyerr)?;
                    if described.itemsize() != item.itemsize() {
                        return Err(bad(format!(
                            "descr of {} bytes for typestr {typestr:?}",
                            described.itemsize()
                        )));
                    }
                    item = described;
                }
            }
        }
        let itemsize = item.itemsize();
        let strides: Vec<isize> = match get("strides")? {
            Some(s) => {
                let s: Vec<isize> = s
                    .extract()
                    .map_err(|_| bad("strides is not a tuple of ints".into()))?;
                if s.len() != shape.len() {
                    return Err(bad(format!("{} strides for {} axes", s.len(), shape.len())));
                }
                s
            }
            None => contiguous_strides(&shape, itemsize, Order::C)
                .ok_or_else(|| bad(format!("shape {shape:?} overflows")))?
                .to_vec(),
        };
        let data = get("data")?.ok_or_else(|| {
            PyBufferError::new_err(
                "__array_interface__ has no data pointer (data is None: the memory is the object's buffer, which it does not export)",
            )
        })?;
        let offset: usize = match get("offset")? {
            Some(o) => o
                .extract()
                .map_err(|_| bad("offset is not a non-negative int".into()))?,
            None => 0,
        };
        let (foreign, readonly, data) = match data.extract::<(usize, bool)>() {
            Ok((address, readonly)) => {
                if offset != 0 {
                    return Err(bad(
                        "an offset, which applies only when data is a buffer object".into(),
                    ));
                }
                let first = std::ptr::with_exposed_provenance_mut::<u8>(address);
                (
                    Foreign::locate(first, &shape, &strides, itemsize).map_err(crate::to_pyerr)?,
                    readonly,
                    None,
                )
            }
            Err(_) => {
                // A buffer object (Pillow gives `bytes`): the array lies in its bytes, from
                // `offset`, and every element must lie inside them.
                let buffer = Buffer::get(&data).map_err(|e| {
                    if e.is_instance_of::<PyTypeError>(obj.py()) {
                        bad(
                            "data is neither a (pointer, read-only) tuple nor a buffer object"
                                .into(),
                        )
                    } else {
                        e
                    }
                })?;
                let view = buffer.view();
                let all = view.as_bytes(Order::C).ok_or_else(|| {
                    PyBufferError::new_err("__array_interface__'s data buffer is not contiguous")
                })?;
                let first = ArrayView::new(all, item.clone(), &shape, Some(&strides), offset)
                    .map_err(crate::to_pyerr)?
                    .as_ptr()
                    .cast_mut();
                let foreign =
                    Foreign::locate(first, &shape, &strides, itemsize).map_err(crate::to_pyerr)?;
                let readonly = buffer.is_read_only();
                (foreign, readonly, Some(buffer))
            }
        };
        let interface = Interface {
            _object: obj.clone().unbind(),
            _data: data,
            item,
            shape,
            strides,
            foreign,
            readonly,
        };
        // SAFETY: a view made only to validate, dropped at once.
        unsafe { interface.detached_view() }.map_err(crate::to_pyerr)?;
        Ok(interface)
    }

    /// The view with the lifetime of the memory rather than of `&self`.
    ///
    /// # Safety
    /// The view is not used after this interface (which keeps the object alive) is dropped.
    pub(crate) unsafe fn detached_view(&self) -> Result<ArrayView<'static>, Error> {
        // SAFETY: the interface's contract: the pointer is valid for the described elements while
        // the object lives, which `_object` ensures for as long as the caller's contract says;
        // the span was located with every step checked and is validated again as a view.
        unsafe {
            array_protocol::ArrayView::from_foreign(
                &self.foreign,
                self.item.clone(),
                &self.shape,
                &self.strides,
            )
        }
    }

    pub(crate) fn is_read_only(&self) -> bool {
        self.readonly
    }
}

/// A descr list as numpy gives it, read through its Python literal (`repr`) by the one reader
/// of descr lists, [`Descr::from_literal`]: the rules of `.npy` headers, nesting bounded.
fn read_descr(list: &Bound<'_, PyAny>) -> PyResult<Descr> {
    let text = list.repr()?;
    let text = text.to_str()?;
    Descr::from_literal(text)
        .map_err(|e| PyValueError::new_err(format!("__array_interface__: descr {text}: {e}")))
}
