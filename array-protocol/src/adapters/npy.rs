//! The `.npy` format (versions 1.0–3.0): header parsing and writing.
//!
//! A file is the magic `\x93NUMPY`, a version, a header length (`u16` in 1.0, `u32` after),
//! and a Python dict literal `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded so the
//! data starts at a multiple of 64 bytes.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{error, Error};
use crate::item::numpy::literal::{literal, Value};
use crate::item::numpy::Descr;
use crate::ItemType;

/// What a `.npy` header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version `(major, minor)`.
    pub version: (u8, u8),
    /// The item type, from `descr`.
    pub item: ItemType,
    /// Whether the data is in Fortran order.
    pub fortran_order: bool,
    /// The shape.
    pub shape: Vec<usize>,
    /// Where the data starts in the file.
    pub data_offset: usize,
}

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads the header at the start of `bytes` (at least the prefix and the header itself).
///
/// Every header numpy's `np.load` refuses is refused, and every header read here means what it
/// means to numpy: the dict must have exactly the keys `descr`, `fortran_order` and `shape`
/// (a key written twice keeps its last value, as in a Python dict literal); `shape` is a tuple
/// of non-negative integers; sub-array dimensions are at most `2^31 - 1`, as numpy's C `int`;
/// `(x)` is `x`, not a tuple. Python 2's `3L` integers are read in versions 1.0 and 2.0 only.
///
/// Stricter than numpy, refused here though numpy reads them:
/// - `descr` strings other than typestrs (`'f8'`, `'float64'`, `'|f8'`), sub-array tuples as
///   `descr`, and what [`ItemType::from_typestr`] refuses (objects, datetimes);
/// - Python literal syntax beyond what numpy writes: integers in hex, octal, binary or with
///   `_`, floats, `r''`/`b''`/triple-quoted strings, `\N{…}` escapes, line continuations;
/// - non-ASCII bytes in 1.0 and 2.0 headers (numpy decodes them as Latin-1);
/// - records nested more than [`MAX_NESTING`](crate::item::MAX_NESTING) levels.
///
/// Unlike numpy's default `max_header_size` of 10,000 bytes (a guard against the cost of
/// `ast.literal_eval`; `allow_pickle=True` lifts it), headers of any length are read: this parser
/// takes time linear in the header.
pub fn parse_header(bytes: &[u8]) -> Result<Header, Error> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(error!(
            Format,
            "not a .npy file: it does not start with the magic bytes \\x93NUMPY"
        ));
    }
    let version = (bytes[6], bytes[7]);
    let (len, start) = match version {
        (1, 0) => (
            usize::from(u16::from_le_bytes([bytes[8], bytes[9]])),
            10usize,
        ),
        (2, 0) | (3, 0) => {
            if bytes.len() < 12 {
                return Err(error!(Format, "truncated .npy header"));
            }
            let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            let len = usize::try_from(len)
                .map_err(|_| error!(Format, ".npy header length {len} is too large"))?;
            (len, 12)
        }
        (major, minor) => {
            return Err(error!(
                Format,
                ".npy format version {major}.{minor} is not supported; expected 1.0, 2.0 or 3.0"
            ))
        }
    };
    let end = start
        .checked_add(len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| {
            error!(
                Format,
                "truncated .npy header: it claims {len} bytes, the file has {}",
                bytes.len() - start
            )
        })?;
    let text = match version.0 {
        3 => core::str::from_utf8(&bytes[start..end])
            .map_err(|_| error!(Format, ".npy 3.0 header is not UTF-8"))?,
        _ => {
            if !bytes[start..end].is_ascii() {
                return Err(error!(
                    Format,
                    ".npy {}.0 header is not ASCII (version 3.0 allows UTF-8)", version.0
                ));
            }
            core::str::from_utf8(&bytes[start..end])
                .map_err(|_| error!(Format, "header is not text"))?
        }
    };
    let dict = match literal(text, version.0 < 3, ".npy header")? {
        Value::Dict(entries) => entries,
        _ => return Err(error!(Format, ".npy header is not a dict: {text:?}")),
    };
    // A Python dict literal keeps the last value of a repeated key; numpy then requires exactly
    // these three keys.
    let mut found: [Option<&Value>; 3] = [None; 3];
    for (key, value) in &dict {
        let slot = match key {
            Value::Str(k) if k == "descr" => 0,
            Value::Str(k) if k == "fortran_order" => 1,
            Value::Str(k) if k == "shape" => 2,
            other => {
                return Err(error!(
                    Format,
                    ".npy header has the key {other:?}; expected exactly 'descr', 'fortran_order' \
                     and 'shape': {text:?}"
                ))
            }
        };
        found[slot] = Some(value);
    }
    let get = |i: usize, key: &str| {
        found[i].ok_or_else(|| error!(Format, ".npy header has no {key:?} key: {text:?}"))
    };
    let item = descr_item(get(0, "descr")?)?;
    let fortran_order = match get(1, "fortran_order")? {
        Value::Bool(b) => *b,
        other => {
            return Err(error!(
                Format,
                "'fortran_order' should be True or False, got {other:?}"
            ))
        }
    };
    let shape = match get(2, "shape")? {
        Value::Tuple(items) => items
            .iter()
            .map(|v| match v {
                Value::Int(n) if *n >= 0 => usize::try_from(*n)
                    .ok()
                    .filter(|&d| d <= isize::MAX as usize)
                    .ok_or_else(|| error!(Format, "dimension {n} is too large")),
                other => Err(error!(
                    Format,
                    "a shape entry should be a non-negative integer, got {other:?}"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        other => return Err(error!(Format, "'shape' should be a tuple, got {other:?}")),
    };
    Ok(Header {
        version,
        item,
        fortran_order,
        shape,
        data_offset: end,
    })
}

fn descr_item(v: &Value) -> Result<ItemType, Error> {
    let item = match v {
        Value::Str(t) => ItemType::from_typestr(t)?,
        Value::List(_) => ItemType::from_descr(&Descr::from_value(v)?)?,
        other => {
            return Err(error!(
                Format,
                "'descr' should be a typestr or a list, got {other:?}"
            ))
        }
    };
    // numpy's item sizes are C `int`s, and it has no sub-arrays of zero-size items.
    if item.itemsize() > i32::MAX as usize {
        return Err(error!(
            Format,
            "the item size of {} bytes is larger than numpy allows ({})",
            item.itemsize(),
            i32::MAX
        ));
    }
    if has_empty_subarray_item(&item) {
        return Err(error!(
            Format,
            "a sub-array of zero-size items ({}), which numpy refuses",
            item.describe()
        ));
    }
    Ok(item)
}

/// Whether `item` holds a sub-array of zero-size items. Recurses once per record level, at most
/// `MAX_NESTING` deep for items read from a descr.
fn has_empty_subarray_item(item: &ItemType) -> bool {
    match item {
        ItemType::Scalar(_) => false,
        ItemType::Array(a) => a.item().itemsize() == 0 || has_empty_subarray_item(&a.item()),
        ItemType::Struct(s) => s.fields().iter().any(|f| has_empty_subarray_item(f.item())),
    }
}

/// The header bytes (magic to the end of the padded dict) for an array of `item` and `shape`
/// in C order, data starting at a multiple of 64 bytes.
pub fn header_bytes(item: &ItemType, shape: &[usize]) -> Vec<u8> {
    let descr = match item {
        ItemType::Struct(_) => alloc::format!("{}", item.descr()),
        _ => alloc::format!("'{}'", item.typestr()),
    };
    let dims: Vec<String> = shape.iter().map(|d| alloc::format!("{d}")).collect();
    let shape = match dims.len() {
        1 => alloc::format!("({},)", dims[0]),
        _ => alloc::format!("({})", dims.join(", ")),
    };
    let dict = alloc::format!("{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}");
    let (version, prefix) = if !dict.is_ascii() {
        (3u8, 12)
    } else if dict.len() + 12 > 65535 {
        (2, 12)
    } else {
        (1, 10)
    };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    let header_len = total - prefix;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}
