//! `array_protocol_demo`: Rust-owned arrays for Python, and Rust reading Python's arrays, all
//! through array-protocol.

use array_protocol::{ArrayProducer, Element, Ix};
use array_protocol_python::Result;
use array_protocol_python::{
    Buffer, Copied, Export, ExportMut, Imported, PyArray, TypedArray, TypedArrayMut,
};
use num_complex::Complex64;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::sync::Mutex;

mod device;
mod layouts;

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Rgba {
    r: u8,
    g: u8,
    b: u8,
    a: u8,
}

/// A user image type, exported as `height × width × 4` bytes.
#[derive(array_protocol::ArrayProducer)]
#[array(item = u8, shape = [height, width, 4], python, dim_names = ["H", "W", "C"])]
struct RgbaImage {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<Rgba>,
}

/// A user image type read from Python: `#[array(python)]` on a consumer makes it a
/// `#[pyfunction]` argument, copied from any `height × width × 4` array of bytes.
#[derive(array_protocol::ArrayConsumer)]
#[array(item = u8, shape = [height, width, 4], python)]
struct RgbaInput {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<Rgba>,
}

/// The size of an RGBA image passed in, and the sum of its red channel.
#[pyfunction]
fn red_total(image: RgbaInput) -> (usize, usize, u64) {
    let red = image.pixels.iter().map(|p| u64::from(p.r)).sum();
    (image.height, image.width, red)
}

#[derive(Element, Clone, Copy)]
#[repr(C)]
struct Particle {
    pos: [f32; 3],
    id: u32,
    mass: f64,
}

/// The total mass of an array of particles, read typed in place.
#[pyfunction]
fn total_mass(a: TypedArray<Particle>) -> f64 {
    a.view().iter().map(|p| p.mass).sum()
}

/// A read-only RGBA image: pixel (x, y) = (x % 256, y % 256, (x + y) % 256, 255).
#[pyfunction]
fn rgba_image(width: usize, height: usize) -> RgbaImage {
    let pixels = (0..height)
        .flat_map(|y| {
            (0..width).map(move |x| Rgba {
                r: (x % 256) as u8,
                g: (y % 256) as u8,
                b: ((x + y) % 256) as u8,
                a: 255,
            })
        })
        .collect();
    RgbaImage {
        width,
        height,
        pixels,
    }
}

/// float64 values 0, 1, …, n - 1.
#[pyfunction]
fn ramp(n: usize) -> Export<Vec<f64>> {
    Export((0..n).map(|k| k as f64).collect())
}

