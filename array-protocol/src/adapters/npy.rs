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

/// How deeply the header's literal may nest brackets: the dict, and per record level of the descr
/// a list and an entry tuple, then a shape or title tuple; enough for
/// [`MAX_NESTING`](crate::item::MAX_NESTING) levels of records. (Python's own parser
/// refuses more than 200.)
const MAX_LITERAL_DEPTH: usize = 2 * crate::item::MAX_NESTING + 2;

/// The largest sub-array dimension numpy accepts in a descr: a C `int`.
const MAX_SUBARRAY_DIM: i128 = i32::MAX as i128;

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
    let dict = match literal(text, version.0 < 3)? {
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
        Value::List(_) => ItemType::from_descr(&descr(v)?)?,
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

fn descr(v: &Value) -> Result<Descr, Error> {
    let Value::List(entries) = v else {
        return Err(error!(Format, "a descr should be a list, got {v:?}"));
    };
    let fields = entries
        .iter()
        .map(|e| {
            // numpy unpacks each entry (a tuple or a list) into 2 or 3 parts.
            let (Value::Tuple(parts) | Value::List(parts)) = e else {
                return Err(error!(Format, "a descr entry should be a tuple, got {e:?}"));
            };
            if !matches!(parts.len(), 2 | 3) {
                return Err(error!(
                    Format,
                    "a descr entry should be (name, format) or (name, format, shape), got {e:?}"
                ));
            }
            let name = match &parts[0] {
                Value::Str(s) => s.clone(),
                // `(title, name)`: the name is what the data is found under.
                Value::Tuple(t) => match t.as_slice() {
                    [Value::Str(_), Value::Str(s)] if !s.is_empty() => s.clone(),
                    _ => {
                        return Err(error!(
                            Format,
                            "a titled descr name should be (title, name), both strings, got {t:?}"
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
            let format = match &parts[1] {
                Value::Str(t) => DescrFormat::Typestr(t.clone()),
                list @ Value::List(_) => DescrFormat::Fields(descr(list)?),
                other => {
                    return Err(error!(
                        Format,
                        "a descr entry's format should be a typestr or a list, got {other:?}"
                    ))
                }
            };
            let dim = |d: &Value| match d {
                Value::Int(n) if (0..=MAX_SUBARRAY_DIM).contains(n) => Ok(*n as usize),
                Value::Int(n) if *n >= 0 => Err(error!(
                    Format,
                    "a sub-array dimension of {n} is too large (numpy allows at most {MAX_SUBARRAY_DIM})"
                )),
                other => Err(error!(
                    Format,
                    "a sub-array dimension should be a non-negative integer, got {other:?}"
                )),
            };
            let shape = match parts.get(2) {
                None => None,
                // `()` is no sub-array and `n` is `(n,)`, as in `np.dtype((t, shape))`.
                Some(Value::Tuple(dims)) if dims.is_empty() => None,
                Some(Value::Tuple(dims)) => Some(dims.iter().map(dim).collect::<Result<_, _>>()?),
                Some(n @ Value::Int(_)) => Some(alloc::vec![dim(n)?]),
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

/// Reads `text` as `ast.literal_eval` would, for the subset described at [`parse_header`];
/// `python2` accepts Python 2's `3L` integers (numpy's fallback for 1.0 and 2.0 files).
fn literal(text: &str, python2: bool) -> Result<Value, Error> {
    let mut p = Lit {
        text,
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
        python2,
    };
    let v = p.value()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("end of header"));
    }
    Ok(v)
}

struct Lit<'s> {
    text: &'s str,
    s: &'s [u8],
    pos: usize,
    depth: usize,
    python2: bool,
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

    /// Skips what Python's tokenizer skips between tokens inside brackets: spaces, tabs, form
    /// feeds, newlines and comments.
    fn ws(&mut self) {
        loop {
            match self.s.get(self.pos) {
                Some(b' ' | b'\t' | b'\x0c' | b'\n' | b'\r') => self.pos += 1,
                Some(b'#') => {
                    while self
                        .s
                        .get(self.pos)
                        .is_some_and(|&b| b != b'\n' && b != b'\r')
                    {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
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

    fn keyword(&mut self, word: &[u8]) -> bool {
        let rest = &self.s[self.pos..];
        let after = rest.get(word.len());
        if rest.starts_with(word) && !after.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.depth += 1;
        if self.depth > MAX_LITERAL_DEPTH {
            return Err(error!(
                Format,
                ".npy header nests brackets more than {MAX_LITERAL_DEPTH} deep"
            ));
        }
        self.ws();
        let v = match self.s.get(self.pos) {
            Some(b'\'' | b'"') => self.strings().map(Value::Str),
            Some(b'u' | b'U') if matches!(self.s.get(self.pos + 1), Some(b'\'' | b'"')) => {
                self.pos += 1;
                self.strings().map(Value::Str)
            }
            Some(b'(') => self.paren(),
            Some(b'[') => self.seq(b']').map(|(items, _)| Value::List(items)),
            Some(b'{') => self.dict(),
            Some(b'-' | b'+' | b'0'..=b'9') => self.int(),
            _ if self.keyword(b"True") => Ok(Value::Bool(true)),
            _ if self.keyword(b"False") => Ok(Value::Bool(false)),
            _ if self.keyword(b"None") => Ok(Value::None),
            _ => Err(self.err("a string, integer, tuple, list, dict, True, False or None")),
        };
        self.depth -= 1;
        v
    }

    /// One string literal, or several side by side (`'a' 'b'` is `'ab'` in Python).
    fn strings(&mut self) -> Result<String, Error> {
        let mut out = self.string()?;
        loop {
            let before = self.pos;
            self.ws();
            match self.s.get(self.pos) {
                Some(b'\'' | b'"') => out.push_str(&self.string()?),
                _ => {
                    self.pos = before;
                    return Ok(out);
                }
            }
        }
    }

    /// A single- or double-quoted string with Python's escapes.
    fn string(&mut self) -> Result<String, Error> {
        let quote = self.s[self.pos];
        if self.s[self.pos..].starts_with(&[quote; 3]) {
            return Err(self.err("a single- or double-quoted string (not triple-quoted)"));
        }
        self.pos += 1;
        let mut out = String::new();
        let text = self.text;
        loop {
            let Some(c) = text[self.pos..].chars().next() else {
                return Err(self.err("the closing quote"));
            };
            match c {
                c if c as u32 == u32::from(quote) => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\n' | '\r' => return Err(self.err("the closing quote before the end of the line")),
                '\\' => {
                    self.pos += 1;
                    self.escape(text, &mut out)?;
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// The escape after a backslash, as Python reads it in a (non-raw) string.
    fn escape(&mut self, text: &str, out: &mut String) -> Result<(), Error> {
        let Some(c) = text[self.pos..].chars().next() else {
            return Err(self.err("an escaped character"));
        };
        self.pos += c.len_utf8();
        let simple = match c {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(e) = simple {
            out.push(e);
            return Ok(());
        }
        let code = match c {
            '0'..='7' => {
                // Up to three octal digits.
                let mut n = c as u32 - u32::from(b'0');
                for _ in 0..2 {
                    match self.s.get(self.pos) {
                        Some(&d @ b'0'..=b'7') => {
                            n = n * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                n
            }
            'x' => self.hex(2)?,
            'u' => self.hex(4)?,
            'U' => self.hex(8)?,
            'N' | '\n' | '\r' => {
                self.pos -= 1;
                return Err(self.err("an escape other than \\N{…} or a line continuation"));
            }
            // Python keeps an unknown escape as it is: backslash and character.
            other => {
                out.push('\\');
                out.push(other);
                return Ok(());
            }
        };
        let c = char::from_u32(code).ok_or_else(|| self.err("a valid code point"))?;
        out.push(c);
        Ok(())
    }

    fn hex(&mut self, digits: usize) -> Result<u32, Error> {
        let s = self
            .s
            .get(self.pos..self.pos + digits)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.err("hexadecimal digits"))?;
        let n = s
            .iter()
            .fold(0u32, |n, &h| n * 16 + (h as char).to_digit(16).unwrap_or(0));
        self.pos += digits;
        Ok(n)
    }

    /// A decimal integer, with an optional sign (`-3`, `+3`, `- 3`) as `ast.literal_eval`
    /// allows; no leading zeros except in `0`, `00`…, as in Python 3.
    fn int(&mut self) -> Result<Value, Error> {
        let negative = match self.s[self.pos] {
            b'-' => true,
            b'+' => false,
            _ => {
                return self.digits().map(Value::Int);
            }
        };
        self.pos += 1;
        self.ws();
        if !self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            return Err(self.err("digits after the sign"));
        }
        let n = self.digits()?;
        Ok(Value::Int(if negative { -n } else { n }))
    }

    fn digits(&mut self) -> Result<i128, Error> {
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        let digits = &self.s[start..self.pos];
        if digits.len() > 1 && digits[0] == b'0' && digits.iter().any(|&d| d != b'0') {
            self.pos = start;
            return Err(self.err("a decimal integer without leading zeros"));
        }
        // Python 2 wrote longs as `3L`.
        if self.python2 && self.s.get(self.pos) == Some(&b'L') {
            self.pos += 1;
        }
        if self
            .s
            .get(self.pos)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        {
            return Err(self.err("a decimal integer (no hex, octal, `_` or floats)"));
        }
        core::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse::<i128>().ok())
            .ok_or_else(|| {
                self.pos = start;
                self.err("an integer of at most 38 digits")
            })
    }

    /// `(…)`: a tuple, or with one item and no comma just that item, as in Python.
    fn paren(&mut self) -> Result<Value, Error> {
        let (mut items, comma) = self.seq(b')')?;
        match (items.len(), comma) {
            (1, false) => Ok(items.pop().unwrap_or(Value::None)),
            _ => Ok(Value::Tuple(items)),
        }
    }

    /// Items up to `close`, and whether a comma was seen.
    fn seq(&mut self, close: u8) -> Result<(Vec<Value>, bool), Error> {
        self.pos += 1;
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            if self.eat(close) {
                return Ok((items, comma));
            }
            items.push(self.value()?);
            if !self.eat(b',') {
                if self.eat(close) {
                    return Ok((items, comma));
                }
                return Err(self.err(if close == b')' {
                    "`,` or `)`"
                } else {
                    "`,` or `]`"
                }));
            }
            comma = true;
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
