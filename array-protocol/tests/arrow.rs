//! The Arrow C data interface from Rust: exports, imports, the release contract (exactly once,
//! moves allowed) and hostile structures.

use std::cell::Cell;
use std::ffi::{c_void, CStr};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use array_protocol::arrow::{export, ArrowArray, ArrowImport, ArrowSchema, ExportOptions};
use array_protocol::{
    Array, ArrayProducer, ArrayView, Element, Error, ErrorKind, Field, ItemType, Order,
};

// ---------------------------------------------------------------------------------------------
// Helpers: reading exported structures, and building hostile ones over memory the test owns.

fn copy() -> ExportOptions {
    ExportOptions {
        allow_copy: true,
        ..ExportOptions::default()
    }
}

/// The format string of a schema.
fn format(s: &ArrowSchema) -> String {
    // SAFETY: exported schemas carry NUL-terminated formats.
    unsafe { CStr::from_ptr(s.format) }
        .to_str()
        .unwrap()
        .to_owned()
}

/// Child `i` of an exported schema.
fn schema_child(s: &ArrowSchema, i: usize) -> &ArrowSchema {
    assert!((i as i64) < s.n_children);
    // SAFETY: exported schemas have `n_children` valid children.
    unsafe { &**s.children.add(i) }
}

/// The metadata pairs of a schema, decoded here independently of the crate.
fn metadata(s: &ArrowSchema) -> Vec<(String, String)> {
    if s.metadata.is_null() {
        return Vec::new();
    }
    let p = s.metadata.cast::<u8>();
    let read = |at: &mut usize| {
        // SAFETY: an exported, well-formed encoding.
        let n = unsafe { p.add(*at).cast::<i32>().read_unaligned() } as usize;
        *at += 4;
        n
    };
    let mut at = 0;
    let count = read(&mut at);
    let mut out = Vec::new();
    for _ in 0..count {
        let text = |at: &mut usize| {
            let n = read(at);
            // SAFETY: as above.
            let b = unsafe { std::slice::from_raw_parts(p.add(*at), n) };
            *at += n;
            String::from_utf8(b.to_vec()).unwrap()
        };
        let k = text(&mut at);
        let v = text(&mut at);
        out.push((k, v));
    }
    out
}

fn extension(s: &ArrowSchema) -> Option<(String, String)> {
    let m = metadata(s);
    let get = |key: &str| m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    Some((
        get("ARROW:extension:name")?,
        get("ARROW:extension:metadata")?,
    ))
}

fn encode(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = (pairs.len() as i32).to_ne_bytes().to_vec();
    for (k, v) in pairs {
        out.extend_from_slice(&(k.len() as i32).to_ne_bytes());
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(&(v.len() as i32).to_ne_bytes());
        out.extend_from_slice(v.as_bytes());
    }
    out
}

fn tensor_meta(json: &str) -> Vec<u8> {
    encode(&[
        ("ARROW:extension:name", "arrow.fixed_shape_tensor"),
        ("ARROW:extension:metadata", json),
    ])
}

unsafe extern "C" fn count_release(a: *mut ArrowArray) {
    // SAFETY: every counted array's private data is a live `Cell<usize>`.
    unsafe {
        let calls = &*(*a).private_data.cast::<Cell<usize>>();
        calls.set(calls.get() + 1);
        (*a).release = None;
    }
}

unsafe extern "C" fn release_schema(s: *mut ArrowSchema) {
    // SAFETY: called on a schema built here, which owns nothing.
    unsafe { (*s).release = None };
}

/// An array over buffers and children the caller keeps alive; `release` counts into `calls`.
fn fake(
    length: i64,
    offset: i64,
    buffers: &mut [*const c_void],
    children: &mut [*mut ArrowArray],
    calls: &Cell<usize>,
) -> ArrowArray {
    ArrowArray {
        length,
        null_count: 0,
        offset,
        n_buffers: buffers.len() as i64,
        n_children: children.len() as i64,
        buffers: buffers.as_mut_ptr(),
        children: if children.is_empty() {
            null_mut()
        } else {
            children.as_mut_ptr()
        },
        dictionary: null_mut(),
        release: Some(count_release),
        private_data: std::ptr::from_ref(calls).cast_mut().cast(),
    }
}

/// A hand-built schema and the list of its children's pointers (the children themselves are
/// the caller's).
struct Schema {
    s: ArrowSchema,
    _children: Box<[*mut ArrowSchema]>,
}

impl std::ops::Deref for Schema {
    type Target = ArrowSchema;
    fn deref(&self) -> &ArrowSchema {
        &self.s
    }
}

impl std::ops::DerefMut for Schema {
    fn deref_mut(&mut self) -> &mut ArrowSchema {
        &mut self.s
    }
}

impl Schema {
    fn ptr(&mut self) -> *mut ArrowSchema {
        &raw mut self.s
    }
}

/// A schema of `format` with optional metadata and children the caller keeps alive.
fn schema(format: &CStr, metadata: Option<&[u8]>, children: &[*mut ArrowSchema]) -> Schema {
    let mut list: Box<[*mut ArrowSchema]> = children.into();
    let s = ArrowSchema {
        format: format.as_ptr(),
        name: null(),
        metadata: metadata.map_or(null(), |m| m.as_ptr().cast()),
        flags: 0,
        n_children: children.len() as i64,
        children: if children.is_empty() {
            null_mut()
        } else {
            list.as_mut_ptr()
        },
        dictionary: null_mut(),
        release: Some(release_schema),
        private_data: null_mut(),
    };
    Schema { s, _children: list }
}

fn named(mut s: Schema, name: &'static CStr) -> Schema {
    s.s.name = name.as_ptr();
    s
}

fn buffers<T>(values: &[T]) -> [*const c_void; 2] {
    [null(), values.as_ptr().cast()]
}

/// Imports `array` with `schema` and checks the release count afterwards: once, whatever the
/// result, after the import (if any) is dropped.
fn import_once(
    array: &mut ArrowArray,
    schema: &ArrowSchema,
    calls: &Cell<usize>,
    check: impl FnOnce(&ArrowImport),
) -> Result<(), Error> {
    // SAFETY: the structures describe memory the test owns.
    let imported = unsafe { ArrowImport::from_raw(array, schema) };
    assert!(array.is_released(), "the import moves the array out");
    let result = match imported {
        Ok(i) => {
            assert_eq!(calls.get(), 0, "released while still imported");
            check(&i);
            drop(i);
            Ok(())
        }
        Err(e) => Err(e),
    };
    assert_eq!(
        calls.get(),
        1,
        "release calls ({result:?})",
        result = result.as_ref().err()
    );
    result
}

/// Imports a hand-built primitive array of `format` over `values` and returns the error.
fn refused<T>(format: &CStr, values: &[T], tweak: impl FnOnce(&mut ArrowArray)) -> Error {
    let calls = Cell::new(0);
    let mut bufs = buffers(values);
    let mut a = fake(values.len() as i64, 0, &mut bufs, &mut [], &calls);
    tweak(&mut a);
    let s = schema(format, None, &[]);
    import_once(&mut a, &s, &calls, |_| {}).unwrap_err()
}

/// Exports then imports `producer`, returning the import (the schema is dropped at once).
fn round_trip<P: ArrayProducer + Send + 'static>(
    producer: P,
    options: &ExportOptions,
) -> ArrowImport {
    let (schema, array) = export(producer, options).unwrap();
    // SAFETY: a fresh export.
    unsafe { ArrowImport::from_parts(array, &schema) }.unwrap()
}

