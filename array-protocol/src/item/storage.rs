//! How composite item types hold their parts: `'static` data for item types known at compile
//! time (built in constants by [`Element`](crate::item::element::Element) impls and the derive), shared or
//! owned data for item types read at run time. Cloning never allocates a compile-time item type
//! and only bumps a reference count for a parsed one.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::NonNull;

use super::Field;

/// A value that is either `'static` or reference-counted, behind one pointer that constants
/// can follow too (so the facts kept beside a composite item's parts stay `const`-readable).
#[doc(hidden)]
pub enum Shared<T: 'static> {
    /// Built at compile time.
    Static(&'static T),
    /// Built at run time.
    Counted(Counted<T>),
}

impl<T: 'static> Shared<T> {
    /// `value`, reference-counted.
    #[inline]
    pub(crate) fn new(value: T) -> Self {
        Shared::Counted(Counted::new(value))
    }

    /// The value; readable in constants.
    #[inline]
    pub(crate) const fn get(&self) -> &T {
        match self {
            Shared::Static(r) => r,
            Shared::Counted(c) => c.get(),
        }
    }

    /// Whether both point at the same value (equal without looking inside).
    #[inline]
    pub(crate) fn same(&self, other: &Self) -> bool {
        core::ptr::eq::<T>(self.get(), other.get())
    }
}

impl<T: 'static> Clone for Shared<T> {
    #[inline]
    fn clone(&self) -> Self {
        match self {
            Shared::Static(r) => Shared::Static(r),
            Shared::Counted(c) => Shared::Counted(c.clone()),
        }
    }
}

impl<T: 'static> Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.get()
    }
}

/// An `Arc<T>` held as the raw pointer `Arc::into_raw` gives: the same ownership (one strong
/// count per value, given back on drop), but the pointer can be followed in a `const fn`, which
/// `Arc`'s `Deref` cannot.
#[doc(hidden)]
pub struct Counted<T> {
    ptr: NonNull<T>,
    _owns: PhantomData<Arc<T>>,
}

// SAFETY: a `Counted<T>` is an `Arc<T>` (it owns one strong count and only reads through the
// pointer), so it may cross and be shared between threads exactly when `Arc<T>` may.
unsafe impl<T: Send + Sync> Send for Counted<T> {}
// SAFETY: as for `Send` above.
unsafe impl<T: Send + Sync> Sync for Counted<T> {}

impl<T> Counted<T> {
    #[inline]
    fn new(value: T) -> Self {
        let raw = Arc::into_raw(Arc::new(value)).cast_mut();
        Counted {
            ptr: NonNull::new(raw).unwrap_or_else(|| unreachable!("Arc::into_raw is never null")),
            _owns: PhantomData,
        }
    }

    #[inline]
    const fn get(&self) -> &T {
        // SAFETY: `ptr` came from `Arc::into_raw` and this value holds one strong count (taken
        // in `new` or `clone`, given back only in `drop`), so the allocation lives at least as
        // long as `&self`; nothing writes through it.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Clone for Counted<T> {
    #[inline]
    fn clone(&self) -> Self {
        // SAFETY: `ptr` came from `Arc::into_raw` and the count this value holds keeps it
        // alive; the new value owns the count taken here.
        unsafe { Arc::increment_strong_count(self.ptr.as_ptr()) };
        Counted {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }
}

impl<T> Drop for Counted<T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `Arc::into_raw`, and this value gives back the one strong
        // count it holds, once; it is not used afterwards.
        unsafe { Arc::decrement_strong_count(self.ptr.as_ptr()) };
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
