//! Arrow's type descriptions, read and written in this one place: format strings, the binary
//! metadata encoding, and the JSON metadata of the tensor extensions (written here, read with
//! [`json`]).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{error, Error};
use crate::item::{ByteOrder, Scalar, ScalarKind};

mod json;

use json::Json;

/// The extension name key of a field's metadata.
pub(super) const EXTENSION_NAME: &str = "ARROW:extension:name";
/// The extension metadata key.
pub(super) const EXTENSION_METADATA: &str = "ARROW:extension:metadata";
pub(super) const FIXED_SHAPE_TENSOR: &str = "arrow.fixed_shape_tensor";
pub(super) const VARIABLE_SHAPE_TENSOR: &str = "arrow.variable_shape_tensor";
pub(super) const BOOL8: &str = "arrow.bool8";

/// The storage types this adapter reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// A primitive number: buffers `[validity, values]`.
    Primitive(Scalar),
    /// `+w:N`: buffers `[validity]`, one child holding `N` values per item.
    FixedSizeList(usize),
    /// `+l` (int32 offsets) or `+L` (int64): buffers `[validity, offsets]`, one child.
    List { large: bool },
    /// `+s`: buffers `[validity]`, one child per field.
    Struct,
}

const PRIMITIVES: [(u8, ScalarKind, usize); 11] = [
    (b'c', ScalarKind::Int, 1),
    (b'C', ScalarKind::UInt, 1),
    (b's', ScalarKind::Int, 2),
    (b'S', ScalarKind::UInt, 2),
    (b'i', ScalarKind::Int, 4),
    (b'I', ScalarKind::UInt, 4),
    (b'l', ScalarKind::Int, 8),
    (b'L', ScalarKind::UInt, 8),
    (b'e', ScalarKind::Float, 2),
    (b'f', ScalarKind::Float, 4),
    (b'g', ScalarKind::Float, 8),
];

/// The format string of a native scalar Arrow has a primitive type for; `bool` is `c` (with
/// the `arrow.bool8` extension, which the caller adds).
pub(super) fn scalar_format(s: &Scalar) -> Option<&'static str> {
    const NAMES: [&str; 11] = ["c", "C", "s", "S", "i", "I", "l", "L", "e", "f", "g"];
    if !s.order().is_native() || s.is_long_double() {
        return None;
    }
    if s.kind() == ScalarKind::Bool {
        return Some("c");
    }
    PRIMITIVES
        .iter()
        .position(|&(_, kind, size)| kind == s.kind() && size == s.size())
        .map(|i| NAMES[i])
}

/// What the formats this adapter does not read hold, for the refusal's message.
fn unsupported(format: &str) -> Option<&'static str> {
    let b = format.as_bytes();
    Some(match b {
        b"n" => "the null type (no values)",
        b"b" => "bit-packed booleans (8 per byte), which strides cannot describe; export booleans as `arrow.bool8` (int8) instead",
        b"z" | b"Z" | b"vz" => "variable-length binary",
        b"u" | b"U" | b"vu" => "UTF-8 strings",
        b"+m" => "maps",
        b"+vl" | b"+vL" => "list views",
        b"+r" => "run-end encoded values",
        [b'w', b':', ..] => "fixed-size binary (opaque bytes)",
        [b'd', b':', ..] => "decimals",
        [b'+', b'u', ..] => "unions",
        [b't', ..] => "dates, times, timestamps, durations or intervals",
        _ => return None,
    })
}

/// A decimal integer written with digits only, at most `max`.
fn parse_count(digits: &str, max: usize) -> Option<usize> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    digits.bytes().try_fold(0usize, |n, d| {
        if !d.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?
            .checked_add(usize::from(d - b'0'))
            .filter(|&v| v <= max)
    })
}

