//! Task pages: how to do each common job with this crate, each with an example that compiles
//! as a doctest and a twin in the demo extension (`tests/python`) that the Python tests run
//! against numpy, Pillow and pyarrow.
//!
//! - [`returning_arrays`]: handing Rust-owned arrays to Python (`Export`, `ExportMut`,
//!   `PyArray`, `#[array(python)]`);
//! - [`images`]: images in and out (Pillow and numpy);
//! - [`in_place`]: a kernel that writes a numpy array in place without the GIL;
//! - [`structured`]: numpy structured arrays as Rust records;
//! - [`arrow_columns`]: Arrow columns (pyarrow, Polars, DuckDB) in and out;
//! - [`dlpack_out`]: tensors to DLPack consumers (numpy, JAX, tvm-ffi);
//! - [`free_threading`]: what holds on a free-threaded CPython.

pub mod returning_arrays {
    //! # Returning arrays to Python
    //!
    //! A `#[pyfunction]` returns a Rust-owned array without copying it in one of four ways.
    //! PyO3 turns a bare `Vec<T>` into a Python *list* (one object per element), and a derived
    //! producer without `#[array(python)]` is not a Python object at all; the types below are
    //! what you want instead.
    //!
    //! | return type | Python sees | writable |
    //! |---|---|---|
    //! | [`Export<P>`](crate::Export) for any producer (`Vec<T>`, `Array`, an ndarray array, your type) | a `RustArray` | no |
    //! | [`ExportMut<P>`](crate::ExportMut) | a `RustArray` | yes |
    //! | a type with `#[derive(ArrayProducer)]` and `#[array(python)]` | a `RustArray` | no |
    //! | [`PyArray`](crate::PyArray) (built with `new`, `new_mut` or `resizable`) | that `RustArray` | as built |
    //!
    //! A `RustArray` speaks the buffer protocol, `__array_interface__`, DLPack and the Arrow
    //! PyCapsule interface, so `np.asarray(x)`, `memoryview(x)`, `Image.fromarray(x)`,
    //! `np.from_dlpack(x)` and `pa.array(x)` all read the Rust memory in place. The owner lives
    //! as long as any of them holds the memory.
    //!
    //! ```no_run
    //! use array_protocol::{ArrayProducer, Element};
    //! use array_protocol_python::{Export, ExportMut, PyArray, Result};
    //! use pyo3::prelude::*;
    //!
    //! #[derive(Element, Clone, Copy, Default)]
    //! #[repr(C)]
    //! struct Point { x: f64, y: f64 }
    //!
    //! /// `np.asarray(points(3))` is a structured array of dtype [('x', '<f8'), ('y', '<f8')].
    //! #[pyfunction]
    //! fn points(n: usize) -> Export<Vec<Point>> {
    //!     Export((0..n).map(|i| Point { x: i as f64, y: 0.0 }).collect())
    //! }
    //!
    //! /// A writable array Python can fill.
    //! #[pyfunction]
    //! fn scratch(n: usize) -> ExportMut<Vec<f32>> {
    //!     ExportMut(vec![0.0; n])
    //! }
    //!
    //! /// A buffer Python may grow with `.resize(n)` while no consumer holds it.
    //! #[pyfunction]
    //! fn growable(n: usize) -> Result<PyArray> {
    //!     Ok(PyArray::resizable(vec![0u8; n])?)
    //! }
    //!
    //! /// A type of your own, returned as it is.
    //! #[derive(array_protocol::ArrayProducer)]
    //! #[array(shape = [rows, cols], python)]
    //! struct Grid { rows: usize, cols: usize, #[array(data)] cells: Vec<i32> }
    //!
    //! #[pyfunction]
    //! fn grid(rows: usize, cols: usize) -> Grid {
    //!     Grid { rows, cols, cells: vec![0; rows * cols] }
    //! }
    //! ```
}

pub mod images {
    //! # Images in and out
    //!
    //! An image Pillow or numpy passes is read in place by [`Buffer`](crate::Buffer) or a
    //! typed argument; an image Rust makes goes back as `height × width × channels` bytes,
    //! which `Image.fromarray` turns into an RGB(A) image (`(h, w, 4)` of `|u1` is RGBA).
    //!
    //! ```no_run
    //! use array_protocol::{ArrayProducer, Element};
    //! use array_protocol_python::{Result, TypedArray};
    //! use pyo3::prelude::*;
    //!
    //! #[derive(Element, Clone, Copy)]
    //! #[repr(C)]
    //! struct Rgba { r: u8, g: u8, b: u8, a: u8 }
    //!
    //! /// Exported as `height × width × 4` bytes: `Image.fromarray(np.asarray(img))` is RGBA.
    //! #[derive(ArrayProducer)]
    //! #[array(item = u8, shape = [height, width, 4], python)]
    //! struct RgbaImage { width: usize, height: usize, #[array(data)] pixels: Vec<Rgba> }
    //!
    //! /// The inverse of an RGBA image passed in (`np.asarray(pil_image)`), read in place
    //! /// as pixels of 4 bytes: `TypedArray<[u8; 4]>` takes the last axis as the element.
    //! #[pyfunction]
    //! fn invert(image: TypedArray<[u8; 4]>) -> Result<RgbaImage> {
    //!     let view = image.view();
    //!     let (height, width) = match view.shape() {
    //!         [h, w] => (*h, *w),
    //!         _ => return Err(pyo3::exceptions::PyValueError::new_err("expected an RGBA image").into()),
    //!     };
    //!     let pixels = view
    //!         .iter()
    //!         .map(|p| Rgba { r: 255 - p[0], g: 255 - p[1], b: 255 - p[2], a: p[3] })
    //!         .collect();
    //!     Ok(RgbaImage { width, height, pixels })
    //! }
    //! ```
    //!
    //! In the demo: `rgba_image` (out), `red_total` (a derived consumer in), `channel` (a
    //! zero-copy channel of an image passed in).
}

