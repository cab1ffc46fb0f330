//! Hostile Arrow C data interface structures: any format string, metadata (tensor JSON
//! included), lengths, offsets, null counts, buffer and child counts and pointers, over memory
//! this target owns. The import refuses with an error or describes elements inside the buffers
//! it was given, and the array is released exactly once either way; children never.
#![no_main]

use std::cell::Cell;
use std::ffi::{c_void, CString};
use std::ptr::{null, null_mut};

use array_protocol::arrow::{ArrowArray, ArrowDeviceArray, ArrowImport, ArrowSchema};
use array_protocol::dlpack::DLPackArray;
use array_protocol::ArrayProducer;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

unsafe extern "C" fn count_release(a: *mut ArrowArray) {
    // SAFETY: every array built here has a live `Cell<usize>` as its private data.
    unsafe {
        let calls = &*(*a).private_data.cast::<Cell<usize>>();
        calls.set(calls.get() + 1);
        (*a).release = None;
    }
}

unsafe extern "C" fn release_schema(s: *mut ArrowSchema) {
    // SAFETY: a schema built here owns nothing.
    unsafe { (*s).release = None };
}

const STORAGE: usize = 512;

/// Everything the structures point at, owned until the end of the run.
struct Arena {
    storage: Box<[u64; STORAGE / 8]>,
    arrays: Vec<Box<ArrowArray>>,
    schemas: Vec<Box<ArrowSchema>>,
    buffer_lists: Vec<Box<[*const c_void; 4]>>,
    array_lists: Vec<Box<[*mut ArrowArray; 3]>>,
    schema_lists: Vec<Box<[*mut ArrowSchema; 3]>>,
    strings: Vec<CString>,
    metadata: Vec<Vec<u8>>,
    counters: Vec<Box<Cell<usize>>>,
}

/// A leaf's values: where they start in the storage, and how many of `size` bytes fit.
fn values_in(u: &mut Unstructured<'_>, base: *mut u8, size: usize) -> Result<(*const c_void, u64)> {
    let at = if u.ratio(7, 8)? {
        u.int_in_range(0..=8)? * 8
    } else {
        u.int_in_range(0..=STORAGE)?
    };
    Ok((base.wrapping_add(at).cast(), ((STORAGE - at) / size) as u64))
}

/// An offset and length fitting `capacity` items, or (sometimes, when `lie`) hostile ones.
fn extent(u: &mut Unstructured<'_>, capacity: u64, lie: bool) -> Result<(i64, i64)> {
    if lie && u.ratio(1, 8)? {
        let pick = [-1, i64::MIN, i64::MAX, 1 << 40, 1 << 62, 3];
        return Ok((*u.choose(&pick)?, *u.choose(&pick)?));
    }
    let offset = u.int_in_range(0..=capacity.min(16))?;
    let length = u.int_in_range(0..=(capacity - offset))?;
    Ok((offset as i64, length as i64))
}

impl Arena {
    fn counter(&mut self) -> *mut c_void {
        self.counters.push(Box::new(Cell::new(0)));
        std::ptr::from_ref(&**self.counters.last().unwrap())
            .cast_mut()
            .cast()
    }

    fn array(
        &mut self,
        u: &mut Unstructured<'_>,
        (offset, length): (i64, i64),
        n_buffers: i64,
        buffers: [*const c_void; 4],
        children: &[*mut ArrowArray],
    ) -> Result<*mut ArrowArray> {
        let mut list = [null_mut(); 3];
        list[..children.len()].copy_from_slice(children);
        self.buffer_lists.push(Box::new(buffers));
        self.array_lists.push(Box::new(list));
        let private = self.counter();
        let null_count = match u.int_in_range(0..=15)? {
            0 => -1,
            1 => u.int_in_range(-3..=3)?,
            _ => 0,
        };
        let mut a = ArrowArray {
            length,
            null_count,
            offset,
            n_buffers,
            n_children: children.len() as i64,
            buffers: self.buffer_lists.last_mut().unwrap().as_mut_ptr(),
            children: self.array_lists.last_mut().unwrap().as_mut_ptr(),
            dictionary: null_mut(),
            release: Some(count_release),
            private_data: private,
        };
        // Counts that disagree with the format (the lists have room for up to 4 and 3).
        if u.ratio(1, 32)? {
            a.n_buffers = u.int_in_range(0..=4)?;
        }
        if u.ratio(1, 32)? {
            a.n_children = u.int_in_range(0..=3)?;
        }
        if u.ratio(1, 64)? {
            a.buffers = null_mut();
        }
        if u.ratio(1, 64)? {
            a.children = null_mut();
        }
        self.arrays.push(Box::new(a));
        Ok(&raw mut **self.arrays.last_mut().unwrap())
    }

