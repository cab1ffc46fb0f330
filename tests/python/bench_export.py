"""Python-side performance of the exports and imports, each against a reference timed in the
same run (medians of 5 best-of-repeats). Run by scripts/bench-python.sh (after the extension and,
for the rust-numpy comparison, tests/python-bench are installed)."""
import statistics
import threading
import time
import timeit

import numpy as np

import array_protocol_demo as d

try:
    import array_protocol_bench as bench
except ImportError:  # built by scripts/bench-python.sh only
    bench = None


def best(fn, number):
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def ratio(name, ours, ref, ref_name, number=20000, target=1.2):
    """Median over 5 rounds of best-of-5, ours and the reference interleaved."""
    rounds = [(best(ours, number), best(ref, number)) for _ in range(5)]
    o = statistics.median(r[0] for r in rounds)
    r = statistics.median(r[1] for r in rounds)
    print(f"{name}: {o * 1e9:.0f} ns vs {ref_name} {r * 1e9:.0f} ns, ratio {o / r:.2f} (target <= {target})")


export = d.points(512)  # 512 x 2 float64, Rust-owned
nd = np.zeros((512, 2))
mv = memoryview(nd)
ratio("memoryview(export)", lambda: memoryview(export), lambda: memoryview(nd), "memoryview(ndarray)")
ratio("np.asarray(export)", lambda: np.asarray(export), lambda: np.asarray(mv), "np.asarray(memoryview of ndarray, made once)")
ratio("np.asarray(export)", lambda: np.asarray(export), lambda: np.asarray(memoryview(nd)), "np.asarray(memoryview(ndarray))")
ratio("np.from_dlpack(export)", lambda: np.from_dlpack(export), lambda: np.from_dlpack(nd), "np.from_dlpack(ndarray)")
# DLPack import through the producer's C exchange table vs through its __dlpack__ capsule, the
# same producer, n imports inside one Rust call (no Python call per import on either side).
try:
    import tvm_ffi
except ImportError:
    tvm_ffi = None
producers = [("our RustArray", d.points(512))]
if tvm_ffi is not None:
    producers.append(("tvm-ffi DLTensorTestWrapper",
                      tvm_ffi.core.DLTensorTestWrapper(tvm_ffi.from_dlpack(np.zeros((512, 2))))))
for label, producer in producers:
    n = 2000
    ratio(f"DLPack import via exchange table ({label})", lambda: d.dlpack_imports(producer, n),
          lambda: d.dlpack_imports(producer, n, True), "via __dlpack__ capsule", number=20, target=0.5)
if bench is not None:
    small = np.arange(16.0)
    ratio("import + typed read in a #[pyfunction]", lambda: bench.sum_ours(small),
          lambda: bench.sum_rust_numpy(small), "rust-numpy PyReadonlyArray")
    # The import alone: 1000 imports in one Rust call, no Python call around each.
    ratio("1000 imports + first element, in one call", lambda: bench.imports_ours(small, 1000),
          lambda: bench.imports_rust_numpy(small, 1000), "rust-numpy extract", number=200)

try:
    import pyarrow as pa
except ImportError:
    pa = None
