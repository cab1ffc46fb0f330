//! What a `RustArray` says about itself without an export: `memoryview`'s read-only attributes,
//! `len()` and `repr()`, read from the description every buffer request is answered with, so
//! that each equals what `memoryview(x)` reports on the same interpreter.
//!
//! Each read takes a counted export for its duration ([`exports`](super::super::exports)' rule
//! 1), as the exports do: a resizable array is described as it is now, never as it was, and a
//! read racing a resize on another thread raises `BufferError` rather than reading a description
//! being rewritten.

use std::format;
use std::prelude::rust_2021::*;

use pyo3::exceptions::PyTypeError;
use pyo3::ffi::Py_ssize_t;
use pyo3::prelude::*;

use super::{Meta, PyArray};

impl PyArray {
    /// Runs `read` on the array's current description, unchanged while it runs (a counted
    /// export holds it); a `BufferError` while the owner is being changed or cannot be
    /// described, as `memoryview(x)` raises then.
    pub(super) fn described<R>(&self, read: impl FnOnce(&Meta) -> R) -> PyResult<R> {
        let held = self.exports.hold()?;
        Ok(read(self.state(&held).meta()?))
    }

    /// `repr(x)`: `RustArray(shape=(2, 3), dtype=float64)`, the dtype as numpy's `str(dtype)`
    /// spells it ([`dtype_name`]). An array that cannot be described now says why instead of
    /// raising.
    pub(super) fn repr(&self) -> String {
        let described = self.exports.hold().and_then(|held| {
            let state = self.state(&held);
            let meta = state.meta()?;
            let view = state.owner.view().map_err(crate::to_pyerr)?;
            Ok(format!(
                "RustArray(shape={}, dtype={})",
                crate::dtypes::tuple(&meta.shape),
                crate::dtypes::dtype_name(view.item())
            ))
        });
        described.unwrap_or_else(|e| format!("RustArray(<{e}>)"))
    }
}

impl Meta {
    /// The number of axes.
    pub(super) fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The format string buffer requests get (what `memoryview(x).format` reads).
    pub(super) fn format_str(&self) -> String {
        self.format.to_string_lossy().into_owned()
    }

    /// Whether `memoryview(x)` calls the array contiguous in `order` (`'C'` or `'F'`). CPython
    /// decides this from the exported shape and strides with rules of its own, which differ
    /// from this crate's (and numpy's) for some empty arrays, so they are followed here to the
    /// letter (`Objects/memoryobject.c`, `init_flags`): a 0-d array is both; a 1-d array is
    /// both when it has one element or its stride is the item size (an empty 1-d array with
    /// another stride is neither); otherwise an empty array is both, and a non-empty one is
    /// C- (Fortran-) contiguous when each axis longer than 1, from the last (first), has the
    /// stride of the axes after (before) it packed.
    pub(super) fn memoryview_contiguous(&self, fortran: bool) -> bool {
        match (self.shape.as_slice(), self.strides.as_slice()) {
            ([], _) => true,
            ([n], [s]) => *n == 1 || *s == self.itemsize,
            _ if self.len == 0 => true,
            (shape, strides) => {
                let packed = |next: Py_ssize_t, (&n, &s): (&Py_ssize_t, &Py_ssize_t)| {
                    // Below the byte size `len`, which fits.
                    (n <= 1 || s == next).then(|| next.saturating_mul(n))
                };
                let mut axes = shape.iter().zip(strides);
                if fortran {
                    axes.try_fold(self.itemsize, packed).is_some()
                } else {
                    axes.rev().try_fold(self.itemsize, packed).is_some()
                }
            }
        }
    }

    /// `len(x)`, as `len(memoryview(x))` on this interpreter: the length of the first axis;
    /// for a 0-d array a `TypeError` ("0-dim memory has no length") from CPython 3.12 on, 1
    /// before (CPython 3.12 changed it).
    pub(super) fn memoryview_len(&self, py: Python<'_>) -> PyResult<usize> {
        match self.shape.first() {
            Some(&n) => Ok(n.unsigned_abs()),
            None if py.version_info() >= (3, 12) => {
                Err(PyTypeError::new_err("0-dim memory has no length"))
            }
            None => Ok(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use array_protocol::ItemType;

    fn name(format: &str) -> String {
        crate::dtypes::dtype_name(&ItemType::from_pep3118(format).unwrap())
    }

    #[test]
    fn dtype_names_are_numpys() {
        assert_eq!(name("d"), "float64");
        assert_eq!(name("f"), "float32");
        assert_eq!(name("e"), "float16");
        assert_eq!(name("i"), "int32");
        assert_eq!(name("b"), "int8");
        assert_eq!(name("B"), "uint8");
        assert_eq!(name("Q"), "uint64");
        assert_eq!(name("?"), "bool");
        assert_eq!(name("Zd"), "complex128");
        assert_eq!(name("Zf"), "complex64");
        let swapped = if cfg!(target_endian = "little") {
            ">"
        } else {
            "<"
        };
        assert_eq!(name(&format!("{swapped}d")), format!("{swapped}f8"));
        assert_eq!(name("10s"), "|S10");
        // Standard sizes in a stated byte order: the same typestrs on every machine.
        assert_eq!(
            name("T{<B:a:xxxi:b:}"),
            "[('a', '|u1'), ('', '|V3'), ('b', '<i4')]"
        );
        assert_eq!(name("(3)<d"), "('<f8', (3,))");
        assert_eq!(name("(2,3)T{B:a:}"), "([('a', '|u1')], (2, 3))");
    }

    #[test]
    fn shapes_print_as_tuples() {
        assert_eq!(crate::dtypes::tuple::<isize>(&[]), "()");
        assert_eq!(crate::dtypes::tuple(&[5]), "(5,)");
        assert_eq!(crate::dtypes::tuple(&[2, 3]), "(2, 3)");
    }
}
