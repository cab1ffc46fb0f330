//! How composite item types hold their parts: `'static` data for item types known at compile
//! time (built in constants by [`Element`](crate::item::element::Element) impls and the derive), shared or
//! owned data for item types read at run time. Cloning never allocates a compile-time item type
//! and only bumps a reference count for a parsed one.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::ops::Deref;

use super::Field;

/// A value that is either `'static` or reference-counted.
#[doc(hidden)]
pub enum Shared<T: 'static> {
    /// Built at compile time.
    Static(&'static T),
    /// Built at run time.
    Arc(Arc<T>),
}

impl<T: 'static> Clone for Shared<T> {
    #[inline]
    fn clone(&self) -> Self {
        match self {
            Shared::Static(r) => Shared::Static(r),
            Shared::Arc(a) => Shared::Arc(Arc::clone(a)),
        }
    }
}

impl<T: 'static> Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        match self {
            Shared::Static(r) => r,
            Shared::Arc(a) => a,
        }
    }
}

impl<T: 'static> Shared<T> {
    /// Whether both point at the same value (equal without looking inside).
    #[inline]
    pub(crate) fn same(&self, other: &Self) -> bool {
        core::ptr::eq::<T>(&**self, &**other)
    }
}

/// A record's fields: a `'static` slice for a record known at compile time, or one shared
/// allocation (the fields themselves, behind one reference count) for a record read at run time.
#[derive(Clone)]
pub(crate) enum Fields {
    /// Built at compile time.
    Static(&'static [Field]),
    /// Built at run time.
    Shared(Arc<[Field]>),
}

impl Deref for Fields {
    type Target = [Field];
    #[inline]
    fn deref(&self) -> &[Field] {
        match self {
            Fields::Static(s) => s,
            Fields::Shared(a) => a,
        }
    }
}

impl Fields {
    /// Whether both are the same fields in memory (equal without looking inside).
    #[inline]
    pub(crate) fn same(&self, other: &Self) -> bool {
        let (a, b): (&[Field], &[Field]) = (self, other);
        core::ptr::eq(a, b)
    }
}

/// A field name that is either `'static`, short enough to be stored inline (most names: no
/// allocation), or owned.
#[doc(hidden)]
#[derive(Clone)]
pub enum Name {
    /// Built at compile time.
    Static(&'static str),
    /// Built at run time, at most [`Name::INLINE`] bytes: `bytes[..len]` is a whole `str`.
    Inline { len: u8, bytes: [u8; Name::INLINE] },
    /// Built at run time.
    Owned(Box<str>),
}

impl Name {
    /// The longest name stored inline.
    pub const INLINE: usize = 22;

    /// A run-time name: inline when it is short.
    #[inline]
    pub(crate) fn new(name: &str) -> Name {
        if name.len() <= Name::INLINE {
            let mut bytes = [0u8; Name::INLINE];
            bytes[..name.len()].copy_from_slice(name.as_bytes());
            Name::Inline {
                len: name.len() as u8,
                bytes,
            }
        } else {
            Name::Owned(name.into())
        }
    }
}

impl Deref for Name {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        match self {
            Name::Static(s) => s,
            // SAFETY: `Name::new` copied a whole `str` into `bytes[..len]`, which is never
            // changed afterwards (the fields are only read), so those bytes are valid UTF-8.
            Name::Inline { len, bytes } => unsafe {
                core::str::from_utf8_unchecked(&bytes[..usize::from(*len)])
            },
            Name::Owned(s) => s,
        }
    }
}