// ---------------------------------------------------------------------------------------------
// Export and round trips.

fn check_scalar<T: Element + PartialEq + std::fmt::Debug + Send + 'static>(
    values: Vec<T>,
    code: &str,
) {
    let (schema, mut array) = export(values.clone(), &ExportOptions::default()).unwrap();
    assert_eq!(format(&schema), code);
    assert_eq!(
        (array.length, array.n_buffers, array.n_children),
        (values.len() as i64, 2, 0)
    );
    // SAFETY: fresh export.
    let imported = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(imported.array().item(), &T::item_type());
    assert_eq!(imported.array().shape(), [values.len()]);
    assert_eq!(imported.array().to_vec::<T>().unwrap(), values);
}

#[test]
fn every_scalar_round_trips() {
    check_scalar(vec![-1i8, 2, i8::MIN], "c");
    check_scalar(vec![1u8, 255], "C");
    check_scalar(vec![-1i16, i16::MAX], "s");
    check_scalar(vec![1u16, u16::MAX], "S");
    check_scalar(vec![-1i32, 7, i32::MIN], "i");
    check_scalar(vec![1u32, u32::MAX], "I");
    check_scalar(vec![-1i64, i64::MAX], "l");
    check_scalar(vec![1u64, u64::MAX], "L");
    check_scalar(vec![0.5f32, -1.0], "f");
    check_scalar(vec![0.25f64, f64::MAX], "g");
    // float16, through its item type (the `half` feature is not needed for the exchange).
    let f16 = ItemType::from_pep3118("e").unwrap();
    let one_and_a_half = 0x3e00u16.to_ne_bytes();
    let owned = ArrayView::new(&one_and_a_half, f16.clone(), &[1], None, 0)
        .unwrap()
        .to_contiguous(Order::C)
        .unwrap();
    let (schema, mut array) = export(owned, &ExportOptions::default()).unwrap();
    assert_eq!(format(&schema), "e");
    // SAFETY: fresh export.
    let imported = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(imported.array().item(), &f16);
    assert_eq!(
        imported
            .array()
            .cast::<u16>()
            .unwrap()
            .to_vec::<u16>()
            .unwrap(),
        [0x3e00]
    );
    check_scalar(Vec::<f64>::new(), "g");
    // bool: int8 storage with the arrow.bool8 extension.
    let (schema, mut array) = export(vec![true, false, true], &ExportOptions::default()).unwrap();
    assert_eq!(format(&schema), "c");
    assert_eq!(
        extension(&schema),
        Some(("arrow.bool8".into(), String::new()))
    );
    // SAFETY: fresh export.
    let imported = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(
        imported.array().to_vec::<bool>().unwrap(),
        [true, false, true]
    );
    assert_eq!(imported.extension(), Some("arrow.bool8"));
}

#[test]
fn exports_point_at_the_producer() {
    let v: Vec<u32> = (0..5).collect();
    let p = v.as_ptr();
    let (_schema, array) = export(v, &ExportOptions::default()).unwrap();
    // SAFETY: a fresh export has two buffers.
    unsafe {
        assert!((*array.buffers).is_null(), "no validity bitmap");
        assert_eq!(*array.buffers.add(1), p.cast());
    }
    assert_eq!((array.null_count, array.offset), (0, 0));
}

#[test]
fn n_d_exports_as_fixed_shape_tensor() {
    let data: Vec<f64> = (0..24).map(f64::from).collect();
    let view = ArrayView::from_slice(&data, &[2, 3, 4]).unwrap();
    let owned = view.to_contiguous(Order::C).unwrap();
    let (schema, mut array) = export(owned, &ExportOptions::default()).unwrap();
    assert_eq!(format(&schema), "+w:12");
    assert_eq!(
        extension(&schema),
        Some((
            "arrow.fixed_shape_tensor".into(),
            r#"{"shape":[3,4]}"#.into()
        ))
    );
    assert_eq!(format(schema_child(&schema, 0)), "g");
    assert_eq!((array.length, array.n_buffers, array.n_children), (2, 1, 1));
    // SAFETY: one child.
    let child = unsafe { &**array.children };
    assert_eq!((child.length, child.n_buffers), (24, 2));
    // SAFETY: fresh export.
    let imported = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(imported.array().shape(), [2, 3, 4]);
    assert_eq!(imported.array().strides(), [96, 32, 8]);
    assert_eq!(imported.array().to_vec::<f64>().unwrap(), data);
    assert_eq!(imported.arrow_length(), 2);
}

/// A producer viewing its data through an arbitrary strided layout (in elements).
struct Strided {
    data: Vec<f32>,
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
}

impl ArrayProducer for Strided {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        ArrayView::from_slice_strided(&self.data, &self.shape, &self.strides, self.offset)
    }
}

fn strided(shape: &[usize], strides: &[isize], offset: usize) -> Strided {
    Strided {
        data: (0..64).map(|i| i as f32).collect(),
        shape: shape.to_vec(),
        strides: strides.to_vec(),
        offset,
    }
}