pub mod in_place {
    //! # An in-place kernel without the GIL
    //!
    //! [`TypedArrayMut<T>`](crate::TypedArrayMut) borrows a writable array (numpy, a
    //! `bytearray`, a writable `RustArray`) for the call; the GIL can be released while it is
    //! written, and numpy sees the new values. Every import claims the bytes it touches, so a
    //! second argument aliasing the same memory is refused with a `BufferError` instead of
    //! racing.
    //!
    //! ```no_run
    //! use array_protocol_python::{TypedArray, TypedArrayMut};
    //! use pyo3::prelude::*;
    //!
    //! /// out[i] = a * x[i] + out[i], for float64 arrays; `x` and `out` must not overlap.
    //! #[pyfunction]
    //! fn axpy(py: Python<'_>, a: f64, x: TypedArray<f64>, mut out: TypedArrayMut<f64>) {
    //!     py.detach(|| {
    //!         let x = x.view();
    //!         let mut out = out.view_mut();
    //!         for (o, v) in out.iter_mut().zip(x.iter()) {
    //!             *o += a * v;
    //!         }
    //!     })
    //! }
    //! ```
    //!
    //! In the demo: `normalize`, `sum_sqrt`, `while_writing`, `while_reading`.
}

pub mod structured {
    //! # Structured arrays
    //!
    //! A `#[derive(Element)]` record is a numpy structured dtype: its fields, offsets, byte
    //! orders, strings and enums are checked at compile time, and numpy reads its format with
    //! Rust's own layout. A structured array passed in is read typed when its dtype is the
    //! record's (a `TypeError` names the difference otherwise).
    //!
    //! ```no_run
    //! use array_protocol::{Be, Element};
    //! use array_protocol_python::{Export, TypedArray};
    //! use pyo3::prelude::*;
    //!
    //! /// np.dtype([('name', 'S8'), ('id', '>u4'), ('mass', '<f8')])
    //! #[derive(Element, Clone, Copy)]
    //! #[repr(C, packed)]
    //! struct Body {
    //!     #[array(string)]
    //!     name: [u8; 8],
    //!     id: Be<u32>,
    //!     mass: f64,
    //! }
    //!
    //! #[pyfunction]
    //! fn total_mass(bodies: TypedArray<Body>) -> f64 {
    //!     bodies.view().iter().map(|b| { let m = b.mass; m }).sum()
    //! }
    //!
    //! #[pyfunction]
    //! fn sun() -> Export<Vec<Body>> {
    //!     Export(vec![Body { name: *b"Sun\0\0\0\0\0", id: Be::new(1), mass: 1.989e30 }])
    //! }
    //! ```
    //!
    //! In the demo: `particles`, `resizable_records`.
}

