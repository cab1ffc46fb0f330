//! The ecosystem adapters against the crates users would otherwise reach for, side by side:
//! an `image::RgbaImage` as an ndarray view (vs `nshare`), and opening a 1 GiB `.npy` (vs
//! `ndarray-npy`'s reader). `scripts/bench-ecosystem.sh` prints the ratios.

use std::hint::black_box;
use std::io::Write;

use array_protocol::mmap::MmapArray;
use array_protocol::{ArrayConsumer, ArrayProducer, FromArrayView, TypedViewN};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::ArrayView3;
use ndarray_npy::ReadNpyExt;
use nshare::AsNdarray3;

fn image_to_ndarray(c: &mut Criterion) {
    let img = image::RgbaImage::from_fn(512, 512, |x, y| image::Rgba([x as u8, y as u8, 0, 255]));
    let mut g = c.benchmark_group("image_to_ndarray");
    g.bench_function("array_protocol", |b| {
        b.iter(|| {
            let v = ArrayView3::<u8>::from_array_view(black_box(&img).array()).expect("3-D u8");
            black_box(v[[1, 2, 0]])
        })
    });
    g.bench_function("array_protocol_typed", |b| {
        b.iter(|| {
            let samples = TypedViewN::from_image(black_box(&img)).expect("an image");
            let v = ArrayView3::<u8>::try_from(samples).expect("3-D u8");
            black_box(v[[1, 2, 0]])
        })
    });
    g.bench_function("nshare", |b| {
        b.iter(|| {
            let v = black_box(&img).as_ndarray3();
            black_box(v[[0, 2, 1]])
        })
    });
    g.finish();

    // The other way: an ndarray view of RGBA samples copied into an `RgbaImage`.
    let samples =
        ndarray::Array3::<u8>::from_shape_fn((512, 512, 4), |(y, x, c)| (x + y + c) as u8);
    let mut g = c.benchmark_group("ndarray_to_image");
    g.bench_function("array_protocol", |b| {
        b.iter(|| {
            let img = image::RgbaImage::from_array(&black_box(&samples).array()).expect("RGBA");
            black_box(img.as_raw()[5])
        })
    });
    g.bench_function("from_raw_to_vec", |b| {
        b.iter(|| {
            let s = black_box(&samples);
            let raw = s.as_slice().expect("contiguous").to_vec();
            let img = image::RgbaImage::from_raw(512, 512, raw).expect("RGBA");
            black_box(img.as_raw()[5])
        })
    });
    g.finish();
}

/// A `.npy` of `n` f64 zeros, written as a header and a sparse extent.
fn zeros_npy(path: &std::path::Path, n: usize) {
    let header = {
        let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({n},), }}");
        let total = (10 + dict.len() + 1).div_ceil(64) * 64;
        let mut h = b"\x93NUMPY\x01\x00".to_vec();
        h.extend_from_slice(&((total - 10) as u16).to_le_bytes());
        h.extend_from_slice(dict.as_bytes());
        h.resize(total - 1, b' ');
        h.push(b'\n');
        h
    };
    let mut f = std::fs::File::create(path).expect("create");
    f.write_all(&header).expect("write");
    f.set_len((header.len() + 8 * n) as u64).expect("extend");
}

fn npy_open(c: &mut Criterion) {
    let dir = std::env::temp_dir();
    let big = dir.join(format!(
        "array-protocol-bench-1g-{}.npy",
        std::process::id()
    ));
    let small = dir.join(format!(
        "array-protocol-bench-1m-{}.npy",
        std::process::id()
    ));
    zeros_npy(&big, 1 << 27); // 1 GiB of f64
    zeros_npy(&small, 1 << 17); // 1 MiB
    let mut g = c.benchmark_group("npy_open");
    g.sample_size(10);
    for (name, path) in [("1GiB", &big), ("1MiB", &small)] {
        g.bench_function(format!("mmap_{name}"), |b| {
            b.iter(|| {
                // SAFETY: the benchmark's own file, not modified while mapped.
                let m = unsafe { MmapArray::open(path) }.expect("opens");
                black_box(m.array().len())
            })
        });
        g.bench_function(format!("ndarray_npy_{name}"), |b| {
            b.iter(|| {
                let a = ndarray::Array1::<f64>::read_npy(std::fs::File::open(path).expect("opens"))
                    .expect("reads");
                black_box(a.len())
            })
        });
    }
    g.finish();
    let _ = std::fs::remove_file(&big);
    let _ = std::fs::remove_file(&small);
}

criterion_group!(benches, image_to_ndarray, npy_open);
criterion_main!(benches);
