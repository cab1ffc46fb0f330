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

use pyo3::Python;

use array_protocol::layout::{contiguous_in, may_overlap, Axes, Extent};
use array_protocol::{ArrayView, Error, ErrorKind};

/// One live import's elements: a byte range for contiguous arrays (which touch every byte of
/// it), the full description otherwise, so that overlap is decided element by element.
struct Entry {
    id: u64,
    exclusive: bool,
    what: &'static str,
    /// `[length in bytes]` of a contiguous array starting at `first`.
    dense: [usize; 1],
    first: usize,
    strided: Option<Box<Strided>>,
}

struct Strided {
    shape: Axes<usize>,
    strides: Axes<isize>,
    itemsize: usize,
}

impl Entry {
    fn extent(&self) -> Extent<'_> {
        match &self.strided {
            Some(s) => Extent {
                first: self.first,
                shape: &s.shape,
                strides: &s.strides,
                itemsize: s.itemsize,
            },
            None => Extent {
                first: self.first,
                shape: &self.dense,
                strides: &[1],
                itemsize: 1,
            },
        }
    }
}

/// The live claims, and the id of the next one.
struct Registry {
    entries: Vec<Entry>,
    next: u64,
}

static REGISTRY: Lock = Lock::new(Registry {
    entries: Vec::new(),
    next: 1,
});

/// With the GIL (every CPython but a free-threaded one), the GIL itself serialises access to
/// the registry: it is only touched while attached, never across a call into Python, so no
/// atomic operation is needed.
#[cfg(not(Py_GIL_DISABLED))]
struct Lock(std::cell::UnsafeCell<Registry>);

// SAFETY: the registry is only reached through `Lock::with`, which requires the GIL (a `Python`
// token) and does not release it while the registry is borrowed.
#[cfg(not(Py_GIL_DISABLED))]
unsafe impl Sync for Lock {}

#[cfg(not(Py_GIL_DISABLED))]
impl Lock {
    const fn new(registry: Registry) -> Lock {
        Lock(std::cell::UnsafeCell::new(registry))
    }

    fn with<R>(&self, _attached: Python<'_>, f: impl FnOnce(&mut Registry) -> R) -> R {
        // SAFETY: the GIL is held (the token says so) and `f` is plain Rust that neither calls
        // Python nor reaches `with` again, so this is the only borrow of the registry.
        f(unsafe { &mut *self.0.get() })
    }
}

/// A free-threaded CPython has no GIL to rely on: a mutex.
#[cfg(Py_GIL_DISABLED)]
struct Lock(std::sync::Mutex<Registry>);

#[cfg(Py_GIL_DISABLED)]
impl Lock {
    const fn new(registry: Registry) -> Lock {
        Lock(std::sync::Mutex::new(registry))
    }

    fn with<R>(&self, _attached: Python<'_>, f: impl FnOnce(&mut Registry) -> R) -> R {
        // A poisoned lock only means a panic elsewhere while it was held; the registry itself
        // is always consistent (every change is one push or one removal).
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// A live claim; dropping it ends the claim.
pub(crate) struct Claim {
    /// 0 for an array with no bytes, which claims nothing.
    id: u64,
}

impl Claim {
    /// Claims the bytes of `view`'s elements, exclusively when `exclusive`; `what` names the
    /// import in the message of a refusal (`"a writable buffer"`).
    pub(crate) fn new(
        py: Python<'_>,
        view: &ArrayView<'_>,
        exclusive: bool,
        what: &'static str,
    ) -> Result<Claim, Error> {
        let extent = Extent {
            first: view.as_ptr() as usize,
            shape: view.shape(),
            strides: view.strides(),
            itemsize: view.itemsize(),
        };
        Claim::of(py, extent, view.len(), exclusive, what)
    }

    /// Claims the bytes of the `len` elements of `extent` (a validated array's), as
    /// [`new`](Self::new) does a view's: for importers that never build the untyped view.
    pub(crate) fn of(
        py: Python<'_>,
        extent: Extent<'_>,
        len: usize,
        exclusive: bool,
        what: &'static str,
    ) -> Result<Claim, Error> {
        let Extent {
            first,
            shape,
            strides,
            itemsize,
        } = extent;
        debug_assert_eq!(
            Some(len),
            array_protocol::layout::element_count(shape),
            "a claim covers every element of its description"
        );
        if len == 0 || itemsize == 0 {
            return Ok(Claim { id: 0 });
        }
        // A contiguous array's first element is its lowest byte, and it touches every byte up
        // to its end.
        let n = shape.len();
        let contiguous = contiguous_in(shape, strides, itemsize, (0..n).rev())
            || contiguous_in(shape, strides, itemsize, 0..n);
        let strided = (!contiguous).then(|| {
            Box::new(Strided {
                shape: Axes::from_slice(shape),
                strides: Axes::from_slice(strides),
                itemsize,
            })
        });
        let mut entry = Entry {
            id: 0,
            exclusive,
            what,
            // A contiguous array's byte count is its span, which fits (invariant 3); a strided
            // one (zero strides included, whose count of bytes may not) uses its description.
            dense: [if contiguous { len * itemsize } else { 0 }],
            first,
            strided,
        };
        REGISTRY.with(py, |registry| {
            if let Some(other) = registry.entries.iter().find(|other| {
                (exclusive || other.exclusive) && may_overlap(&entry.extent(), &other.extent())
            }) {
                let message = if exclusive {
                    format!(
                        "cannot import {what}: its memory overlaps {} that is still alive (another argument of this call, or an array kept by Rust code); an array written in place must share no memory with any other array argument: pass a copy (`np.copy(a)`) of one of them",
                        other.what
                    )
                } else {
                    format!(
                        "cannot import {what}: its memory overlaps {}, which is written in place and still alive (another argument of this call, or an array kept by Rust code): pass a copy (`np.copy(a)`) of one of them",
                        other.what
                    )
                };
                return Err(Error::new(ErrorKind::Overlap, message));
            }
            let id = registry.next;
            registry.next += 1;
            entry.id = id;
            registry.entries.push(entry);
            Ok(Claim { id })
        })
    }
}

impl Claim {
    /// Ends the claim now, attached already (what `drop` does, without attaching again).
    pub(crate) fn release(mut self, py: Python<'_>) {
        let id = std::mem::replace(&mut self.id, 0);
        if id != 0 {
            remove(py, id);
        }
    }
}

fn remove(py: Python<'_>, id: u64) {
    REGISTRY.with(py, |registry| {
        if let Some(at) = registry.entries.iter().position(|e| e.id == id) {
            registry.entries.swap_remove(at);
        }
    })
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.id == 0 {
            return;
        }
        let id = self.id;
        // At once when attached (the usual case); from another thread, attaching first. When
        // the interpreter is gone or shutting down, every import goes with it: nothing is left
        // to guard, and the entry is left.
        let _ = Python::try_attach(|py| remove(py, id));
    }
}
