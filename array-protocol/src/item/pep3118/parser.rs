//! The general reader: records, names, sub-array shapes, byte-order state and whitespace, with NumPy's semantics and exact errors.

#[allow(unused_imports)]
use super::*;

/// The full reader, for everything the fast paths leave (names, structs, shapes, whitespace,
/// byte-order marks after the first item) and for every error.
pub(super) fn parse_general(format: &str) -> Result<ItemType, FormatError> {
    let mut parser = Parser {
        s: format,
        pos: 0,
        mode: Mode::Aligned,
        depth: 0,
    };
    parser.skip_ws();
    if parser.at_end() {
        return Err(parser.error("found an empty format, expected at least one item"));
    }
    // Fast path: one unnamed item is that item, with no `Vec` of fields built.
    let mut first = None;
    if parser.peek() != Some('}') {
        let first_at = parser.pos;
        let item = parser.item()?;
        parser.skip_ws();
        if parser.at_end() && item.name.is_none() && !item.padding {
            let size = item.value.itemsize();
            let aligned = parser.mode != Mode::Aligned || size & (item.alignment - 1) == 0;
            if aligned {
                return Ok(item.value);
            }
        }
        first = Some((item, first_at));
    }
    let mut fields = FieldBuf::new();
    let body = parser.body(None, first, &mut fields)?;
    // A single unnamed item filling the whole struct is that item, as in NumPy.
    if let Some(field) =
        fields.take_only_if(|f| f.name.is_none() && f.offset == 0 && f.item.itemsize() == body.size)
    {
        return Ok(field.item);
    }
    // The top-level struct is one more level around its deepest field.
    if let Some(at) = body.deepest.filter(|_| body.nesting == MAX_NESTING) {
        return Err(parser.error_at(
            at,
            alloc::format!(
                "found a struct nested {} levels deep (counting the top-level struct of \
                 several items), expected at most {MAX_NESTING} levels of nested records",
                MAX_NESTING + 1
            ),
        ));
    }
    fields
        .finish(body.size)
        .map_err(|e| parser.error_at(0, e.message()))
}

/// The state of a record while its items are read.
pub(super) struct Record {
    pub(super) offset: usize,
    pub(super) alignment: usize,
    pub(super) nesting: usize,
    pub(super) deepest: Option<usize>,
    /// The names seen, once there are too many for a scan of the fields per name to stay
    /// cheap (the scan would make many named fields quadratic).
    pub(super) names: Option<BTreeSet<String>>,
}

impl Record {
    /// The next item, read from byte `start`: placed, checked and (unless padding) kept.
    #[inline(always)]
    pub(super) fn add(
        &mut self,
        parser: &Parser<'_>,
        fields: &mut FieldBuf,
        item: ParsedItem,
        start: usize,
    ) -> Result<(), FormatError> {
        if item.nesting > self.nesting || self.deepest.is_none() {
            self.nesting = self.nesting.max(item.nesting);
            self.deepest = Some(start);
        }
        // `@` in force after the item (after its `}` for a struct) aligns it, as in NumPy.
        if parser.mode == Mode::Aligned {
            self.offset =
                align_up(self.offset, item.alignment).ok_or_else(|| parser.overflow(start))?;
            self.alignment = self.alignment.max(item.alignment);
        }
        let size = item.value.itemsize();
        match item.name {
            None if item.padding => {}
            name => {
                if let Some(n) = name.as_deref() {
                    let seen = match &mut self.names {
                        Some(set) => !set.insert(String::from(n)),
                        None if fields.len() < 32 => fields.has_name(n),
                        None => {
                            let set = self.names.insert(
                                fields
                                    .iter()
                                    .filter_map(Field::name)
                                    .map(String::from)
                                    .collect(),
                            );
                            !set.insert(String::from(n))
                        }
                    };
                    if seen {
                        return Err(parser.error_at(
                            item.name_at,
                            alloc::format!(
                                "found a second field named {n:?}, expected unique field names"
                            ),
                        ));
                    }
                }
                fields.push(Field::parsed(name, self.offset, item.value));
            }
        }
        self.offset = self
            .offset
            .checked_add(size)
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| parser.overflow(start))?;
        Ok(())
    }
}

