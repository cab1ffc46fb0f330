//! The export count of a `RustArray` and the lock a change of its owner takes, in one atomic
//! word, so that exports and changes exclude each other on every CPython, free-threaded too.
//!
//! The rules (numbered where the code relies on them):
//! 1. An export first takes a [`Held`] ([`Exports::hold`]): the count goes up by one unless a
//!    change is under way, which refuses the export with a `BufferError`. While any export is
//!    counted, the owner and its description are only read.
//! 2. A change ([`Exports::change`]) takes the word from 0 to [`CHANGING`]: refused with a
//!    `BufferError` while any export is counted or another change is under way. While it is
//!    held, nothing else reads the owner or its description.
//! 3. Every increment has exactly one decrement: a `Held` decrements when dropped unless it is
//!    [`kept`](Held::keep) for a buffer export, whose `__releasebuffer__` calls
//!    [`Exports::release`]; a [`Hold`] (made by [`Held::share`], for exports that outlive the
//!    call: DLPack, Arrow, the `__array_interface__` memory object) decrements when dropped.
//!
//! Nothing waits: an export meeting a change (or a change meeting an export) is refused at once,
//! as `bytearray` refuses to resize while exported. An uncontended export costs one
//! compare-and-swap and its release one decrement.

use std::format;
use std::prelude::rust_2021::*;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use pyo3::exceptions::PyBufferError;
use pyo3::PyResult;

/// The bit of the word that says a change of the owner is under way; the other bits count
/// exports.
const CHANGING: usize = 1 << (usize::BITS - 1);

/// The export count and change lock of one array (see the module's rules).
pub(super) struct Exports(Arc<AtomicUsize>);

impl Exports {
    pub(super) fn new() -> Exports {
        Exports(Arc::default())
    }

    /// Counts one more export (rule 1): a `BufferError` while the owner is being changed.
    pub(super) fn hold(&self) -> PyResult<Held<'_>> {
        let mut now = self.0.load(Ordering::Relaxed);
        loop {
            if now & CHANGING != 0 {
                return Err(PyBufferError::new_err(
                    "cannot export the array while it is being resized or changed (on another thread); try again once that is done",
                ));
            }
            if now == CHANGING - 1 {
                return Err(PyBufferError::new_err(format!(
                    "cannot export the array: it has {now} live exports already"
                )));
            }
            // Acquire: what the last change wrote is seen by this export's reads.
            match self
                .0
                .compare_exchange_weak(now, now + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Ok(Held(self)),
                Err(actual) => now = actual,
            }
        }
    }

    /// Takes the change lock (rule 2): a `BufferError` saying why it cannot, naming `what` (the
    /// change: "resize", "change").
    pub(super) fn change(&self, what: &str) -> PyResult<Change<'_>> {
        // Acquire: every read of a released export happened before this change writes.
        match self
            .0
            .compare_exchange(0, CHANGING, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) => Ok(Change(self)),
            Err(now) if now & CHANGING != 0 => Err(PyBufferError::new_err(format!(
                "cannot {what}: the array is being resized or changed (on another thread)"
            ))),
            Err(live) => Err(PyBufferError::new_err(format!(
                "cannot {what}: the array has {live} live export(s) (memoryviews, numpy arrays, DLPack tensors, Arrow arrays or __array_interface__ data); release them first"
            ))),
        }
    }

    /// The number of live exports (a change under way counts none).
    pub(super) fn live(&self) -> usize {
        self.0.load(Ordering::Acquire) & !CHANGING
    }

    /// Ends a buffer export whose [`Held`] was [`kept`](Held::keep) (rule 3).
    pub(super) fn release(&self) {
        // Release: this export's reads happen before any later change's writes.
        let before = self.0.fetch_sub(1, Ordering::Release);
        debug_assert!(before & !CHANGING != 0, "a release without its export");
    }
}

/// One counted export, for the duration of a call (rule 1): the owner and its description stay
/// unchanged while it lives. Dropping it ends the export.
pub(super) struct Held<'a>(&'a Exports);

impl Held<'_> {
    /// Keeps the export counted after this returns: a buffer export, ended by
    /// [`Exports::release`] from `__releasebuffer__`.
    pub(super) fn keep(self) {
        std::mem::forget(self);
    }

    /// One more counted export that owns its count, for exports that outlive the call.
    pub(super) fn share(&self) -> Hold {
        // Cannot meet a change: this `Held` keeps the count above zero (rule 2).
        self.0 .0.fetch_add(1, Ordering::Relaxed);
        Hold(self.0 .0.clone())
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// A counted export that owns its count (rule 3), made by [`Held::share`].
pub(super) struct Hold(Arc<AtomicUsize>);

impl Drop for Hold {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Release);
    }
}

/// The change lock (rule 2), released when dropped, also when the change panics.
pub(super) struct Change<'a>(&'a Exports);

impl Drop for Change<'_> {
    fn drop(&mut self) {
        // Release: the change's writes are seen by every export that follows.
        self.0 .0.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_and_changes_exclude_each_other() {
        let exports = Exports::new();
        let a = exports.hold().unwrap();
        let b = exports.hold().unwrap();
        assert_eq!(exports.live(), 2);
        assert!(exports.change("resize").is_err());
        let shared = a.share();
        drop(a);
        b.keep();
        assert_eq!(exports.live(), 2);
        exports.release();
        assert!(exports.change("resize").is_err());
        drop(shared);
        assert_eq!(exports.live(), 0);
        let change = exports.change("resize").unwrap();
        assert_eq!(exports.live(), 0);
        assert!(exports.hold().is_err());
        assert!(exports.change("resize").is_err());
        drop(change);
        assert!(exports.hold().is_ok());
        assert_eq!(exports.live(), 0);
    }
}
