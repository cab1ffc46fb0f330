//! The `.npy` format (versions 1.0–3.0): header parsing and writing.
//!
//! A file is the magic `\x93NUMPY`, a version, a header length (`u16` in 1.0, `u32` after),
//! and a Python dict literal `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded so the
//! data starts at a multiple of 64 bytes.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{error, Error};
use crate::item::numpy::{Descr, DescrField, DescrFormat};
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
pub fn parse_header(bytes: &[u8]) -> Result<Header, Error> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(error!(
            Format,
            "not a .npy file: it does not start with the magic bytes \\x93NUMPY"
        ));
    }
    let version = (bytes[6], bytes[7]);
    let (len, start) = match version {
        (1, 0) => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        (2, 0) | (3, 0) => {
            if bytes.len() < 12 {
                return Err(error!(Format, "truncated .npy header"));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        (major, minor) => {
            return Err(error!(
                Format,
                ".npy format version {major}.{minor} is not supported; expected 1.0, 2.0 or 3.0"
            ))
        }
    };
    let end = start + len;
    if bytes.len() < end {
        return Err(error!(
            Format,
            "truncated .npy header: it claims {len} bytes, the file has {}",
            bytes.len() - start
        ));
    }
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
    let dict = match literal(text)? {
        Value::Dict(entries) => entries,
        _ => return Err(error!(Format, ".npy header is not a dict: {text:?}")),
    };
    let get = |key: &str| {
        dict.iter()
            .find(|(k, _)| matches!(k, Value::Str(s) if s == key))
            .map(|(_, v)| v)
            .ok_or_else(|| error!(Format, ".npy header has no {key:?} key: {text:?}"))
    };
    let item = descr_item(get("descr")?)?;
    let fortran_order = match get("fortran_order")? {
        Value::Bool(b) => *b,
        other => {
            return Err(error!(
                Format,
                "'fortran_order' should be True or False, got {other:?}"
            ))
        }
    };
    let shape = match get("shape")? {
        Value::Tuple(items) => items
            .iter()
            .map(|v| match v {
                Value::Int(n) if *n >= 0 => {
                    usize::try_from(*n).map_err(|_| error!(Format, "dimension {n} too large"))
                }
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
    match v {
        Value::Str(t) => Ok(ItemType::from_typestr(t)?),
        Value::List(_) => Ok(ItemType::from_descr(&descr(v)?)?),
        other => Err(error!(
            Format,
            "'descr' should be a typestr or a list, got {other:?}"
        )),
    }
}

fn descr(v: &Value) -> Result<Descr, Error> {
    let Value::List(entries) = v else {
        return Err(error!(Format, "a descr should be a list, got {v:?}"));
    };
    let fields = entries
        .iter()
        .map(|e| {
            let Value::Tuple(parts) = e else {
                return Err(error!(Format, "a descr entry should be a tuple, got {e:?}"));
            };
            let name = match parts.first() {
                Some(Value::Str(s)) => s.clone(),
                // `(title, name)`: the name is what the data is found under.
                Some(Value::Tuple(t)) => match t.get(1) {
                    Some(Value::Str(s)) => s.clone(),
                    _ => {
                        return Err(error!(
                            Format,
                            "a titled descr name should be (title, name), got {t:?}"
                        ))
                    }
                },
                other => {
                    return Err(error!(
                        Format,
                        "a descr entry should start with a name, got {other:?}"
                    ))
                }
            };
            let format = match parts.get(1) {
                Some(Value::Str(t)) => DescrFormat::Typestr(t.clone()),
                Some(list @ Value::List(_)) => DescrFormat::Fields(descr(list)?),
                other => {
                    return Err(error!(
                        Format,
                        "a descr entry's format should be a typestr or a list, got {other:?}"
                    ))
                }
            };
            let shape = match parts.get(2) {
                None => None,
                Some(Value::Tuple(dims)) => Some(
                    dims.iter()
                        .map(|d| match d {
                            Value::Int(n) if *n >= 0 => Ok(*n as usize),
                            other => Err(error!(
                                Format,
                                "a sub-array dimension should be an integer, got {other:?}"
                            )),
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                Some(other) => {
                    return Err(error!(
                        Format,
                        "a sub-array shape should be a tuple, got {other:?}"
                    ))
                }
            };
            Ok(DescrField {
                name,
                format,
                shape,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Descr(fields))
}

/// A Python literal, as far as `.npy` headers use them.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

fn literal(text: &str) -> Result<Value, Error> {
    let mut p = Lit {
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("end of header"));
    }
    Ok(v)
}

struct Lit<'s> {
    s: &'s [u8],
    pos: usize,
    depth: usize,
}

impl Lit<'_> {
    fn err(&self, expected: &str) -> Error {
        let found = self
            .s
            .get(self.pos)
            .map_or(String::from("end of header"), |b| {
                alloc::format!("{:?}", *b as char)
            });
        error!(
            Format,
            "invalid .npy header at byte {}: found {found}, expected {expected}", self.pos
        )
    }

    fn ws(&mut self) {
        while self.s.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.s.get(self.pos) == Some(&b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.depth += 1;
        if self.depth > 32 {
            return Err(error!(Format, ".npy header nests too deeply"));
        }
        self.ws();
        let v = match self.s.get(self.pos) {
            Some(b'\'' | b'"') => self.string().map(Value::Str),
            Some(b'(') => self.seq(b')').map(Value::Tuple),
            Some(b'[') => self.seq(b']').map(Value::List),
            Some(b'{') => self.dict(),
            Some(b'-' | b'0'..=b'9') => self.int(),
            _ if self.s[self.pos..].starts_with(b"True") => {
                self.pos += 4;
                Ok(Value::Bool(true))
            }
            _ if self.s[self.pos..].starts_with(b"False") => {
                self.pos += 5;
                Ok(Value::Bool(false))
            }
            _ if self.s[self.pos..].starts_with(b"None") => {
                self.pos += 4;
                Ok(Value::None)
            }
            _ => Err(self.err("a string, number, tuple, list, dict, True, False or None")),
        };
        self.depth -= 1;
        v
    }

    fn string(&mut self) -> Result<String, Error> {
        let quote = self.s[self.pos];
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.pos) {
                None => return Err(self.err("the closing quote")),
                Some(&b) if b == quote => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    let escaped = self
                        .s
                        .get(self.pos + 1)
                        .copied()
                        .ok_or_else(|| self.err("an escaped character"))?;
                    out.push(match escaped {
                        b'n' => b'\n',
                        b't' => b'\t',
                        other => other,
                    });
                    self.pos += 2;
                }
                Some(&b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        String::from_utf8(out).map_err(|_| self.err("UTF-8 text"))
    }

    fn int(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        if self.s[self.pos] == b'-' {
            self.pos += 1;
        }
        while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        // Python 2 wrote longs as `3L`.
        let digits =
            core::str::from_utf8(&self.s[start..self.pos]).map_err(|_| self.err("digits"))?;
        if self.s.get(self.pos) == Some(&b'L') {
            self.pos += 1;
        }
        digits
            .parse()
            .map(Value::Int)
            .map_err(|_| self.err("an integer"))
    }

    fn seq(&mut self, close: u8) -> Result<Vec<Value>, Error> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(items);
            }
            items.push(self.value()?);
            if !self.eat(b',') {
                if self.eat(close) {
                    return Ok(items);
                }
                return Err(self.err(if close == b')' {
                    "`,` or `)`"
                } else {
                    "`,` or `]`"
                }));
            }
        }
    }

    fn dict(&mut self) -> Result<Value, Error> {
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            if self.eat(b'}') {
                return Ok(Value::Dict(entries));
            }
            let key = self.value()?;
            if !self.eat(b':') {
                return Err(self.err("`:`"));
            }
            let value = self.value()?;
            entries.push((key, value));
            if !self.eat(b',') {
                if self.eat(b'}') {
                    return Ok(Value::Dict(entries));
                }
                return Err(self.err("`,` or `}`"));
            }
        }
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
