//! PEP 3118 / `struct`-module format strings: the parser and the canonical renderer.
//!
//! # What is read
//! - Byte-order marks `@ = < > ! ^` anywhere before an item. As in NumPy, a mark is state for
//!   the rest of the string, not scoped to a `T{}`. `@` means native sizes and native alignment
//!   (each item padded to its own alignment from the start of its struct, and the struct padded
//!   at its end when `@` is in force there); `^` native sizes, no alignment; `= < > !` standard
//!   sizes, no alignment.
//! - Codes `? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x`, `T{…}` structs, the extension
//!   code `E` (bfloat16). `l L` are 4 bytes in standard mode and the platform's `long` in native
//!   mode; `n N g Zg` have no standard size and are refused after `= < > !`.
//! - Per item, in NumPy's order: an optional `(k,m,…)` sub-array shape, an optional byte-order
//!   mark, an optional count, the code, an optional `:name:`. A count on `s`/`w` is a string
//!   length and on `x` a padding length; on anything else it makes a sub-array (`3d`).
//! - Unnamed `x` is padding; a named `x` run (`3x:pad:`) is a void field. Several items, or one
//!   named item, at top level form a struct.
//! - Whitespace between items and between the parts of an item is ignored (the PEP's multi-line
//!   examples), but not inside numbers, names, `T{` or `Zd`.
//!
//! # What is refused, and why
//! Codes that are not plain memory are refused with an error naming them: `O` (Python object
//! pointers), `&` (pointers), `P` (void pointers), `p` (Pascal strings), `t` (bit fields),
//! `u` (UCS-2), `X{}` (function pointers). So are malformed strings NumPy lets through (`T{`,
//! `}`, `i}x`, unclosed braces), empty shapes and counts, dangling colons, duplicate names and
//! zero-length strings. The error says at which byte, what was found and what was expected.
//! Records may nest at most [`MAX_NESTING`] deep (counting a top-level struct of several items
//! as one level), so that no reader or writer recurses without bound.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::sync::Arc;

use super::{
    ByteOrder, Field, Info, ItemType, Name, RecordFacts, Scalar, ScalarKind, SubArray,
    NATIVE_LONG_SIZE,
};
use crate::error::{Dialect, FormatError};
use crate::layout::Axes;

mod fields;
mod render;
use fields::FieldBuf;
use render::Renderer;

use super::MAX_NESTING;

/// The state a byte-order mark leaves behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// `@`: native order, native sizes, native alignment.
    Aligned,
    /// `^`: native order, native sizes, no alignment.
    Unaligned,
    /// `= < > !`: the given order, standard sizes, no alignment.
    Standard(ByteOrder),
}

impl Mode {
    fn native_sizes(self) -> bool {
        !matches!(self, Mode::Standard(_))
    }

    fn order(self) -> ByteOrder {
        match self {
            Mode::Standard(order) => order,
            _ => ByteOrder::NATIVE,
        }
    }
}

impl ItemType {
    /// Reads a PEP 3118 / `struct`-module format string, with NumPy's reading of byte-order
    /// marks, alignment and top-level structs. See [the module docs](self) for the grammar.
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// // `<f8` is a typestr, not a format: `f` then a count `8` with no code.
    /// assert_eq!(ItemType::from_pep3118("<f8").unwrap_err().position(), Some(3));
    /// let t = ItemType::from_pep3118("<d").unwrap();
    /// assert_eq!((t.itemsize(), t.typestr().as_str()), (8, "<f8"));
    /// // Several items form a struct; `@` (the default) aligns and pads.
    /// let s = ItemType::from_pep3118("i:x: B:flag:").unwrap();
    /// assert_eq!((s.itemsize(), s.fields().unwrap()[1].offset()), (8, 4));
    /// // Stricter than NumPy: stray braces are errors, not ignored.
    /// let err = ItemType::from_pep3118("i}x").unwrap_err();
    /// assert_eq!(err.message(), "found `}`, expected a type code or end of input (no struct is open)");
    /// ```
    pub fn from_pep3118(format: &str) -> Result<ItemType, FormatError> {
        if let Some(scalar) = single_scalar(format.as_bytes()) {
            return Ok(ItemType::Scalar(scalar));
        }
        if let Some(item) = plain_codes(format.as_bytes()) {
            return Ok(item);
        }
        parse_general(format)
    }

