//! Views and copies against ndarray and plain slices, measured side by side.
//! `scripts/bench-views.sh` runs this and prints the ratios.

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use array_protocol::{ArrayView, ArrayViewMut, Element, Order, TypedViewN};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{
    Array1, Array2, ArrayView1, ArrayView2, ArrayView3, ArrayViewD, IxDyn, ShapeBuilder,
};
use num_complex::Complex64;

/// Counts allocations, to show that views of up to four axes allocate nothing.
struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn export_and_read(bytes: &[u8], shape: &[usize], strides: &[isize], index: &[usize]) -> f64 {
    let view = ArrayView::new(bytes, f64::item_type(), shape, Some(strides), 0).expect("valid");
    let typed = view.typed::<f64>().expect("f64");
    *typed.get(index).expect("in range")
}

fn views(c: &mut Criterion) {
    let data: Vec<f64> = (0..4 * 5 * 6).map(f64::from).collect();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let mut g = c.benchmark_group("view3d");
    g.bench_function("array_protocol", |b| {
        b.iter(|| {
            export_and_read(
                black_box(bytes),
                black_box(&[4, 5, 6]),
                black_box(&[240, 48, 8]),
                black_box(&[1, 2, 3]),
            )
        })
    });
    g.bench_function("array_protocol_fixed", |b| {
        b.iter(|| {
            let v = TypedViewN::<f64, 3>::new(
                black_box(bytes),
                black_box([4, 5, 6]),
                black_box([240, 48, 8]),
                0,
            )
            .expect("valid");
            *v.get(black_box([1, 2, 3])).expect("in range")
        })
    });
    g.bench_function("ndarray", |b| {
        b.iter(|| {
            let v = ArrayView3::from_shape((4, 5, 6).strides((30, 6, 1)), black_box(&data[..]))
                .expect("valid");
            v[black_box([1, 2, 3])]
        })
    });
    // The reference the target names: ndarray with run-time axes, as ours.
    g.bench_function("ndarray_dyn", |b| {
        b.iter(|| {
            let shape: &[usize] = black_box(&[4, 5, 6]);
            let strides: &[usize] = black_box(&[30, 6, 1]);
            let v =
                ArrayViewD::from_shape(IxDyn(shape).strides(IxDyn(strides)), black_box(&data[..]))
                    .expect("valid");
            v[black_box(&[1usize, 2, 3][..])]
        })
    });
    g.finish();
    // Allocations per export of 1 to 6 axes.
    for ndim in 1..=6 {
        let shape = vec![2usize; ndim];
        let strides: Vec<isize> = (0..ndim).rev().map(|k| 8 << k).collect();
        let index = vec![1usize; ndim];
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..1000 {
            black_box(export_and_read(bytes, &shape, &strides, &index));
        }
        let per_call = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0;
        println!("allocations per export+validate+typed read, {ndim} axes: {per_call}");
    }

    record_allocations();

    let n = 1 << 20;
    let xs: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
    let xb: &[u8] = bytemuck::cast_slice(&xs);
    let mut g = c.benchmark_group("iterate_1m_f64");
    g.throughput(Throughput::Bytes(8 * n as u64));
    g.bench_function("typed_view", |b| {
        let v = ArrayView::new(xb, f64::item_type(), &[n], None, 0).expect("valid");
        let t = v.typed::<f64>().expect("f64");
        b.iter(|| black_box(&t).iter().sum::<f64>())
    });
    g.bench_function("slice", |b| {
        b.iter(|| black_box(&xs[..]).iter().sum::<f64>())
    });
    g.finish();
}

#[derive(array_protocol::Element, Clone, Copy)]
#[repr(C)]
struct Particle {
    pos: [f32; 3],
    id: u32,
    mass: f64,
}

/// Allocations per call of the item-type and view paths that must not allocate.
fn record_allocations() {
    use array_protocol::{ArrayProducer, ItemType};
    fn count(what: &str, mut f: impl FnMut()) {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..1000 {
            f();
        }
        let per_call = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0;
        println!("allocations per call, {what}: {per_call}");
    }
    let parsed = ItemType::from_pep3118("T{(3)f:pos:I:id:d:mass:}").expect("valid");
    let particles = vec![
        Particle {
            pos: [0.0; 3],
            id: 0,
            mass: 1.0
        };
        64
    ];
    count("Element::item_type() of a derived record", || {
        black_box(Particle::item_type());
    });
    count("clone() of a parsed record item type", || {
        black_box(black_box(&parsed).clone());
    });
    count("view of Vec<Record> through ArrayProducer", || {
        black_box(black_box(&particles).array());
    });
    let view = particles.array();
    count("typed::<Record>() on it", || {
        black_box(black_box(&view).typed::<Particle>().expect("typed"));
    });
    count("parse of a scalar format (`<d`)", || {
        black_box(ItemType::from_pep3118(black_box("<d")).expect("valid"));
    });
    count("parse of a sub-array format (`(2,3)f`)", || {
        black_box(ItemType::from_pep3118(black_box("(2,3)f")).expect("valid"));
    });
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    view: fn(&[u8]) -> ArrayView<'_>,
    out_len: usize,
}

