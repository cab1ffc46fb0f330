//! How composite item types hold their parts: `'static` data for item types known at compile
//! time (built in constants by [`Element`](crate::item::element::Element) impls and the derive), shared or
//! owned data for item types read at run time. Cloning never allocates a compile-time item type
//! and only bumps a reference count for a parsed one.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Deref;

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

/// A sequence that is either a `'static` slice or owned.
#[doc(hidden)]
pub enum Seq<T: 'static> {
    /// Built at compile time.
    Static(&'static [T]),
    /// Built at run time.
    Owned(Vec<T>),
}

impl<T: 'static> Deref for Seq<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Seq::Static(s) => s,
            Seq::Owned(v) => v,
        }
    }
}

impl<T: 'static> Seq<T> {
    /// Whether a compile-time sequence is empty (owned ones are never asked, in constants).
    pub(crate) const fn is_empty_const(&self) -> bool {
        match self {
            Seq::Static(s) => s.is_empty(),
            Seq::Owned(_) => false,
        }
    }
}

impl<T: Clone + 'static> Clone for Seq<T> {
    fn clone(&self) -> Self {
        match self {
            Seq::Static(s) => Seq::Static(s),
            Seq::Owned(v) => Seq::Owned(v.clone()),
        }
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
