"""Arrays in chunks (import_chunks, TypedChunks) and the Arrow C device interface, against
pyarrow, Polars and DuckDB: every chunk read in place, device arrays never touched."""
import ctypes
import gc

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")


class OnlyStream:
    """Offers nothing but `__arrow_c_stream__` (as a Ray block or a DuckDB relation does)."""

    def __init__(self, obj):
        self.obj = obj

    def __arrow_c_stream__(self, requested_schema=None):
        return self.obj.__arrow_c_stream__(requested_schema)


class OnlyDeviceArray:
    def __init__(self, obj):
        self.obj = obj

    def __arrow_c_device_array__(self, requested_schema=None, **kwargs):
        return self.obj.__arrow_c_device_array__(requested_schema, **kwargs)


class OnlyDeviceStream:
    def __init__(self, obj):
        self.obj = obj

    def __arrow_c_device_stream__(self, requested_schema=None, **kwargs):
        return self.obj.__arrow_c_device_stream__(requested_schema, **kwargs)


def values_address(chunk):
    """The address of a pyarrow chunk's first value (its offset applied)."""
    storage = chunk.storage if isinstance(chunk, pa.ExtensionArray) else chunk
    while isinstance(storage.type, pa.FixedSizeListType):
        size = storage.type.list_size
        storage = storage.values.slice(storage.offset * size, len(storage) * size)
    return storage.buffers()[1].address + storage.offset * storage.type.bit_width // 8


def test_chunked_array_is_read_chunk_by_chunk_in_place(demo):
    a = np.arange(12, dtype=np.float64)
    chunks = [pa.array(a[:5]), pa.array([], pa.float64()), pa.array(a[5:9]), pa.array(a[9:])]
    ca = pa.chunked_array(chunks)
    got = demo.chunk_addresses(ca)
    # The empty chunk is skipped; the others are the chunks' own memory.
    assert [(r, s) for r, _, s in got] == [("Arrow", [5]), ("Arrow", [4]), ("Arrow", [3])]
    assert [p for _, p, _ in got] == [values_address(c) for c in (chunks[0], chunks[2], chunks[3])]
    # A slice of a chunked array: offsets inside the chunks are kept.
    sliced = ca.slice(2, 8)
    got = demo.chunk_addresses(sliced)
    assert [s for _, _, s in got] == [[3], [4], [1]]
    assert [p for _, p, _ in got] == [values_address(c) for c in sliced.chunks if len(c)]
    # Values, through the typed argument (one row per value of a 1-D column).
    assert np.asarray(demo.chunked_row_sums(ca)).tolist() == a.tolist()
    # A table column is the same chunked array; a one-column table streams its column.
    t = pa.table({"x": ca})
    assert demo.chunk_addresses(t.column("x")) == demo.chunk_addresses(ca)
    assert demo.chunk_addresses(t) == demo.chunk_addresses(ca)
    assert demo.chunk_addresses(OnlyStream(t)) == demo.chunk_addresses(ca)


def test_import_of_several_chunks_points_to_import_chunks(demo):
    ca = pa.chunked_array([pa.array([1.0, 2.0]), pa.array([3.0])])
    with pytest.raises(BufferError, match="2 non-empty chunks.*import_chunks"):
        demo.sum_f64(ca)
    # One non-empty chunk is one array, in place, through `import` as well.
    one = pa.chunked_array([pa.array([], pa.float64()), pa.array([1.0, 2.0])])
    assert demo.sum_f64(one) == 3.0
    assert demo.import_address(one)[0] == values_address(one.chunks[1])
    # No chunks at all: no shape for `import`, an empty list for `import_chunks`.
    empty = pa.chunked_array([], pa.float64())
    with pytest.raises(ValueError, match="no non-empty array"):
        demo.sum_f64(empty)
    assert demo.chunk_addresses(empty) == []
    assert np.asarray(demo.chunked_row_sums(empty)).tolist() == []