#[test]
fn permuted_inner_axes_export_without_a_copy() {
    // Rows of 3 × 4 tensors stored as 4 × 3 (the inner axes transposed).
    let p = strided(&[2, 3, 4], &[12, 1, 3], 0);
    let expected = p.array().to_vec::<f32>().unwrap();
    let data_ptr = p.data.as_ptr();
    let (schema, mut array) = export(p, &ExportOptions::default()).unwrap();
    // Logical axis 0 (length 3, stride 1) is physical axis 1; logical 1 (length 4) physical 0.
    assert_eq!(
        extension(&schema).unwrap().1,
        r#"{"shape":[4,3],"permutation":[1,0]}"#
    );
    // SAFETY: one child with two buffers.
    assert_eq!(
        unsafe { *(**array.children).buffers.add(1) },
        data_ptr.cast()
    );
    // SAFETY: fresh export.
    let imported = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(imported.array().shape(), [2, 3, 4]);
    assert_eq!(imported.array().strides(), [48, 4, 12]);
    assert_eq!(imported.array().to_vec::<f32>().unwrap(), expected);

    // Three inner axes in a cyclic order of the physical ones: readers disagree on what such a
    // permutation means (pyarrow reads its inverse), so it is exported only as a copy.
    let p = strided(&[1, 4, 2, 3], &[24, 1, 12, 4], 0);
    let expected = p.array().to_vec::<f32>().unwrap();
    let e = export(
        strided(&[1, 4, 2, 3], &[24, 1, 12, 4], 0),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("a cycle that Arrow readers disagree on"),
        "{e}"
    );
    let copy = ExportOptions {
        allow_copy: true,
        ..ExportOptions::default()
    };
    let (schema, mut array) = export(p, &copy).unwrap();
    assert_eq!(extension(&schema).unwrap().1, r#"{"shape":[4,2,3]}"#);
    // SAFETY: fresh export.
    let imported = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(imported.array().shape(), [1, 4, 2, 3]);
    assert_eq!(imported.array().to_vec::<f32>().unwrap(), expected);
}

#[test]
fn the_specifications_permutation_example() {
    // Physical shape [2, 3, 4], permutation [2, 0, 1]: logical shape [4, 2, 3], and logical
    // index (a, b, c) is physical index (b, c, a).
    let values: Vec<i32> = (0..24).collect();
    let calls = Cell::new(0);
    let child_calls = Cell::new(0);
    let mut child_bufs = buffers(&values);
    let mut child = fake(24, 0, &mut child_bufs, &mut [], &child_calls);
    let mut bufs = [null()];
    let mut kids = [&raw mut child];
    let mut a = fake(1, 0, &mut bufs, &mut kids, &calls);
    let meta = encode(&[
        ("ARROW:extension:name", "arrow.fixed_shape_tensor"),
        (
            "ARROW:extension:metadata",
            r#"{ "shape": [2, 3, 4], "permutation": [2, 0, 1], "dim_names": ["x", "y", "z"] }"#,
        ),
    ]);
    let mut value_schema = schema(c"i", None, &[]);
    let s = schema(c"+w:24", Some(&meta), &[value_schema.ptr()]);
    import_once(&mut a, &s, &calls, |i| {
        let v = i.array();
        assert_eq!(v.shape(), [1, 4, 2, 3]);
        let t = v.typed::<i32>().unwrap();
        for (a, b, c) in [(0, 0, 0), (3, 1, 2), (1, 0, 2), (2, 1, 0)] {
            assert_eq!(t[[0, a, b, c]], (b * 12 + c * 4 + a) as i32);
        }
        assert_eq!(i.dim_names().unwrap(), ["z", "x", "y"]);
    })
    .unwrap();
    assert_eq!(child_calls.get(), 0, "the importer never releases children");
}

#[test]
fn dim_names_are_stored_in_physical_order() {
    let names = |n: &[&str]| ExportOptions {
        dim_names: Some(n.iter().map(|s| s.to_string()).collect()),
        allow_copy: false,
    };
    let p = strided(&[2, 3, 4], &[12, 4, 1], 0);
    let (schema, mut array) = export(p, &names(&["h", "w\"\\"])).unwrap();
    assert_eq!(
        extension(&schema).unwrap().1,
        r#"{"shape":[3,4],"dim_names":["h","w\"\\"]}"#
    );
    // SAFETY: fresh export.
    let i = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(i.dim_names().unwrap(), ["h", "w\"\\"]);

    let p = strided(&[2, 3, 4], &[12, 1, 3], 0);
    let (schema, mut array) = export(p, &names(&["h", "w"])).unwrap();
    assert_eq!(
        extension(&schema).unwrap().1,
        r#"{"shape":[4,3],"dim_names":["w","h"],"permutation":[1,0]}"#
    );
    // SAFETY: fresh export.
    let i = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(i.dim_names().unwrap(), ["h", "w"], "logical order again");

    let e = export(strided(&[2, 3, 4], &[12, 4, 1], 0), &names(&["h"])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Requirement, "{e}");
    let e = export(vec![1u8], &names(&["x"])).unwrap_err();
    assert!(e.to_string().contains("1-D"), "{e}");
}

#[test]
fn layouts_arrow_cannot_describe_need_allow_copy() {
    for (shape, strides, offset) in [
        (&[4][..], &[2][..], 0),       // gaps
        (&[4][..], &[-1][..], 3),      // reversed
        (&[4][..], &[0][..], 0),       // broadcast
        (&[3, 4][..], &[1, 3][..], 0), // Fortran order: rows are not consecutive
        (&[2, 3][..], &[4, 1][..], 0), // padded rows
    ] {
        let p = strided(shape, strides, offset);
        let expected = p.array().to_vec::<f32>().unwrap();
        let e = export(strided(shape, strides, offset), &ExportOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Layout, "{e}");
        assert!(e.to_string().contains("allow_copy"), "{e}");
        let i = round_trip(p, &copy());
        assert_eq!(i.array().shape(), shape);
        assert!(i.array().is_c_contiguous());
        assert_eq!(i.array().to_vec::<f32>().unwrap(), expected);
    }
    // The other byte order.
    let be = [0u8, 0, 0, 1, 0, 0, 1, 0];
    let view = ArrayView::new(&be, ItemType::from_pep3118(">i").unwrap(), &[2], None, 0).unwrap();
    let owned = view.to_contiguous(Order::C).unwrap();
    if cfg!(target_endian = "little") {
        let e = export(
            owned.to_contiguous(Order::C).unwrap(),
            &ExportOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("byte order"), "{e}");
    }
    let i = round_trip(owned, &copy());
    assert_eq!(i.array().to_vec::<i32>().unwrap(), [1, 256]);
    // Misaligned values.
    let bytes = Array::zeros(u8::item_type(), &[9], Order::C).unwrap();
    struct Shifted(Array);
    impl ArrayProducer for Shifted {
        fn try_array(&self) -> Result<ArrayView<'_>, Error> {
            ArrayView::new(&self.0.bytes()[1..], f32::item_type(), &[2], None, 0)
        }
    }
    let e = export(
        Shifted(bytes.to_contiguous(Order::C).unwrap()),
        &ExportOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("aligned"), "{e}");
    assert_eq!(
        round_trip(Shifted(bytes), &copy())
            .array()
            .to_vec::<f32>()
            .unwrap(),
        [0.0, 0.0]
    );
}

