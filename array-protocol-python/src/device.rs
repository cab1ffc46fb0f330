//! Device tensors passed through: [`DeviceArray`] (`DLPackTensor` in Python) and its DLPack
//! exchange table.

use std::format;
use std::prelude::rust_2021::*;

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use pyo3::exceptions::PyBufferError;
use pyo3::prelude::*;

use array_protocol::dlpack::{
    DLManagedTensorVersioned, DLPackArray, DLPackExchangeAPI, DLPackExchangeAPIHeader,
    DLPACK_VERSION,
};

use super::dlpack::take;
use super::exchange;

/// A DLPack tensor on any device, taken over from a producer (torch, CuPy, JAX, …) and passed
/// through: its description (device, shape, strides, byte offset, dtype) is validated
/// arithmetically and readable, its memory is never touched, and `__dlpack__` /
/// `__dlpack_device__` hand it on to the next consumer with the same memory. The producer's
/// deleter runs once, when this object and every tensor handed on are gone.
///
/// Memory on the host (the CPU, CUDA host and managed memory, ROCm host memory) is also
/// readable as a view, through [`DeviceArray::array`] (an
/// [`ArrayProducer`](array_protocol::ArrayProducer)); for the others only the description is. No
/// synchronisation is done: `stream` is accepted and ignored, so the producer's work on the
/// memory must be complete when it is taken over (torch: `torch.cuda.synchronize()`).
#[pyclass(name = "DLPackTensor", module = "array_protocol", frozen)]
pub struct DeviceArray {
    array: Arc<DLPackArray>,
    via_table: bool,
}

impl DeviceArray {
    /// Takes over `obj`'s tensor through `__dlpack__` (any device), or else its Arrow device
    /// array (`__arrow_c_device_array__`, any device: the array's buffer, described as a
    /// read-only tensor, never touched): `TypeError` when `obj` has neither, `BufferError`
    /// when its description is refused.
    /// Uses the type's DLPack exchange table when it has one (torch does), as [`from_dlpack`](super::from_dlpack).
    pub fn get(obj: &Bound<'_, PyAny>) -> PyResult<DeviceArray> {
        if !obj.hasattr("__dlpack__")? && obj.hasattr("__arrow_c_device_array__")? {
            let arrow = super::arrow::import_array(obj)?;
            let tensor = arrow.into_dlpack().map_err(crate::to_pyerr)?;
            // SAFETY: a tensor just made, owned by us, valid until its deleter runs.
            let array = unsafe { DLPackArray::from_raw(tensor) }.map_err(crate::to_pyerr)?;
            return Ok(DeviceArray::from_array(array));
        }
        let (array, via_table) = take(obj, true)?;
        Ok(DeviceArray {
            array: Arc::new(array),
            via_table,
        })
    }

    pub(super) fn from_array(array: DLPackArray) -> DeviceArray {
        DeviceArray {
            array: Arc::new(array),
            via_table: false,
        }
    }

    /// A new tensor of the same memory, owned by the caller (the producer's deleter runs once
    /// every tensor handed on and this object are gone).
    pub(super) fn shared_tensor(&self) -> *mut DLManagedTensorVersioned {
        DLPackArray::export_shared(&self.array)
    }

