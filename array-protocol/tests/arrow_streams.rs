//! Chunked imports from Arrow streams and the Arrow C device interface: every chunk in place,
//! refusals that name the chunk and release every array exactly once, device arrays described
//! without being touched and handed on through DLPack.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use array_protocol::arrow::{
    export, import_device_stream, import_stream, ArrowArray, ArrowArrayStream, ArrowDeviceArray,
    ArrowDeviceArrayStream, ArrowImport, ArrowSchema, ExportOptions, ARROW_DEVICE_CPU,
    ARROW_DEVICE_CUDA, ARROW_DEVICE_CUDA_HOST,
};
use array_protocol::dlpack::{DLPackArray, DLPACK_FLAG_BITMASK_READ_ONLY};
use array_protocol::{ArrayProducer, ArrayView, Element, Error, ErrorKind};

/// A producer that counts its drops: its memory lives until every array of its export is
/// released.
struct Counted(Vec<f64>, Arc<AtomicUsize>);

impl ArrayProducer for Counted {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        ArrayView::from_slice(&self.0, &[self.0.len()])
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

/// What a test stream hands out, in order: an export, a hand-made array, or a failure.
enum Next {
    Export(Vec<f64>),
    Raw(Box<dyn FnMut() -> ArrowArray>),
    Fail,
}

struct State {
    items: Vec<Next>,
    drops: Arc<AtomicUsize>,
    /// Where each exported chunk's values are.
    addresses: Vec<usize>,
    device: Option<(i32, i64)>,
}

impl State {
    fn next(&mut self) -> Result<ArrowArray, ()> {
        if self.items.is_empty() {
            return Ok(ArrowArray::released());
        }
        match self.items.remove(0) {
            Next::Export(values) => {
                self.addresses.push(values.as_ptr() as usize);
                let counted = Counted(values, Arc::clone(&self.drops));
                Ok(export(counted, &ExportOptions::default()).unwrap().1)
            }
            Next::Raw(mut make) => Ok(make()),
            Next::Fail => Err(()),
        }
    }
}

unsafe extern "C" fn get_schema(s: *mut ArrowArrayStream, out: *mut ArrowSchema) -> c_int {
    let _ = s;
    let (schema, _) = export(vec![0.0f64], &ExportOptions::default()).unwrap();
    // SAFETY: the consumer's released schema to fill.
    unsafe { out.write(schema) };
    0
}

unsafe extern "C" fn get_next(s: *mut ArrowArrayStream, out: *mut ArrowArray) -> c_int {
    // SAFETY: our stream's state.
    let state = unsafe { &mut *(*s).private_data.cast::<State>() };
    match state.next() {
        Ok(array) => {
            // SAFETY: the consumer's released array to fill.
            unsafe { out.write(array) };
            0
        }
        Err(()) => 5,
    }
}

unsafe extern "C" fn last_error(_s: *mut ArrowArrayStream) -> *const c_char {
    c"the disk went away".as_ptr()
}

unsafe extern "C" fn release(s: *mut ArrowArrayStream) {
    // SAFETY: our stream, released once.
    unsafe {
        drop(Box::from_raw((*s).private_data.cast::<State>()));
        (*s).release = None;
    }
}

fn stream(items: Vec<Next>, drops: &Arc<AtomicUsize>) -> ArrowArrayStream {
    let state = Box::new(State {
        items,
        drops: Arc::clone(drops),
        addresses: Vec::new(),
        device: None,
    });
    ArrowArrayStream {
        get_schema: Some(get_schema),
        get_next: Some(get_next),
        get_last_error: Some(last_error),
        release: Some(release),
        private_data: Box::into_raw(state).cast(),
    }
}

fn addresses(s: &ArrowArrayStream) -> Vec<usize> {
    // SAFETY: our live stream's state.
    unsafe { &*s.private_data.cast::<State>() }
        .addresses
        .clone()
}

fn values(import: &ArrowImport) -> Vec<f64> {
    import
        .array()
        .typed::<f64>()
        .unwrap()
        .iter()
        .copied()
        .collect()
}

#[test]
fn every_chunk_is_imported_in_place_and_released_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut s = stream(
        vec![
            Next::Export(vec![1.0, 2.0]),
            Next::Export(vec![]),
            Next::Export(vec![3.0, 4.0, 5.0]),
            Next::Export(vec![6.0]),
        ],
        &drops,
    );
    // SAFETY: a valid stream of ours.
    let chunks = unsafe { import_stream(&mut s) }.unwrap();
    let at = addresses(&s);
    drop(s);
    // The empty chunk was released at once; the others live with their imports.
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert_eq!(chunks.len(), 3);
    let got: Vec<usize> = chunks.iter().map(|c| c.array().as_ptr() as usize).collect();
    assert_eq!(got, [at[0], at[2], at[3]]);
    let all: Vec<f64> = chunks.iter().flat_map(values).collect();
    assert_eq!(all, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert!(chunks.iter().all(|c| c.device() == (ARROW_DEVICE_CPU, -1)));
    drop(chunks);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn an_empty_stream_gives_no_chunk() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut s = stream(vec![], &drops);
    // SAFETY: a valid stream of ours.
    assert!(unsafe { import_stream(&mut s) }.unwrap().is_empty());
}

#[test]
fn a_failing_stream_is_an_error_with_its_message_and_releases_what_it_gave() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut s = stream(
        vec![Next::Export(vec![1.0]), Next::Export(vec![2.0]), Next::Fail],
        &drops,
    );
    // SAFETY: a valid stream of ours.
    let e = unsafe { import_stream(&mut s) }.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Requirement);
    assert_eq!(
        e.to_string(),
        "the Arrow stream's get_next failed (error 5): the disk went away"
    );
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

