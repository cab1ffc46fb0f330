//! `.npy` files: numpy-written files opened by `MmapArray`, Rust-written files loaded by numpy.

use array_protocol::mmap::{write_npy, MmapArray};
use array_protocol::{ArrayProducer, ArrayView, Element, ErrorKind, ItemType};
use array_protocol_tests::{python, run};
use serde_json::{json, Value};
use std::path::Path;

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("array-protocol-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn open(dir: &Path, name: &str) -> Result<MmapArray, array_protocol::Error> {
    // SAFETY: the test's own files; nothing writes them while mapped.
    unsafe { MmapArray::open(dir.join(format!("{name}.npy"))) }
}

#[test]
fn numpy_files_open_mapped() {
    let Some(py) = python() else { return };
    let dir = tempdir("npy-read");
    run(&py, "npy_fixtures.py", &["write".as_ref(), dir.as_os_str()]);
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    for name in [
        "c", "f", "be", "rec", "aligned", "bool", "complex", "scalar", "empty",
    ] {
        let m = open(&dir, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let v = m.array();
        assert_eq!(json!(v.shape()), expected[name]["shape"], "{name}");
        assert_eq!(
            json!(v.item().descr().to_string()),
            expected[name]["descr"],
            "{name}"
        );
        assert_eq!(
            v.is_f_contiguous() && !v.is_c_contiguous(),
            expected[name]["fortran"].as_bool().unwrap(),
            "{name}"
        );
    }
    let c = open(&dir, "c").unwrap();
    assert_eq!(
        c.array().to_vec::<f64>().unwrap(),
        (0..24).map(f64::from).collect::<Vec<_>>()
    );
    assert_eq!(
        c.array().as_ptr() as usize % 64,
        0,
        "numpy aligns the data to 64 bytes"
    );
    let f = open(&dir, "f").unwrap();
    assert_eq!(
        f.array().to_vec::<i32>().unwrap(),
        (0..24).collect::<Vec<_>>()
    );
    assert_eq!(f.array().typed::<i32>().unwrap()[[1, 2, 3]], 23);
    let be = open(&dir, "be").unwrap();
    assert_eq!(
        be.array().to_vec::<i32>().unwrap_err().kind(),
        ErrorKind::ByteOrder
    );
    assert_eq!(
        be.array().to_vec_native::<i32>().unwrap(),
        (0..12).collect::<Vec<_>>()
    );
    let rec = open(&dir, "rec").unwrap();
    let r = rec.array();
    assert_eq!(r.field("pos").unwrap().typed::<f32>().unwrap()[[3, 2]], 9.0);
    assert_eq!(
        r.field("id").unwrap().to_vec::<u32>().unwrap(),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(
        r.field("mass").unwrap().to_vec::<f64>().unwrap(),
        [0.0, 0.5, 1.0, 1.5, 2.0]
    );
    let al = open(&dir, "aligned").unwrap();
    assert_eq!(
        al.array()
            .field("c")
            .unwrap()
            .to_vec_native::<f64>()
            .unwrap(),
        [0.5, 1.5, 2.5]
    );
    assert_eq!(
        open(&dir, "bool")
            .unwrap()
            .array()
            .to_vec::<bool>()
            .unwrap(),
        [true, false, false, true]
    );
    assert_eq!(
        open(&dir, "scalar")
            .unwrap()
            .array()
            .to_vec::<f64>()
            .unwrap(),
        [7.5]
    );
    assert_eq!(
        open(&dir, "complex")
            .unwrap()
            .array()
            .imag()
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        [-1.0, -2.0]
    );
    let v2 = open(&dir, "v2").unwrap();
    assert_eq!((v2.header().version, v2.array().len()), ((2, 0), 24));
    let v3 = open(&dir, "v3").unwrap();
    assert_eq!(v3.header().version, (3, 0));
    assert!(v3.array().item().field("μ").is_some());
    // The safe, copying reader sees the same.
    let read = MmapArray::read(dir.join("rec.npy")).unwrap();
    assert_eq!(
        read.array().field("id").unwrap().to_vec::<u32>().unwrap(),
        [0, 1, 2, 3, 4]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_files_are_refused_clearly() {
    let Some(py) = python() else { return };
    let dir = tempdir("npy-bad");
    run(&py, "npy_fixtures.py", &["write".as_ref(), dir.as_os_str()]);
    let message = |name: &str| {
        open(&dir, name)
            .err()
            .unwrap_or_else(|| panic!("{name} opened"))
            .to_string()
    };
    assert!(
        message("obj").contains("Python objects"),
        "{}",
        message("obj")
    );
    assert!(
        message("trunc").contains("truncated: the header describes 192 bytes of data"),
        "{}",
        message("trunc")
    );
    assert!(
        message("badver").contains(".npy format version 4.0 is not supported"),
        "{}",
        message("badver")
    );
    assert!(
        message("notnpy").contains("not a .npy file"),
        "{}",
        message("notnpy")
    );
    assert!(
        message("missing").contains("No such file"),
        "{}",
        message("missing")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Particle {
    pos: [f32; 3],
    id: u32,
    mass: f64,
}

#[test]
fn rust_files_load_in_numpy() {
    let Some(py) = python() else { return };
    let dir = tempdir("npy-write");
    let m: Vec<f64> = (0..6).map(f64::from).collect();
    let view =
        ArrayView::new(bytemuck::cast_slice(&m), f64::item_type(), &[2, 3], None, 0).unwrap();
    write_npy(dir.join("rust_transposed.npy"), &view.transpose()).unwrap();
    let particles: Vec<Particle> = (0..3)
        .map(|k| Particle {
            pos: [k as f32; 3],
            id: k,
            mass: f64::from(k) / 2.0,
        })
        .collect();
    write_npy(dir.join("rust_particles.npy"), &particles).unwrap();
    let pixels: Vec<[u8; 4]> = vec![[1, 2, 3, 255]; 2];
    write_npy(dir.join("rust_pixels.npy"), &pixels).unwrap();
    let be_bytes = [0u8, 0, 1, 0, 0, 0, 0, 2];
    let be = ArrayView::new(
        &be_bytes,
        ItemType::from_pep3118(">i").unwrap(),
        &[2],
        None,
        0,
    )
    .unwrap();
    write_npy(dir.join("rust_bigendian.npy"), &be).unwrap();
    write_npy(dir.join("rust_bools.npy"), &[true, false, true]).unwrap();
    let report: Value = serde_json::from_slice(&run(
        &py,
        "npy_fixtures.py",
        &["check".as_ref(), dir.as_os_str()],
    ))
    .unwrap();
    assert_eq!(
        report["rust_transposed.npy"]["values"],
        json!([[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]])
    );
    assert_eq!(
        report["rust_particles.npy"]["descr"],
        json!("[('pos', '<f4', (3,)), ('id', '<u4'), ('mass', '<f8')]")
    );
    assert_eq!(
        report["rust_particles.npy"]["values"]["mass"],
        json!([0.0, 0.5, 1.0])
    );
    assert_eq!(report["rust_pixels.npy"]["shape"], json!([2, 4]));
    assert_eq!(report["rust_bigendian.npy"]["str"], json!(">i4"));
    assert_eq!(report["rust_bigendian.npy"]["values"], json!([256, 2]));
    assert_eq!(
        report["rust_bools.npy"]["values"],
        json!([true, false, true])
    );
    // And back: Rust opens what it wrote.
    // SAFETY: the test's own file.
    let back = unsafe { MmapArray::open(dir.join("rust_particles.npy")) }.unwrap();
    assert_eq!(back.array().typed::<Particle>().unwrap()[[2]].id, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
