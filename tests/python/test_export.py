"""Rust-owned arrays read by the real numpy, Pillow, pyarrow and CPython, without copies."""
import ctypes
import gc
import struct
import subprocess
import sys

import numpy as np
import pytest

from conftest import PyBUF, get_buffer


def pixel(x, y):
    return [x % 256, y % 256, (x + y) % 256, 255]


def test_memoryview_and_struct(demo):
    img = demo.rgba_image(5, 3)
    m = memoryview(img)
    assert (m.format, m.itemsize, m.shape, m.strides, m.readonly) == ("B", 1, (3, 5, 4), (20, 4, 1), True)
    assert m.tolist()[2][4] == pixel(4, 2)
    ps = demo.particles(4)
    pm = memoryview(ps)
    assert pm.itemsize == struct.calcsize("3fId") == 24
    raw = pm.tobytes()
    for k in range(4):
        assert struct.unpack_from("3fId", raw, 24 * k) == (k, 2 * k, 3 * k, k, k / 2)
    z = memoryview(demo.complex_ramp(3))
    assert (z.format, z.itemsize) == ("Zd", 16)
    assert struct.unpack_from("dd", z.tobytes(), 16 * 2) == (2.0, -2.0)


def test_numpy_reads_in_place(demo):
    img = demo.rgba_image(64, 32)
    a = np.asarray(img)
    b = np.asarray(img)
    assert a.shape == (32, 64, 4) and a.dtype == np.uint8
    assert np.shares_memory(a, b)
    assert a.ctypes.data == np.asarray(Fwd(img)).ctypes.data
    assert a[31, 63].tolist() == pixel(63, 31)
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0, 0, 0] = 1
    z = np.asarray(demo.complex_ramp(5))
    assert z.dtype == np.complex128 and (z == np.arange(5) - 1j * np.arange(5)).all()
    p = np.asarray(demo.particles(5))
    assert p.dtype.names == ("pos", "id", "mass")
    assert p["pos"][3].tolist() == [3, 6, 9] and p["id"].tolist() == [0, 1, 2, 3, 4] and p["mass"][4] == 2.0
    t = np.asarray(demo.transposed(3, 4))
    assert t.shape == (4, 3) and t.strides == (8, 32) and t.flags.f_contiguous
    assert (t == (10 * np.arange(3)[None, :] + np.arange(4)[:, None])).all()


def test_array_interface(demo):
    ai = demo.particles(2).__array_interface__
    assert ai["version"] == 3 and ai["shape"] == (2,) and ai["typestr"] == "|V24"
    assert ai["descr"] == [("pos", "<f4", (3,)), ("id", "<u4"), ("mass", "<f8")]
    assert ai["strides"] is None and ai["offset"] == 0
    # `data` is a buffer object holding the array's bytes: read-only here, as the array is.
    data = memoryview(ai["data"])
    assert (data.format, data.nbytes, data.readonly) == ("B", 2 * 24, True)
    assert len(ai["data"]) == 2 * 24
    assert data.tobytes() == memoryview(demo.particles(2)).tobytes()
    assert demo.transposed(2, 3).__array_interface__["strides"] == (8, 24)
    assert demo.rgba_image(1, 1).__array_interface__["descr"] == [("", "|u1")]


class Fwd:
    """A consumer-side wrapper that hands on another object's `__array_interface__`: numpy
    keeps a reference to the wrapper and to the interface's `data`, never to the array."""

    def __init__(self, o):
        self.o = o

    @property
    def __array_interface__(self):
        return self.o.__array_interface__


def test_array_interface_holds_an_export_until_the_consumer_lets_go(demo):
    w = demo.mutable_buffer(10)
    np.asarray(w)[:] = np.arange(10.0)
    assert w.exports == 0
    a = np.asarray(Fwd(w))
    assert a.flags.writeable and a.ctypes.data == np.asarray(w).ctypes.data
    assert w.exports == 1
    # The memory numpy reads cannot be freed under it.
    with pytest.raises(BufferError, match="cannot resize: the array has 1 live export"):
        w.resize(2**20)
    assert a.tolist() == [float(k) for k in range(10)]
    a[3] = 30.0
    assert np.asarray(w)[3] == 30.0
    del a
    gc.collect()
    assert w.exports == 0
    w.resize(2**20)
    b = np.asarray(w)
    assert b.shape == (2**20,) and b[3] == 30.0 and b[9] == 9.0 and not b[10:].any()
    del b
    # The dict itself holds the export while it lives, and only then.
    ai = w.__array_interface__
    assert w.exports == 1
    with pytest.raises(BufferError):
        w.resize(4)
    del ai
    assert w.exports == 0
    w.resize(4)
    assert np.asarray(Fwd(w)).tolist() == [0.0, 1.0, 2.0, 30.0]
    assert w.exports == 0


