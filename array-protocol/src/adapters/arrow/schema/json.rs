//! JSON text (RFC 8259) as the tensor extensions' metadata needs it: a cursor with readers for
//! the values the metadata uses, and a validating skip over any other value. Every error names
//! the byte where the text stopped being what was expected.
//!
//! Written by hand rather than with `serde_json`: the Arrow adapter has no dependency, the
//! metadata is three keys deep, and the errors keep this crate's form (byte offsets, duplicate
//! keys refused).

use alloc::string::String;
use alloc::vec::Vec;

use super::parse_count;

/// Nesting beyond this in skipped values is refused rather than followed.
pub(super) const MAX_DEPTH: usize = 32;

/// A cursor over JSON text.
pub(super) struct Json<'a> {
    s: &'a [u8],
    at: usize,
}

/// What a number held, beyond its digits.
struct Number {
    start: usize,
    negative: bool,
    fraction_or_exponent: bool,
}

impl<'a> Json<'a> {
    /// A cursor at the start of `text` (UTF-8: `str` guarantees it).
    pub(super) fn new(text: &'a str) -> Json<'a> {
        Json {
            s: text.as_bytes(),
            at: 0,
        }
    }

    /// Where the cursor is, in bytes from the start.
    pub(super) fn at(&self) -> usize {
        self.at
    }

    /// Whether the cursor is past the last byte.
    pub(super) fn at_end(&self) -> bool {
        self.at == self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn fail(&self, what: &str) -> String {
        alloc::format!("{what} at byte {}", self.at)
    }

    /// Skips RFC 8259 whitespace: space, tab, line feed, carriage return.
    pub(super) fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Takes `c` if it is next.
    pub(super) fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.at += usize::from(hit);
        hit
    }

    /// Takes `c`, which must be next.
    pub(super) fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            return Ok(());
        }
        Err(self.fail(&alloc::format!("expected `{}`", char::from(c))))
    }

    /// Takes `word` (`true`, `false`, `null`) if it is next.
    fn literal(&mut self, word: &[u8]) -> bool {
        let hit = self.s[self.at..].starts_with(word);
        if hit {
            self.at += word.len();
        }
        hit
    }

    /// A string, its escapes decoded.
    pub(super) fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' {
                    break;
                }
                if c < 0x20 {
                    return Err(self.fail("a control character in a string"));
                }
                self.at += 1;
            }
            // Runs between escapes are whole UTF-8 sequences: the text is a `str`, and `"` and
            // `\` never occur inside a multi-byte sequence.
            out.push_str(
                core::str::from_utf8(&self.s[start..self.at])
                    .map_err(|_| self.fail("invalid UTF-8"))?,
            );
            match self.peek() {
                None => return Err(self.fail("an unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                _ => out.push(self.escape()?),
            }
        }
    }

    /// The escape at the cursor (its `\`), decoded; leaves the cursor after it.
    fn escape(&mut self) -> Result<char, String> {
        let backslash = self.at;
        self.at += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = self.hex4()?;
                let code = match hi {
                    0xD800..=0xDBFF => {
                        let low = self.at;
                        if !(self.eat(b'\\') && self.peek() == Some(b'u')) {
                            self.at = backslash;
                            return Err(self.fail("a high surrogate escape without its low half"));
                        }
                        let lo = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            self.at = low;
                            return Err(self.fail("a high surrogate escape followed by no low one"));
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        self.at = backslash;
                        return Err(self.fail("a low surrogate escape without its high half"));
                    }
                    _ => hi,
                };
                // Every code outside the surrogates is a `char`.
                return char::from_u32(code).ok_or_else(|| self.fail("an invalid \\u escape"));
            }
            _ => {
                self.at = backslash;
                return Err(self.fail("an invalid escape"));
            }
        };
        self.at += 1;
        Ok(c)
    }

    /// The four hex digits after the `u` at the cursor; leaves the cursor after them.
    fn hex4(&mut self) -> Result<u32, String> {
        self.at += 1;
        let mut v = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|d| char::from(d).to_digit(16))
                .ok_or_else(|| self.fail("expected a hex digit of a \\u escape"))?;
            v = v * 16 + digit;
            self.at += 1;
        }
        Ok(v)
    }

    /// Takes one or more digits.
    fn digits(&mut self) -> Result<(), String> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.fail("expected a digit"));
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        Ok(())
    }

    /// A number by RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<Number, String> {
        let start = self.at;
        let negative = self.eat(b'-');
        if self.peek() == Some(b'0') {
            self.at += 1;
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                self.at = start;
                return Err(self.fail("a number with a leading zero"));
            }
        } else {
            self.digits()?;
        }
        let mut fraction_or_exponent = false;
        if self.eat(b'.') {
            self.digits()?;
            fraction_or_exponent = true;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
            fraction_or_exponent = true;
        }
        Ok(Number {
            start,
            negative,
            fraction_or_exponent,
        })
    }

    /// A number that is a non-negative integer (no sign, fraction or exponent) up to
    /// `isize::MAX`.
    fn count(&mut self) -> Result<usize, String> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.fail("expected a non-negative integer"));
        }
        let n = self.number()?;
        let text = core::str::from_utf8(&self.s[n.start..self.at]).unwrap_or("");
        let value = if n.negative || n.fraction_or_exponent {
            None
        } else {
            parse_count(text, isize::MAX as usize)
        };
        value.ok_or_else(|| {
            alloc::format!(
                "expected a non-negative integer at byte {}, found {text:?}",
                n.start
            )
        })
    }

    /// An array of counts (`null` allowed, read as 0, when `nulls`).
    pub(super) fn counts(&mut self, nulls: bool) -> Result<Vec<usize>, String> {
        self.list(|p| {
            if nulls && p.literal(b"null") {
                return Ok(0);
            }
            p.count()
        })
    }

    /// An array of strings.
    pub(super) fn strings(&mut self) -> Result<Vec<String>, String> {
        self.list(Json::string)
    }

    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.expect(b'[')?;
        let mut out = Vec::new();
        self.space();
        if self.eat(b']') {
            return Ok(out);
        }
        loop {
            self.space();
            out.push(item(self)?);
            self.space();
            if self.eat(b']') {
                return Ok(out);
            }
            self.expect(b',')?;
        }
    }

    /// Checks and skips any value (for keys the metadata does not use), `depth` arrays or
    /// objects deep.
    pub(super) fn skip_value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.fail(&alloc::format!("values nested more than {MAX_DEPTH} deep")));
        }
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'[') => self.list(|p| p.skip_value(depth + 1)).map(drop),
            Some(b'{') => {
                self.at += 1;
                self.space();
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.space();
                    self.string()?;
                    self.space();
                    self.expect(b':')?;
                    self.space();
                    self.skip_value(depth + 1)?;
                    self.space();
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    self.expect(b',')?;
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            _ => {
                if [&b"true"[..], b"false", b"null"]
                    .iter()
                    .any(|word| self.literal(word))
                {
                    return Ok(());
                }
                Err(self.fail("expected a JSON value"))
            }
        }
    }
}
