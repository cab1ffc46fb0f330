//! Parsing PEP 3118 formats. `scripts/bench-item-types.sh` runs this with the same formats timed
//! in CPython's `struct.calcsize` and numpy's PEP 3118 reader, and prints the ratios.

use array_protocol::ItemType;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn formats(set: &str) -> Vec<&'static str> {
    include_str!("formats.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .filter(|(s, _)| *s == set)
        .map(|(_, f)| f)
        .collect()
}

fn parse(c: &mut Criterion) {
    for set in ["struct", "numpy"] {
        let formats = formats(set);
        // One iteration parses every format of the set once.
        c.bench_function(&format!("parse_{set}_set"), |b| {
            b.iter(|| {
                for f in &formats {
                    black_box(ItemType::from_pep3118(black_box(f)).expect("valid format"));
                }
            })
        });
    }
    let t = ItemType::from_pep3118("T{(3)f:pos:I:id:d:mass:}").expect("valid format");
    c.bench_function("render_particle", |b| {
        b.iter(|| black_box(black_box(&t).to_pep3118()))
    });
}

criterion_group!(benches, parse);
criterion_main!(benches);
