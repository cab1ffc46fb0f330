//! A `.npy` file larger than memory would comfortably copy, opened by memory-mapping it: opening
//! reads only the header, and reading a slice touches only its pages.
//!
//! Run with `cargo run --example npy_mmap [SIZE_GIB]` (default 4 GiB; the file is sparse, so it
//! takes no disk space until written, and is removed at the end).

use std::io::Write;
use std::time::Instant;

use array_protocol::mmap::MmapArray;
use array_protocol::ArrayProducer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gib: u64 = std::env::args().nth(1).map_or(Ok(4), |s| s.parse())?;
    let rows = gib * (1 << 30) / (8 * 1024);
    let path =
        std::env::temp_dir().join(format!("array-protocol-example-{}.npy", std::process::id()));

    // A numpy-format header for a (rows, 1024) float64 array, then a sparse extent of zeros,
    // and a few values written where the example will look.
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, 1024), }}");
    let total = (10 + dict.len() + 1).div_ceil(64) * 64;
    let mut header = b"\x93NUMPY\x01\x00".to_vec();
    header.extend_from_slice(&((total - 10) as u16).to_le_bytes());
    header.extend_from_slice(dict.as_bytes());
    header.resize(total - 1, b' ');
    header.push(b'\n');
    {
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&header)?;
        f.set_len(header.len() as u64 + rows * 1024 * 8)?;
        use std::io::{Seek, SeekFrom};
        let row = rows / 2;
        f.seek(SeekFrom::Start(header.len() as u64 + row * 1024 * 8))?;
        for k in 0..4u32 {
            f.write_all(&f64::from(k + 1).to_le_bytes())?;
        }
    }

    let t = Instant::now();
    // SAFETY: this example's own file; nothing else writes it while it is mapped.
    let mapped = unsafe { MmapArray::open(&path)? };
    let opened = t.elapsed();
    let view = mapped.array();
    println!(
        "{} GiB file, shape {:?}, item {}: opened in {opened:?}",
        gib,
        view.shape(),
        view.item().describe()
    );

    let t = Instant::now();
    let row = view
        .clone()
        .index_axis(0, (rows / 2) as usize)?
        .slice(0, None, Some(6), 1)?;
    let values = row.to_vec::<f64>()?;
    println!(
        "row {} [..6] = {values:?}, read in {:?}",
        rows / 2,
        t.elapsed()
    );

    drop(mapped);
    std::fs::remove_file(&path)?;
    Ok(())
}
