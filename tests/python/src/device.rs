//! A DLPack producer that claims CUDA memory, for testing that device tensors are passed through
//! and never touched: its data pointer is a page mapped `PROT_NONE`, so any read crashes.

use std::ffi::{c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};

use array_protocol::arrow::{
    export, ArrowArray, ArrowDeviceArray, ExportOptions, ARROW_DEVICE_CUDA,
};
use array_protocol::dlpack::{
    DLDevice, DLManagedTensorVersioned, DLTensor, DLPACK_VERSION, DL_CUDA,
};
use array_protocol::item::dlpack::DLDataType;
use array_protocol_python::Result;
use pyo3::ffi;
use pyo3::prelude::*;

/// How many fake tensors have been deleted.
static DELETED: AtomicUsize = AtomicUsize::new(0);
const PAGE: usize = 4096;
const NAME: &CStr = c"dltensor_versioned";

#[repr(C)]
struct Fake {
    managed: DLManagedTensorVersioned,
    shape: [i64; 2],
    strides: [i64; 2],
    mapping: *mut c_void,
}

/// A fresh page no one may read or write: "device memory" any read of which crashes.
fn unreadable_page() -> PyResult<*mut c_void> {
    // SAFETY: a new anonymous mapping, touching no existing memory.
    let mapping = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            PAGE,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if mapping == libc::MAP_FAILED {
        return Err(pyo3::exceptions::PyOSError::new_err("mmap failed"));
    }
    Ok(mapping)
}