    /// Renders the canonical PEP 3118 format: bare native codes where the item is native and
    /// naturally aligned (what NumPy exports and CPython's `memoryview` can index), explicit
    /// byte-order marks otherwise, and explicit `x` padding between fields and at the end, so
    /// that every reader computes the same itemsize.
    /// `ItemType::from_pep3118(&t.to_pep3118()) == Ok(t)` for every item type `t`.
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// let packed = ItemType::from_pep3118("<B:a:i:b:").unwrap();
    /// assert_eq!(packed.itemsize(), 5);
    /// assert_eq!(packed.to_pep3118(), "T{B:a:=i:b:}");
    /// let big = ItemType::from_pep3118("(2,2)!h").unwrap();
    /// assert_eq!(big.to_pep3118(), "(2,2)>h");
    /// ```
    pub fn to_pep3118(&self) -> String {
        let mut r = Renderer {
            out: String::new(),
            mode: Mode::Aligned,
            aligned: self.renders_aligned(),
        };
        r.item(self, None, true);
        r.out
    }

    /// Whether the whole item can be written in `@` mode with bare codes: native byte order,
    /// every field at an offset aligned for it, every record's size a multiple of its alignment.
    fn renders_aligned(&self) -> bool {
        match self {
            ItemType::Scalar(s) => s.order().is_native(),
            ItemType::Array(a) => a.item().renders_aligned(),
            ItemType::Struct(s) => {
                s.size() % self.alignment() == 0
                    && s.fields().iter().all(|f| {
                        f.item().renders_aligned() && f.offset() % f.item().alignment() == 0
                    })
            }
        }
    }
}