#[test]
fn records_export_as_struct_arrays_of_copies() {
    #[derive(Element, Clone, Copy, Debug, PartialEq)]
    #[repr(C)]
    struct Particle {
        pos: [f32; 2],
        id: u32,
        alive: bool,
        #[array(pad)]
        _pad: [u8; 3],
    }
    let ps = vec![
        Particle {
            pos: [1.0, 2.0],
            id: 7,
            alive: true,
            _pad: [0; 3],
        },
        Particle {
            pos: [3.0, 4.0],
            id: 8,
            alive: false,
            _pad: [0; 3],
        },
    ];
    let e = export(ps.clone(), &ExportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("allow_copy"), "{e}");
    let (schema, array) = export(ps, &copy()).unwrap();
    assert_eq!(format(&schema), "+s");
    assert_eq!(
        (schema.n_children, array.n_children, array.length),
        (3, 3, 2)
    );
    let names: Vec<String> = (0..3)
        // SAFETY: exported names are NUL-terminated.
        .map(|i| {
            unsafe { CStr::from_ptr(schema_child(&schema, i).name) }
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["pos", "id", "alive"]);
    assert_eq!(format(schema_child(&schema, 0)), "+w:2");
    assert_eq!(format(schema_child(&schema, 1)), "I");
    assert_eq!(format(schema_child(&schema, 2)), "c");
    // Each child imports on its own (moved out of the parent, as the specification allows).
    // SAFETY: three children; moving one out marks it released in the parent.
    let mut id = unsafe { std::ptr::read(*array.children.add(1)) };
    // SAFETY: as above.
    unsafe { (**array.children.add(1)).release = None };
    drop(array); // the parent goes, the moved child keeps the data alive
                 // SAFETY: a valid child array and its schema.
    let i = unsafe { ArrowImport::from_raw(&mut id, schema_child(&schema, 1)) }.unwrap();
    assert_eq!(i.array().to_vec::<u32>().unwrap(), [7, 8]);
}

#[test]
fn unsupported_items_and_shapes_are_refused() {
    let e = export(vec![[1.0f64, 2.0]; 0], &ExportOptions::default()).map(drop);
    assert!(e.is_ok(), "an empty 2-D array exports");
    let z = ArrayView::new(
        &[0u8; 16],
        ItemType::from_pep3118("Zd").unwrap(),
        &[1],
        None,
        0,
    )
    .unwrap()
    .to_contiguous(Order::C)
    .unwrap();
    let e = export(z, &copy()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ItemType);
    assert!(e.to_string().contains("complex"), "{e}");
    let s = ArrayView::new(
        &[0u8; 4],
        ItemType::from_pep3118("4s").unwrap(),
        &[1],
        None,
        0,
    )
    .unwrap()
    .to_contiguous(Order::C)
    .unwrap();
    assert_eq!(export(s, &copy()).unwrap_err().kind(), ErrorKind::ItemType);
    let scalar = Array::zeros(f32::item_type(), &[], Order::C).unwrap();
    let e = export(scalar, &copy()).unwrap_err();
    assert!(e.to_string().contains("0-D"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The release contract.

struct Counted(Vec<i16>, Arc<AtomicUsize>);
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

#[test]
fn the_producer_lives_until_the_release_and_is_dropped_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = || Counted(vec![1, 2, 3], Arc::clone(&drops));
    // Dropped without import.
    let (schema, array) = export(counted(), &ExportOptions::default()).unwrap();
    drop(schema);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(array);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // Moved bitwise (the source marked released), then released through the copy.
    let (_schema, array) = export(counted(), &ExportOptions::default()).unwrap();
    let mut source = array;
    // SAFETY: a move as the specification describes it.
    let moved = unsafe { std::ptr::read(&source) };
    source.release = None;
    drop(source);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let boxed = Box::new(moved); // moved once more
    drop(boxed);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    // Imported, then dropped.
    let i = round_trip(counted(), &ExportOptions::default());
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    assert_eq!(i.array().to_vec::<i16>().unwrap(), [1, 2, 3]);
    drop(i);
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    // Released by calling the callback directly, as C would: once, then NULL.
    let (mut schema, mut array) = export(counted(), &ExportOptions::default()).unwrap();
    let release = array.release.unwrap();
    // SAFETY: a live exported array, released once.
    unsafe { release(&mut array) };
    assert!(array.is_released() && array.private_data.is_null());
    assert_eq!(drops.load(Ordering::SeqCst), 4);
    let release = schema.release.unwrap();
    // SAFETY: as above.
    unsafe { release(&mut schema) };
    assert!(schema.is_released());
    drop((schema, array)); // both released: nothing more happens
    assert_eq!(drops.load(Ordering::SeqCst), 4);
    // A refused export drops the producer at once.
    struct Nested(Counted);
    impl ArrayProducer for Nested {
        fn try_array(&self) -> Result<ArrayView<'_>, Error> {
            self.0.try_array()?.slice(0, None, None, 2)
        }
    }
    assert!(export(Nested(counted()), &ExportOptions::default()).is_err());
    assert_eq!(drops.load(Ordering::SeqCst), 5);
    // A copied export does not keep the producer.
    let (_s, a) = export(Nested(counted()), &copy()).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 6);
    drop(a);
}

#[test]
fn a_moved_child_outlives_its_released_parent() {
    let drops = Arc::new(AtomicUsize::new(0));
    let data: Vec<i16> = (0..6).collect();
    struct Matrix(Vec<i16>, Arc<AtomicUsize>);
    impl ArrayProducer for Matrix {
        fn try_array(&self) -> Result<ArrayView<'_>, Error> {
            ArrayView::from_slice(&self.0, &[2, 3])
        }
    }
    impl Drop for Matrix {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }
    let (schema, array) =
        export(Matrix(data, Arc::clone(&drops)), &ExportOptions::default()).unwrap();
    // SAFETY: one child, moved out and marked released in the parent.
    let mut values = unsafe { std::ptr::read(*array.children) };
    // SAFETY: as above.
    unsafe { (**array.children).release = None };
    drop(array);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "the child still points at the producer"
    );
    // SAFETY: the child and its schema.
    let i = unsafe { ArrowImport::from_raw(&mut values, schema_child(&schema, 0)) }.unwrap();
    assert_eq!(i.array().to_vec::<i16>().unwrap(), [0, 1, 2, 3, 4, 5]);
    drop(i);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn exports_move_between_threads() {
    let i = std::thread::spawn(|| round_trip(vec![1.5f32, 2.5], &ExportOptions::default()))
        .join()
        .unwrap();
    let back = std::thread::spawn(move || i.array().to_vec::<f32>().unwrap())
        .join()
        .unwrap();
    assert_eq!(back, [1.5, 2.5]);
}

// ---------------------------------------------------------------------------------------------
// Hand-built imports: offsets, nesting, the variable-shape tensor.

#[test]
fn primitive_offsets_are_honoured() {
    let values: Vec<u16> = (0..10).collect();
    let calls = Cell::new(0);
    let mut bufs = buffers(&values);
    let mut a = fake(3, 4, &mut bufs, &mut [], &calls);
    let s = schema(c"S", None, &[]);
    import_once(&mut a, &s, &calls, |i| {
        assert_eq!(i.array().to_vec::<u16>().unwrap(), [4, 5, 6]);
    })
    .unwrap();
}

#[test]
fn nested_fixed_size_lists_become_axes() {
    // 2 rows of 2 lists of 3 int32, with an offset at every level.
    let values: Vec<i32> = (0..64).collect();
    let (calls, inner_calls, leaf_calls) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let mut leaf_bufs = buffers(&values);
    let mut leaf = fake(40, 5, &mut leaf_bufs, &mut [], &leaf_calls);
    let mut inner_bufs = [null()];
    let mut inner_kids = [&raw mut leaf];
    let mut inner = fake(10, 1, &mut inner_bufs, &mut inner_kids, &inner_calls);
    let mut bufs = [null()];
    let mut kids = [&raw mut inner];
    let mut a = fake(2, 1, &mut bufs, &mut kids, &calls);
    let mut leaf_s = schema(c"i", None, &[]);
    let mut inner_s = schema(c"+w:3", None, &[leaf_s.ptr()]);
    let s = schema(c"+w:2", None, &[inner_s.ptr()]);
    import_once(&mut a, &s, &calls, |i| {
        let v = i.array();
        assert_eq!(v.shape(), [2, 2, 3]);
        // Row r, list l, value x: inner index (1 + r) * 2 + l, physically 1 + that; leaf index
        // (1 + (1 + r) * 2 + l) * 3 + x, physically 5 + that.
        let expected: Vec<i32> = (0..2)
            .flat_map(|r| {
                (0..2).flat_map(move |l| (0..3).map(move |x| 5 + (1 + (1 + r) * 2 + l) * 3 + x))
            })
            .collect();
        assert_eq!(v.to_vec::<i32>().unwrap(), expected);
    })
    .unwrap();
    assert_eq!((inner_calls.get(), leaf_calls.get()), (0, 0));

    // The leaf is one value too short for the last row.
    let (calls, inner_calls, leaf_calls) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let mut leaf_bufs = buffers(&values);
    let mut leaf = fake(17, 0, &mut leaf_bufs, &mut [], &leaf_calls);
    let mut inner_kids = [&raw mut leaf];
    let mut inner = fake(6, 0, &mut inner_bufs, &mut inner_kids, &inner_calls);
    let mut kids = [&raw mut inner];
    let mut a = fake(3, 0, &mut bufs, &mut kids, &calls);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Layout, "{e}");
}

