//! A fresh copy of a 200 MB contiguous f64 array: `to_contiguous` of an `Array` (the crate's own
//! memory, as `np.array(x)` copies numpy's) and of a view over a `Vec<f64>`, against
//! `slice.to_vec()` of the same bytes, with the minor page faults each call takes. `scripts/bench-copy.sh` runs this
//! interleaved with numpy's `np.array(x)` and prints the ratios.
//!
//! Usage: `cargo bench -p array-protocol --bench copy -- [REPS]`. Prints one line per case:
//! `name median_ms faults_per_call`, each the median over `REPS` calls (default 7).

use std::hint::black_box;
use std::time::Instant;

use array_protocol::{ArrayView, Element, Order};

const LEN: usize = 25_000_000; // f64s: 200 MB

/// Minor page faults of this process so far.
fn minor_faults() -> i64 {
    // SAFETY: `rusage` is plain integers, for which all zero bytes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` for the call to fill.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    usage.ru_minflt
}

/// Median time (ms) and median minor faults of `reps` calls of `f`; what `f` returns is dropped
/// outside the timed region, as a caller would keep it.
fn measure<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, i64) {
    let mut times = Vec::with_capacity(reps);
    let mut faults = Vec::with_capacity(reps);
    for _ in 0..reps {
        let f0 = minor_faults();
        let t = Instant::now();
        let out = black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
        faults.push(minor_faults() - f0);
        drop(out);
    }
    times.sort_by(f64::total_cmp);
    faults.sort_unstable();
    (times[reps / 2], faults[reps / 2])
}

fn main() {
    // `cargo bench` passes `--bench`; the first number is the repetition count.
    let reps = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(7)
        .max(1);
    let data: Vec<f64> = (0..LEN).map(|i| i as f64).collect();
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let view = ArrayView::new(bytes, f64::item_type(), &[LEN], None, 0).expect("a valid view");

    // The same values in the crate's own array, as numpy's `x` is in numpy's.
    let own = view.to_contiguous(Order::C).expect("memory for the copy");
    assert_eq!(own.bytes(), bytes, "to_contiguous copies every byte");

    let (ms, faults) = measure(reps, || own.to_contiguous(Order::C).expect("memory"));
    println!("to_contiguous {ms:.3} {faults}");
    let (ms, faults) = measure(reps, || view.to_contiguous(Order::C).expect("memory"));
    println!("to_contiguous_of_vec {ms:.3} {faults}");
    let (ms, faults) = measure(reps, || black_box(&data[..]).to_vec());
    println!("slice_to_vec {ms:.3} {faults}");
}