if pa is not None:
    # Arrow: exporting a 16M-element float64 tensor column (8M rows of 2) against pyarrow's own
    # conversion of a numpy array of that shape, and importing a tensor array back.
    big_export, big_np = d.points(8 << 20), np.zeros((8 << 20, 2))
    small_export = d.points(512)
    t_ours = best(lambda: pa.array(big_export), 200)
    t_small = best(lambda: pa.array(small_export), 200)
    t_ref = best(lambda: pa.FixedShapeTensorArray.from_numpy_ndarray(big_np), 200)
    print(f"Arrow export of 16M float64: pa.array(export) {t_ours * 1e6:.1f} us vs "
          f"pa.FixedShapeTensorArray.from_numpy_ndarray {t_ref * 1e6:.1f} us, ratio {t_ours / t_ref:.2f} "
          f"(target <= 1.5); vs 1K elements {t_small * 1e6:.1f} us, ratio {t_ours / t_small:.2f} (constant)")

    class OnlyArrow:
        def __init__(self, obj):
            self.obj = obj

        def __arrow_c_array__(self, requested_schema=None):
            return self.obj.__arrow_c_array__(requested_schema)

    big_t = OnlyArrow(pa.FixedShapeTensorArray.from_numpy_ndarray(np.zeros((8 << 20, 2))))
    small_t = OnlyArrow(pa.FixedShapeTensorArray.from_numpy_ndarray(np.zeros((512, 2))))
    t_big = best(lambda: d.import_route(big_t), 200)
    t_small = best(lambda: d.import_route(small_t), 200)
    print(f"Arrow import of a tensor array: 16M elements {t_big * 1e6:.1f} us, 1K elements {t_small * 1e6:.1f} us, "
          f"ratio {t_big / t_small:.2f} (constant)")

    # Chunked imports: a 3-chunk ChunkedArray against a 1-chunk one of the same rows, both
    # through the stream (import_chunks), against the target of <= 3x.
    rows = np.arange(3 * 4096 * 2, dtype=np.float64).reshape(3 * 4096, 2)
    tensors = pa.FixedShapeTensorArray.from_numpy_ndarray(rows)
    three = pa.chunked_array([tensors.slice(0, 4096), tensors.slice(4096, 4096), tensors.slice(8192, 4096)])
    one = pa.chunked_array([tensors])
    assert len(d.chunk_addresses(three)) == 3 and len(d.chunk_addresses(one)) == 1
    ratio("import_chunks(3-chunk ChunkedArray)", lambda: d.chunk_addresses(three), lambda: d.chunk_addresses(one),
          "import_chunks(1-chunk)", number=2000, target=3.0)

small, large = d.points(512), d.points(8 << 20)  # 1 K and 16 M float64 elements
t_small = best(lambda: np.asarray(small), 2000)
t_large = best(lambda: np.asarray(large), 2000)
print(f"np.asarray(export): 1K elements {t_small * 1e6:.2f} us, 16M elements {t_large * 1e6:.2f} us, "
      f"ratio {t_large / t_small:.2f} (target <= 1.5: constant time)")

n = 1 << 20
pts = d.points(n)
as_list = [(float(k), -float(k)) for k in range(n)]
t_export = best(lambda: np.asarray(pts), 200)
t_list = best(lambda: np.array(as_list), 3)
t_copy = best(lambda: np.frombuffer(bytes(memoryview(pts)), dtype="<f8").reshape(n, 2).copy(), 10)
print(f"1M points: np.asarray(export) {t_export * 1e6:.2f} us; from a list of tuples {t_list * 1e3:.1f} ms "
      f"({t_list / t_export:.0f}x, target >= 1000x); copying export {t_copy * 1e3:.2f} ms ({t_copy / t_export:.0f}x)")

big = np.random.default_rng(0).random(16 << 20)
t_ours = best(lambda: d.sum_f64(big), 10)
t_np = best(lambda: np.sum(big), 10)
print(f"sum over 16M float64: sum_f64 {t_ours * 1e3:.2f} ms, np.sum {t_np * 1e3:.2f} ms, "
      f"ratio {t_ours / t_np:.2f} (target <= 1.2)")

# The GIL released: two Python threads, each running the compute-bound sum of sqrt(1 + x^2)
# over its own 16M-element array, against one thread doing both.
arrays = [np.random.default_rng(k).random(16 << 20) for k in range(2)]


def one_thread():
    for a in arrays:
        d.sum_sqrt(a)


def two_threads():
    threads = [threading.Thread(target=d.sum_sqrt, args=(a,)) for a in arrays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


rounds = [(timed(two_threads), timed(one_thread)) for _ in range(5)]
t2 = statistics.median(r[0] for r in rounds)
t1 = statistics.median(r[1] for r in rounds)
print(f"sum of sqrt(1 + x^2) over 2 x 16M float64: two threads {t2 * 1e3:.1f} ms, one thread {t1 * 1e3:.1f} ms, "
      f"ratio {t2 / t1:.2f} (target <= 0.6)")