#[test]
fn variable_shape_tensors_import_one_row() {
    // One row of shape [2, 3] (values 4..10), the second row of the storage.
    let values: Vec<f32> = (0..20).map(|i| i as f32).collect();
    let offsets: Vec<i32> = vec![0, 4, 10, 16];
    let shapes: Vec<i32> = vec![2, 2, 2, 3, 1, 5];
    let c = [
        Cell::new(0),
        Cell::new(0),
        Cell::new(0),
        Cell::new(0),
        Cell::new(0),
    ];
    let mut value_bufs = buffers(&values);
    let mut vals = fake(20, 0, &mut value_bufs, &mut [], &c[1]);
    let mut list_bufs = [null(), offsets.as_ptr().cast()];
    let mut list_kids = [&raw mut vals];
    let mut data = fake(3, 0, &mut list_bufs, &mut list_kids, &c[2]);
    let mut dims_bufs = buffers(&shapes);
    let mut dims = fake(6, 0, &mut dims_bufs, &mut [], &c[3]);
    let mut shape_bufs = [null()];
    let mut shape_kids = [&raw mut dims];
    let mut shape = fake(3, 0, &mut shape_bufs, &mut shape_kids, &c[4]);
    let mut bufs = [null()];
    let mut kids = [&raw mut shape, &raw mut data]; // by name, not position
    let mut a = fake(1, 1, &mut bufs, &mut kids, &c[0]);
    let mut vs = schema(c"f", None, &[]);
    let mut data_s = named(schema(c"+l", None, &[vs.ptr()]), c"data");
    let mut is = schema(c"i", None, &[]);
    let mut shape_s = named(schema(c"+w:2", None, &[is.ptr()]), c"shape");
    let meta = encode(&[
        ("ARROW:extension:name", "arrow.variable_shape_tensor"),
        (
            "ARROW:extension:metadata",
            r#"{"permutation":[1,0],"dim_names":["a","b"]}"#,
        ),
    ]);
    let s = schema(c"+s", Some(&meta), &[shape_s.ptr(), data_s.ptr()]);
    import_once(&mut a, &s, &c[0], |i| {
        let v = i.array();
        assert_eq!(v.shape(), [3, 2], "physical [2, 3] permuted");
        assert_eq!(v.to_vec::<f32>().unwrap(), [4.0, 7.0, 5.0, 8.0, 6.0, 9.0]);
        assert_eq!(i.dim_names().unwrap(), ["b", "a"]);
    })
    .unwrap();

    // Two rows are refused, clearly.
    c[0].set(0);
    let mut kids = [&raw mut shape, &raw mut data];
    let mut a = fake(2, 0, &mut bufs, &mut kids, &c[0]);
    let e = import_once(&mut a, &s, &c[0], |_| {}).unwrap_err();
    assert!(e.to_string().contains("one row"), "{e}");
    // A row whose shape ([1, 5]) disagrees with its values (10..16).
    c[0].set(0);
    let mut kids = [&raw mut shape, &raw mut data];
    let mut a = fake(1, 2, &mut bufs, &mut kids, &c[0]);
    let e = import_once(&mut a, &s, &c[0], |_| {}).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e}");
    assert!(
        c[1..].iter().all(|c| c.get() == 0),
        "children never released by the importer"
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile structures: each refused with a clear error, the array released exactly once.

#[test]
fn null_and_released_structures() {
    let s = schema(c"f", None, &[]);
    // SAFETY: NULL is allowed and refused.
    let e = unsafe { ArrowImport::from_raw(null_mut(), &*s) }
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Requirement);
    // A released array: nothing to release.
    let mut a = ArrowArray::released();
    // SAFETY: a released structure is refused before anything is read.
    let e = unsafe { ArrowImport::from_raw(&mut a, &*s) }.err().unwrap();
    assert!(e.to_string().contains("released"), "{e}");
    // A NULL or released schema: the array is released once.
    let values = [1.0f32];
    let calls = Cell::new(0);
    let mut bufs = buffers(&values);
    let mut a = fake(1, 0, &mut bufs, &mut [], &calls);
    // SAFETY: a valid array; the NULL schema is refused.
    let e = unsafe { ArrowImport::from_raw(&mut a, null()) }
        .err()
        .unwrap();
    assert_eq!((e.kind(), calls.get()), (ErrorKind::Requirement, 1));
    calls.set(0);
    let mut a = fake(1, 0, &mut bufs, &mut [], &calls);
    let gone = ArrowSchema::released();
    let e = import_once(&mut a, &gone, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("released"), "{e}");
}

#[test]
fn hostile_counts_lengths_and_pointers() {
    let v = [1.0f64, 2.0, 3.0, 4.0];
    type Tweak = Box<dyn FnOnce(&mut ArrowArray)>;
    let cases: Vec<(&str, Tweak, ErrorKind, &str)> = vec![
        (
            "negative length",
            Box::new(|a| a.length = -1),
            ErrorKind::Layout,
            "non-negative",
        ),
        (
            "negative offset",
            Box::new(|a| a.offset = -3),
            ErrorKind::Layout,
            "non-negative",
        ),
        (
            "offset + length overflows",
            Box::new(|a| {
                a.offset = i64::MAX;
                a.length = 2
            }),
            ErrorKind::Layout,
            "2^63",
        ),
        (
            "huge length",
            Box::new(|a| a.length = i64::MAX),
            ErrorKind::Layout,
            "",
        ),
        (
            "huge offset",
            Box::new(|a| a.offset = 1 << 61),
            ErrorKind::Layout,
            "",
        ),
        (
            "wrong n_buffers",
            Box::new(|a| a.n_buffers = 3),
            ErrorKind::Format,
            "n_buffers 3",
        ),
        (
            "one buffer",
            Box::new(|a| a.n_buffers = 1),
            ErrorKind::Format,
            "n_buffers 1",
        ),
        (
            "wrong n_children",
            Box::new(|a| a.n_children = 1),
            ErrorKind::Format,
            "n_children 1",
        ),
        (
            "NULL buffers array",
            Box::new(|a| a.buffers = null_mut()),
            ErrorKind::Format,
            "NULL buffers",
        ),
        (
            "nulls",
            Box::new(|a| a.null_count = 1),
            ErrorKind::Unsupported,
            "has nulls",
        ),
        (
            "bad null count",
            Box::new(|a| a.null_count = -2),
            ErrorKind::Format,
            "null_count",
        ),
        (
            "dictionary",
            Box::new(|a| a.dictionary = NonNullDangling::array()),
            ErrorKind::Format,
            "dictionary",
        ),
    ];
    for (what, tweak, kind, text) in cases {
        let e = refused(c"g", &v, tweak);
        assert_eq!(e.kind(), kind, "{what}: {e}");
        assert!(e.to_string().contains(text), "{what}: {e}");
    }
    // NULL values for a non-empty array; fine for an empty one.
    let calls = Cell::new(0);
    let mut bufs = [null(), null()];
    let mut a = fake(2, 0, &mut bufs, &mut [], &calls);
    let s = schema(c"g", None, &[]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("NULL values buffer"), "{e}");
    calls.set(0);
    let mut a = fake(0, 0, &mut bufs, &mut [], &calls);
    import_once(&mut a, &s, &calls, |i| assert!(i.array().is_empty())).unwrap();
    // null_count -1 is fine without a validity bitmap, refused with one.
    calls.set(0);
    let mut bufs = buffers(&v);
    let mut a = fake(4, 0, &mut bufs, &mut [], &calls);
    a.null_count = -1;
    import_once(&mut a, &s, &calls, |_| {}).unwrap();
    calls.set(0);
    let bitmap = [0xffu8];
    let mut bufs = [bitmap.as_ptr().cast(), v.as_ptr().cast()];
    let mut a = fake(4, 0, &mut bufs, &mut [], &calls);
    a.null_count = -1;
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("may have nulls"), "{e}");
    // A values pointer near the top of the address space.
    calls.set(0);
    let mut bufs = [null(), (usize::MAX - 15) as *const c_void];
    let mut a = fake(4, 0, &mut bufs, &mut [], &calls);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Layout, "{e}");
    // Misaligned values.
    let e = refused(c"g", &[0u8; 40][1..], |a| a.length = 4);
    assert_eq!(e.kind(), ErrorKind::Alignment, "{e}");
    // A child pointer that is NULL.
    let calls = Cell::new(0);
    let mut bufs = [null()];
    let mut kids = [null_mut()];
    let mut a = fake(1, 0, &mut bufs, &mut kids, &calls);
    let mut leaf = schema(c"g", None, &[]);
    let s = schema(c"+w:2", None, &[leaf.ptr()]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("NULL"), "{e}");
}