def test_array_interface_describes_every_layout_as_the_buffer_does(demo):
    data = np.arange(12.0).tobytes()
    for shape, strides, offset, writable in [
        ([3, 4], None, 0, True),
        ([3, 4], [-32, -8], 88, True),       # both axes reversed: the first element is last
        ([4, 3], [8, 32], 0, False),         # Fortran order
        ([2, 2], [-48, 16], 56, True),
        ([3, 2], [8, 8], 0, True),           # overlapping elements: read-only
        ([0, 3], None, 0, True),
        ([], None, 40, True),
    ]:
        x = demo.export_layout(data, "d", shape, strides, offset, writable)
        via_buffer = np.asarray(x)
        via_interface = np.asarray(Fwd(x))
        assert via_interface.shape == via_buffer.shape and via_interface.strides == via_buffer.strides
        assert via_interface.tolist() == via_buffer.tolist()
        assert via_interface.flags.writeable == via_buffer.flags.writeable == (writable and strides != [8, 8])
        if via_buffer.size:
            assert via_interface.ctypes.data == via_buffer.ctypes.data
        assert x.exports == 2
        del via_buffer, via_interface
        assert x.exports == 0


def test_array_interface_of_a_read_only_array_is_read_only(demo):
    r = demo.ramp(5)
    a = np.asarray(Fwd(r))
    assert not a.flags.writeable and a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError):
        a[0] = 1.0
    with pytest.raises(BufferError, match="not writable"):
        get_buffer(r.__array_interface__["data"], PyBUF["WRITABLE"])


def test_buffer_request_flags(demo):
    img = demo.rgba_image(2, 2)
    with pytest.raises(BufferError, match="read-only"):
        get_buffer(img, PyBUF["WRITABLE"] | PyBUF["STRIDES"])
    view, release = get_buffer(img, PyBUF["SIMPLE"])
    assert view.format is None and not view.shape and view.len == 16
    release()
    strided = demo.transposed(2, 3)
    for flags, message in [(PyBUF["C_CONTIGUOUS"], "not C-contiguous"), (PyBUF["ND"], "did not ask for strides"),
                           (PyBUF["SIMPLE"], "did not ask for strides")]:
        with pytest.raises(BufferError, match=message):
            get_buffer(strided, flags)
    view, release = get_buffer(strided, PyBUF["F_CONTIGUOUS"] | PyBUF["FORMAT"])
    assert view.format == b"d" and [view.strides[i] for i in range(2)] == [8, 24]
    release()
    view, release = get_buffer(strided, PyBUF["ANY_CONTIGUOUS"])
    release()


def test_dlpack(demo):
    ramp = demo.complex_ramp(4)
    x = np.from_dlpack(ramp)
    assert np.shares_memory(x, np.asarray(ramp))
    assert not x.flags.writeable
    assert ramp.__dlpack_device__() == (1, 0)
    capsule = ramp.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(capsule)
    # The legacy capsule has no read-only flag: refused for read-only arrays, as numpy does.
    with pytest.raises(BufferError, match="legacy DLPack capsule"):
        ramp.__dlpack__()
    writable = demo.mutable_buffer(4)
    legacy = writable.__dlpack__()
    assert '"dltensor"' in repr(legacy) and writable.exports == 1
    exports = ramp.exports
    del capsule, legacy
    gc.collect()
    # Unconsumed capsules were freed and their deleters ran.
    assert (ramp.exports, writable.exports) == (exports - 1, 0)
    with pytest.raises(BufferError, match="device"):
        ramp.__dlpack__(dl_device=(2, 0))
    copied = np.from_dlpack(ramp, copy=True)
    assert not np.shares_memory(copied, x) and (copied == x).all()


def test_pyarrow_reads_dlpack(demo):
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa.Tensor, "from_dlpack"):
        pytest.skip(f"pyarrow {pa.__version__} has no Tensor.from_dlpack")
    t = pa.Tensor.from_dlpack(demo.transposed(3, 4))
    assert t.shape == (4, 3)
    assert (t.to_numpy() == np.asarray(demo.transposed(3, 4))).all()


def test_pillow_fromarray(demo):
    Image = pytest.importorskip("PIL.Image")
    img = Image.fromarray(demo.rgba_image(40, 30))
    assert img.mode == "RGBA" and img.size == (40, 30)
    for x, y in [(0, 0), (39, 29), (17, 5)]:
        assert list(img.getpixel((x, y))) == pixel(x, y)


def test_arrays_outlive_the_rust_object(demo):
    img = demo.rgba_image(8, 8)
    a = np.asarray(img)
    d = np.from_dlpack(demo.complex_ramp(6))
    m = memoryview(demo.particles(3))
    del img
    gc.collect()
    assert a[7, 7].tolist() == pixel(7, 7)
    assert d[5] == 5 - 5j
    assert m.tobytes()[24 + 12:24 + 16] == struct.pack("I", 1)


