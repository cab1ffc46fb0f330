"""Hostile use from Python: failed exports, buffers whose length disagrees with their shape,
formats nested past the limit."""
import ctypes
import gc

import numpy as np
import pytest


def test_failed_dlpack_exports_do_not_unlock_resizing(demo):
    buf = demo.resizable_records(4)
    view = np.asarray(buf)
    assert view.dtype.names == ("id", "pad", "mass")
    assert buf.exports == 1
    for kwargs in ({}, {"max_version": (1, 0)}, {"max_version": (1, 0)}):
        with pytest.raises(BufferError, match="DLPack cannot carry"):
            buf.__dlpack__(**kwargs)
        assert buf.exports == 1
    with pytest.raises(BufferError, match="cannot resize: the array has 1 live export"):
        buf.resize(1_000_000)
    view["mass"][3] = 2.5
    assert np.asarray(buf)["mass"][3] == 2.5
    del view
    gc.collect()
    assert buf.exports == 0
    buf.resize(8)
    assert np.asarray(buf).shape == (8,)


def test_failed_dlpack_export_of_a_copy_keeps_the_count(demo):
    buf = demo.resizable_records(2)
    with pytest.raises(BufferError):
        buf.__dlpack__(copy=True)
    assert buf.exports == 0
    view = memoryview(buf)
    with pytest.raises(BufferError):
        buf.__dlpack__(max_version=(1, 0))
    assert buf.exports == 1
    with pytest.raises(BufferError):
        buf.resize(3)
    view.release()
    buf.resize(3)


def test_contiguous_buffer_whose_len_disagrees_with_its_shape_is_refused(demo):
    # 4 float64 in 32 bytes, honestly described: accepted.
    assert demo.sum_f64(demo.LyingBuffer(32, 32, [4], [8])) == 0.0
    assert demo.sum_f64(demo.LyingBuffer(32, 32, [2, 2], None)) == 0.0
    assert demo.sum_f64(demo.LyingBuffer(32, 32, None)) == 0.0
    # Shape and strides claim more (or less) than the memory block `len` reports.
    for lie in (
        demo.LyingBuffer(32, 8, [4], [8]),
        demo.LyingBuffer(32, 8, [2, 2], None),
        demo.LyingBuffer(32, 64, [2, 2], [8, 16]),
        demo.LyingBuffer(32, 24, [4], None),
    ):
        with pytest.raises(BufferError, match="disagrees with its shape"):
            demo.sum_f64(lie)
    # No shape: `len` is the shape, and must be whole items.
    with pytest.raises(BufferError, match="not a whole number of 8-byte items"):
        demo.sum_f64(demo.LyingBuffer(32, 12, None))
    with pytest.raises(BufferError, match="negative buffer length"):
        demo.sum_f64(demo.LyingBuffer(32, -8, None))
    # A strided (non-contiguous) buffer's `len` is its contiguous size: not a memory bound, and
    # not checked; its elements are.
    assert demo.sum_f64(demo.LyingBuffer(32, 16, [2], [16])) == 0.0


def _nested_ctypes(levels):
    t = ctypes.c_double
    for _ in range(levels):
        t = type("S", (ctypes.Structure,), {"_fields_": [("x", t)]})
    return t()


def test_deeply_nested_buffer_formats_are_an_error_not_a_crash(demo):
    ok = memoryview(_nested_ctypes(32))
    assert ok.format.count("T{") == 32
    with pytest.raises(TypeError, match="expected float64 items"):
        demo.sum_f64(ok)
    for levels in (33, 1000):
        deep = _nested_ctypes(levels)
        with pytest.raises(ValueError, match="at most 32 levels of nested records"):
            demo.sum_f64(deep)


def test_copies_too_large_to_allocate_are_memory_errors(demo):
    # 2**45 big-endian doubles broadcast from one: a byte-swapping copy would need 256 TiB,
    # more than the address space, so the allocation fails on every machine.
    huge = np.broadcast_to(np.ones(1, ">f8"), (2**45,))
    with pytest.raises(MemoryError, match="cannot allocate"):
        demo.sum_f64(huge)


def test_cpython_consumers_get_what_they_rely_on(demo):
    _testbuffer = pytest.importorskip("_testbuffer")
    nd = np.arange(9, dtype=np.int64).reshape(3, 3)
    # The same layout exported by CPython's reference exporter and by ours must look the same
    # to CPython's consumer, for requests with and without a shape.
    for flags in (
        _testbuffer.PyBUF_SIMPLE,
        _testbuffer.PyBUF_ND,
        _testbuffer.PyBUF_ND | _testbuffer.PyBUF_FORMAT,
        _testbuffer.PyBUF_STRIDES | _testbuffer.PyBUF_FORMAT,
        _testbuffer.PyBUF_FULL_RO,
    ):
        ours = _testbuffer.ndarray(demo.copy_of(nd), getbuf=flags)
        ref = _testbuffer.ndarray(
            _testbuffer.ndarray(list(range(9)), shape=[3, 3], format="q"), getbuf=flags
        )
        assert (ours.ndim, ours.shape, ours.readonly) == (ref.ndim, ref.shape, ref.readonly), flags
        assert ours.tobytes() == ref.tobytes()
        if flags & _testbuffer.PyBUF_FORMAT:
            assert ours.tolist() == ref.tolist()
    # 0-d: no shape and no strides, and `tolist()` works.
    scalar = demo.copy_of(np.array(7, dtype=np.int64))
    for flags in (_testbuffer.PyBUF_ND | _testbuffer.PyBUF_FORMAT, _testbuffer.PyBUF_FULL_RO):
        zero = _testbuffer.ndarray(scalar, getbuf=flags)
        assert (zero.ndim, zero.shape, zero.strides, zero.tolist()) == (0, (), (), 7)


def test_read_only_arrays_refuse_the_legacy_dlpack_capsule(demo):
    img = demo.rgba_image(4, 2)
    with pytest.raises(BufferError, match="legacy DLPack capsule"):
        img.__dlpack__()
    assert np.from_dlpack(img).flags.writeable is False
