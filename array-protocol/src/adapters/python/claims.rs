//! The aliasing policy that makes `&mut` to imported memory sound: every import through this
//! module claims the bytes its elements touch, shared or exclusive, for as long as it lives.
//!
//! - Shared claims coexist.
//! - An exclusive (writable) claim is refused while any other claim of overlapping memory is
//!   alive, and while it is alive every other claim of overlapping memory is refused.
//!
//! Overlap is decided element by element (`a[::2]` and `a[1::2]` of one array do not overlap),
//! exactly for slices, steps and halves, conservatively when the search would take too long.
//! The policy covers imports through this crate only: Python code writing to an array while a
//! Rust function reads it with the GIL released races with it, as it would with any extension.

use std::prelude::rust_2021::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::layout::{may_overlap, Axes, Extent};
use crate::{ArrayView, Error, ErrorKind};

/// One live import's elements.
struct Entry {
    id: u64,
    exclusive: bool,
    what: &'static str,
    first: usize,
    shape: Axes<usize>,
    strides: Axes<isize>,
    itemsize: usize,
}

impl Entry {
    fn extent(&self) -> Extent<'_> {
        Extent {
            first: self.first,
            shape: &self.shape,
            strides: &self.strides,
            itemsize: self.itemsize,
        }
    }
}

static CLAIMS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static NEXT: AtomicU64 = AtomicU64::new(1);

/// A live claim; dropping it ends the claim.
pub(crate) struct Claim {
    /// 0 for an array with no bytes, which claims nothing.
    id: u64,
}

impl Claim {
    /// Claims the bytes of `view`'s elements, exclusively when `exclusive`; `what` names the
    /// import in the message of a refusal (`"a writable buffer"`).
    pub(crate) fn new(
        view: &ArrayView<'_>,
        exclusive: bool,
        what: &'static str,
    ) -> Result<Claim, Error> {
        if view.is_empty() || view.itemsize() == 0 {
            return Ok(Claim { id: 0 });
        }
        let entry = Entry {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            exclusive,
            what,
            first: view.as_ptr() as usize,
            shape: Axes::from_slice(view.shape()),
            strides: Axes::from_slice(view.strides()),
            itemsize: view.itemsize(),
        };
        // A poisoned lock only means a panic elsewhere while it was held; the list itself is
        // always consistent (every change is one push or one removal).
        let mut claims = CLAIMS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(other) = claims.iter().find(|other| {
            (exclusive || other.exclusive) && may_overlap(&entry.extent(), &other.extent())
        }) {
            let message = if exclusive {
                format!(
                    "cannot import {what}: its memory overlaps {} that is still alive; a writable import needs memory no other import uses (drop the other first)",
                    other.what
                )
            } else {
                format!(
                    "cannot import {what}: its memory overlaps {} that is still alive and may write to it (drop that first)",
                    other.what
                )
            };
            return Err(Error::new(ErrorKind::Overlap, message));
        }
        let id = entry.id;
        claims.push(entry);
        Ok(Claim { id })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.id == 0 {
            return;
        }
        let mut claims = CLAIMS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = claims.iter().position(|e| e.id == self.id) {
            claims.swap_remove(at);
        }
    }
}