unsafe extern "C" fn count_release(a: *mut ArrowArray) {
    // SAFETY: a hand-made array whose private data is a counter.
    unsafe {
        (*(*a).private_data.cast::<AtomicUsize>()).fetch_add(1, Ordering::SeqCst);
        (*a).release = None;
    }
}

/// A hand-made array of `n` float64 values at `data`, counting its releases into `released`.
fn raw_array(
    n: i64,
    buffers: *mut [*const c_void; 2],
    released: &'static AtomicUsize,
) -> ArrowArray {
    ArrowArray {
        length: n,
        null_count: 0,
        offset: 0,
        n_buffers: 2,
        n_children: 0,
        // SAFETY: a leaked pair of buffer pointers.
        buffers: unsafe { (*buffers).as_mut_ptr() },
        children: std::ptr::null_mut(),
        dictionary: std::ptr::null_mut(),
        release: Some(count_release),
        private_data: std::ptr::from_ref(released).cast_mut().cast(),
    }
}

#[test]
fn a_refused_chunk_is_named_and_every_array_is_released_once() {
    static RELEASED: AtomicUsize = AtomicUsize::new(0);
    let drops = Arc::new(AtomicUsize::new(0));
    static VALUES: [f64; 4] = [1.0; 4];
    let buffers = Box::into_raw(Box::new([std::ptr::null(), VALUES.as_ptr().cast()]));
    let bad = move || {
        let mut a = raw_array(4, buffers, &RELEASED);
        a.null_count = 2; // nulls: not plain strided memory
        a
    };
    let mut s = stream(
        vec![
            Next::Export(vec![1.0]),
            Next::Export(vec![]),
            Next::Raw(Box::new(bad)),
            Next::Export(vec![2.0]),
        ],
        &drops,
    );
    // SAFETY: a valid stream of ours.
    let e = unsafe { import_stream(&mut s) }.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(
        e.to_string().starts_with("chunk 2 of the Arrow stream: ")
            && e.to_string().contains("nulls"),
        "{e}"
    );
    assert_eq!(RELEASED.load(Ordering::SeqCst), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 2, "chunks 0 and 1 released");
    drop(s); // the rest of the stream is the stream's to release
             // SAFETY: the leaked pair, freed once.
    drop(unsafe { Box::from_raw(buffers) });
}