/// Reads a format string: one of [`Format`], or an error naming what it holds (or that it is
/// not a format).
pub(super) fn parse_format(format: &[u8]) -> Result<Format, Error> {
    let text = core::str::from_utf8(format)
        .map_err(|_| error!(Format, "the Arrow format {format:?} is not UTF-8"))?;
    if let [code] = format {
        if let Some(&(_, kind, size)) = PRIMITIVES.iter().find(|p| p.0 == *code) {
            let scalar = Scalar::new(kind, size, ByteOrder::NATIVE)
                .unwrap_or_else(|_| unreachable!("the primitive sizes are valid"));
            return Ok(Format::Primitive(scalar));
        }
    }
    match text {
        "+l" => return Ok(Format::List { large: false }),
        "+L" => return Ok(Format::List { large: true }),
        "+s" => return Ok(Format::Struct),
        _ => {}
    }
    if let Some(n) = text.strip_prefix("+w:") {
        // Arrow's list size is an int32.
        return parse_count(n, i32::MAX as usize)
            .map(Format::FixedSizeList)
            .ok_or_else(|| {
                error!(
                    Format,
                    "the Arrow format {text:?} needs a list size of 0 to {} in decimal digits after `+w:`",
                    i32::MAX
                )
            });
    }
    match unsupported(text) {
        Some(what) => Err(error!(
            Unsupported,
            "the Arrow format {text:?} holds {what}: not plain strided memory"
        )),
        None => Err(error!(
            Format,
            "{text:?} is not an Arrow format string this adapter knows (expected a primitive such as \"f\", \"+w:N\", \"+l\" or \"+s\")"
        )),
    }
}

/// The binary metadata encoding of `pairs`: int32 count, then each key and value with an int32
/// length prefix, in native byte order.
pub(super) fn encode_metadata(pairs: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let put = |n: usize, out: &mut Vec<u8>| -> Result<(), Error> {
        let n = i32::try_from(n).map_err(|_| {
            error!(
                Layout,
                "Arrow metadata entries hold at most 2^31 - 1 bytes; {n} needed"
            )
        })?;
        out.extend_from_slice(&n.to_ne_bytes());
        Ok(())
    };
    put(pairs.len(), &mut out)?;
    for (key, value) in pairs {
        put(key.len(), &mut out)?;
        out.extend_from_slice(key.as_bytes());
        put(value.len(), &mut out)?;
        out.extend_from_slice(value.as_bytes());
    }
    Ok(out)
}

/// A metadata key and its value.
pub(super) type Pair<'a> = (&'a [u8], &'a [u8]);

/// The key-value pairs of the metadata at `metadata` (NULL: none).
///
/// # Safety
/// A non-NULL `metadata` points at a valid encoding (its count and every length describe bytes
/// that are there), valid for `'a`.
pub(super) unsafe fn decode_metadata<'a>(metadata: *const u8) -> Result<Vec<Pair<'a>>, Error> {
    let mut pairs = Vec::new();
    if metadata.is_null() {
        return Ok(pairs);
    }
    let mut at = 0usize;
    let next_len = |at: &mut usize, what: &str| -> Result<usize, Error> {
        // SAFETY: the encoding's next int32 is there (the caller's contract).
        let p = unsafe { metadata.add(*at) };
        // SAFETY: as above, read unaligned.
        let n = unsafe { p.cast::<i32>().read_unaligned() };
        *at += 4;
        usize::try_from(n)
            .map_err(|_| error!(Format, "the Arrow metadata gives a negative {what} ({n})"))
    };
    let count = next_len(&mut at, "pair count")?;
    for _ in 0..count {
        let bytes = |at: &mut usize, what: &str| -> Result<&'a [u8], Error> {
            let n = next_len(at, what)?;
            // SAFETY: the encoding's `n` bytes follow their length (the caller's contract).
            let p = unsafe { metadata.add(*at) };
            // SAFETY: as above.
            let s = unsafe { core::slice::from_raw_parts(p, n) };
            *at += n;
            Ok(s)
        };
        let key = bytes(&mut at, "key length")?;
        let value = bytes(&mut at, "value length")?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// The extension a field's metadata names, and its serialized parameters (empty when absent).
pub(super) fn extension<'a>(pairs: &[Pair<'a>]) -> Result<Option<(&'a str, &'a [u8])>, Error> {
    let find = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|&(_, v)| v)
    };
    let Some(name) = find(EXTENSION_NAME) else {
        return Ok(None);
    };
    let name = core::str::from_utf8(name)
        .map_err(|_| error!(Format, "the Arrow extension name {name:?} is not UTF-8"))?;
    Ok(Some((name, find(EXTENSION_METADATA).unwrap_or(&[]))))
}