def test_tables_of_several_columns_and_nulls_are_refused_naming_the_chunk(demo):
    t = pa.table({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    with pytest.raises(Exception, match="struct"):
        demo.chunk_addresses(t)
    ca = pa.chunked_array([pa.array([1.0, 2.0]), pa.array([3.0, None])])
    with pytest.raises(BufferError, match=r"chunk 1 of the Arrow stream: .*nulls"):
        demo.chunk_addresses(ca)
    strings = pa.chunked_array([pa.array(["a"]), pa.array(["b"])])
    with pytest.raises(Exception, match="chunk 0 of the Arrow stream"):
        demo.chunk_addresses(strings)


def test_tensor_columns_in_chunks_with_fixed_axes(demo):
    values = np.arange(6 * 2 * 3, dtype=np.float32).reshape(6, 2, 3)
    tensors = pa.FixedShapeTensorArray.from_numpy_ndarray(values)
    column = pa.chunked_array([tensors.slice(0, 1), tensors.slice(1, 0), tensors.slice(1, 5)])
    got = demo.chunk_addresses(column)
    assert [s for _, _, s in got] == [[1, 2, 3], [5, 2, 3]]
    base = values_address(tensors)
    assert [p for _, p, _ in got] == [base, base + 1 * 2 * 3 * 4]
    assert np.asarray(demo.tensor_sums(column)).tolist() == values.sum(axis=(1, 2)).tolist()
    # The typed argument's checks, per chunk: the item type, then the number of axes.
    with pytest.raises(TypeError, match="chunk 0: .*float32"):
        demo.chunked_row_sums(column)
    flat = pa.chunked_array([pa.array(np.ones(3, np.float32)), pa.array(np.ones(2, np.float32))])
    with pytest.raises(ValueError, match="chunk 0: expected a 3-D array, got a 1-D array"):
        demo.tensor_sums(flat)


def test_polars_and_duckdb_chunks(demo):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    a = np.arange(10, dtype=np.float64)
    s = pl.concat([pl.Series("x", a[:4]), pl.Series("x", a[4:])], rechunk=False)
    assert s.n_chunks() == 2
    got = demo.chunk_addresses(s)
    assert [sh for _, _, sh in got] == [[4], [6]]
    arrow_chunks = s.to_arrow().chunks if hasattr(s.to_arrow(), "chunks") else [s.to_arrow()]
    assert np.asarray(demo.chunked_row_sums(s)).tolist() == a.tolist()
    df = pl.DataFrame({"x": s})
    assert np.asarray(demo.chunked_row_sums(df)).tolist() == a.tolist()
    del arrow_chunks
    rel = duckdb.sql("select range::DOUBLE as x from range(5000)")
    chunks = demo.chunk_addresses(rel)
    assert sum(sh[0] for _, _, sh in chunks) == 5000 and all(r == "Arrow" for r, _, _ in chunks)
    assert np.asarray(demo.chunked_row_sums(rel)).tolist() == list(map(float, range(5000)))


def test_chunks_are_handed_on_through_dlpack_read_only(demo):
    tvm_ffi = pytest.importorskip("tvm_ffi")
    values = np.arange(4 * 3 * 2, dtype=np.float64).reshape(4, 3, 2)
    tensors = pa.FixedShapeTensorArray.from_numpy_ndarray(values)
    column = pa.chunked_array([tensors.slice(0, 1), tensors.slice(1, 3)])
    with pytest.raises(Exception):
        tensors.__dlpack__()  # pyarrow cannot hand a tensor column on itself
    outs = demo.chunks_reexported(column)
    assert [np.asarray(o).shape for o in outs] == [(1, 3, 2), (3, 3, 2)]
    for out, lo, hi in zip(outs, (0, 1), (1, 4)):
        n = np.from_dlpack(out)
        assert not n.flags.writeable  # versioned, read-only
        assert n.ctypes.data == values_address(tensors) + lo * 3 * 2 * 8
        assert n.tolist() == values[lo:hi].tolist()
        t = tvm_ffi.from_dlpack(out)
        assert tuple(t.shape) == (hi - lo, 3, 2)
        assert np.from_dlpack(t).tolist() == values[lo:hi].tolist()
    # A consumer asking only for the legacy capsule (which cannot say read-only) is refused.
    with pytest.raises(BufferError, match="legacy"):
        outs[0].__dlpack__()


def test_device_array_export_is_read_by_pyarrow_in_place(demo):
    r = demo.ramp(6)
    schema, array = r.__arrow_c_device_array__()
    ptr = ctypes.pythonapi.PyCapsule_GetPointer
    ptr.restype, ptr.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    raw = ptr(array, b"arrow_device_array")
    # struct ArrowDeviceArray: the ArrowArray (10 words), device_id, device_type.
    device_id = ctypes.c_int64.from_address(raw + 80).value
    device_type = ctypes.c_int32.from_address(raw + 88).value
    assert (device_type, device_id) == (1, -1)
    a = pa.Array._import_from_c_device_capsule(schema, array)
    assert a.to_pylist() == [float(k) for k in range(6)]
    assert a.buffers()[1].address == np.asarray(r).ctypes.data
    # pa.array prefers the device interface; the result shares memory too.
    b = pa.array(r)
    assert b.buffers()[1].address == np.asarray(r).ctypes.data and b.is_cpu
    # A tensor export through the device interface.
    img = demo.rgba_image(3, 2)
    t = pa.Array._import_from_c_device_capsule(*img.__arrow_c_device_array__())
    assert isinstance(t, pa.FixedShapeTensorArray)
    assert (t.to_numpy_ndarray() == np.asarray(img)).all()
    with pytest.raises(NotImplementedError, match="future"):
        r.__arrow_c_device_array__(future=1)
    assert r.__arrow_c_device_array__(future=None) is not None


def test_device_imports_read_host_arrays_in_place(demo):
    a = pa.array(np.arange(5, dtype=np.float64))
    assert demo.import_route(OnlyDeviceArray(a)) == ("Arrow", [5], True)
    assert demo.import_address(OnlyDeviceArray(a))[0] == values_address(a)
    # Our own device stream, read back chunk by chunk.
    r = demo.ramp(7)
    got = demo.chunk_addresses(OnlyDeviceStream(r))
    assert got == [("Arrow", np.asarray(r).ctypes.data, [7])]
    assert demo.sum_f64(OnlyDeviceStream(r)) == 21.0


def test_arrow_device_arrays_elsewhere_are_passed_on_untouched(demo):
    before = demo.fake_cuda_arrow_released()
    fake = demo.FakeCudaArrow(device_id=3)
    t = demo.pass_through(fake)  # a DLPackTensor, from the Arrow device array
    assert t.device == (2, 3) and t.data_ptr == fake.last_pointer
    assert (t.shape, t.strides, t.dtype, t.read_only) == ([1024], [1], (2, 32, 1), True)
    u = demo.pass_through(t)
    assert u.data_ptr == fake.last_pointer and u.device == (2, 3)
    with pytest.raises(BufferError, match="CUDA memory"):
        demo.sum_f64(fake)  # refused before any read (the page is unreadable)
    with pytest.raises(BufferError, match="CUDA memory"):
        demo.chunk_addresses(OnlyDeviceArray(fake))
    # Each array handed out was released once: the refused imports' at once, the passed-on one
    # when its last holder goes.
    assert demo.fake_cuda_arrow_released() - before == 2
    del t, u
    gc.collect()
    assert demo.fake_cuda_arrow_released() - before == 3
    # A capsule nobody consumes is released by its destructor, once.
    caps = fake.__arrow_c_device_array__()
    del caps
    gc.collect()
    assert demo.fake_cuda_arrow_released() - before == 4


def device_fields(capsule):
    """`(device_type, device_id)` of an `arrow_device_array` capsule, read with ctypes."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    raw = get(capsule, b"arrow_device_array")
    return ctypes.c_int32.from_address(raw + 88).value, ctypes.c_int64.from_address(raw + 80).value


def test_dlpack_tensors_are_handed_to_arrow_on_their_device(demo):
    # A CUDA tensor (an unreadable page) handed on as an Arrow device array: same address, same
    # device, never read; taken back through Arrow, it is the same tensor again.
    before = demo.fake_cuda_deleted()
    fake = demo.FakeCuda()
    t = demo.pass_through(fake)
    schema, array = t.__arrow_c_device_array__()
    assert device_fields(array) == (2, 0)
    back = demo.pass_through(OnlyDeviceArray(t))
    assert (back.device, back.data_ptr, back.shape, back.read_only) == ((2, 0), fake.last_pointer, [4, 8], True)
    with pytest.raises(BufferError, match="CUDA memory"):
        demo.sum_f64(OnlyDeviceArray(t))
    del schema, array, back, t
    gc.collect()
    assert demo.fake_cuda_deleted() - before == 1  # released once, after the last holder
    # A CPU tensor: pyarrow reads the device array in place.
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    cpu = demo.pass_through(values)
    schema, array = cpu.__arrow_c_device_array__()
    assert device_fields(array) == (1, -1)
    a = pa.Array._import_from_c_device_capsule(schema, array)
    assert isinstance(a, pa.FixedShapeTensorArray)
    assert a.to_numpy_ndarray().tolist() == values.tolist()
    assert values_address(a) == values.ctypes.data
    # What Arrow cannot describe in place is refused: there is no copy of device memory here.
    with pytest.raises(BufferError, match="device"):
        demo.pass_through(values[:, ::2]).__arrow_c_device_array__()


def test_device_structures_match_arrow_c_abi_header(tmp_path):
    """The offsets this crate's `#[repr(C)]` structures use (asserted in Rust by
    array-protocol/tests/arrow_streams.rs, read by `device_fields` above) are the ones a C
    compiler gives Arrow's own `arrow/c/abi.h`, as shipped with pyarrow."""
    import shutil
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    src = tmp_path / "layout.c"
    src.write_text(
        "#include <stddef.h>\n#include <stdio.h>\n#include <arrow/c/abi.h>\n"
        "int main(void) { printf(\"%zu %zu %zu %zu %zu %zu\\n\","
        " sizeof(struct ArrowDeviceArray), offsetof(struct ArrowDeviceArray, device_id),"
        " offsetof(struct ArrowDeviceArray, device_type), offsetof(struct ArrowDeviceArray, sync_event),"
        " sizeof(struct ArrowDeviceArrayStream), (size_t)ARROW_DEVICE_CUDA); return 0; }\n"
    )
    exe = tmp_path / "layout"
    subprocess.run([cc, "-I", pa.get_include(), str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    assert list(map(int, out)) == [128, 80, 88, 96, 48, 2]
