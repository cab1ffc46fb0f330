//! `N` passes of the PEP 3118 reader over one set of `formats.txt`, for instruction counts
//! under callgrind (`scripts/instructions-parse.sh`): `parse_passes SET N`.

use array_protocol::ItemType;
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(set), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: parse_passes SET N");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let formats: Vec<&str> = include_str!("formats.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .filter(|(s, _)| *s == set)
        .map(|(_, f)| f)
        .collect();
    for _ in 0..n {
        for f in &formats {
            black_box(ItemType::from_pep3118(black_box(f)).expect("valid format"));
        }
    }
}