    fn schema(
        &mut self,
        u: &mut Unstructured<'_>,
        format: &str,
        name: &str,
        metadata: Option<Vec<u8>>,
        children: &[*mut ArrowSchema],
    ) -> Result<*mut ArrowSchema> {
        let format = if u.ratio(1, 32)? {
            let bytes: Vec<u8> = u
                .arbitrary::<Vec<u8>>()?
                .into_iter()
                .filter(|&b| b != 0)
                .collect();
            CString::new(bytes).unwrap()
        } else {
            CString::new(format).unwrap()
        };
        self.strings.push(format);
        let format = self.strings.last().unwrap().as_ptr();
        self.strings.push(CString::new(name).unwrap());
        let name = self.strings.last().unwrap().as_ptr();
        let metadata = match metadata {
            Some(m) => {
                self.metadata.push(m);
                self.metadata.last().unwrap().as_ptr().cast()
            }
            None => null(),
        };
        let mut list = [null_mut(); 3];
        list[..children.len()].copy_from_slice(children);
        self.schema_lists.push(Box::new(list));
        let mut n_children = children.len() as i64;
        if u.ratio(1, 32)? {
            n_children = u.int_in_range(0..=3)?;
        }
        self.schemas.push(Box::new(ArrowSchema {
            format,
            name,
            metadata,
            flags: 0,
            n_children,
            children: self.schema_lists.last_mut().unwrap().as_mut_ptr(),
            dictionary: null_mut(),
            release: Some(release_schema),
            private_data: null_mut(),
        }));
        Ok(&raw mut **self.schemas.last_mut().unwrap())
    }

    /// A primitive leaf: schema and array.
    fn leaf(
        &mut self,
        u: &mut Unstructured<'_>,
        name: &str,
        lie: bool,
    ) -> Result<(*mut ArrowSchema, *mut ArrowArray)> {
        let (format, size) = *u.choose(&[
            ("c", 1),
            ("C", 1),
            ("s", 2),
            ("S", 2),
            ("i", 4),
            ("I", 4),
            ("l", 8),
            ("L", 8),
            ("e", 2),
            ("f", 4),
            ("g", 8),
            ("b", 1),
            ("u", 1),
        ])?;
        let base = self.storage.as_mut_ptr().cast::<u8>();
        let (values, capacity) = values_in(u, base, size)?;
        let values = if u.ratio(1, 32)? { null() } else { values };
        let metadata = if size == 1 && u.ratio(1, 4)? {
            Some(encode(&[(b"ARROW:extension:name", b"arrow.bool8")]))
        } else {
            None
        };
        let e = extent(u, capacity, lie)?;
        let a = self.array(u, e, 2, [null(), values, null(), null()], &[])?;
        let s = self.schema(u, format, name, metadata, &[])?;
        Ok((s, a))
    }

    /// Fixed-size lists `depth` deep over a leaf; the top one has `rows` rows.
    fn lists(
        &mut self,
        u: &mut Unstructured<'_>,
        depth: usize,
        sizes: &[usize],
        lie: bool,
        metadata: Option<Vec<u8>>,
    ) -> Result<(*mut ArrowSchema, *mut ArrowArray)> {
        if depth == 0 {
            return self.leaf(u, "item", lie);
        }
        let (cs, ca) = self.lists(u, depth - 1, &sizes[1..], lie, None)?;
        let k = sizes[0];
        // Rows the child could hold, roughly; the import checks exactly.
        let capacity = 64 / k.max(1) as u64;
        let e = extent(u, capacity, lie)?;
        let a = self.array(u, e, 1, [null(); 4], &[ca])?;
        let s = self.schema(u, &format!("+w:{k}"), "", metadata, &[cs])?;
        Ok((s, a))
    }
}