/// The parameters of `arrow.fixed_shape_tensor` / `arrow.variable_shape_tensor`, all in the
/// specification's terms: `shape` and `dim_names` physical, `permutation[i]` the physical axis
/// of logical axis `i`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct TensorMetadata {
    pub(super) shape: Option<Vec<usize>>,
    pub(super) dim_names: Option<Vec<String>>,
    pub(super) permutation: Option<Vec<usize>>,
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&alloc::format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl TensorMetadata {
    /// The JSON object, keys in the specification's order.
    pub(super) fn to_json(&self) -> String {
        let mut out = String::from("{");
        let mut first = true;
        let mut key = |out: &mut String, k: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            push_json_string(out, k);
            out.push(':');
        };
        let numbers = |out: &mut String, values: &[usize]| {
            out.push('[');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&alloc::format!("{v}"));
            }
            out.push(']');
        };
        if let Some(shape) = &self.shape {
            key(&mut out, "shape");
            numbers(&mut out, shape);
        }
        if let Some(names) = &self.dim_names {
            key(&mut out, "dim_names");
            out.push('[');
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(&mut out, n);
            }
            out.push(']');
        }
        if let Some(p) = &self.permutation {
            key(&mut out, "permutation");
            numbers(&mut out, p);
        }
        out.push('}');
        out
    }

    /// Reads the metadata of a tensor extension (`name`); an empty string holds no parameters.
    /// Otherwise the text must be one JSON object (RFC 8259) with no duplicate keys. Values of
    /// keys other than the specification's are checked and ignored; `uniform_shape` is checked
    /// and otherwise unused. Errors say at which byte the text went wrong.
    pub(super) fn from_json(name: &str, bytes: &[u8]) -> Result<TensorMetadata, Error> {
        let mut meta = TensorMetadata::default();
        if bytes.is_empty() {
            return Ok(meta);
        }
        let bad = |why: &str| {
            error!(
                Format,
                "invalid {name} metadata {:?}: {why}",
                String::from_utf8_lossy(bytes)
            )
        };
        let text = core::str::from_utf8(bytes)
            .map_err(|e| bad(&alloc::format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
        let mut p = Json::new(text);
        p.space();
        p.expect(b'{').map_err(|e| bad(&e))?;
        p.space();
        let mut seen: Vec<String> = Vec::new();
        if !p.eat(b'}') {
            loop {
                p.space();
                let at = p.at();
                let key = p.string().map_err(|e| bad(&e))?;
                if seen.contains(&key) {
                    return Err(bad(&alloc::format!("duplicate key {key:?} at byte {at}")));
                }
                p.space();
                p.expect(b':').map_err(|e| bad(&e))?;
                p.space();
                match key.as_str() {
                    "shape" => meta.shape = Some(p.counts(false).map_err(|e| bad(&e))?),
                    "permutation" => meta.permutation = Some(p.counts(false).map_err(|e| bad(&e))?),
                    "uniform_shape" => {
                        p.counts(true).map_err(|e| bad(&e))?;
                    }
                    "dim_names" => meta.dim_names = Some(p.strings().map_err(|e| bad(&e))?),
                    _ => p.skip_value(0).map_err(|e| bad(&e))?,
                }
                seen.push(key);
                p.space();
                if p.eat(b'}') {
                    break;
                }
                p.expect(b',').map_err(|e| bad(&e))?;
            }
        }
        p.space();
        if !p.at_end() {
            return Err(bad(&alloc::format!(
                "text after the object at byte {}",
                p.at()
            )));
        }
        Ok(meta)
    }
}

#[cfg(test)]
mod tests;