def test_live_dlpack_arrays_at_interpreter_exit():
    code = (
        "import numpy as np, array_protocol_demo as d\n"
        "keep = np.from_dlpack(d.complex_ramp(10))\n"
        "capsule = d.complex_ramp(3).__dlpack__(max_version=(1, 0))\n"
        "legacy = d.mutable_buffer(3).__dlpack__()\n"
        "view = memoryview(d.rgba_image(2, 2))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "panic" not in r.stderr and "Error" not in r.stderr, r.stderr


def test_mutable_export_locks_resizing(demo):
    buf = demo.mutable_buffer(4)
    a = np.asarray(buf)
    assert a.flags.writeable
    a[1] = 5.0
    with pytest.raises(BufferError, match="cannot resize: the array has 1 live export"):
        buf.resize(8)
    assert np.asarray(buf)[1] == 5.0
    del a
    gc.collect()
    buf.resize(8)
    b = np.asarray(buf)
    assert b.shape == (8,) and b[1] == 5.0 and b[7] == 0.0
    del b
    t = np.from_dlpack(buf)
    assert t.flags.writeable
    with pytest.raises(BufferError):
        buf.resize(2)
    del t
    gc.collect()
    buf.resize(2)
    assert np.asarray(buf).tolist() == [0.0, 5.0]


def test_only_resizable_arrays_resize(demo):
    with pytest.raises(ValueError, match="cannot be resized"):
        demo.complex_ramp(2).resize(3)


def _versioned(capsule):
    """The header of a `dltensor_versioned` capsule's tensor: version, flags, ndim, strides."""
    api = ctypes.pythonapi
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    p = api.PyCapsule_GetPointer(capsule, b"dltensor_versioned")
    major, minor = ctypes.c_uint32.from_address(p).value, ctypes.c_uint32.from_address(p + 4).value
    # version (8), manager_ctx (8), deleter (8), flags (8), then DLTensor: data (8), device (8),
    # ndim (4), dtype (4), shape (8), strides (8), byte_offset (8).
    flags = ctypes.c_uint64.from_address(p + 24).value
    data = ctypes.c_void_p.from_address(p + 32).value
    ndim = ctypes.c_int32.from_address(p + 48).value
    strides = ctypes.c_void_p.from_address(p + 64).value
    return (major, minor), flags, data, ndim, strides


def test_dlpack_exports_speak_version_1_3(demo):
    x = demo.points(3)
    version, flags, data, ndim, strides = _versioned(x.__dlpack__(max_version=(1, 3)))
    assert version == (1, 3) and ndim == 2 and strides  # strides whenever ndim != 0
    assert flags & 1 and not flags & 2  # read-only, not copied
    assert data == np.asarray(x).ctypes.data
    version, flags, copied, _, _ = _versioned(x.__dlpack__(max_version=(1, 3), copy=True))
    assert flags & 2 and not flags & 1 and copied != data  # copied: a writable copy
    assert _versioned(x.__dlpack__(max_version=(1, 0), copy=False))[2] == data
    with pytest.raises(BufferError, match="device"):
        x.__dlpack__(max_version=(1, 3), dl_device=(2, 0))
    with pytest.raises(ValueError, match="stream"):
        x.__dlpack__(max_version=(1, 3), stream=1)


def test_dlpack_arguments_are_checked_as_a_python_signature(demo):
    import inspect

    x = demo.points(3)
    method = type(x).__dlpack__
    assert str(inspect.signature(method)) == (
        "(self, /, *, stream=None, max_version=None, dl_device=None, copy=None)"
    )
    # Keywords given as non-interned strings (built at run time) match by value.
    name = "".join(["max_", "version"])
    assert _versioned(x.__dlpack__(**{name: (1, 3)}))[0] == (1, 3)
    assert _versioned(x.__dlpack__(max_version=(1, 3), stream=None, dl_device=None))[0] == (1, 3)
    assert _versioned(x.__dlpack__(max_version=(1, 3), dl_device=(1, 0)))[0] == (1, 3)
    with pytest.raises(TypeError, match="positional"):
        x.__dlpack__((1, 3))
    with pytest.raises(TypeError, match="unexpected keyword argument 'version'"):
        x.__dlpack__(version=(1, 3))
    with pytest.raises(TypeError, match="argument 'max_version'"):
        x.__dlpack__(max_version=[1, 3])
    with pytest.raises(TypeError, match="argument 'max_version'"):
        x.__dlpack__(max_version=(1.0, 3))
    with pytest.raises(ValueError, match="length 2"):
        x.__dlpack__(max_version=(1,))
    with pytest.raises(OverflowError):
        x.__dlpack__(max_version=(1, -1))
    with pytest.raises(OverflowError):
        x.__dlpack__(max_version=(2**70, 0))
    with pytest.raises(TypeError, match="argument 'copy'"):
        x.__dlpack__(max_version=(1, 3), copy=1)
    with pytest.raises(TypeError, match="doesn't apply"):
        method(np.zeros(3), max_version=(1, 3))
    # Repeated keywords, as only a C caller can pass them.
    call = ctypes.pythonapi.PyObject_VectorcallMethod
    call.restype, call.argtypes = ctypes.py_object, [
        ctypes.py_object, ctypes.POINTER(ctypes.py_object), ctypes.c_size_t, ctypes.py_object,
    ]
    args = (ctypes.py_object * 3)(x, (1, 3), (1, 3))
    with pytest.raises(TypeError, match="multiple values"):
        call("__dlpack__", args, 1, ("max_version", "max_version"))