pub mod arrow_columns {
    //! # Arrow columns
    //!
    //! Every `RustArray` has `__arrow_c_array__` and `__arrow_c_stream__`: `pa.array(x)`,
    //! `pl.Series(x)` and DuckDB read it in place (a 1-D array as a primitive column, an N-D one
    //! as an `arrow.fixed_shape_tensor` column with one row per index of the first axis). In the
    //! other direction, [`import`](crate::import) (and every argument type) reads pyarrow
    //! arrays, tensor columns, Polars series and DuckDB results in place through the same
    //! interface.
    //!
    //! ```no_run
    //! use array_protocol::Ix;
    //! use array_protocol_python::{Export, Result, TypedArray};
    //! use pyo3::prelude::*;
    //!
    //! /// The sum of each row of a tensor column of shape (rows, n) (or any 2-D float64 array).
    //! #[pyfunction]
    //! fn row_sums(column: TypedArray<f64, Ix<2>>) -> Result<Export<Vec<f64>>> {
    //!     let v = column.view();
    //!     let [rows, cols] = v.shape();
    //!     Ok(Export((0..rows).map(|r| (0..cols).map(|c| v[[r, c]]).sum()).collect()))
    //! }
    //! ```
    //!
    //! In the demo: `row_sums`; `tests/python/test_arrow.py` runs pyarrow, Polars and DuckDB.
    //!
    //! ## Columns in chunks
    //!
    //! A pyarrow `ChunkedArray` or table column, a Polars series after a concat, a DuckDB
    //! result or a Ray Data batch spanning blocks has several chunks, which are not one strided
    //! array: [`import`](crate::import) refuses them (combining copies), and
    //! [`import_chunks`](crate::import_chunks) or a [`TypedChunks`](crate::TypedChunks)
    //! argument reads each chunk in place. A one-column table or data frame reads as its
    //! column.
    //!
    //! ```no_run
    //! use array_protocol_python::{Export, TypedChunks};
    //! use pyo3::prelude::*;
    //!
    //! /// The sum of each row of a float64 tensor column (rows × n per chunk), however many
    //! /// chunks it comes in.
    //! #[pyfunction]
    //! fn row_sums(column: TypedChunks<f64, array_protocol::Ix<2>>) -> Export<Vec<f64>> {
    //!     let mut sums = Vec::with_capacity(column.rows());
    //!     for chunk in column.views() {
    //!         let [rows, n] = chunk.shape();
    //!         sums.extend((0..rows).map(|r| (0..n).map(|c| chunk[[r, c]]).sum::<f64>()));
    //!     }
    //!     Export(sums)
    //! }
    //! ```
    //!
    //! ## Devices
    //!
    //! The Arrow C device interface works both ways: `RustArray` has `__arrow_c_device_array__`
    //! and `__arrow_c_device_stream__` (on the CPU); imports read CPU device arrays in place;
    //! arrays on other devices are taken by [`DeviceArray`](crate::DeviceArray) untouched, and a
    //! `DeviceArray` hands itself to Arrow consumers on its own device.
    //!
    //! ## Tensor columns to DLPack consumers
    //!
    //! pyarrow cannot hand a tensor column on through DLPack; an imported column can:
    //! `Export(imported)` (or an `Export` of any argument type) gives numpy, `tvm_ffi` and other
    //! DLPack consumers the column's memory, read-only, through a versioned capsule. Consumers
    //! asking only for the legacy capsule (JAX 0.10) cannot be told the memory is read-only, so
    //! they get a `BufferError` (see [`dlpack_out`](super::dlpack_out)).
    //!
    //! In the demo: `chunk_addresses`, `chunked_row_sums`, `tensor_sums`, `chunks_reexported`;
    //! `tests/python/test_chunks.py`, and `examples/python/ray_two_nodes.py` on a two-node Ray
    //! cluster.
}

pub mod dlpack_out {
    //! # Tensors to DLPack consumers
    //!
    //! `np.from_dlpack(x)`, `jax.dlpack.from_dlpack(x)` and `tvm_ffi.from_dlpack(x)` take a
    //! `RustArray` in place: versioned capsules (DLPack 1.x, with a read-only flag) to consumers
    //! that ask for them, and DLPack 1.3's C exchange table to those that use it. A read-only
    //! export is refused through the legacy capsule, which cannot say read-only: such consumers
    //! (JAX 0.10 asks for it) get a `BufferError` and should be given a writable export
    //! ([`ExportMut`](crate::ExportMut)) or a copy.
    //!
    //! ```no_run
    //! use array_protocol_python::ExportMut;
    //! use pyo3::prelude::*;
    //!
    //! /// `np.from_dlpack(weights(4))` shares the Rust memory.
    //! #[pyfunction]
    //! fn weights(n: usize) -> ExportMut<Vec<f32>> {
    //!     ExportMut(vec![0.25; n])
    //! }
    //! ```
    //!
    //! In the demo: `dlpack_imports`, `dlpack_route`; GPU tensors stay where they are
    //! ([`DeviceArray`](crate::DeviceArray)).
}

pub mod free_threading {
    //! # Free-threaded CPython
    //!
    //! The crate supports free-threaded CPython (3.13t with PyO3 0.28; 3.14t with later PyO3),
    //! tested with `PYTHON_GIL=0` by the whole Python suite and a stress test of 16 threads.
    //!
    //! What this crate guarantees:
    //! - a `RustArray`'s exports (buffer protocol, `__array_interface__`, DLPack, Arrow) are
    //!   counted with one atomic word, from any thread; releases on other threads are counted
    //!   back; a `resize` (or `with_owner_mut`) runs only while no export is alive, and an
    //!   export racing it is refused with a `BufferError`, never handed a pointer a resize frees;
    //! - imports claim the bytes they touch: while a writable import of some memory is alive,
    //!   no other import of overlapping memory exists, whichever thread made it;
    //! - numpy arrays are read through the buffer protocol (the numpy fast path, which reads
    //!   numpy's struct directly, is off without the GIL).
    //!
    //! What stays the user's business, as in numpy (see its thread-safety page): Python code on
    //! another thread that writes an array while a Rust function reads it with a shared import
    //! races with it; memory passed by raw pointer (`__array_interface__` of foreign objects,
    //! DLPack from other producers) is as safe as its producer makes it.
}
