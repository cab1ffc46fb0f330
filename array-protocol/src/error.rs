//! Errors: each says what was wrong and what was expected.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// The notation an item type was written in, named in [`FormatError`] messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// A PEP 3118 / `struct`-module format string such as `<f8` or `T{B:r:B:g:}`.
    Pep3118,
    /// A NumPy `__array_interface__` typestr such as `<f8` or `|V16`.
    Typestr,
    /// A NumPy `__array_interface__` descr list.
    Descr,
    /// A DLPack `DLDataType`.
    DLPack,
    /// An item type built from parts (fields, shapes) through the constructors.
    Model,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Pep3118 => "PEP 3118 format",
            Dialect::Typestr => "NumPy typestr",
            Dialect::Descr => "NumPy descr",
            Dialect::DLPack => "DLPack data type",
            Dialect::Model => "item type",
        })
    }
}

/// An item type that could not be read or built.
///
/// The message names the dialect, the input, the byte where the problem was found (for strings),
/// what was found there and what was expected instead.
///
/// ```
/// use array_protocol::ItemType;
///
/// let err = ItemType::from_pep3118("T{i:a:").unwrap_err();
/// assert_eq!(err.position(), Some(6));
/// assert_eq!(
///     err.to_string(),
///     "invalid PEP 3118 format \"T{i:a:\" at byte 6: found end of input, \
///      expected `}` closing the struct opened at byte 0",
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError(Box<Details>);

// Boxed: errors are rare, and a small `Result` keeps the parser's hot path cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    dialect: Dialect,
    input: String,
    position: Option<usize>,
    message: String,
}

impl FormatError {
    pub(crate) fn new(
        dialect: Dialect,
        input: impl Into<String>,
        position: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        FormatError(Box::new(Details {
            dialect,
            input: input.into(),
            position,
            message: message.into(),
        }))
    }

    /// The notation that was being read.
    pub fn dialect(&self) -> Dialect {
        self.0.dialect
    }

    /// The text that was being read (empty for DLPack and model errors).
    pub fn input(&self) -> &str {
        &self.0.input
    }

    /// The byte offset in [`input`](Self::input) where the problem was found, if any.
    pub fn position(&self) -> Option<usize> {
        self.0.position
    }

    /// What was wrong and what was expected, without the input and position.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}", self.0.dialect)?;
        if !self.0.input.is_empty() || self.0.position.is_some() {
            write!(f, " {:?}", self.0.input)?;
        }
        if let Some(position) = self.0.position {
            write!(f, " at byte {position}")?;
        }
        write!(f, ": {}", self.0.message)
    }
}

impl core::error::Error for FormatError {}
