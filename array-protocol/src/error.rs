//! Errors: each says what was wrong and what was expected.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
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

/// What kind of problem an [`Error`] reports, for code that reacts to some of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An item type could not be read ([`FormatError`]).
    Format,
    /// Shape, strides or offset do not describe memory inside the buffer, or overflow.
    Layout,
    /// A mutable view whose elements would share bytes.
    Overlap,
    /// The data pointer or a stride is not aligned for the requested type.
    Alignment,
    /// The item type is not the one requested.
    ItemType,
    /// The data is in the other byte order.
    ByteOrder,
    /// Bytes that are not a valid value of the requested type (a `bool` byte of 2).
    InvalidValue,
    /// The array does not meet what a consumer requires (axes, contiguity, writability).
    Requirement,
    /// The memory cannot be described by shape, strides and offset (indirect buffers,
    /// suboffsets, masks, non-CPU devices): the consumer punts.
    Unsupported,
    /// Two arrays that must have the same shape do not, or an axis or index is out of range.
    Shape,
    /// Reading or writing a file failed.
    Io,
    /// Memory for a copy could not be allocated (NumPy's `MemoryError`).
    OutOfMemory,
}

/// An array that could not be viewed, read, cast or copied; the message says what was wrong and
/// what was expected.
///
/// Adapters and user code build it with [`Error::new`] (or [`Error::with_source`] to keep the
/// cause, returned by [`source`](core::error::Error::source)). A [`FormatError`] converted with
/// `?` keeps its dialect and position.
///
/// ```
/// use array_protocol::{ArrayView, Element, Error, ErrorKind, ItemType};
///
/// let bytes = [0u8; 16];
/// let err = ArrayView::new(&bytes, f64::item_type(), &[3], None, 0).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Layout);
/// assert_eq!(
///     err.to_string(),
///     "the array reaches byte 24 but the buffer has 16 bytes (shape [3], strides [8], offset 0, itemsize 8)"
/// );
///
/// fn read(format: &str) -> Result<ItemType, Error> {
///     Ok(ItemType::from_pep3118(format)?)
/// }
/// let err = read("T{i").unwrap_err();
/// assert_eq!(err.format_error().and_then(|e| e.position()), Some(3));
/// assert!(core::error::Error::source(&err).is_some());
///
/// let mine = Error::new(ErrorKind::Requirement, "expected a square image");
/// assert_eq!(mine.to_string(), "expected a square image");
/// ```
#[derive(Clone)]
pub struct Error(Box<ErrorInner>);

#[derive(Clone)]
struct ErrorInner {
    kind: ErrorKind,
    message: String,
    advice: Option<Advice>,
    source: Option<Source>,
}

/// A remedy an [`Error`] suggests, kept apart from its message so that each adapter can phrase
/// it in its own terms (a Python adapter names numpy's calls where Rust names this crate's
/// methods). [`Display`](fmt::Display) writes the message, then the remedy in Rust terms
/// ([`Advice::rust`]).
///
/// ```
/// use array_protocol::{Advice, ArrayView, ItemType};
///
/// let bytes = [0u8; 16];
/// let big_endian = ItemType::from_pep3118(">d")?;
/// let view = ArrayView::new(&bytes, big_endian, &[2], None, 0)?;
/// let err = view.typed::<f64>().unwrap_err();
/// assert_eq!(err.advice(), Some(Advice::NativeOrder));
/// assert!(err.to_string().ends_with(Advice::NativeOrder.rust()));
/// assert!(!err.message().contains("to_native_order"));
/// # Ok::<(), array_protocol::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Advice {
    /// Swap the items to native byte order first (`to_native_order`, `to_vec_native`).
    NativeOrder,
    /// Swap the items to native byte order or cast them to the wanted type first.
    NativeOrderOrCast,
    /// Copy the array to a contiguous one first (`to_contiguous`).
    Contiguous,
}

impl Advice {
    /// The remedy in this crate's terms, as [`Error`]'s `Display` writes it after the message.
    pub const fn rust(self) -> &'static str {
        match self {
            Advice::NativeOrder => "swap them with to_native_order() or to_vec_native() first",
            Advice::NativeOrderOrCast => "convert with to_native_order() or cast first",
            Advice::Contiguous => "copy it with to_contiguous() first",
        }
    }
}

