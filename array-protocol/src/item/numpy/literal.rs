//! Python literals as `ast.literal_eval` reads them, for the subset `.npy` headers and numpy descr
//! lists use: strings, integers, booleans, `None`, tuples, lists and dicts. One reader for both,
//! so a descr means the same wherever it comes from.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{error, Error};

/// How deeply a literal may nest brackets: the dict, and per record level of the descr
/// a list and an entry tuple, then a shape or title tuple; enough for
/// [`MAX_NESTING`](crate::item::MAX_NESTING) levels of records. (Python's own parser
/// refuses more than 200.)
pub(crate) const MAX_LITERAL_DEPTH: usize = 2 * crate::item::MAX_NESTING + 2;

/// The largest sub-array dimension numpy accepts in a descr: a C `int`.
pub(crate) const MAX_SUBARRAY_DIM: i128 = i32::MAX as i128;

/// A Python literal, as far as `.npy` headers and descr lists use them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

/// Reads `text` as `ast.literal_eval` would, for the subset described at
/// [`parse_header`](crate::mmap::parse_header);
/// `python2` accepts Python 2's `3L` integers (numpy's fallback for 1.0 and 2.0 files).
pub(crate) fn literal(text: &str, python2: bool, what: &'static str) -> Result<Value, Error> {
    let mut p = Lit {
        text,
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
        python2,
        what,
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
    /// What is read, for errors: `.npy header`, `descr`.
    what: &'static str,
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
            "invalid {} at byte {}: found {found}, expected {expected}", self.what, self.pos
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
                "{} has brackets nested more than {MAX_LITERAL_DEPTH} deep", self.what
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