/// What reading a record's items found besides its fields.
pub(super) struct Body {
    pub(super) size: usize,
    /// The alignment NumPy gives the struct when it is nested in `@` mode: the lcm (here, the
    /// max of powers of two) of the alignments of the items read in `@` mode.
    pub(super) alignment: usize,
    /// The deepest record nesting among the items, and where the first item that deep starts.
    pub(super) nesting: usize,
    pub(super) deepest: Option<usize>,
}

pub(super) struct Parser<'s> {
    pub(super) s: &'s str,
    pub(super) pos: usize,
    pub(super) mode: Mode,
    /// How many `T{` are open: at most one more than [`MAX_NESTING`], for a `T{}` or `T{3x}`
    /// (opaque bytes, not a record) inside the deepest record.
    pub(super) depth: usize,
}

pub(super) const CODES: &str = "one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{";

impl Parser<'_> {
    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// The next byte as a char: ASCII is all the grammar uses outside names, and a non-ASCII
    /// byte only ever leads to an error (where [`found`](Self::found) decodes it properly).
    #[inline]
    pub(super) fn peek(&self) -> Option<char> {
        self.s
            .as_bytes()
            .get(self.pos)
            .map(|&b| if b.is_ascii() { b as char } else { '\u{fffd}' })
    }

    #[inline]
    pub(super) fn skip_ws(&mut self) {
        let bytes = self.s.as_bytes();
        while bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    pub(super) fn found(&self) -> String {
        match self.s[self.pos..].chars().next() {
            None => String::from("end of input"),
            Some(c) => alloc::format!("`{c}`"),
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> FormatError {
        self.error_at(self.pos, message)
    }

    pub(super) fn error_at(&self, pos: usize, message: impl Into<String>) -> FormatError {
        FormatError::new(Dialect::Pep3118, self.s, Some(pos), message)
    }

    pub(super) fn unexpected(&self, expected: &str) -> FormatError {
        self.error(alloc::format!(
            "found {}, expected {expected}",
            self.found()
        ))
    }

    pub(super) fn overflow(&self, start: usize) -> FormatError {
        self.error_at(
            start,
            "the item size overflows: larger than isize::MAX bytes",
        )
    }

    /// Items up to `}` (when `open` is the position of the `T` that opened the struct) or to
    /// the end of input (top level); `first` is an item already read.
    pub(super) fn body(
        &mut self,
        open: Option<usize>,
        first: Option<(ParsedItem, usize)>,
        fields: &mut FieldBuf,
    ) -> Result<Body, FormatError> {
        let mut record = Record {
            offset: 0,
            alignment: 1,
            nesting: 0,
            deepest: None,
            names: None,
        };
        if let Some((item, at)) = first {
            record.add(self, fields, item, at)?;
        }
        loop {
            let start = self.pos;
            self.skip_ws();
            match (self.peek(), open) {
                (None, None) => break,
                (None, Some(at)) => {
                    return Err(self.unexpected(&alloc::format!(
                        "`}}` closing the struct opened at byte {at}"
                    )))
                }
                (Some('}'), Some(_)) => {
                    self.pos += 1;
                    break;
                }
                (Some('}'), None) => {
                    return Err(self.unexpected("a type code or end of input (no struct is open)"))
                }
                _ => {}
            }
            // The bare-code path inlined here: most items of a record take it.
            let item = match self.bare_item() {
                Some(item) => item?,
                None => self.compound_item()?,
            };
            record.add(self, fields, item, start)?;
        }
        if self.mode == Mode::Aligned {
            // The trailing padding may not take the size past `isize::MAX` either.
            record.offset =
                align_up(record.offset, record.alignment).ok_or_else(|| self.overflow(self.pos))?;
        }
        Ok(Body {
            size: record.offset,
            alignment: record.alignment,
            nesting: record.nesting,
            deepest: record.deepest,
        })
    }

    /// Most items are a bare code of fixed size, perhaps named (`d:mass:`): read at once, as
    /// [`item`](Self::item) would read them (it finds no shape, byte-order mark or count), or
    /// `None` for anything else.
    #[inline(always)]
    pub(super) fn bare_item(&mut self) -> Option<Result<ParsedItem, FormatError>> {
        let c = *self.s.as_bytes().get(self.pos)?;
        let (kind, size) = fixed_code(c, self.mode.native_sizes())?;
        self.pos += 1;
        // `fixed_code` gives only valid sizes, and long doubles only in native modes.
        let s = Scalar::for_code(kind, size, self.mode.order());
        Some(self.named(ItemType::Scalar(s), s.alignment(), false, 0))
    }

    pub(super) fn item(&mut self) -> Result<ParsedItem, FormatError> {
        match self.bare_item() {
            Some(item) => item,
            None => self.compound_item(),
        }
    }

    /// An item that is not a bare code: with a shape, byte-order mark, count, `Z`, string,
    /// padding or `T{…}`, and every error.
    pub(super) fn compound_item(&mut self) -> Result<ParsedItem, FormatError> {
        let shape = if self.peek() == Some('(') {
            Some(self.shape()?)
        } else {
            None
        };
        self.skip_ws();
        if let Some(c) = self
            .peek()
            .filter(|c| matches!(c, '@' | '=' | '<' | '>' | '!' | '^'))
        {
            self.pos += 1;
            self.mode = match c {
                '@' => Mode::Aligned,
                '^' => Mode::Unaligned,
                '=' => Mode::Standard(ByteOrder::NATIVE),
                '<' => Mode::Standard(ByteOrder::Little),
                _ => Mode::Standard(ByteOrder::Big),
            };
            self.skip_ws();
            if self.peek() == Some('(') {
                return Err(self.unexpected(
                    "a count or type code (a sub-array shape goes before the byte-order mark)",
                ));
            }
        }
        let count_at = self.pos;
        let count = self.number()?;
        self.skip_ws();
        if count.is_some() && self.peek() == Some('(') {
            return Err(self.unexpected("a type code (a sub-array shape goes before the count)"));
        }
        let code_at = self.pos;
        let code = self.code(count, count_at)?;
        let mut value = code.value;
        let count = if code.count_used { None } else { count };
        let extra = count.filter(|&n| n != 1);
        if shape.is_some() || extra.is_some() {
            let mut dims = shape.unwrap_or_else(|| Axes::from_slice(&[]));
            if let Some(n) = extra {
                dims.push(n);
            }
            // For zero-size items the size cannot overflow, but the element count must fit too,
            // so that every size computed from the shape is finite.
            let count = crate::layout::checked_product(1usize, &dims);
            if value.itemsize() == 0 && count.is_none_or(|n| n > isize::MAX as usize) {
                return Err(self.error_at(
                    code_at,
                    alloc::format!(
                        "found a sub-array of shape {dims:?}, whose number of elements is larger than isize::MAX"
                    ),
                ));
            }
            value = ItemType::array(value, &dims).map_err(|e| {
                if e.message().ends_with("larger than isize::MAX bytes") {
                    self.overflow(code_at)
                } else {
                    self.error_at(code_at, e.message())
                }
            })?;
        }
        self.named(value, code.alignment, code.padding, code.nesting)
    }

    /// The item `value` read, with the `:name:` that may follow it.
    #[inline(always)]
    pub(super) fn named(
        &mut self,
        value: ItemType,
        alignment: usize,
        padding: bool,
        nesting: usize,
    ) -> Result<ParsedItem, FormatError> {
        self.skip_ws();
        let name_at = self.pos;
        let name = if self.s.as_bytes().get(self.pos) == Some(&b':') {
            Some(self.name()?)
        } else {
            None
        };
        Ok(ParsedItem {
            value,
            alignment,
            padding,
            name,
            name_at,
            nesting,
        })
    }

    /// `(k,m,…)`: one or more decimal dimensions.
    pub(super) fn shape(&mut self) -> Result<Axes<usize>, FormatError> {
        let open = self.pos;
        self.pos += 1;
        // Inline for up to six axes: no allocation for ordinary sub-arrays.
        let mut dims = Axes::from_slice(&[]);
        loop {
            self.skip_ws();
            match self.number()? {
                Some(d) => dims.push(d),
                None => return Err(self.unexpected("a dimension (a decimal number)")),
            }
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(dims);
                }
                _ => {
                    return Err(self.unexpected(&alloc::format!(
                        "`,` or `)` closing the shape opened at byte {open}"
                    )))
                }
            }
        }
    }

    pub(super) fn number(&mut self) -> Result<Option<usize>, FormatError> {
        if !self
            .s
            .as_bytes()
            .get(self.pos)
            .is_some_and(u8::is_ascii_digit)
        {
            return Ok(None);
        }
        let start = self.pos;
        let mut n = Some(0usize);
        while let Some(&d) = self
            .s
            .as_bytes()
            .get(self.pos)
            .filter(|d| d.is_ascii_digit())
        {
            n = n
                .and_then(|n| n.checked_mul(10))
                .and_then(|n| n.checked_add(usize::from(d - b'0')));
            self.pos += 1;
        }
        n.filter(|&n| n <= isize::MAX as usize)
            .map(Some)
            .ok_or_else(|| {
                self.error_at(start, "found a number too large for a count or dimension")
            })
    }

    /// `:name:`
    pub(super) fn name(&mut self) -> Result<Name, FormatError> {
        let open = self.pos;
        self.pos += 1;
        let len = self.s.as_bytes()[self.pos..]
            .iter()
            .position(|&b| b == b':');
        let len = len.ok_or_else(|| {
            self.error_at(
                self.s.len(),
                alloc::format!(
                    "found end of input, expected `:` closing the field name opened at byte {open}"
                ),
            )
        })?;
        if len == 0 {
            return Err(self.error("found `:`, expected a field name (names may not be empty)"));
        }
        let name = Name::new(&self.s[self.pos..self.pos + len]);
        self.pos += len + 1;
        Ok(name)
    }

    /// A type code, with the count when it is a length (`10s`, `3w`, `4x`).
    pub(super) fn code(
        &mut self,
        count: Option<usize>,
        count_at: usize,
    ) -> Result<Code, FormatError> {
        let at = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.unexpected(&alloc::format!("a type code ({CODES})")));
        };
        if !c.is_ascii() {
            return Err(self.unexpected(&alloc::format!("a type code ({CODES})")));
        }
        self.pos += 1;
        let native_sizes = self.mode.native_sizes();
        if let Some((kind, size)) = fixed_code(c as u8, native_sizes) {
            // `fixed_code` gives only valid sizes, and long doubles only in native modes.
            let s = Scalar::for_code(kind, size, self.mode.order());
            return Ok(Code {
                value: ItemType::Scalar(s),
                alignment: s.alignment(),
                padding: false,
                count_used: false,
                nesting: 0,
            });
        }
        let (kind, size) = match c {
            'n' | 'N' | 'g' if !native_sizes => return Err(self.native_only(at, c)),
            'Z' => {
                let size = match self.peek() {
                    Some('f') => 8,
                    Some('d') => 16,
                    Some('g') if !native_sizes => return Err(self.native_only(at, 'Z')),
                    Some('g') => 2 * crate::item::LONG_DOUBLE_SIZE,
                    _ => {
                        return Err(self.unexpected(
                            "`f`, `d` or `g` after `Z` (complex float, double or long double)",
                        ))
                    }
                };
                self.pos += 1;
                (ScalarKind::Complex, size)
            }
            's' | 'w' => {
                let n = match count {
                    Some(0) => {
                        return Err(self.error_at(
                            count_at,
                            alloc::format!(
                                "found a `{c}` string of length 0, expected a length of at least 1"
                            ),
                        ))
                    }
                    n => n.unwrap_or(1),
                };
                let unit = if c == 's' { 1 } else { 4 };
                let size = n.checked_mul(unit).ok_or_else(|| self.overflow(at))?;
                let kind = if c == 's' {
                    ScalarKind::Bytes
                } else {
                    ScalarKind::Ucs4
                };
                return self.scalar(kind, size, at, true);
            }
            '[' => {
                // This crate's extension for the FP8/FP6/FP4 formats PEP 3118 has no code for.
                let len = self.s[self.pos..].find(']').ok_or_else(|| {
                    self.error_at(
                        self.s.len(),
                        alloc::format!(
                            "found end of input, expected `]` closing the type name opened at byte {at}"
                        ),
                    )
                })?;
                let name = &self.s[self.pos..self.pos + len];
                let format = crate::item::MiniFloat::from_name(name).ok_or_else(|| {
                    self.error_at(
                        at,
                        alloc::format!(
                            "found the type name [{name}], expected one of the FP8/FP6/FP4 \
                             formats ([float8_e4m3fn], [float8_e5m2], [float4_e2m1fn], …)"
                        ),
                    )
                })?;
                self.pos += len + 1;
                (ScalarKind::MiniFloat(format), 1)
            }
            'x' => {
                let mut code = self.scalar(ScalarKind::Void, count.unwrap_or(1), at, true)?;
                code.padding = true;
                return Ok(code);
            }
            'T' => {
                if self.peek() != Some('{') {
                    return Err(self.unexpected("`{` after `T` (a struct is written `T{…}`)"));
                }
                self.pos += 1;
                // Every struct around a `T{` this deep has a field, so is a record: more than
                // `MAX_NESTING` of them. Refused before recursing further.
                if self.depth > MAX_NESTING {
                    return Err(self.too_deep(at, self.depth + 1));
                }
                self.depth += 1;
                let mut fields = FieldBuf::new();
                let body = self.body(Some(at), None, &mut fields);
                self.depth -= 1;
                let body = body?;
                // Without fields, `T{…}` is opaque bytes, not a record.
                let nesting = if fields.len() == 0 {
                    0
                } else {
                    body.nesting + 1
                };
                if nesting > MAX_NESTING {
                    return Err(self.too_deep(at, nesting));
                }
                let value = fields
                    .finish(body.size)
                    .map_err(|e| self.error_at(at, e.message()))?;
                return Ok(Code {
                    value,
                    alignment: body.alignment,
                    padding: false,
                    count_used: false,
                    nesting,
                });
            }
            _ => {
                let message = unsupported(c).unwrap_or_else(|| {
                    alloc::format!("found `{c}`, expected a type code ({CODES})")
                });
                return Err(self.error_at(at, message));
            }
        };
        // A fixed-size code: valid by construction, so no `Scalar::new` checks on the hot path.
        let order = if size == 1 || kind == ScalarKind::Bool {
            ByteOrder::NotApplicable
        } else {
            self.mode.order()
        };
        let scalar = Scalar::raw(kind, size, order);
        Ok(Code {
            value: ItemType::Scalar(scalar),
            alignment: scalar.alignment(),
            padding: false,
            count_used: false,
            nesting: 0,
        })
    }

    pub(super) fn scalar(
        &self,
        kind: ScalarKind,
        size: usize,
        at: usize,
        count_used: bool,
    ) -> Result<Code, FormatError> {
        let s = Scalar::new(kind, size, self.mode.order()).map_err(|_| self.overflow(at))?;
        Ok(Code {
            value: ItemType::Scalar(s),
            alignment: s.alignment(),
            padding: false,
            count_used,
            nesting: 0,
        })
    }

    pub(super) fn too_deep(&self, at: usize, levels: usize) -> FormatError {
        self.error_at(
            at,
            alloc::format!(
                "found a struct nested {levels} levels deep, expected at most {MAX_NESTING} \
                 levels of nested records"
            ),
        )
    }

    pub(super) fn native_only(&self, at: usize, c: char) -> FormatError {
        let code = if c == 'Z' {
            "Zg"
        } else if c == 'g' {
            "g"
        } else if c == 'n' {
            "n"
        } else {
            "N"
        };
        self.error_at(
            at,
            alloc::format!(
                "found `{code}`, which has no standard size; expected it after `@` or `^` \
                 (native sizes), not after `=`, `<`, `>` or `!`"
            ),
        )
    }
}