#[derive(Clone)]
enum Source {
    Format(FormatError),
    Other(Arc<dyn core::error::Error + Send + Sync + 'static>),
}

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorInner {
            kind,
            message: message.into(),
            advice: None,
            source: None,
        }))
    }

    /// This error with `advice`, written after the message (see [`Advice`]).
    pub fn with_advice(mut self, advice: Advice) -> Self {
        self.0.advice = Some(advice);
        self
    }

    /// The remedy the error suggests, if any.
    pub fn advice(&self) -> Option<Advice> {
        self.0.advice
    }

    /// An error of `kind` with `message`, caused by `source`.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl core::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut e = Error::new(kind, message);
        e.0.source = Some(Source::Other(Arc::new(source)));
        e
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message, without the [`advice`](Self::advice) that
    /// [`Display`](fmt::Display) writes after it.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The item-type error this came from, with its dialect and position.
    pub fn format_error(&self) -> Option<&FormatError> {
        match &self.0.source {
            Some(Source::Format(e)) => Some(e),
            _ => None,
        }
    }
}

impl PartialEq for Error {
    /// Errors are equal when their kinds, messages and advice are.
    fn eq(&self, other: &Self) -> bool {
        self.0.kind == other.0.kind
            && self.0.message == other.0.message
            && self.0.advice == other.0.advice
    }
}

impl Eq for Error {}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("advice", &self.0.advice)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        match self.0.advice {
            Some(advice) => write!(f, "; {}", advice.rust()),
            None => Ok(()),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.0.source {
            Some(Source::Format(e)) => Some(e),
            Some(Source::Other(e)) => Some(&**e),
            None => None,
        }
    }
}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        let mut err = Error::new(ErrorKind::Format, alloc::format!("{e}"));
        err.0.source = Some(Source::Format(e));
        err
    }
}

/// An I/O error as an [`ErrorKind::Io`] error that keeps it as its source (feature `std`).
#[cfg(feature = "std")]
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::with_source(ErrorKind::Io, alloc::format!("{e}"), e)
    }
}

/// An error as an I/O error, for code that returns `std::io::Result` (feature `std`): layout,
/// item-type and requirement problems are `InvalidData`, allocation failures `OutOfMemory`,
/// I/O errors keep their own kind.
///
/// ```
/// use array_protocol::{ArrayView, Element};
///
/// fn load() -> std::io::Result<()> {
///     let bytes = [0u8; 4];
///     ArrayView::new(&bytes, f64::item_type(), &[1], None, 0)?;
///     Ok(())
/// }
/// assert_eq!(load().unwrap_err().kind(), std::io::ErrorKind::InvalidData);
/// ```
#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match (e.kind(), core::error::Error::source(&e)) {
            (ErrorKind::Io, Some(s)) => s
                .downcast_ref::<std::io::Error>()
                .map_or(std::io::ErrorKind::Other, std::io::Error::kind),
            (ErrorKind::Io, None) => std::io::ErrorKind::Other,
            (ErrorKind::OutOfMemory, _) => std::io::ErrorKind::OutOfMemory,
            (ErrorKind::Unsupported, _) => std::io::ErrorKind::Unsupported,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}

/// Panics with a producer's error: what `array()` does where `try_array()` fails (see the
/// derive's documentation).
#[doc(hidden)]
#[cold]
#[track_caller]
pub fn inconsistent(type_name: &str, e: &Error) -> ! {
    panic!("{type_name}: its fields do not describe its data: {e}")
}

/// Items in the other byte order where native ones are needed: one message for every reader.
/// `items` describes the item type (`ItemType::describe`).
pub(crate) fn byte_order_error(items: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::ByteOrder,
        alloc::format!("cannot {what}: items of {items} are not in native byte order"),
    )
    .with_advice(Advice::NativeOrder)
}

/// An allocation of `bytes` bytes that failed or could not be expressed.
pub(crate) fn allocation_error(what: &str, bytes: Option<usize>) -> Error {
    Error::new(
        ErrorKind::OutOfMemory,
        match bytes {
            Some(n) => alloc::format!("cannot allocate {n} bytes for {what}"),
            None => alloc::format!("cannot allocate {what}: its size overflows"),
        },
    )
}

/// Shorthand for building an [`Error`] with `format!` arguments.
macro_rules! error {
    ($kind:ident, $($arg:tt)*) => {
        $crate::error::Error::new($crate::error::ErrorKind::$kind, alloc::format!($($arg)*))
    };
}
pub(crate) use error;