unsafe extern "C" fn delete(tensor: *mut DLManagedTensorVersioned) {
    // SAFETY: a box leaked by `FakeCuda::__dlpack__`, its first field the tensor; deleted once.
    let fake = unsafe { Box::from_raw(tensor.cast::<Fake>()) };
    // SAFETY: the page mapped for it, unmapped once.
    unsafe { libc::munmap(fake.mapping, PAGE) };
    DELETED.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn destroy_capsule(capsule: *mut ffi::PyObject) {
    // SAFETY: called by Python with the capsule being destroyed.
    if unsafe { ffi::PyCapsule_IsValid(capsule, NAME.as_ptr()) } != 1 {
        return; // consumed: the consumer calls the deleter
    }
    // SAFETY: an unconsumed capsule of that name holds our tensor.
    let t = unsafe { ffi::PyCapsule_GetPointer(capsule, NAME.as_ptr()) };
    // SAFETY: ours, deleted once.
    unsafe { delete(t.cast()) };
}

/// Hands out, on each `__dlpack__`, a new 4 × 8 float32 tensor "on CUDA device 0" whose memory is
/// an unreadable page.
#[pyclass]
pub struct FakeCuda {
    #[pyo3(get)]
    last_pointer: usize,
}

#[pymethods]
impl FakeCuda {
    #[new]
    fn new() -> FakeCuda {
        FakeCuda { last_pointer: 0 }
    }

    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__(
        &mut self,
        py: Python<'_>,
        stream: Option<Bound<'_, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(i32, i32)>,
        copy: Option<bool>,
    ) -> Result<Py<PyAny>> {
        let _ = (stream, max_version, dl_device, copy);
        let mapping = unreadable_page()?;
        self.last_pointer = mapping as usize;
        let mut fake = Box::new(Fake {
            managed: DLManagedTensorVersioned {
                version: DLPACK_VERSION,
                manager_ctx: std::ptr::null_mut(),
                deleter: Some(delete),
                flags: 0,
                dl_tensor: DLTensor {
                    data: mapping,
                    device: DLDevice {
                        device_type: DL_CUDA,
                        device_id: 0,
                    },
                    ndim: 2,
                    dtype: DLDataType {
                        code: 2,
                        bits: 32,
                        lanes: 1,
                    },
                    shape: std::ptr::null_mut(),
                    strides: std::ptr::null_mut(),
                    byte_offset: 0,
                },
            },
            shape: [4, 8],
            strides: [8, 1],
            mapping,
        });
        fake.managed.dl_tensor.shape = fake.shape.as_mut_ptr();
        fake.managed.dl_tensor.strides = fake.strides.as_mut_ptr();
        let raw = Box::into_raw(fake);
        // SAFETY: a non-NULL pointer, a static name, a destructor that deletes it unless taken.
        let capsule =
            unsafe { ffi::PyCapsule_New(raw.cast(), NAME.as_ptr(), Some(destroy_capsule)) };
        if capsule.is_null() {
            // SAFETY: not handed to a capsule: still ours, deleted once.
            unsafe { delete(raw.cast()) };
            return Err(PyErr::fetch(py).into());
        }
        // SAFETY: a new reference we own.
        Ok(unsafe { Bound::from_owned_ptr(py, capsule) }.unbind())
    }

    fn __dlpack_device__(&self) -> (i32, i32) {
        (DL_CUDA, 0)
    }
}

/// How many fake CUDA Arrow arrays have been released.
static ARROW_RELEASED: AtomicUsize = AtomicUsize::new(0);

/// What a fake CUDA Arrow array owns: its buffer pointers and the unreadable page.
struct ArrowPrivate {
    buffers: [*const c_void; 2],
    mapping: *mut c_void,
}

unsafe extern "C" fn release_arrow(array: *mut ArrowArray) {
    // SAFETY: a live array made by `FakeCudaArrow`, released once (`release` is cleared).
    let array = unsafe { &mut *array };
    // SAFETY: the private box leaked for it, freed once.
    let private = unsafe { Box::from_raw(array.private_data.cast::<ArrowPrivate>()) };
    // SAFETY: the page mapped for it, unmapped once.
    unsafe { libc::munmap(private.mapping, PAGE) };
    array.release = None;
    ARROW_RELEASED.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn destroy_arrow_capsule(capsule: *mut ffi::PyObject) {
    let name = c"arrow_device_array";
    // SAFETY: called by Python with the capsule being destroyed; ours hold a boxed array.
    let p = unsafe { ffi::PyCapsule_GetPointer(capsule, name.as_ptr()) };
    if p.is_null() {
        // SAFETY: clears the error set above.
        unsafe { ffi::PyErr_Clear() };
        return;
    }
    // SAFETY: the box leaked by `__arrow_c_device_array__`; dropping releases the array unless a
    // consumer moved it out.
    drop(unsafe { Box::from_raw(p.cast::<ArrowDeviceArray>()) });
}

unsafe extern "C" fn destroy_schema_capsule(capsule: *mut ffi::PyObject) {
    // SAFETY: called by Python with the capsule being destroyed; ours hold a boxed schema.
    let p = unsafe { ffi::PyCapsule_GetPointer(capsule, c"arrow_schema".as_ptr()) };
    if p.is_null() {
        // SAFETY: clears the error set above.
        unsafe { ffi::PyErr_Clear() };
        return;
    }
    // SAFETY: the box leaked for the capsule; dropping releases the schema unless moved out.
    drop(unsafe { Box::from_raw(p.cast::<array_protocol::arrow::ArrowSchema>()) });
}

/// Hands out, on each `__arrow_c_device_array__`, a new Arrow float32 array of 1024 values "on
/// CUDA device `device_id`" whose buffer is an unreadable page.
#[pyclass]
pub struct FakeCudaArrow {
    #[pyo3(get)]
    last_pointer: usize,
    device_id: i64,
}

#[pymethods]
impl FakeCudaArrow {
    #[new]
    #[pyo3(signature = (device_id = 0))]
    fn new(device_id: i64) -> FakeCudaArrow {
        FakeCudaArrow {
            last_pointer: 0,
            device_id,
        }
    }

    #[pyo3(signature = (requested_schema = None, **kwargs))]
    fn __arrow_c_device_array__<'py>(
        &mut self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
        kwargs: Option<Bound<'py, pyo3::types::PyDict>>,
    ) -> Result<Bound<'py, pyo3::types::PyTuple>> {
        let _ = (requested_schema, kwargs);
        let mapping = unreadable_page()?;
        self.last_pointer = mapping as usize;
        let mut private = Box::new(ArrowPrivate {
            buffers: [std::ptr::null(), mapping.cast_const()],
            mapping,
        });
        let array = ArrowArray {
            length: 1024,
            null_count: 0,
            offset: 0,
            n_buffers: 2,
            n_children: 0,
            buffers: private.buffers.as_mut_ptr(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: Some(release_arrow),
            private_data: Box::into_raw(private).cast(),
        };
        let device = ArrowDeviceArray {
            array,
            device_id: self.device_id,
            device_type: ARROW_DEVICE_CUDA,
            sync_event: std::ptr::null_mut(),
            reserved: [0; 3],
        };
        // The schema of 1024 float32 values, from a CPU export of as many.
        let (schema, _) = export(vec![0f32; 1024], &ExportOptions::default())?;
        let schema = Box::into_raw(Box::new(schema));
        // SAFETY: as for the array's capsule below.
        let schema = unsafe {
            ffi::PyCapsule_New(
                schema.cast(),
                c"arrow_schema".as_ptr(),
                Some(destroy_schema_capsule),
            )
        };
        if schema.is_null() {
            return Err(PyErr::fetch(py).into());
        }
        // SAFETY: a new reference we own.
        let schema = unsafe { Bound::from_owned_ptr(py, schema) };
        let raw = Box::into_raw(Box::new(device));
        // SAFETY: a non-NULL pointer, a static name, a destructor that frees exactly this box.
        let capsule = unsafe {
            ffi::PyCapsule_New(
                raw.cast(),
                c"arrow_device_array".as_ptr(),
                Some(destroy_arrow_capsule),
            )
        };
        if capsule.is_null() {
            // SAFETY: not handed to a capsule: still ours, dropped (released) once.
            drop(unsafe { Box::from_raw(raw) });
            return Err(PyErr::fetch(py).into());
        }
        // SAFETY: a new reference we own.
        let capsule = unsafe { Bound::from_owned_ptr(py, capsule) };
        Ok(pyo3::types::PyTuple::new(py, [schema, capsule])?)
    }
}

/// How many fake CUDA Arrow arrays have been released so far.
#[pyfunction]
fn fake_cuda_arrow_released() -> usize {
    ARROW_RELEASED.load(Ordering::SeqCst)
}

/// How many fake CUDA tensors have been deleted so far.
#[pyfunction]
fn fake_cuda_deleted() -> usize {
    DELETED.load(Ordering::SeqCst)
}

/// A tensor on any device, taken over and passed through.
#[pyfunction]
fn pass_through(t: array_protocol_python::DeviceArray) -> array_protocol_python::DeviceArray {
    t
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FakeCuda>()?;
    m.add_function(wrap_pyfunction!(fake_cuda_deleted, m)?)?;
    m.add_class::<FakeCudaArrow>()?;
    m.add_function(wrap_pyfunction!(fake_cuda_arrow_released, m)?)?;
    m.add_function(wrap_pyfunction!(pass_through, m)?)?;
    Ok(())
}