pub(super) struct Code {
    pub(super) value: ItemType,
    /// Alignment under `@`.
    pub(super) alignment: usize,
    /// An `x` run: padding unless named.
    pub(super) padding: bool,
    /// The count was a length (`10s`), not a sub-array axis.
    pub(super) count_used: bool,
    /// How many levels of records the item holds (0 for scalars).
    pub(super) nesting: usize,
}

pub(super) fn unsupported(c: char) -> Option<String> {
    let what = match c {
        'O' => "Python object pointers",
        '&' => "pointers",
        'P' => "void pointers",
        'p' => "Pascal strings",
        't' => "bit fields",
        'u' => "UCS-2 strings",
        'X' => "function pointers",
        _ => return None,
    };
    Some(alloc::format!(
        "found `{c}` ({what}), which cannot be read as plain memory and is not supported"
    ))
}

pub(super) struct ParsedItem {
    pub(super) value: ItemType,
    pub(super) alignment: usize,
    pub(super) padding: bool,
    pub(super) name: Option<Name>,
    pub(super) name_at: usize,
    pub(super) nesting: usize,
}

/// `offset` rounded up to a multiple of `alignment`, a power of two (every alignment here is);
/// `None` past `isize::MAX`, the largest size an item may have.
#[inline]
pub(super) fn align_up(offset: usize, alignment: usize) -> Option<usize> {
    debug_assert!(alignment.is_power_of_two());
    let mask = alignment - 1;
    let n = offset.checked_add(mask)? & !mask;
    (n <= isize::MAX as usize).then_some(n)
}
