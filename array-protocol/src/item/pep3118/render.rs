//! The canonical PEP 3118 renderer.

use alloc::string::String;
use core::fmt::Write;

use super::Mode;
use crate::item::{ByteOrder, ItemType, Scalar, ScalarKind, NATIVE_LONG_SIZE};

/// Writes the canonical form. In aligned rendering everything stays in `@` mode with bare codes
/// (explicit padding puts each field exactly where `@` alignment would); otherwise multi-byte
/// scalars carry the marks they need and `@` is never entered, so no reader adds alignment.
pub(super) struct Renderer {
    pub(super) out: String,
    pub(super) mode: Mode,
    pub(super) aligned: bool,
}

impl Renderer {
    pub(super) fn item(&mut self, item: &ItemType, name: Option<&str>, top: bool) {
        self.unnamed(item, name.is_some(), top);
        if let Some(name) = name {
            let _ = write!(self.out, ":{name}:");
        }
    }

    /// The item without its name; `named` says whether a name follows.
    fn unnamed(&mut self, item: &ItemType, named: bool, top: bool) {
        match item {
            // A bare `Nx` is a void only where it is named or the whole item; elsewhere it
            // would be padding, so it is wrapped as a struct with no fields.
            ItemType::Scalar(s)
                if s.kind() == ScalarKind::Void && s.size() > 0 && (named || top) =>
            {
                let _ = write!(self.out, "{}x", s.size());
            }
            ItemType::Scalar(s) => self.scalar(s),
            ItemType::Array(a) => {
                self.out.push('(');
                for (i, d) in a.shape().iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    let _ = write!(self.out, "{d}");
                }
                self.out.push(')');
                self.unnamed(&a.item(), named, false);
            }
            ItemType::Struct(s) => {
                self.out.push_str("T{");
                let mut end = 0;
                for field in s.fields() {
                    self.pad(field.offset() - end);
                    self.item(field.item(), field.name(), false);
                    end = field.offset() + field.item().itemsize();
                }
                self.pad(s.size() - end);
                self.out.push('}');
            }
        }
    }

    fn pad(&mut self, n: usize) {
        match n {
            0 => {}
            1..=3 => (0..n).for_each(|_| self.out.push('x')),
            _ => {
                let _ = write!(self.out, "{n}x");
            }
        }
    }

    fn scalar(&mut self, s: &Scalar) {
        let multi_byte = s.order() != ByteOrder::NotApplicable;
        if multi_byte && !self.aligned {
            let fits = match self.mode {
                Mode::Aligned => false,
                Mode::Unaligned => s.order().is_native(),
                Mode::Standard(order) => order == s.order() && !s.is_long_double(),
            };
            if !fits {
                let (mark, mode) = if s.is_long_double() {
                    ('^', Mode::Unaligned)
                } else if s.order().is_native() {
                    ('=', Mode::Standard(s.order()))
                } else if s.order() == ByteOrder::Little {
                    ('<', Mode::Standard(ByteOrder::Little))
                } else {
                    ('>', Mode::Standard(ByteOrder::Big))
                };
                self.out.push(mark);
                self.mode = mode;
            }
        }
        let native_sizes = self.mode.native_sizes();
        let code = match (s.kind(), s.size()) {
            (ScalarKind::Bool, _) => "?",
            (ScalarKind::Char, _) => "c",
            (ScalarKind::Int, 1) => "b",
            (ScalarKind::UInt, 1) => "B",
            (ScalarKind::Int, 2) => "h",
            (ScalarKind::UInt, 2) => "H",
            (ScalarKind::Int, 4) => "i",
            (ScalarKind::UInt, 4) => "I",
            (ScalarKind::Int, _) if native_sizes && NATIVE_LONG_SIZE == 8 => "l",
            (ScalarKind::UInt, _) if native_sizes && NATIVE_LONG_SIZE == 8 => "L",
            (ScalarKind::Int, _) => "q",
            (ScalarKind::UInt, _) => "Q",
            (ScalarKind::BFloat, _) => "E",
            (ScalarKind::MiniFloat(f), _) => {
                let _ = write!(self.out, "[{}]", f.name());
                return;
            }
            (ScalarKind::Float, 2) => "e",
            (ScalarKind::Float, 4) => "f",
            (ScalarKind::Float, 8) => "d",
            (ScalarKind::Float, _) => "g",
            (ScalarKind::Complex, 8) => "Zf",
            (ScalarKind::Complex, 16) => "Zd",
            (ScalarKind::Complex, _) => "Zg",
            (ScalarKind::Bytes, n) => {
                let _ = write!(self.out, "{n}s");
                return;
            }
            (ScalarKind::Ucs4, n) => {
                let _ = write!(self.out, "{}w", n / 4);
                return;
            }
            (ScalarKind::Void, 0) => "T{}",
            (ScalarKind::Void, n) => {
                let _ = write!(self.out, "T{{{n}x}}");
                return;
            }
        };
        self.out.push_str(code);
    }
}