    /// The tensor taken over.
    pub fn array(&self) -> &DLPackArray {
        &self.array
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for DeviceArray {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<DeviceArray> {
        DeviceArray::get(&obj)
    }
}

#[pymethods]
impl DeviceArray {
    /// DLPack: the same memory as a new tensor (versioned when `max_version >= (1, 0)`, the
    /// legacy capsule otherwise, refused for read-only tensors). `copy=True` is refused: this
    /// crate does not touch device memory. `dl_device` must be the tensor's own device.
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__(
        &self,
        py: Python<'_>,
        stream: Option<Bound<'_, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let _ = stream;
        let device = self.__dlpack_device__();
        if copy == Some(true) {
            return Err(PyBufferError::new_err(
                "cannot copy a passed-through DLPack tensor: this crate does not touch its memory",
            ));
        }
        if let Some(wanted) = dl_device {
            if wanted != device {
                return Err(PyBufferError::new_err(format!(
                    "the tensor is on device {device:?}; device {wanted:?} was requested"
                )));
            }
        }
        let versioned = max_version.is_some_and(|(major, _)| major >= 1);
        if !versioned && self.array.is_read_only() {
            return Err(PyBufferError::new_err(
                "cannot hand on a read-only tensor through the legacy DLPack capsule, which cannot signal read-only; ask for max_version >= (1, 0)",
            ));
        }
        let managed = self.shared_tensor();
        // SAFETY: a live tensor we just made, owned by the capsule until a consumer takes it.
        unsafe { super::dlpack::capsule(py, managed, versioned) }
    }

    /// The Arrow C device interface: `(arrow_schema, arrow_device_array)` capsules of the same
    /// memory on the tensor's own device (never touched; the CPU's index is -1, Arrow's
    /// convention), kept alive until the consumer releases the array. The mapping is
    /// [`PyArray`](super::PyArray)'s Arrow export without copies: 1-D tensors become primitive
    /// arrays, N-D ones `arrow.fixed_shape_tensor` columns; packed FP6/FP4 tensors, layouts
    /// Arrow cannot describe in place and item types Arrow lacks raise `BufferError`.
    /// `sync_event` is NULL: the producer's work must be complete (as for `__dlpack__`'s
    /// `stream`). Keyword arguments other than `None` raise `NotImplementedError`.
    #[pyo3(signature = (requested_schema = None, **kwargs))]
    fn __arrow_c_device_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let _ = requested_schema;
        super::arrow::check_device_kwargs("__arrow_c_device_array__", kwargs)?;
        let a = &*self.array;
        if a.packed().is_some() {
            return Err(PyBufferError::new_err(
                "a packed FP6/FP4 tensor has no Arrow type: Arrow has no sub-byte floats",
            ));
        }
        let size = a.item().itemsize();
        let strides = a
            .strides()
            .iter()
            .map(|&s| {
                isize::try_from(s)
                    .ok()
                    .and_then(|s| s.checked_mul(isize::try_from(size).ok()?))
            })
            .collect::<Option<Vec<isize>>>()
            .ok_or_else(|| PyBufferError::new_err("the tensor's strides overflow in bytes"))?;
        let offset = usize::try_from(a.byte_offset())
            .map_err(|_| PyBufferError::new_err("the tensor's byte offset overflows"))?;
        let first = a.data_ptr().cast::<u8>().wrapping_add(offset);
        let device = a.device();
        let device_id = if device.device_type == array_protocol::dlpack::DL_CPU {
            -1
        } else {
            i64::from(device.device_id)
        };
        // SAFETY: the tensor's own description (validated when it was taken over: the span's
        // arithmetic fits), of memory the producer keeps valid until its deleter runs, which is
        // after the last holder of `self.array` (kept by the export) is gone; nothing is read.
        let export = unsafe {
            array_protocol::arrow::export_device(
                self.array.clone(),
                first,
                a.item(),
                a.shape(),
                &strides,
                device.device_type,
                device_id,
                &array_protocol::arrow::ExportOptions::default(),
            )
        }
        .map_err(super::arrow::arrow_error)?;
        super::arrow::device_capsules(py, export)
    }

    /// DLPack 1.3's C exchange API (see [`python`](super)'s DLPack section): the same tensors
    /// as `__dlpack__` without a capsule.
    #[classattr]
    fn __dlpack_c_exchange_api__(py: Python<'_>) -> PyResult<Py<PyAny>> {
        super::exchange::capsule(py, &DEVICE_TABLE)
    }

    fn __dlpack_device__(&self) -> (i32, i32) {
        let d = self.array.device();
        (d.device_type, d.device_id)
    }

    /// `(device_type, device_id)`, as `__dlpack_device__`.
    #[getter]
    fn device(&self) -> (i32, i32) {
        self.__dlpack_device__()
    }

    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.array.shape().to_vec()
    }

    /// Strides in elements.
    #[getter]
    fn strides(&self) -> Vec<i64> {
        self.array.strides().to_vec()
    }

    #[getter]
    fn byte_offset(&self) -> u64 {
        self.array.byte_offset()
    }

    /// The data pointer (never dereferenced here).
    #[getter]
    fn data_ptr(&self) -> usize {
        self.array.data_ptr() as usize
    }

    /// `(code, bits, lanes)` of the DLPack data type.
    #[getter]
    fn dtype(&self) -> (u8, u8, u16) {
        let d = self.array.dtype();
        (d.code, d.bits, d.lanes)
    }

    #[getter]
    fn read_only(&self) -> bool {
        self.array.is_read_only()
    }

    /// Whether the tensor was taken through its producer's DLPack exchange table rather than a
    /// `__dlpack__` capsule.
    #[getter]
    fn via_exchange_api(&self) -> bool {
        self.via_table
    }
}

/// `DLPackTensor`'s exchange table: tensors handed on as `__dlpack__` hands them on, tensors
/// taken in as `DLPackTensor`s; no bare `DLTensor` (the description is the producer's).
pub(super) static DEVICE_TABLE: DLPackExchangeAPI = DLPackExchangeAPI {
    header: DLPackExchangeAPIHeader {
        version: DLPACK_VERSION,
        prev_api: std::ptr::null_mut(),
    },
    managed_tensor_allocator: Some(exchange::allocate),
    managed_tensor_from_py_object_no_sync: Some(device_tensor),
    managed_tensor_to_py_object_no_sync: Some(device_object),
    dltensor_from_py_object_no_sync: None,
    current_work_stream: Some(exchange::current_stream),
};

unsafe extern "C" fn device_tensor(
    py_object: *mut c_void,
    out: *mut *mut DLManagedTensorVersioned,
) -> c_int {
    // SAFETY: the table's contract, passed on.
    unsafe {
        exchange::from_object::<DeviceArray, _>(py_object, out, "DLPackTensor", |d| {
            Ok(d.get().shared_tensor())
        })
    }
}

unsafe extern "C" fn device_object(
    tensor: *mut DLManagedTensorVersioned,
    out_py_object: *mut *mut c_void,
) -> c_int {
    // SAFETY: the table's contract, passed on.
    unsafe {
        exchange::to_object(tensor, out_py_object, |py, array| {
            Ok(Bound::new(py, DeviceArray::from_array(array))?.into_any())
        })
    }
}