fn encode(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = (pairs.len() as i32).to_ne_bytes().to_vec();
    for (k, v) in pairs {
        out.extend_from_slice(&(k.len() as i32).to_ne_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(&(v.len() as i32).to_ne_bytes());
        out.extend_from_slice(v);
    }
    out
}

/// Pieces of JSON, valid and not, for values under keys the import skips.
const PIECES: &[&str] = &[
    "0",
    "-1",
    "12",
    "1.5e3",
    "2E-1",
    "01",
    "+1",
    "-",
    "e",
    "E",
    ".",
    "1.2.3",
    "1.",
    "\"s\\u00e9\"",
    "\"\\x\"",
    "\"\\ud800\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "true",
    "nul",
    "null",
    " ",
    "\n",
    "\"k\"",
    "NaN",
];

/// Tensor metadata: JSON built from fuzzed numbers and names (and values of other keys, built
/// from [`PIECES`]), or raw fuzzed text.
fn tensor_json(u: &mut Unstructured<'_>, fixed: bool) -> Result<Vec<u8>> {
    if u.ratio(1, 4)? {
        return u.arbitrary::<Vec<u8>>();
    }
    let n = u.int_in_range(0..=4)?;
    let mut parts = Vec::new();
    let list = |u: &mut Unstructured<'_>| -> Result<String> {
        let values: Vec<String> = (0..n)
            .map(|_| u.int_in_range(0..=6u32).map(|v| v.to_string()))
            .collect::<Result<_>>()?;
        Ok(values.join(","))
    };
    if fixed || u.arbitrary()? {
        parts.push(format!("\"shape\":[{}]", list(u)?));
    }
    if u.arbitrary()? {
        parts.push(format!("\"permutation\":[{}]", list(u)?));
    }
    if u.arbitrary()? {
        let names: Vec<String> = (0..n).map(|i| format!("\"d{i}\\u00e9\"")).collect();
        parts.push(format!("\"dim_names\":[{}]", names.join(",")));
    }
    for k in 0..u.int_in_range(0..=2)? {
        let mut value = String::new();
        for _ in 0..u.int_in_range(1..=6)? {
            value.push_str(u.choose(PIECES)?);
        }
        let at = u.int_in_range(0..=parts.len())?;
        parts.insert(at, format!("\"x{k}\":{value}"));
    }
    Ok(format!("{{{}}}", parts.join(",")).into_bytes())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let mut arena = Arena {
        storage: Box::new([0; STORAGE / 8]),
        arrays: Vec::new(),
        schemas: Vec::new(),
        buffer_lists: Vec::new(),
        array_lists: Vec::new(),
        schema_lists: Vec::new(),
        strings: Vec::new(),
        metadata: Vec::new(),
        counters: Vec::new(),
    };
    for w in arena.storage.iter_mut() {
        *w = u.arbitrary()?;
    }
    // The tensor extension's metadata, when the root is one.
    let mut tensor_metadata = None;
    let (schema, array) = match u.int_in_range(0..=5)? {
        0 => arena.leaf(u, "", true)?,
        1 => {
            let depth = u.int_in_range(1..=3)?;
            let sizes = [
                u.int_in_range(0..=4)?,
                u.int_in_range(0..=4)?,
                u.int_in_range(0..=4)?,
            ];
            arena.lists(u, depth, &sizes, true, None)?
        }
        2 => {
            let k = u.int_in_range(0..=12)?;
            let json = tensor_json(u, true)?;
            let meta = encode(&[
                (b"ARROW:extension:name", b"arrow.fixed_shape_tensor"),
                (b"ARROW:extension:metadata", &json),
            ]);
            tensor_metadata = Some(json);
            arena.lists(u, 1, &[k], true, Some(meta))?
        }
        3 => {
            // One row (or a few) of a variable-shape tensor. The shape values and list offsets
            // are read during the import, so their lengths stay honest; mostly they are also
            // consistent (one row at offset 0 whose offsets match its shape).
            let consistent = u.ratio(3, 4)?;
            let pick = |u: &mut Unstructured<'_>, cap: u64, n: i64| {
                if consistent && n as u64 <= cap {
                    Ok((0, n))
                } else {
                    extent(u, cap, false)
                }
            };
            let ndim = u.int_in_range(0..=3)?;
            let base = arena.storage.as_mut_ptr().cast::<u8>();
            let (dims, dims_cap) = values_in(u, base, 4)?;
            let dims_extent = pick(u, dims_cap, ndim as i64)?;
            let mut count = 1i64;
            if consistent && ndim as u64 <= dims_cap {
                for k in 0..ndim {
                    let d: i32 = u.int_in_range(0..=3)?;
                    count *= i64::from(d);
                    // SAFETY: entry `k` is inside the storage (`ndim <= dims_cap`).
                    unsafe { dims.cast_mut().cast::<i32>().add(k).write_unaligned(d) };
                }
            }
            let da = arena.array(u, dims_extent, 2, [null(), dims, null(), null()], &[])?;
            let ds = arena.schema(u, "i", "item", None, &[])?;
            let rows_cap = if ndim == 0 {
                8
            } else {
                (dims_extent.1 as u64) / ndim as u64
            };
            let shape_extent = pick(u, rows_cap, 1)?;
            let sa = arena.array(u, shape_extent, 1, [null(); 4], &[da])?;
            let ss = arena.schema(u, &format!("+w:{ndim}"), "shape", None, &[ds])?;
            let (vs, va) = arena.leaf(u, "item", true)?;
            let large = u.arbitrary()?;
            // Room for 8-byte offsets, so that a format changed to `+L` still reads inside.
            let (offsets, offsets_cap) = values_in(u, base, 8)?;
            let list_extent = pick(u, offsets_cap.saturating_sub(1), 1)?;
            if consistent && offsets_cap >= 2 {
                let o = offsets.cast_mut().cast::<u8>();
                // SAFETY: two 8-byte entries are inside the storage (`offsets_cap >= 2`).
                unsafe {
                    if large {
                        o.cast::<i64>().write_unaligned(0);
                        o.cast::<i64>().add(1).write_unaligned(count);
                    } else {
                        o.cast::<i32>().write_unaligned(0);
                        o.cast::<i32>().add(1).write_unaligned(count as i32);
                    }
                }
            }
            let la = arena.array(u, list_extent, 2, [null(), offsets, null(), null()], &[va])?;
            let ls = arena.schema(u, if large { "+L" } else { "+l" }, "data", None, &[vs])?;
            let cap = (shape_extent.1 as u64).min(list_extent.1 as u64);
            let root_extent = pick(u, cap, 1)?;
            let (children, schemas) = if u.arbitrary()? {
                ([sa, la], [ss, ls])
            } else {
                ([la, sa], [ls, ss])
            };
            let a = arena.array(u, root_extent, 1, [null(); 4], &children)?;
            let json = tensor_json(u, false)?;
            let meta = encode(&[
                (b"ARROW:extension:name", b"arrow.variable_shape_tensor"),
                (b"ARROW:extension:metadata", &json),
            ]);
            tensor_metadata = Some(json);
            let s = arena.schema(u, "+s", "", Some(meta), &schemas)?;
            (s, a)
        }
        5 => {
            // A one-column table: a struct of one child, read as that child.
            let (cs, ca) = if u.arbitrary()? {
                arena.leaf(u, "x", true)?
            } else {
                let sizes = [u.int_in_range(0..=4)?, u.int_in_range(0..=4)?];
                let depth = u.int_in_range(1..=2)?;
                arena.lists(u, depth, &sizes, true, None)?
            };
            // SAFETY: the child just built, in the arena.
            let child_length = unsafe { (*ca).length };
            let e = if u.ratio(3, 4)? {
                (0, child_length)
            } else {
                extent(u, 8, true)?
            };
            let a = arena.array(u, e, 1, [null(); 4], &[ca])?;
            let s = arena.schema(u, "+s", "", None, &[cs])?;
            (s, a)
        }
        _ => {
            let format = *u.choose(&["+s", "+l", "+L", "+w:2", "n", "z", "d:4,2", "tdD", "+m"])?;
            let base = arena.storage.as_mut_ptr().cast::<u8>();
            let (values, cap) = values_in(u, base, 1)?;
            let e = extent(u, cap, true)?;
            let n_buffers = u.int_in_range(0..=3)?;
            let a = arena.array(u, e, n_buffers, [null(), values, values, null()], &[])?;
            let s = arena.schema(u, format, "", None, &[])?;
            (s, a)
        }
    };
    let (lo, hi) = {
        let s = arena.storage.as_ptr() as usize;
        (s, s + STORAGE)
    };
    // Sometimes the root comes through the device interface, on the CPU or elsewhere (the
    // storage is then never read), or labelled with hostile device numbers.
    let device = if u.ratio(1, 4)? {
        Some((
            *u.choose(&[1, 2, 3, 10, 13, 0, -1, 99])?,
            *u.choose(&[-1i64, 0, 5, -2, i64::MAX])?,
        ))
    } else {
        None
    };
    let imported = match device {
        None => {
            // SAFETY: every structure describes memory this arena owns, with lists long enough
            // for the counts given; buffers read during the import hold what their lengths say.
            unsafe { ArrowImport::from_raw(array, schema) }
        }
        Some((device_type, device_id)) => {
            // SAFETY: the root, in the arena: moved into the device array (the arena's copy is
            // marked released, so only the device array's import releases it).
            let inner = unsafe { std::ptr::read(array) };
            // SAFETY: as above.
            unsafe { (*array).release = None };
            let mut d = ArrowDeviceArray {
                array: inner,
                device_id,
                device_type,
                sync_event: null_mut(),
                reserved: [0; 3],
            };
            // SAFETY: as for `from_raw`; device memory is never read.
            unsafe { ArrowImport::from_device_raw(&mut d, schema) }
        }
    };
    let calls = |i: usize| arena.counters[i].get();
    let root = arena.counters.len() - 1; // the root array is built last
    match imported {
        Err(e) => {
            let _ = e.to_string();
            assert_eq!(calls(root), 1, "release calls after the refusal {e}");
        }
        Ok(i) if !i.is_host_accessible() => {
            assert_eq!(calls(root), 0, "released while imported");
            let e = i.try_array().expect_err("a view of device memory");
            assert_eq!(e.kind(), array_protocol::ErrorKind::Unsupported);
            let (shape, device) = (i.shape().to_vec(), i.device());
            if let Ok(tensor) = i.into_dlpack() {
                // SAFETY: a tensor just made, ours; its deleter releases the Arrow array.
                if let Ok(d) = unsafe { DLPackArray::from_raw(tensor) } {
                    assert_eq!(d.shape(), &shape[..]);
                    assert_eq!(i64::from(d.device().device_id), device.1);
                    assert!(d.is_read_only());
                }
            }
            assert_eq!(calls(root), 1, "release calls after handing the import on");
        }
        Ok(i) => {
            assert_eq!(calls(root), 0, "released while imported");
            let v = i.try_array().expect("an imported array's view");
            let span = v.buffer();
            let (start, len) = (span.as_ptr() as usize, span.len());
            assert!(len == 0 || start != 0, "a non-empty span at address 0");
            assert!(
                start.checked_add(len).is_some(),
                "a span wrapping the address space"
            );
            // Accepted metadata is valid JSON (RFC 8259) by another reader's account.
            // RFC 8259 sets no range on numbers; serde_json refuses those past f64's (e.g.
            // `1.5e31212` under a skipped key), which is its limit, not invalid JSON.
            if let Some(json) = tensor_metadata.filter(|j| !j.is_empty()) {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&json) {
                    assert!(
                        e.to_string().starts_with("number out of range"),
                        "accepted invalid JSON metadata {:?}: {e}",
                        String::from_utf8_lossy(&json)
                    );
                }
            }
            // Zero elements copy to zero bytes, however long the other axes.
            if v.is_empty() {
                for order in [array_protocol::Order::C, array_protocol::Order::Fortran] {
                    let c = v.to_contiguous(order).expect("an empty copy");
                    assert!(c.bytes().is_empty());
                }
            }
            // Spans outside the storage are this target lying about lengths: not read.
            if len > 0 && start >= lo && start + len <= hi {
                let c = v
                    .to_contiguous(array_protocol::Order::C)
                    .expect("a small copy");
                assert_eq!(c.bytes().len(), v.len() * v.itemsize());
            }
            drop(v);
            drop(i);
            assert_eq!(calls(root), 1, "release calls after dropping the import");
        }
    }
    for (n, c) in arena.counters[..root].iter().enumerate() {
        assert_eq!(c.get(), 0, "child {n} released by the importer");
    }
    Ok(())
}