/// The full reader, for everything the fast paths leave (names, structs, shapes, whitespace,
/// byte-order marks after the first item) and for every error.
fn parse_general(format: &str) -> Result<ItemType, FormatError> {
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

/// A whole format of unnamed scalar codes with optional counts after at most one leading
/// byte-order mark (`bxxxi`, `<bi`, `10s`, `3f`, `iiddq`: what CPython's `struct` module reads),
/// read in one pass with the same semantics as the full reader, which it leaves everything else
/// to (`None`), errors included.
fn plain_codes(format: &[u8]) -> Option<ItemType> {
    // Names are what most often sends a format to the full reader: look for one first.
    if format.contains(&b':') {
        return None;
    }
    // Only the first code may carry a byte-order mark here; a later one is left to the full
    // reader (`fixed_code` refuses it).
    let (mode, mut i) = match format.first().copied() {
        Some(b'@') => (Mode::Aligned, 1),
        Some(b'^') => (Mode::Unaligned, 1),
        Some(b'=') => (Mode::Standard(ByteOrder::NATIVE), 1),
        Some(b'<') => (Mode::Standard(ByteOrder::Little), 1),
        Some(b'>' | b'!') => (Mode::Standard(ByteOrder::Big), 1),
        Some(_) => (Mode::Aligned, 0),
        None => return None,
    };
    let aligned = mode == Mode::Aligned;
    let first = plain_item(format, &mut i, mode)?;
    if i == format.len() && !first.padding {
        // One item: itself, as the full reader makes it, when it is aligned.
        if !aligned || first.size & (first.alignment - 1) == 0 {
            return Some(first.value());
        }
    }
    // In a plain format every item is one code byte after its count, and padding is `x`: the
    // number of fields is the number of other bytes, counted before anything is built, so
    // that each field is built once, in its place in the record's one allocation. A format
    // that turns out not to be plain leaves the loop below early (`None`): the allocation is
    // then freed without dropping the fields written so far, which own nothing (unnamed
    // scalars and one-axis sub-arrays of them).
    let n = format[i - 1..]
        .iter()
        .filter(|&&b| !b.is_ascii_digit() && b != b'x')
        .count();
    if n == 0 {
        // Only padding: the full reader makes opaque bytes of it.
        return None;
    }
    let out = Arc::<[Field]>::new_uninit_slice(n);
    // SAFETY (for the writes below): `out` was just made and is never cloned or shared before
    // `assume_init`, so this pointer to its `n` slots is the only access to them, and each
    // write stays inside them (`written < n` is checked first). A write through this pointer
    // instead of `Arc::get_mut` spares an atomic instruction per record.
    let slots = Arc::as_ptr(&out).cast_mut().cast::<Field>();
    let mut facts = RecordFacts::new();
    let (mut offset, mut alignment, mut written) = (0usize, 1usize, 0usize);
    let mut only = None;
    let mut item = first;
    loop {
        if aligned {
            offset = align_up(offset, item.alignment)?;
            alignment = alignment.max(item.alignment);
        }
        if !item.padding {
            if written == n {
                return None;
            }
            let value = item.value();
            facts.add_info(
                offset,
                Info::flat(item.size, item.alignment, item.scalar.order().is_native()),
            );
            if n == 1 {
                only = Some(item);
            }
            let slot = slots.wrapping_add(written);
            // SAFETY: see `slots`: `slot` is slot `written < n` of the unshared allocation,
            // not yet written (so nothing is overwritten that would need a drop).
            unsafe { slot.write(Field::unnamed(offset, value)) };
            written += 1;
        }
        offset = offset
            .checked_add(item.size)
            .filter(|&n| n <= isize::MAX as usize)?;
        if i == format.len() {
            break;
        }
        item = plain_item(format, &mut i, mode)?;
    }
    if aligned {
        offset = align_up(offset, alignment)?;
    }
    if written != n {
        return None;
    }
    // A single unnamed item filling the whole struct is that item, as in NumPy.
    if let Some(only) = only.filter(|f| f.size == offset) {
        return Some(only.value());
    }
    // SAFETY: the loop wrote slot `written` (checked to exist) and then counted it, so slots
    // `0..written` were each written once, and `written == n == out.len()`.
    let fields = unsafe { out.assume_init() };
    Some(ItemType::Struct(facts.flat_record(fields, offset)))
}

/// One plain item read by [`plain_codes`]: `count` of `scalar`, or padding of `size` bytes.
#[derive(Clone, Copy)]
struct PlainItem {
    scalar: Scalar,
    /// A count before the code (other than 1) makes a sub-array of one axis.
    count: Option<usize>,
    /// The whole item's size (checked).
    size: usize,
    alignment: usize,
    padding: bool,
}

impl PlainItem {
    /// The item's type (a scalar or a sub-array of scalars: nothing is allocated).
    #[inline(always)]
    fn value(&self) -> ItemType {
        match self.count {
            None => ItemType::Scalar(self.scalar),
            Some(n) => SubArray::inline_1d(self.scalar, n, self.size),
        }
    }
}

/// An optional count and a plain code at `i`, in `mode`; `None` for anything else.
#[inline(always)]
fn plain_item(format: &[u8], i: &mut usize, mode: Mode) -> Option<PlainItem> {
    let mut count = None;
    if format.get(*i).is_some_and(u8::is_ascii_digit) {
        let mut n = 0usize;
        while let Some(&d) = format.get(*i).filter(|d| d.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
            *i += 1;
        }
        if n > isize::MAX as usize {
            return None;
        }
        count = Some(n);
    }
    let c = *format.get(*i)?;
    *i += 1;
    Some(match c {
        b's' => {
            // A length of 1 to isize::MAX (checked with the count): a valid byte string.
            let n = count.unwrap_or(1);
            if n == 0 {
                return None;
            }
            PlainItem {
                scalar: Scalar::raw(ScalarKind::Bytes, n, ByteOrder::NotApplicable),
                count: None,
                size: n,
                alignment: 1,
                padding: false,
            }
        }
        // Up to isize::MAX bytes (checked with the count): valid padding.
        b'x' => {
            let n = count.unwrap_or(1);
            PlainItem {
                scalar: Scalar::raw(ScalarKind::Void, n, ByteOrder::NotApplicable),
                count: None,
                size: n,
                alignment: 1,
                padding: true,
            }
        }
        c => {
            let (kind, size) = fixed_code(c, mode.native_sizes())?;
            let scalar = Scalar::for_code(kind, size, mode.order());
            // A fixed code's alignment is its size, but for the long double's.
            let alignment = if c == b'g' { scalar.alignment() } else { size };
            debug_assert_eq!(alignment, scalar.alignment());
            let count = count.filter(|&n| n != 1);
            let size = match count {
                None => size,
                Some(n) => SubArray::checked_size(n, size)?,
            };
            PlainItem {
                scalar,
                count,
                size,
                alignment,
                padding: false,
            }
        }
    })
}

/// The scalar codes of a fixed size in a mode: `(kind, size)`, or `None` for codes that need
/// more (counts, `Z`, `T{…}`) or have no size in this mode (`n N g` in standard mode).
#[inline(always)]
fn fixed_code(c: u8, native_sizes: bool) -> Option<(ScalarKind, usize)> {
    let long = if native_sizes { NATIVE_LONG_SIZE } else { 4 };
    Some(match c {
        b'?' => (ScalarKind::Bool, 1),
        b'c' => (ScalarKind::Char, 1),
        b'b' => (ScalarKind::Int, 1),
        b'B' => (ScalarKind::UInt, 1),
        b'h' => (ScalarKind::Int, 2),
        b'H' => (ScalarKind::UInt, 2),
        b'i' => (ScalarKind::Int, 4),
        b'I' => (ScalarKind::UInt, 4),
        b'l' => (ScalarKind::Int, long),
        b'L' => (ScalarKind::UInt, long),
        b'q' => (ScalarKind::Int, 8),
        b'Q' => (ScalarKind::UInt, 8),
        b'n' if native_sizes => (ScalarKind::Int, core::mem::size_of::<isize>()),
        b'N' if native_sizes => (ScalarKind::UInt, core::mem::size_of::<usize>()),
        b'e' => (ScalarKind::Float, 2),
        b'E' => (ScalarKind::BFloat, 2),
        b'f' => (ScalarKind::Float, 4),
        b'd' => (ScalarKind::Float, 8),
        b'g' if native_sizes => (ScalarKind::Float, super::LONG_DOUBLE_SIZE),
        _ => return None,
    })
}

/// A whole format that is one scalar code, with or without a byte-order mark (`d`, `<i`,
/// `>Q`): read without the parser's machinery. Anything else (or anything invalid) is `None`,
/// for the full parser to read or to explain.
#[inline]
fn single_scalar(format: &[u8]) -> Option<Scalar> {
    let (mode, code) = match *format {
        [c] => (Mode::Aligned, c),
        [m, c] => (
            match m {
                b'@' => Mode::Aligned,
                b'^' => Mode::Unaligned,
                b'=' => Mode::Standard(ByteOrder::NATIVE),
                b'<' => Mode::Standard(ByteOrder::Little),
                b'>' | b'!' => Mode::Standard(ByteOrder::Big),
                _ => return None,
            },
            c,
        ),
        _ => return None,
    };
    let (kind, size) = fixed_code(code, mode.native_sizes())?;
    // `fixed_code` gives only valid sizes, and long doubles only in native modes.
    Some(Scalar::for_code(kind, size, mode.order()))
}

/// The state of a record while its items are read.
struct Record {
    offset: usize,
    alignment: usize,
    nesting: usize,
    deepest: Option<usize>,
    /// The names seen, once there are too many for a scan of the fields per name to stay
    /// cheap (the scan would make many named fields quadratic).
    names: Option<BTreeSet<String>>,
}

impl Record {
    /// The next item, read from byte `start`: placed, checked and (unless padding) kept.
    #[inline(always)]
    fn add(
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
struct Body {
    size: usize,
    /// The alignment NumPy gives the struct when it is nested in `@` mode: the lcm (here, the
    /// max of powers of two) of the alignments of the items read in `@` mode.
    alignment: usize,
    /// The deepest record nesting among the items, and where the first item that deep starts.
    nesting: usize,
    deepest: Option<usize>,
}

struct Parser<'s> {
    s: &'s str,
    pos: usize,
    mode: Mode,
    /// How many `T{` are open: at most one more than [`MAX_NESTING`], for a `T{}` or `T{3x}`
    /// (opaque bytes, not a record) inside the deepest record.
    depth: usize,
}

const CODES: &str = "one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{";

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// The next byte as a char: ASCII is all the grammar uses outside names, and a non-ASCII
    /// byte only ever leads to an error (where [`found`](Self::found) decodes it properly).
    #[inline]
    fn peek(&self) -> Option<char> {
        self.s
            .as_bytes()
            .get(self.pos)
            .map(|&b| if b.is_ascii() { b as char } else { '\u{fffd}' })
    }

    #[inline]
    fn skip_ws(&mut self) {
        let bytes = self.s.as_bytes();
        while bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.s[self.pos..].chars().next() {
            None => String::from("end of input"),
            Some(c) => alloc::format!("`{c}`"),
        }
    }

    fn error(&self, message: impl Into<String>) -> FormatError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> FormatError {
        FormatError::new(Dialect::Pep3118, self.s, Some(pos), message)
    }

    fn unexpected(&self, expected: &str) -> FormatError {
        self.error(alloc::format!(
            "found {}, expected {expected}",
            self.found()
        ))
    }

    fn overflow(&self, start: usize) -> FormatError {
        self.error_at(
            start,
            "the item size overflows: larger than isize::MAX bytes",
        )
    }

    /// Items up to `}` (when `open` is the position of the `T` that opened the struct) or to
    /// the end of input (top level); `first` is an item already read.
    fn body(
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
    fn bare_item(&mut self) -> Option<Result<ParsedItem, FormatError>> {
        let c = *self.s.as_bytes().get(self.pos)?;
        let (kind, size) = fixed_code(c, self.mode.native_sizes())?;
        self.pos += 1;
        // `fixed_code` gives only valid sizes, and long doubles only in native modes.
        let s = Scalar::for_code(kind, size, self.mode.order());
        Some(self.named(ItemType::Scalar(s), s.alignment(), false, 0))
    }

    fn item(&mut self) -> Result<ParsedItem, FormatError> {
        match self.bare_item() {
            Some(item) => item,
            None => self.compound_item(),
        }
    }

    /// An item that is not a bare code: with a shape, byte-order mark, count, `Z`, string,
    /// padding or `T{…}`, and every error.
    fn compound_item(&mut self) -> Result<ParsedItem, FormatError> {
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
    fn named(
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
    fn shape(&mut self) -> Result<Axes<usize>, FormatError> {
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

    fn number(&mut self) -> Result<Option<usize>, FormatError> {
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
    fn name(&mut self) -> Result<Name, FormatError> {
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
    fn code(&mut self, count: Option<usize>, count_at: usize) -> Result<Code, FormatError> {
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
                    Some('g') => 2 * super::LONG_DOUBLE_SIZE,
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
                let format = super::MiniFloat::from_name(name).ok_or_else(|| {
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

    fn scalar(
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

    fn too_deep(&self, at: usize, levels: usize) -> FormatError {
        self.error_at(
            at,
            alloc::format!(
                "found a struct nested {levels} levels deep, expected at most {MAX_NESTING} \
                 levels of nested records"
            ),
        )
    }

    fn native_only(&self, at: usize, c: char) -> FormatError {
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

struct Code {
    value: ItemType,
    /// Alignment under `@`.
    alignment: usize,
    /// An `x` run: padding unless named.
    padding: bool,
    /// The count was a length (`10s`), not a sub-array axis.
    count_used: bool,
    /// How many levels of records the item holds (0 for scalars).
    nesting: usize,
}

fn unsupported(c: char) -> Option<String> {
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

struct ParsedItem {
    value: ItemType,
    alignment: usize,
    padding: bool,
    name: Option<Name>,
    name_at: usize,
    nesting: usize,
}

/// `offset` rounded up to a multiple of `alignment`, a power of two (every alignment here is);
/// `None` past `isize::MAX`, the largest size an item may have.
#[inline]
fn align_up(offset: usize, alignment: usize) -> Option<usize> {
    debug_assert!(alignment.is_power_of_two());
    let mask = alignment - 1;
    let n = offset.checked_add(mask)? & !mask;
    (n <= isize::MAX as usize).then_some(n)
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    /// Field names short enough to be stored inline and longer ones read back alike.
    #[test]
    fn names_short_and_long_read_back() {
        use crate::ItemType;
        // 22 bytes are stored inline, 23 are not; multi-byte UTF-8 counts its bytes.
        let short = "abcdefghijklmnopqrstuv";
        let long = "abcdefghijklmnopqrstuvw";
        let wide = "ééééééééééé"; // 22 bytes
        let wider = "éééééééééééé"; // 24 bytes
        let format = alloc::format!("T{{i:{short}:i:{long}:i:{wide}:i:{wider}:i}}");
        let item = ItemType::from_pep3118(&format).unwrap();
        let ItemType::Struct(s) = &item else {
            panic!("a record");
        };
        let names: Vec<_> = s.fields().iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [Some(short), Some(long), Some(wide), Some(wider), None]
        );
        let cloned = item.clone();
        assert_eq!(cloned, item);
        assert_eq!(ItemType::from_pep3118(&item.to_pep3118()).unwrap(), item);
        // A repeated inline name is still found.
        let twice = alloc::format!("T{{i:{short}:i:{short}:}}");
        assert!(ItemType::from_pep3118(&twice).is_err());
    }

    /// The one-pass reader agrees with the full reader on every format it takes, and takes the
    /// formats it is for.
    #[test]
    fn plain_codes_read_as_the_full_reader_does() {
        let marks = ["", "@", "^", "=", "<", ">", "!"];
        let tokens = [
            "b", "B", "h", "i", "l", "q", "d", "e", "E", "?", "c", "g", "n", "x", "3x", "0x", "2i",
            "1d", "0d", "10s", "s", "0s", "4B", "3f", "2g", ":", "i:", "(2)i", " ", "T{}", "Zd",
        ];
        let mut checked = 0;
        let mut taken = 0;
        for mark in marks {
            for a in tokens {
                for b in tokens.iter().copied().chain([""]) {
                    for c in tokens.iter().copied().chain([""]) {
                        let f: String = [mark, a, b, c].concat();
                        let fast = super::plain_codes(f.as_bytes());
                        let full = super::parse_general(&f);
                        if let Some(item) = &fast {
                            taken += 1;
                            assert_eq!(Ok(item), full.as_ref(), "{f:?}");
                            // The facts kept beside the fields too (not part of equality).
                            assert_eq!(item.info(), full.unwrap().info(), "{f:?}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50_000 && taken > 10_000, "{checked} {taken}");
        let expect_taken: Vec<&str> = ["bxxxi", "<bi", "iiddq", "=bhiq", "10s", "3f", "4B"].into();
        for f in expect_taken {
            assert!(super::plain_codes(f.as_bytes()).is_some(), "{f}");
        }
    }
}