fn cases() -> Vec<Case> {
    let complex: Vec<Complex64> = (0..16 << 20)
        .map(|k| Complex64::new(k as f64, -(k as f64)))
        .collect();
    let square: Vec<f32> = (0..4096 * 4096).map(|k| k as f32).collect();
    let wide: Vec<f64> = (0..64 << 20).map(|k| k as f64).collect();
    vec![
        Case {
            name: "real_16M_c128",
            bytes: bytemuck::cast_slice(&complex).to_vec(),
            view: |b| {
                ArrayView::new(b, Complex64::item_type(), &[16 << 20], None, 0)
                    .unwrap()
                    .real()
                    .unwrap()
            },
            out_len: 8 * (16 << 20),
        },
        Case {
            name: "transpose_4096_f32",
            bytes: bytemuck::cast_slice(&square).to_vec(),
            view: |b| {
                ArrayView::new(b, f32::item_type(), &[4096, 4096], None, 0)
                    .unwrap()
                    .transpose()
            },
            out_len: 4 * 4096 * 4096,
        },
        Case {
            name: "stride2_32M_f64",
            bytes: bytemuck::cast_slice(&wide).to_vec(),
            view: |b| {
                ArrayView::new(b, f64::item_type(), &[64 << 20], None, 0)
                    .unwrap()
                    .slice(0, None, None, 2)
                    .unwrap()
            },
            out_len: 8 * (32 << 20),
        },
    ]
}

/// The same copy with ndarray, from the same bytes.
fn ndarray_assign(case: &Case, out: &mut [u8]) {
    match case.name {
        "real_16M_c128" => {
            let src: &[f64] = bytemuck::cast_slice(&case.bytes);
            let v = ArrayView1::from_shape((16 << 20).strides(2), src).unwrap();
            let mut dst = ndarray::ArrayViewMut1::from(bytemuck::cast_slice_mut::<u8, f64>(out));
            dst.assign(&v);
        }
        "transpose_4096_f32" => {
            let src: &[f32] = bytemuck::cast_slice(&case.bytes);
            let v = ArrayView2::from_shape((4096, 4096), src)
                .unwrap()
                .reversed_axes();
            let mut dst = ndarray::ArrayViewMut2::from_shape(
                (4096, 4096),
                bytemuck::cast_slice_mut::<u8, f32>(out),
            )
            .unwrap();
            dst.assign(&v);
        }
        _ => {
            let src: &[f64] = bytemuck::cast_slice(&case.bytes);
            let v = ArrayView1::from_shape((32 << 20).strides(2), src).unwrap();
            let mut dst = ndarray::ArrayViewMut1::from(bytemuck::cast_slice_mut::<u8, f64>(out));
            dst.assign(&v);
        }
    }
}

fn ndarray_owned(case: &Case) -> usize {
    match case.name {
        "real_16M_c128" => {
            let src: &[f64] = bytemuck::cast_slice(&case.bytes);
            let v = ArrayView1::from_shape((16 << 20).strides(2), src).unwrap();
            let a: Array1<f64> = v.as_standard_layout().into_owned();
            a.len()
        }
        "transpose_4096_f32" => {
            let src: &[f32] = bytemuck::cast_slice(&case.bytes);
            let v = ArrayView2::from_shape((4096, 4096), src)
                .unwrap()
                .reversed_axes();
            let a: Array2<f32> = v.as_standard_layout().into_owned();
            a.len()
        }
        _ => {
            let src: &[f64] = bytemuck::cast_slice(&case.bytes);
            let v = ArrayView1::from_shape((32 << 20).strides(2), src).unwrap();
            let a: Array1<f64> = v.as_standard_layout().into_owned();
            a.len()
        }
    }
}

fn copies(c: &mut Criterion) {
    for case in cases() {
        let view = (case.view)(&case.bytes);
        let mut g = c.benchmark_group(format!("copy_into/{}", case.name));
        g.sample_size(10)
            .throughput(Throughput::Bytes(case.out_len as u64));
        let mut out = vec![0u8; case.out_len];
        let reference = vec![1u8; case.out_len];
        g.bench_function(BenchmarkId::from_parameter("array_protocol"), |b| {
            b.iter(|| {
                let mut dst =
                    ArrayViewMut::new(&mut out, view.item().clone(), view.shape(), None, 0)
                        .unwrap();
                view.copy_into(&mut dst).unwrap();
            })
        });
        g.bench_function(BenchmarkId::from_parameter("copy_from_slice"), |b| {
            b.iter(|| out.copy_from_slice(black_box(&reference)))
        });
        g.bench_function(BenchmarkId::from_parameter("ndarray_assign"), |b| {
            b.iter(|| ndarray_assign(&case, &mut out))
        });
        g.finish();

        let mut g = c.benchmark_group(format!("to_contiguous/{}", case.name));
        g.sample_size(10)
            .throughput(Throughput::Bytes(case.out_len as u64));
        g.bench_function(BenchmarkId::from_parameter("array_protocol"), |b| {
            b.iter(|| view.to_contiguous(Order::C).unwrap())
        });
        g.bench_function(
            BenchmarkId::from_parameter("ndarray_standard_layout"),
            |b| b.iter(|| ndarray_owned(&case)),
        );
        g.bench_function(BenchmarkId::from_parameter("fresh_to_vec"), |b| {
            b.iter(|| black_box(&reference[..]).to_vec())
        });
        g.finish();
    }
}

criterion_group!(benches, views, copies);
criterion_main!(benches);