/// A non-NULL pointer that must never be followed (the import refuses before).
struct NonNullDangling;
impl NonNullDangling {
    fn array() -> *mut ArrowArray {
        std::ptr::NonNull::<ArrowArray>::dangling().as_ptr()
    }
}

#[test]
fn hostile_formats() {
    let v = [0u8; 8];
    for (format, kind, text) in [
        (c"b", ErrorKind::Unsupported, "bit-packed"),
        (c"u", ErrorKind::Unsupported, "UTF-8"),
        (c"z", ErrorKind::Unsupported, "binary"),
        (c"d:10,2", ErrorKind::Unsupported, "decimal"),
        (c"tss:", ErrorKind::Unsupported, "timestamps"),
        (c"w:4", ErrorKind::Unsupported, "fixed-size binary"),
        (c"+m", ErrorKind::Unsupported, "maps"),
        (c"x", ErrorKind::Format, "not an Arrow format"),
        (c"", ErrorKind::Format, "not an Arrow format"),
        (c"ff", ErrorKind::Format, "not an Arrow format"),
        (c"+w:", ErrorKind::Format, "list size"),
        (c"+w:-1", ErrorKind::Format, "list size"),
        (c"+w:2147483648", ErrorKind::Format, "list size"),
        (
            c"+w:99999999999999999999999",
            ErrorKind::Format,
            "list size",
        ),
        (c"\xff", ErrorKind::Format, "UTF-8"),
    ] {
        let e = refused(format, &v, |_| {});
        assert_eq!(e.kind(), kind, "{format:?}: {e}");
        assert!(e.to_string().contains(text), "{format:?}: {e}");
    }
    // Struct and list storage without a tensor extension.
    let calls = Cell::new(0);
    let mut bufs = [null()];
    let mut a = fake(0, 0, &mut bufs, &mut [], &calls);
    let s = schema(c"+s", None, &[]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("struct"), "{e}");
    // A dictionary-encoded schema.
    let calls = Cell::new(0);
    let mut bufs = buffers(&v);
    let mut a = fake(8, 0, &mut bufs, &mut [], &calls);
    let mut dict = schema(c"u", None, &[]);
    let mut s = schema(c"c", None, &[]);
    s.dictionary = dict.ptr();
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("dictionary"), "{e}");
    // Schema children that disagree with the format.
    let calls = Cell::new(0);
    let mut a = fake(8, 0, &mut bufs, &mut [], &calls);
    let mut extra = schema(c"c", None, &[]);
    let s = schema(c"c", None, &[extra.ptr()]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("n_children 1"), "{e}");
}

#[test]
fn bool8_storage_and_values() {
    let bytes = [0u8, 1, 2];
    let calls = Cell::new(0);
    let mut bufs = buffers(&bytes);
    let mut a = fake(3, 0, &mut bufs, &mut [], &calls);
    let meta = encode(&[
        ("ARROW:extension:name", "arrow.bool8"),
        ("ARROW:extension:metadata", ""),
    ]);
    let s = schema(c"c", Some(&meta), &[]);
    import_once(&mut a, &s, &calls, |i| {
        assert_eq!(i.array().item(), &bool::item_type());
        // Arrow allows any non-zero byte for true; a `bool` read refuses the 2.
        let e = i.array().typed::<bool>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert_eq!(
            i.array().cast::<u8>().unwrap().to_vec::<u8>().unwrap(),
            [0, 1, 2]
        );
    })
    .unwrap();
    let calls = Cell::new(0);
    let mut a = fake(3, 0, &mut bufs, &mut [], &calls);
    let s = schema(c"i", Some(&meta), &[]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("bool8"), "{e}");
}