#[test]
fn null_and_released_streams_are_refused() {
    // SAFETY: NULL is refused before anything is read.
    let e = unsafe { import_stream(std::ptr::null_mut()) }.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Requirement);
    let mut released = ArrowArrayStream::released();
    // SAFETY: a released stream is refused before any call.
    let e = unsafe { import_stream(&mut released) }.unwrap_err();
    assert!(e.to_string().contains("released"), "{e}");
    // SAFETY: as above.
    let e = unsafe { import_device_stream(std::ptr::null_mut()) }.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Requirement);
}

// ---------------------------------------------------------------------------------------------
// One-column tables.

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct One {
    x: f64,
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Two {
    x: f64,
    y: f64,
}

fn copying() -> ExportOptions {
    ExportOptions {
        allow_copy: true,
        ..ExportOptions::default()
    }
}

#[test]
fn a_one_column_table_reads_as_its_column() {
    let rows: Vec<One> = (0..5).map(|k| One { x: k as f64 }).collect();
    let (schema, mut array) = export(rows, &copying()).unwrap();
    // SAFETY: an export of ours.
    assert_eq!(unsafe { std::ffi::CStr::from_ptr(schema.format) }, c"+s");
    // SAFETY: as above.
    let import = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(values(&import), [0.0, 1.0, 2.0, 3.0, 4.0]);

    let two: Vec<Two> = vec![Two { x: 1.0, y: 2.0 }];
    let (schema, mut array) = export(two, &copying()).unwrap();
    // SAFETY: as above.
    let e = unsafe { ArrowImport::from_raw(&mut array, &schema) }
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("struct"), "{e}");

    // A table sliced by its struct's offset: refused, not misread.
    let rows: Vec<One> = (0..5).map(|k| One { x: k as f64 }).collect();
    let (schema, mut array) = export(rows, &copying()).unwrap();
    array.offset = 1;
    array.length = 4;
    // SAFETY: as above: the offset stays inside the export.
    let e = unsafe { ArrowImport::from_raw(&mut array, &schema) }
        .err()
        .unwrap();
    assert!(e.to_string().contains("import the column itself"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The device interface.

#[test]
fn cpu_device_arrays_are_read_in_place() {
    let values = vec![1.0f64, 2.0, 3.0];
    let at = values.as_ptr() as usize;
    let (schema, array) = export(values, &ExportOptions::default()).unwrap();
    let mut device = ArrowDeviceArray::cpu(array);
    // SAFETY: an export of ours, on the CPU.
    let import = unsafe { ArrowImport::from_device_raw(&mut device, &schema) }.unwrap();
    assert!(device.is_released());
    assert_eq!(import.array().as_ptr() as usize, at);
    assert_eq!(values_of(&import), [1.0, 2.0, 3.0]);
    assert!(import.is_host_accessible());
    // Pinned host memory is read in place too.
    let (schema, array) = export(vec![4.0f64], &ExportOptions::default()).unwrap();
    let mut pinned = ArrowDeviceArray {
        device_type: ARROW_DEVICE_CUDA_HOST,
        device_id: 0,
        ..ArrowDeviceArray::cpu(array)
    };
    // SAFETY: as above (host memory, whatever the label).
    let import = unsafe { ArrowImport::from_device_raw(&mut pinned, &schema) }.unwrap();
    assert_eq!(values_of(&import), [4.0]);
}

fn values_of(import: &ArrowImport) -> Vec<f64> {
    values(import)
}

#[test]
fn device_arrays_elsewhere_are_described_never_viewed_and_handed_on() {
    let drops = Arc::new(AtomicUsize::new(0));
    let data = Counted(vec![0.0; 6], Arc::clone(&drops));
    let at = data.0.as_ptr() as usize;
    let (schema, array) = export(data, &ExportOptions::default()).unwrap();
    // Labelled CUDA: the memory is ours, but nothing may read it as host memory.
    let mut device = ArrowDeviceArray {
        device_type: ARROW_DEVICE_CUDA,
        device_id: 2,
        ..ArrowDeviceArray::cpu(array)
    };
    // SAFETY: an export of ours; the labelled device is never read.
    let import = unsafe { ArrowImport::from_device_raw(&mut device, &schema) }.unwrap();
    assert_eq!(import.device(), (ARROW_DEVICE_CUDA, 2));
    assert!(!import.is_host_accessible());
    assert_eq!(
        (import.shape(), import.item()),
        (&[6][..], &f64::item_type())
    );
    let e = import.try_array().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(
        e.to_string(),
        "the Arrow array is in CUDA memory (device 2), which the CPU cannot read: pass it on (as DLPack) or copy it to the CPU first"
    );
    let tensor = import.into_dlpack().unwrap();
    // SAFETY: a tensor just made, ours.
    let dl = unsafe { DLPackArray::from_raw(tensor) }.unwrap();
    assert_eq!((dl.device().device_type, dl.device().device_id), (2, 2));
    assert_eq!(dl.data_ptr() as usize, at);
    assert_eq!((dl.shape(), dl.strides()), (&[6][..], &[1][..]));
    assert_ne!(dl.flags() & DLPACK_FLAG_BITMASK_READ_ONLY, 0);
    assert!(dl.try_array().is_err());
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(dl); // the deleter releases the Arrow array, which drops the producer once
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn hostile_device_arrays_are_refused_and_released_once() {
    for (device_type, device_id) in [(0, 0), (-3, 0), (ARROW_DEVICE_CUDA, -2)] {
        let drops = Arc::new(AtomicUsize::new(0));
        let data = Counted(vec![1.0], Arc::clone(&drops));
        let (schema, array) = export(data, &ExportOptions::default()).unwrap();
        let mut device = ArrowDeviceArray {
            device_type,
            device_id,
            ..ArrowDeviceArray::cpu(array)
        };
        // SAFETY: an export of ours.
        let e = unsafe { ArrowImport::from_device_raw(&mut device, &schema) }
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Requirement, "{e}");
        assert!(device.is_released());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "released once on refusal");
    }
    // A device index past DLPack's int32 is refused when handed on, and released once.
    let drops = Arc::new(AtomicUsize::new(0));
    let (schema, array) = export(
        Counted(vec![1.0], Arc::clone(&drops)),
        &ExportOptions::default(),
    )
    .unwrap();
    let mut device = ArrowDeviceArray {
        device_type: ARROW_DEVICE_CUDA,
        device_id: i64::from(i32::MAX) + 1,
        ..ArrowDeviceArray::cpu(array)
    };
    // SAFETY: an export of ours.
    let import = unsafe { ArrowImport::from_device_raw(&mut device, &schema) }.unwrap();
    assert_eq!(import.into_dlpack().unwrap_err().kind(), ErrorKind::Layout);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // NULL and released device arrays.
    // SAFETY: NULL is refused before anything is read.
    let e = unsafe { ArrowImport::from_device_raw(std::ptr::null_mut(), &schema) }
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Requirement);
    let mut released = ArrowDeviceArray::released();
    // SAFETY: a released array is refused before anything is read.
    let e = unsafe { ArrowImport::from_device_raw(&mut released, &schema) }
        .err()
        .unwrap();
    assert!(e.to_string().contains("released"), "{e}");
}

unsafe extern "C" fn device_get_schema(
    _s: *mut ArrowDeviceArrayStream,
    out: *mut ArrowSchema,
) -> c_int {
    let (schema, _) = export(vec![0.0f64], &ExportOptions::default()).unwrap();
    // SAFETY: the consumer's released schema to fill.
    unsafe { out.write(schema) };
    0
}

unsafe extern "C" fn device_get_next(
    s: *mut ArrowDeviceArrayStream,
    out: *mut ArrowDeviceArray,
) -> c_int {
    // SAFETY: our stream's state.
    let state = unsafe { &mut *(*s).private_data.cast::<State>() };
    let device = state.device;
    match state.next() {
        Ok(array) if array.is_released() => {
            // SAFETY: the end: a released array.
            unsafe { out.write(ArrowDeviceArray::released()) };
            0
        }
        Ok(array) => {
            let (device_type, device_id) = device.unwrap_or((ARROW_DEVICE_CPU, -1));
            // Every second array on the labelled device, the others on the CPU.
            let mut d = ArrowDeviceArray::cpu(array);
            if state.addresses.len() % 2 == 0 {
                (d.device_type, d.device_id) = (device_type, device_id);
            }
            // SAFETY: as above.
            unsafe { out.write(d) };
            0
        }
        Err(()) => 5,
    }
}

unsafe extern "C" fn device_release(s: *mut ArrowDeviceArrayStream) {
    // SAFETY: our stream, released once.
    unsafe {
        drop(Box::from_raw((*s).private_data.cast::<State>()));
        (*s).release = None;
    }
}

fn device_stream(
    items: Vec<Next>,
    drops: &Arc<AtomicUsize>,
    device: Option<(i32, i64)>,
) -> ArrowDeviceArrayStream {
    let state = Box::new(State {
        items,
        drops: Arc::clone(drops),
        addresses: Vec::new(),
        device,
    });
    ArrowDeviceArrayStream {
        device_type: ARROW_DEVICE_CPU,
        get_schema: Some(device_get_schema),
        get_next: Some(device_get_next),
        get_last_error: None,
        release: Some(device_release),
        private_data: Box::into_raw(state).cast(),
    }
}

#[test]
fn device_streams_give_their_chunks_and_refuse_a_chunk_on_another_device() {
    let drops = Arc::new(AtomicUsize::new(0));
    let items = || vec![Next::Export(vec![1.0]), Next::Export(vec![2.0, 3.0])];
    let mut s = device_stream(items(), &drops, None);
    // SAFETY: a valid stream of ours.
    let chunks = unsafe { import_device_stream(&mut s) }.unwrap();
    let all: Vec<f64> = chunks.iter().flat_map(values).collect();
    assert_eq!(all, [1.0, 2.0, 3.0]);
    drop((chunks, s));
    assert_eq!(drops.load(Ordering::SeqCst), 2);

    // The stream says CPU; its second array is labelled CUDA.
    let drops = Arc::new(AtomicUsize::new(0));
    let mut s = device_stream(items(), &drops, Some((ARROW_DEVICE_CUDA, 0)));
    // SAFETY: as above.
    let e = unsafe { import_device_stream(&mut s) }.unwrap_err();
    assert!(
        e.to_string()
            .starts_with("chunk 1 of the Arrow stream: the array is on device type 2"),
        "{e}"
    );
    assert_eq!(drops.load(Ordering::SeqCst), 2, "both arrays released once");

    // A failure without get_last_error says so without a message.
    let drops = Arc::new(AtomicUsize::new(0));
    let mut s = device_stream(vec![Next::Fail], &drops, None);
    // SAFETY: as above.
    let e = unsafe { import_device_stream(&mut s) }.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the Arrow stream's get_next failed (error 5)"
    );
}

#[test]
fn the_device_structures_have_the_c_layout() {
    assert_eq!(std::mem::size_of::<ArrowDeviceArray>(), 80 + 8 + 8 + 8 + 24);
    assert_eq!(std::mem::offset_of!(ArrowDeviceArray, device_id), 80);
    assert_eq!(std::mem::offset_of!(ArrowDeviceArray, device_type), 88);
    assert_eq!(std::mem::offset_of!(ArrowDeviceArray, sync_event), 96);
    assert_eq!(std::mem::size_of::<ArrowDeviceArrayStream>(), 6 * 8);
}
