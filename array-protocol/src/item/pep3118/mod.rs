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

mod fast;
mod fields;
mod parser;
mod render;

use fast::*;
use fields::FieldBuf;
use parser::*;
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