#[test]
fn hostile_tensor_metadata() {
    let values: Vec<u8> = (0..24).collect();
    for (json, text) in [
        ("", "no \"shape\""),
        ("{}", "no \"shape\""),
        ("{\"shape\":[2,3]", "expected"),
        ("{\"shape\":[2,4]}", "does not hold"),
        ("{\"shape\":[2,-3]}", "non-negative"),
        ("{\"shape\":[2,3.0]}", "non-negative"),
        ("{\"shape\":[2,03]}", "leading zero"),
        ("{\"shape\":[6],\"shape\":[6]}", "duplicate"),
        ("{\"shape\":[2,3],\"permutation\":[0,0]}", "not a permutation"),
        ("{\"shape\":[2,3],\"permutation\":[0]}", "not a permutation"),
        ("{\"shape\":[2,3],\"permutation\":[1,2]}", "not a permutation"),
        ("{\"shape\":[2,3],\"dim_names\":[\"a\"]}", "dim_names"),
        ("{\"shape\":[2,3],\"dim_names\":[\"a\",3]}", "expected `\"`"),
        ("{\"shape\":[2,3]} x", "text after"),
        ("{\"shape\":[2,3],\"other\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "nested"),
        ("{\"shape\":[2,3],\"dim_names\":[\"\\ud800\",\"b\"]}", "surrogate"),
        ("[2,3]", "expected `{`"),
        ("{\"shape\":[18446744073709551617,1]}", "non-negative integer"),
        // Invalid values under keys the import skips (each once read as shape [2, 3]).
        (r#"{"shape":[2,3],"a":e}"#, "expected a JSON value at byte 19"),
        (r#"{"shape":[2,3],"a":01}"#, "leading zero at byte 19"),
        (r#"{"shape":[2,3],"a":+1}"#, "expected a JSON value at byte 19"),
        (r#"{"shape":[2,3],"a":1.2.3}"#, "expected `,` at byte 22"),
        (r#"{"shape":[2,3],"a":[E,+,.]}"#, "expected a JSON value at byte 20"),
        (r#"{"shape":[2,03]}"#, "leading zero at byte 12"),
    ] {
        let calls = Cell::new(0);
        let child_calls = Cell::new(0);
        let mut child_bufs = buffers(&values);
        let mut child = fake(24, 0, &mut child_bufs, &mut [], &child_calls);
        let mut bufs = [null()];
        let mut kids = [&raw mut child];
        let mut a = fake(4, 0, &mut bufs, &mut kids, &calls);
        let meta = tensor_meta(json);
        let mut leaf = schema(c"C", None, &[]);
        let s = schema(c"+w:6", Some(&meta), &[leaf.ptr()]);
        let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
        assert!(e.to_string().contains(text), "{json}: {e}");
    }
    // Unknown keys are ignored, escapes read.
    let calls = Cell::new(0);
    let child_calls = Cell::new(0);
    let mut child_bufs = buffers(&values);
    let mut child = fake(24, 0, &mut child_bufs, &mut [], &child_calls);
    let mut bufs = [null()];
    let mut kids = [&raw mut child];
    let mut a = fake(4, 0, &mut bufs, &mut kids, &calls);
    let meta = tensor_meta(
        r#" { "extra" : {"a": [true, null, -1.5e3]}, "shape" : [ 2 , 3 ], "dim_names": ["\u00e9\n", "\ud83d\ude00"] } "#,
    );
    let mut leaf = schema(c"C", None, &[]);
    let s = schema(c"+w:6", Some(&meta), &[leaf.ptr()]);
    import_once(&mut a, &s, &calls, |i| {
        assert_eq!(i.array().shape(), [4, 2, 3]);
        assert_eq!(i.dim_names().unwrap(), ["é\n", "😀"]);
    })
    .unwrap();
    // Negative lengths in the binary metadata encoding.
    let calls = Cell::new(0);
    let mut bufs = buffers(&values);
    let mut a = fake(24, 0, &mut bufs, &mut [], &calls);
    let mut bad = encode(&[("k", "v")]);
    bad[4..8].copy_from_slice(&(-5i32).to_ne_bytes());
    let s = schema(c"C", Some(&bad), &[]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("negative"), "{e}");
}

#[test]
fn unknown_extensions_read_as_their_storage() {
    let values = [1i64, 2];
    let calls = Cell::new(0);
    let mut bufs = buffers(&values);
    let mut a = fake(2, 0, &mut bufs, &mut [], &calls);
    let meta = encode(&[("ARROW:extension:name", "example.unit"), ("other", "x")]);
    let s = schema(c"l", Some(&meta), &[]);
    import_once(&mut a, &s, &calls, |i| {
        assert_eq!(i.extension(), Some("example.unit"));
        assert_eq!(i.array().to_vec::<i64>().unwrap(), [1, 2]);
    })
    .unwrap();
}

#[test]
fn records_with_nested_records_and_sub_arrays() {
    let t = ItemType::record(
        vec![
            Field::new(Some("a"), 0, u16::item_type()),
            Field::new(
                Some("inner"),
                2,
                ItemType::record(vec![Field::new(Some("b"), 0, u8::item_type())], 1).unwrap(),
            ),
            Field::new(
                Some("m"),
                4,
                ItemType::array(f32::item_type(), &[2, 2]).unwrap(),
            ),
        ],
        20,
    )
    .unwrap();
    let bytes = vec![0u8; 40];
    let owned = ArrayView::new(&bytes, t, &[2], None, 0)
        .unwrap()
        .to_contiguous(Order::C)
        .unwrap();
    let (schema, _array) = export(owned, &copy()).unwrap();
    assert_eq!(format(&schema), "+s");
    assert_eq!(format(schema_child(&schema, 1)), "+s");
    assert_eq!(format(schema_child(&schema, 2)), "+w:4");
    assert_eq!(
        extension(schema_child(&schema, 2)).unwrap().1,
        r#"{"shape":[2,2]}"#
    );
}

#[test]
fn tensors_of_bools_and_of_empty_rows() {
    let bools = ArrayView::from_slice(&[true, false, false, true], &[2, 2])
        .unwrap()
        .to_contiguous(Order::C)
        .unwrap();
    let (schema, mut array) = export(bools, &ExportOptions::default()).unwrap();
    assert_eq!(format(schema_child(&schema, 0)), "c");
    assert_eq!(
        extension(schema_child(&schema, 0)),
        Some(("arrow.bool8".into(), String::new()))
    );
    // SAFETY: fresh export.
    let i = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(i.array().item(), &bool::item_type());
    assert_eq!(
        i.array().to_vec::<bool>().unwrap(),
        [true, false, false, true]
    );

    // Rows of zero values: `+w:0`, and the inner shape kept.
    let empty = Array::zeros(f32::item_type(), &[3, 0, 2], Order::C).unwrap();
    let (schema, mut array) = export(empty, &ExportOptions::default()).unwrap();
    assert_eq!(format(&schema), "+w:0");
    assert_eq!(extension(&schema).unwrap().1, r#"{"shape":[0,2]}"#);
    // SAFETY: fresh export.
    let i = unsafe { ArrowImport::from_raw(&mut array, &schema) }.unwrap();
    assert_eq!(i.array().shape(), [3, 0, 2]);
}

/// Imports 2 rows of `arrow.fixed_shape_tensor` with `json` metadata over `+w:0` storage of
/// `c` values (no values at all) and hands the import to `check`.
fn empty_tensor_rows(json: &str, check: impl FnOnce(&ArrowImport)) -> Result<(), Error> {
    let values: [i8; 0] = [];
    let (calls, child_calls) = (Cell::new(0), Cell::new(0));
    let mut child_bufs = buffers(&values);
    let mut child = fake(0, 0, &mut child_bufs, &mut [], &child_calls);
    let mut bufs = [null()];
    let mut kids = [&raw mut child];
    let mut a = fake(2, 0, &mut bufs, &mut kids, &calls);
    let meta = tensor_meta(json);
    let mut leaf = schema(c"c", None, &[]);
    let s = schema(c"+w:0", Some(&meta), &[leaf.ptr()]);
    import_once(&mut a, &s, &calls, check)
}

#[test]
fn empty_tensors_with_huge_axes_copy_to_zero_bytes() {
    let huge = isize::MAX as usize;
    for (json, shape) in [
        (r#"{"shape":[9223372036854775807,0]}"#, vec![2, huge, 0]),
        (r#"{"shape":[0,9223372036854775807]}"#, vec![2, 0, huge]),
        // Strides past isize::MAX however they are ordered: no element reaches them.
        (
            r#"{"shape":[4611686018427387904,4,0]}"#,
            vec![2, 1 << 62, 4, 0],
        ),
        (
            r#"{"shape":[4611686018427387904,4,0],"permutation":[2,0,1]}"#,
            vec![2, 0, 1 << 62, 4],
        ),
    ] {
        empty_tensor_rows(json, |i| {
            let v = i.array();
            assert_eq!(v.shape(), &shape[..], "{json}");
            assert_eq!(v.len(), 0);
            for order in [Order::C, Order::Fortran] {
                let c = v.to_contiguous(order).unwrap();
                assert_eq!(c.shape(), &shape[..]);
                assert!(c.bytes().is_empty(), "{json}");
            }
            let n = v.to_native_order().unwrap();
            assert_eq!(n.shape(), &shape[..]);
            assert!(n.bytes().is_empty());
            assert!(v.to_vec::<i8>().unwrap().is_empty());
        })
        .unwrap_or_else(|e| panic!("{json}: {e}"));
    }
    // The same shapes as plain arrays.
    let bytes: [u8; 0] = [];
    let v = ArrayView::new(&bytes, u8::item_type(), &[2, huge, 0], None, 0).unwrap();
    assert!(v.to_contiguous(Order::C).unwrap().bytes().is_empty());
    let v = ArrayView::new(
        &bytes,
        u8::item_type(),
        &[usize::MAX, 3, 0],
        Some(&[0, 0, 0]),
        0,
    )
    .unwrap();
    assert!(v.to_contiguous(Order::Fortran).unwrap().bytes().is_empty());
    let z = Array::zeros(u8::item_type(), &[2, huge, 0, 7], Order::C).unwrap();
    assert!(z.bytes().is_empty());
}

#[test]
fn tensor_rows_from_an_offset_with_a_permutation() {
    // Rows 1 and 2 of a storage of 3 rows, each physically [3, 2], logically [2, 3].
    let values: Vec<u8> = (0..18).collect();
    let (calls, child_calls) = (Cell::new(0), Cell::new(0));
    let mut child_bufs = buffers(&values);
    let mut child = fake(18, 0, &mut child_bufs, &mut [], &child_calls);
    let mut bufs = [null()];
    let mut kids = [&raw mut child];
    let mut a = fake(2, 1, &mut bufs, &mut kids, &calls);
    let meta = tensor_meta(r#"{"shape":[3,2],"permutation":[1,0]}"#);
    let mut leaf = schema(c"C", None, &[]);
    let s = schema(c"+w:6", Some(&meta), &[leaf.ptr()]);
    import_once(&mut a, &s, &calls, |i| {
        let v = i.array();
        assert_eq!((v.shape(), v.strides()), (&[2, 2, 3][..], &[6, 1, 2][..]));
        assert_eq!(
            v.to_vec::<u8>().unwrap(),
            [6, 8, 10, 7, 9, 11, 12, 14, 16, 13, 15, 17]
        );
    })
    .unwrap();
}

#[test]
fn fixed_size_lists_need_their_one_child() {
    let calls = Cell::new(0);
    let mut bufs = [null()];
    let mut a = fake(2, 0, &mut bufs, &mut [], &calls);
    let s = schema(c"+w:2", None, &[]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("n_children 0"), "{e}");
    // The schema is right, the array has no child.
    let calls = Cell::new(0);
    let mut a = fake(2, 0, &mut bufs, &mut [], &calls);
    let mut leaf = schema(c"C", None, &[]);
    let s = schema(c"+w:2", None, &[leaf.ptr()]);
    let e = import_once(&mut a, &s, &calls, |_| {}).unwrap_err();
    assert!(e.to_string().contains("n_children 0"), "{e}");
}

#[test]
fn released_structures_are_inert() {
    use array_protocol::arrow::ArrowArrayStream;
    let (s, a, st) = (
        ArrowSchema::released(),
        ArrowArray::default(),
        ArrowArrayStream::default(),
    );
    assert!(s.is_released() && a.is_released() && st.is_released());
    drop((s, a, st)); // nothing to release
}

/// A C-contiguous array seen through a permutation of its axes, optionally with one axis
/// reversed and one stepped by 2.
#[derive(Debug, Clone)]
struct Reordered {
    data: Vec<u32>,
    shape: Vec<usize>,
    axes: Vec<usize>,
    reverse: Option<usize>,
    step: Option<usize>,
}

impl ArrayProducer for Reordered {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        let mut v = ArrayView::from_slice(&self.data, &self.shape)?.permute_axes(&self.axes)?;
        if let Some(a) = self.reverse {
            v = v.reverse_axis(a)?;
        }
        if let Some(a) = self.step {
            v = v.slice(a, None, None, 2)?;
        }
        Ok(v)
    }
}

fn reordered() -> impl proptest::strategy::Strategy<Value = Reordered> {
    use proptest::prelude::*;
    (1..5usize)
        .prop_flat_map(|ndim| {
            (
                prop::collection::vec(1..5usize, ndim),
                Just((0..ndim).collect::<Vec<_>>()).prop_shuffle(),
                prop::option::weighted(0.2, 0..ndim),
                prop::option::weighted(0.2, 0..ndim),
            )
        })
        .prop_map(|(shape, axes, reverse, step)| Reordered {
            data: (0..shape.iter().product::<usize>() as u32).collect(),
            shape,
            axes,
            reverse,
            step,
        })
}

proptest::proptest! {
    #[test]
    fn reordered_arrays_round_trip(p in reordered()) {
        let expected = p.array().to_vec::<u32>().unwrap();
        let q = p.clone();
        let (lo, hi) = (q.data.as_ptr() as usize, q.data.as_ptr() as usize + 4 * q.data.len());
        let plain = p.reverse.is_none() && p.step.is_none();
        // Rows outermost and the inner axes in any order that is its own inverse (swaps):
        // always without a copy.
        let inner: Vec<usize> = p.axes.iter().skip(1).map(|&a| a.wrapping_sub(1)).collect();
        let involution = inner.iter().enumerate().all(|(i, &a)| inner.get(a) == Some(&i));
        let describable = plain && (p.axes.len() == 1 || (p.axes[0] == 0 && involution));
        match export(q, &ExportOptions::default()) {
            Ok((schema, array)) => {
                let values = if array.n_children == 1 {
                    // SAFETY: an exported tensor has one child with two buffers.
                    unsafe { *(**array.children).buffers.add(1) }
                } else {
                    // SAFETY: an exported primitive array has two buffers.
                    unsafe { *array.buffers.add(1) }
                } as usize;
                proptest::prop_assert!(expected.is_empty() || (lo..hi).contains(&values), "not zero-copy");
                // SAFETY: a fresh export.
                let i = unsafe { ArrowImport::from_parts(array, &schema) }.unwrap();
                proptest::prop_assert_eq!(i.array().shape().to_vec(), p.array().shape().to_vec());
                proptest::prop_assert_eq!(i.array().to_vec::<u32>().unwrap(), expected.clone());
            }
            Err(e) => {
                proptest::prop_assert!(!describable, "refused a describable layout: {}", e);
                proptest::prop_assert_eq!(e.kind(), ErrorKind::Layout);
            }
        }
        let i = round_trip(p.clone(), &copy());
        proptest::prop_assert_eq!(i.array().shape().to_vec(), p.array().shape().to_vec());
        proptest::prop_assert_eq!(i.array().to_vec::<u32>().unwrap(), expected);
    }
}

/// A producer that names its axes.
struct Named(Vec<u8>);

impl ArrayProducer for Named {
    fn try_array(&self) -> Result<ArrayView<'_>, Error> {
        ArrayView::from_slice(&self.0, &[2, 3, 4])
    }
    fn axis_names(&self) -> Option<&[&str]> {
        Some(&["H", "W", "C"])
    }
}

#[test]
fn producers_name_their_axes() {
    let (schema, _array) = export(Named(vec![0; 24]), &ExportOptions::default()).unwrap();
    assert_eq!(
        extension(&schema).unwrap().1,
        r#"{"shape":[3,4],"dim_names":["W","C"]}"#
    );
    // Names the caller gives win.
    let options = ExportOptions {
        dim_names: Some(vec!["x".into(), "y".into()]),
        ..ExportOptions::default()
    };
    let (schema, _array) = export(Named(vec![0; 24]), &options).unwrap();
    assert_eq!(
        extension(&schema).unwrap().1,
        r#"{"shape":[3,4],"dim_names":["x","y"]}"#
    );
}