/// The sum of each row of a 2-D float64 array (any route: a pyarrow tensor column comes through
/// Arrow, in place), as a Rust-owned array.
#[pyfunction]
fn row_sums(a: TypedArray<f64>) -> Result<Export<Vec<f64>>> {
    let v = a.view();
    if v.ndim() != 2 {
        return Err(PyValueError::new_err(format!(
            "expected rows × columns, got {} axes",
            v.ndim()
        ))
        .into());
    }
    let (rows, cols) = (v.shape()[0], v.shape()[1]);
    Ok(Export(
        (0..rows)
            .map(|i| {
                (0..cols)
                    .map(|j| v.get(&[i, j]).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect(),
    ))
}

/// Booleans k % 3 == 0 (Arrow: `arrow.bool8`).
#[pyfunction]
fn thirds(n: usize) -> Export<Vec<bool>> {
    Export((0..n).map(|k| k % 3 == 0).collect())
}

/// complex128 values k - k·1j.
#[pyfunction]
fn complex_ramp(n: usize) -> Export<Vec<Complex64>> {
    Export(
        (0..n)
            .map(|k| Complex64::new(k as f64, -(k as f64)))
            .collect(),
    )
}

/// Records `pos` (3 × f4), `id` (u4), `mass` (f8): particle k = ((k, 2k, 3k), k, k / 2).
#[pyfunction]
fn particles(n: usize) -> Export<Vec<Particle>> {
    let ps: Vec<Particle> = (0..n)
        .map(|k| Particle {
            pos: [k as f32, 2.0 * k as f32, 3.0 * k as f32],
            id: k as u32,
            mass: k as f64 / 2.0,
        })
        .collect();
    Export(ps)
}

fn sum_view(view: &array_protocol::ArrayView<'_>) -> Result<f64> {
    let native = view.item().to_native_order();
    if native != f64::item_type() {
        return Err(PyTypeError::new_err(format!(
            "expected float64 items, got {}",
            view.item().describe()
        ))
        .into());
    }
    if let Ok(t) = view.typed::<f64>() {
        return Ok(match t.as_slice() {
            Some(xs) => sum_slice(xs),
            None => t.iter().sum(),
        });
    }
    // Unaligned or byte-swapped: copy (swapping if needed), then sum.
    Ok(view.to_vec_native::<f64>()?.iter().sum())
}

/// A sum with 16 independent partial sums, so the additions pipeline and vectorise (a single
/// running sum waits on each addition).
fn sum_slice(xs: &[f64]) -> f64 {
    let mut acc = [0.0f64; 16];
    let chunks = xs.chunks_exact(16);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f64>() + rest.iter().sum::<f64>()
}

/// The sum of any float64 array (buffer protocol, DLPack or `__array_interface__`; any strides,
/// any byte order), read in place.
#[pyfunction]
fn sum_f64(a: Imported) -> Result<f64> {
    sum_view(&a.view())
}

/// `n` points `(k, -k)` as an `n × 2` float64 array.
#[pyfunction]
fn points(n: usize) -> Export<Vec<[f64; 2]>> {
    Export((0..n).map(|k| [k as f64, -(k as f64)]).collect())
}

/// A `rows × cols` float64 matrix (value `10 * i + j`) exported transposed: a strided array.
struct Transposed {
    values: Vec<f64>,
    rows: usize,
    cols: usize,
}

impl ArrayProducer for Transposed {
    fn try_array(&self) -> Result<array_protocol::ArrayView<'_>, array_protocol::Error> {
        Ok(
            array_protocol::ArrayView::from_slice(&self.values, &[self.rows, self.cols])?
                .transpose(),
        )
    }
}

/// The transpose of a `rows × cols` matrix `m[i, j] = 10 i + j`: a Fortran-ordered export.
#[pyfunction]
fn transposed(rows: usize, cols: usize) -> Export<Transposed> {
    let values = (0..rows * cols)
        .map(|k| (10 * (k / cols) + k % cols) as f64)
        .collect();
    Export(Transposed { values, rows, cols })
}

/// A Rust-owned, read-only C-contiguous copy of any array: the same shape and item type,
/// exported by this crate.
#[pyfunction]
fn copy_of(a: Imported) -> Result<Export<array_protocol::Array>> {
    Ok(Export(a.view().to_contiguous(array_protocol::Order::C)?))
}

/// As `copy_of`, writable: for consumers that only take DLPack's legacy capsule (JAX), which
/// cannot say read-only.
#[pyfunction]
fn writable_copy_of(a: Imported) -> Result<ExportMut<array_protocol::Array>> {
    Ok(ExportMut(a.view().to_contiguous(array_protocol::Order::C)?))
}

/// Records `id` (u4), `pad` (u4), `mass` (f8) that Python can resize with `resize(n)`; DLPack
/// cannot carry them, so `__dlpack__` refuses.
#[pyfunction]
fn resizable_records(n: usize) -> Result<PyArray> {
    PyArray::resizable(vec![Tagged::default(); n]).map_err(array_protocol_python::Error::from)
}

#[derive(Element, Clone, Copy, Default)]
#[repr(C)]
struct Tagged {
    id: u32,
    pad: u32,
    mass: f64,
}

/// A writable float64 buffer of `n` zeros with a `resize(m)` method, refused while exported.
#[pyfunction]
fn mutable_buffer(n: usize) -> Result<PyArray> {
    PyArray::resizable(vec![0.0f64; n]).map_err(array_protocol_python::Error::from)
}

/// A buffer exporter that reports whatever it was given: `len`, `shape` and `strides` (`None`:
/// NULL) over `size` bytes of float64 zeros, format `d`. For testing what importers accept.
#[pyclass]
struct LyingBuffer {
    data: Vec<f64>,
    len: isize,
    shape: Option<Vec<isize>>,
    strides: Option<Vec<isize>>,
}

#[pymethods]
impl LyingBuffer {
    #[new]
    #[pyo3(signature = (size, len, shape, strides = None))]
    fn new(
        size: usize,
        len: isize,
        shape: Option<Vec<isize>>,
        strides: Option<Vec<isize>>,
    ) -> LyingBuffer {
        LyingBuffer {
            data: vec![0.0; size.div_ceil(8)],
            len,
            shape,
            strides,
        }
    }

    unsafe fn __getbuffer__(
        mut slf: PyRefMut<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        _flags: std::ffi::c_int,
    ) -> Result<()> {
        let ndim = slf.shape.as_ref().map_or(1, Vec::len) as std::ffi::c_int;
        let obj = slf.as_ptr();
        // SAFETY: `view` is the caller's Py_buffer to fill; the pointers stay valid while
        // `obj` (this object, referenced by the view) lives and is not mutated: Python cannot
        // change these fields.
        unsafe {
            pyo3::ffi::Py_INCREF(obj);
            (*view).obj = obj;
            (*view).buf = slf.data.as_mut_ptr().cast();
            (*view).len = slf.len;
            (*view).readonly = 1;
            (*view).itemsize = 8;
            (*view).format = c"d".as_ptr().cast_mut();
            (*view).ndim = ndim;
            (*view).shape = slf
                .shape
                .as_mut()
                .map_or(std::ptr::null_mut(), |s| s.as_mut_ptr());
            (*view).strides = slf
                .strides
                .as_mut()
                .map_or(std::ptr::null_mut(), |s| s.as_mut_ptr());
            (*view).suboffsets = std::ptr::null_mut();
            (*view).internal = std::ptr::null_mut();
        }
        Ok(())
    }

    unsafe fn __releasebuffer__(&self, _view: *mut pyo3::ffi::Py_buffer) {}
}

/// Σ √(1 + x²) over a float64 array, computed with the GIL released (other Python threads
/// run meanwhile): a compute-bound kernel, so threads scale.
#[pyfunction]
fn sum_sqrt(py: Python<'_>, a: TypedArray<f64>) -> f64 {
    py.detach(|| {
        let v = a.view();
        match v.as_slice() {
            Some(xs) => xs.iter().map(|x| (1.0 + x * x).sqrt()).sum(),
            None => v.iter().map(|x| (1.0 + x * x).sqrt()).sum(),
        }
    })
}

/// Scales a writable float64 array in place to the range 0..=1 (all zeros when constant), with
/// the GIL released.
#[pyfunction]
fn normalize(py: Python<'_>, mut a: TypedArrayMut<f64>) {
    py.detach(|| {
        let mut v = a.view_mut();
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        let span = hi - lo;
        for x in v.iter_mut() {
            *x = if span > 0.0 { (*x - lo) / span } else { 0.0 };
        }
    })
}

/// Channel `c` of an `height × width × channels` image (numpy array, Pillow image, this
/// module's `rgba_image`…), exported without a copy: it shares the image's memory and keeps it
/// alive.
#[pyfunction]
fn channel(image: Buffer, c: usize) -> Result<Export<Channel>> {
    let v = image.view();
    if v.ndim() != 3 {
        return Err(PyValueError::new_err(format!(
            "expected a height × width × channels image, got {} axes",
            v.ndim()
        ))
        .into());
    }
    let channels = v.shape()[2];
    if c >= channels {
        return Err(PyValueError::new_err(format!(
            "channel {c} of an image with {channels} channels"
        ))
        .into());
    }
    Ok(Export(Channel { image, c }))
}

struct Channel {
    image: Buffer,
    c: usize,
}

impl ArrayProducer for Channel {
    fn try_array(&self) -> Result<array_protocol::ArrayView<'_>, array_protocol::Error> {
        self.image.view().index_axis(2, self.c)
    }
}

/// Any array handed back to Python without a copy, with its exact format string.
#[pyfunction]
fn reexport(a: Buffer) -> Export<Buffer> {
    Export(a)
}

/// A float64 array as `TypedArray` sees it: its shape, byte strides, elements in logical order
/// and the address of its first element.
#[pyfunction]
fn typed_f64(a: TypedArray<f64>) -> (Vec<usize>, Vec<isize>, Vec<f64>, usize) {
    let v = a.view();
    (
        v.shape().to_vec(),
        v.strides().to_vec(),
        v.to_vec(),
        v.as_ptr() as usize,
    )
}

/// A float64 array handed back to Python without a copy through the untyped import
/// (`into_inner`), with its route and read-only flag.
#[pyfunction]
fn typed_reexport(a: TypedArray<f64>) -> (Export<Imported>, &'static str, bool) {
    let a = a.into_inner();
    let (route, read_only) = (a.route(), a.is_read_only());
    (Export(a), route, read_only)
}

/// The number of elements of a bool array, imported typed (every distinct element checked).
#[pyfunction]
fn typed_bool_len(a: TypedArray<bool>) -> usize {
    a.view().len()
}

/// A float64 array re-exported through the typed import's own `ArrayProducer`.
#[pyfunction]
fn typed_as_producer(a: TypedArray<f64>) -> Export<TypedArray<f64>> {
    Export(a)
}

/// A float64 matrix (exactly 2 axes) as `TypedArray<f64, Ix<2>>` sees it: its shape and byte
/// strides (arrays of 2), and its elements read by index, row by row.
#[pyfunction]
fn matrix_f64(a: TypedArray<f64, Ix<2>>) -> ([usize; 2], [isize; 2], Vec<f64>) {
    let v = a.view();
    let [rows, cols] = v.shape();
    let by_index = (0..rows)
        .flat_map(|i| (0..cols).map(move |j| (i, j)))
        .map(|(i, j)| v[[i, j]])
        .collect();
    (v.shape(), v.strides(), by_index)
}

/// The element of a 0-D float64 array (`TypedArray<f64, Ix<0>>`), read by the empty index.
#[pyfunction]
fn scalar_f64(a: TypedArray<f64, Ix<0>>) -> f64 {
    a.view()[[]]
}

/// The shape of a 2-D image of RGBA pixels: a `height × width × 4` byte array, whose last axis
/// is each `[u8; 4]` item's own.
#[pyfunction]
fn rgba_shape(a: TypedArray<[u8; 4], Ix<2>>) -> [usize; 2] {
    a.view().shape()
}

/// Writes `100 i + 10 j + k` at index `[i, j, k]` of a writable float32 array of exactly 3
/// axes (`TypedArrayMut<f32, Ix<3>>`), in place; returns its shape.
#[pyfunction]
fn label_cube(mut a: TypedArrayMut<f32, Ix<3>>) -> [usize; 3] {
    let shape = a.view().shape();
    let [n0, n1, n2] = shape;
    let mut v = a.view_mut();
    for i in 0..n0 {
        for j in 0..n1 {
            for k in 0..n2 {
                v[[i, j, k]] = (100 * i + 10 * j + k) as f32;
            }
        }
    }
    shape
}

/// A grayscale image copied out of any `height × width` byte array.
#[derive(array_protocol::ArrayConsumer)]
#[array(shape = [height, width])]
struct Gray {
    width: usize,
    height: usize,
    #[array(data)]
    pixels: Vec<u8>,
}

/// The histogram of a grayscale image (any `height × width` uint8 array, copied into `Gray`).
#[pyfunction]
fn histogram(image: Copied<Gray>) -> Vec<usize> {
    let mut counts = vec![0usize; 256];
    for &p in &image.pixels {
        counts[usize::from(p)] += 1;
    }
    debug_assert_eq!(image.pixels.len(), image.width * image.height);
    counts
}

/// Arrays kept by Rust between calls: `'static` imports in a struct.
#[pyclass]
struct Stash {
    arrays: Mutex<Vec<TypedArray<f64>>>,
}

#[pymethods]
impl Stash {
    #[new]
    fn new() -> Stash {
        Stash {
            arrays: Mutex::new(Vec::new()),
        }
    }

    /// Keeps `a` (a float64 array, in place).
    fn keep(&self, a: TypedArray<f64>) {
        self.arrays.lock().unwrap().push(a);
    }

    /// The sum of every kept array, with the GIL released.
    fn total(&self, py: Python<'_>) -> f64 {
        py.detach(|| {
            let arrays = self.arrays.lock().unwrap();
            arrays.iter().map(|a| a.view().iter().sum::<f64>()).sum()
        })
    }

    /// Drops every kept array, on another thread (releasing their buffers from there).
    fn clear_elsewhere(&self, py: Python<'_>) {
        let arrays = std::mem::take(&mut *self.arrays.lock().unwrap());
        py.detach(|| std::thread::spawn(move || drop(arrays)).join().unwrap());
    }

    fn __len__(&self) -> usize {
        self.arrays.lock().unwrap().len()
    }
}

/// How `obj` would be imported: `"buffer protocol"`, `"DLPack"` or `"__array_interface__"`,
/// with the array's shape and whether its exporter marked it read-only.
#[pyfunction]
fn import_route(a: Imported) -> (&'static str, Vec<usize>, bool) {
    (a.route(), a.view().shape().to_vec(), a.is_read_only())
}

/// How `obj`'s DLPack tensor is taken (`python::from_dlpack`, or with `capsule_only` through
/// `__dlpack__` alone): whether the exchange table was used, the shape and the read-only flag.
#[pyfunction]
#[pyo3(signature = (obj, capsule_only = false))]
fn dlpack_route(obj: &Bound<'_, PyAny>, capsule_only: bool) -> Result<(bool, Vec<usize>, bool)> {
    let a = if capsule_only {
        array_protocol_python::from_dlpack_capsule(obj)?
    } else {
        array_protocol_python::from_dlpack(obj)?
    };
    Ok((
        a.via_exchange_api(),
        a.view().shape().to_vec(),
        a.is_read_only(),
    ))
}

/// Imports `obj` through DLPack `n` times (each import dropped at once), through the exchange
/// table when its type has one unless `capsule_only`: for the benchmark of the two paths.
#[pyfunction]
#[pyo3(signature = (obj, n, capsule_only = false))]
fn dlpack_imports(obj: &Bound<'_, PyAny>, n: usize, capsule_only: bool) -> Result<usize> {
    let mut elements = 0;
    for _ in 0..n {
        let a = if capsule_only {
            array_protocol_python::from_dlpack_capsule(obj)?
        } else {
            array_protocol_python::from_dlpack(obj)?
        };
        elements += a.view().len();
    }
    Ok(elements)
}

type Description = (&'static str, usize, Vec<usize>, Vec<isize>, String, bool);

/// An import's description: route, address of the first element, shape, byte strides, item
/// type, read-only flag; through `python::import`, or with `via_buffer` through `Buffer::get`.
#[pyfunction]
#[pyo3(signature = (obj, via_buffer = false))]
fn describe_import(obj: &Bound<'_, PyAny>, via_buffer: bool) -> Result<Description> {
    let describe = |route, v: array_protocol::ArrayView<'_>, ro| {
        (
            route,
            v.as_ptr() as usize,
            v.shape().to_vec(),
            v.strides().to_vec(),
            v.item().describe(),
            ro,
        )
    };
    Ok(if via_buffer {
        let b = Buffer::get(obj)?;
        describe("buffer protocol", b.view(), b.is_read_only())
    } else {
        let a = array_protocol_python::import(obj)?;
        describe(a.route(), a.view(), a.is_read_only())
    })
}

/// The address of an array's first element and its item type, as imported (for tests that
/// check an import shares memory).
#[pyfunction]
fn import_address(a: Imported) -> (usize, String) {
    let v = a.view();
    (v.as_ptr() as usize, v.item().describe())
}

/// Each chunk of an array that may come in chunks (`import_chunks`): its route, the address of
/// its first element and its shape (for tests that check every chunk is read in place).
#[pyfunction]
fn chunk_addresses(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(&'static str, usize, Vec<usize>)>> {
    Ok(array_protocol_python::import_chunks(obj)?
        .iter()
        .map(|c| {
            let v = c.view();
            (c.route(), v.as_ptr() as usize, v.shape().to_vec())
        })
        .collect())
}

/// Each chunk of an array that may come in chunks, handed back to Python in place (a `RustArray`
/// over the imported chunk: the buffer protocol, DLPack, Arrow).
#[pyfunction]
fn chunks_reexported(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Export<Imported>>> {
    Ok(array_protocol_python::import_chunks(obj)?
        .into_iter()
        .map(Export)
        .collect())
}

/// The sum of each row of a float64 array that may come in chunks (rows × anything: a
/// `fixed_shape_tensor` column of any number of chunks), over the chunks in order, as a
/// Rust-owned array.
#[pyfunction]
fn chunked_row_sums(column: array_protocol_python::TypedChunks<f64>) -> Export<Vec<f64>> {
    let mut sums = Vec::with_capacity(column.rows());
    for chunk in column.views() {
        let rows = chunk.shape().first().copied().unwrap_or(1);
        let per_row = chunk.len().checked_div(rows).unwrap_or(0);
        // The values in logical (row-major) order, read in place; each run of `per_row` is a
        // row.
        let start = sums.len();
        sums.resize(start + rows, 0.0);
        for (k, x) in chunk.iter().enumerate() {
            sums[start + k / per_row.max(1)] += *x;
        }
    }
    Export(sums)
}

/// The sum of each 2-D float32 tensor of a `fixed_shape_tensor` column (`rows × h × w` per
/// chunk), with the number of axes in the type, over every chunk in place.
#[pyfunction]
fn tensor_sums(column: array_protocol_python::TypedChunks<f32, Ix<3>>) -> Export<Vec<f32>> {
    let mut sums = Vec::with_capacity(column.rows());
    for chunk in column.views() {
        let [rows, h, w] = chunk.shape();
        for r in 0..rows {
            let mut total = 0.0f32;
            for i in 0..h {
                for j in 0..w {
                    total += chunk[[r, i, j]];
                }
            }
            sums.push(total);
        }
    }
    Export(sums)
}

/// The bytes of an FP8/FP6/FP4 array, read through the typed view of the matching
/// `array_protocol::bytes8` type (so the import must carry exactly that format).
#[pyfunction]
fn minifloat_bytes(a: Imported) -> Result<Vec<u8>> {
    use array_protocol::bytes8::*;
    let v = a.view();
    let name = v.item().describe();
    macro_rules! read {
        ($($t:ident),*) => {
            $(if <$t as array_protocol::Element>::item_type() == *v.item() {
                return Ok(v.typed::<$t>()?.iter().map(|x| x.0).collect());
            })*
        };
    }
    read!(
        Float8E3M4,
        Float8E4M3,
        Float8E4M3B11Fnuz,
        Float8E4M3Fn,
        Float8E4M3Fnuz,
        Float8E5M2,
        Float8E5M2Fnuz,
        Float8E8M0Fnu,
        Float6E2M3Fn,
        Float6E3M2Fn,
        Float4E2M1Fn
    );
    Err(pyo3::exceptions::PyTypeError::new_err(format!("{name} is no mini float")).into())
}

/// Counts the true values of a bool array, before and after calling `f()` (which may write
/// the memory): the second count comes from `try_view`, which checks the values again.
#[pyfunction]
fn count_true_around(a: TypedArray<bool>, f: &Bound<'_, PyAny>) -> Result<(usize, usize)> {
    let before = a.view().iter().filter(|&&b| b).count();
    f.call0()?;
    let after = a.try_view()?.iter().filter(|&&b| b).count();
    Ok((before, after))
}

/// Holds a writable import of `a` while calling `f()`, to test the aliasing policy.
#[pyfunction]
fn while_writing(a: array_protocol_python::BufferMut, f: &Bound<'_, PyAny>) -> Result<Py<PyAny>> {
    let result = f.call0()?.unbind();
    drop(a);
    Ok(result)
}

/// Holds a shared import of `a` while calling `f()`, to test the aliasing policy.
#[pyfunction]
fn while_reading(a: Imported, f: &Bound<'_, PyAny>) -> Result<Py<PyAny>> {
    let result = f.call0()?.unbind();
    drop(a);
    Ok(result)
}

#[pymodule]
fn array_protocol_demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(rgba_image, m)?)?;
    m.add_function(wrap_pyfunction!(red_total, m)?)?;
    m.add_function(wrap_pyfunction!(total_mass, m)?)?;
    m.add_function(wrap_pyfunction!(copy_of, m)?)?;
    m.add_function(wrap_pyfunction!(writable_copy_of, m)?)?;
    m.add_function(wrap_pyfunction!(complex_ramp, m)?)?;
    m.add_function(wrap_pyfunction!(particles, m)?)?;
    m.add_function(wrap_pyfunction!(sum_f64, m)?)?;
    m.add_function(wrap_pyfunction!(mutable_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(resizable_records, m)?)?;
    m.add_class::<LyingBuffer>()?;
    m.add_function(wrap_pyfunction!(transposed, m)?)?;
    m.add_function(wrap_pyfunction!(points, m)?)?;
    m.add_class::<PyArray>()?;
    m.add_class::<Stash>()?;
    m.add_class::<array_protocol_python::DeviceArray>()?;
    m.add_function(wrap_pyfunction!(ramp, m)?)?;
    m.add_function(wrap_pyfunction!(row_sums, m)?)?;
    m.add_function(wrap_pyfunction!(thirds, m)?)?;
    m.add_function(wrap_pyfunction!(sum_sqrt, m)?)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(channel, m)?)?;
    m.add_function(wrap_pyfunction!(reexport, m)?)?;
    m.add_function(wrap_pyfunction!(typed_f64, m)?)?;
    m.add_function(wrap_pyfunction!(typed_reexport, m)?)?;
    m.add_function(wrap_pyfunction!(typed_as_producer, m)?)?;
    m.add_function(wrap_pyfunction!(typed_bool_len, m)?)?;
    m.add_function(wrap_pyfunction!(matrix_f64, m)?)?;
    m.add_function(wrap_pyfunction!(scalar_f64, m)?)?;
    m.add_function(wrap_pyfunction!(rgba_shape, m)?)?;
    m.add_function(wrap_pyfunction!(label_cube, m)?)?;
    m.add_function(wrap_pyfunction!(histogram, m)?)?;
    m.add_function(wrap_pyfunction!(import_route, m)?)?;
    m.add_function(wrap_pyfunction!(dlpack_route, m)?)?;
    m.add_function(wrap_pyfunction!(describe_import, m)?)?;
    m.add_function(wrap_pyfunction!(count_true_around, m)?)?;
    m.add_function(wrap_pyfunction!(minifloat_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(dlpack_imports, m)?)?;
    m.add_function(wrap_pyfunction!(import_address, m)?)?;
    m.add_function(wrap_pyfunction!(chunk_addresses, m)?)?;
    m.add_function(wrap_pyfunction!(chunked_row_sums, m)?)?;
    m.add_function(wrap_pyfunction!(chunks_reexported, m)?)?;
    m.add_function(wrap_pyfunction!(tensor_sums, m)?)?;
    m.add_function(wrap_pyfunction!(while_writing, m)?)?;
    m.add_function(wrap_pyfunction!(while_reading, m)?)?;
    layouts::register(m)?;
    device::register(m)?;
    Ok(())
}
