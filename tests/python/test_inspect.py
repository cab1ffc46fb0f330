"""`RustArray` is inspectable as `memoryview(x)` is: the same read-only attributes, `len()`,
and a `repr()` with shape and dtype. Every attribute is compared with the real `memoryview` of
the same object, over every layout the demo exports."""
import gc
import sys
import threading

import numpy as np
import pytest

ATTRIBUTES = ("shape", "ndim", "strides", "itemsize", "nbytes", "format", "readonly",
              "c_contiguous", "f_contiguous", "contiguous")


def outcome(f):
    try:
        return ("ok", f())
    except Exception as e:  # noqa: BLE001 - the exception's type and message are compared
        return (type(e), str(e))


def assert_like_memoryview(x):
    """Every attribute of `x` equals that of `memoryview(x)`, `len` included (raising as it
    raises), and reading them leaves no export behind."""
    with memoryview(x) as m:
        for name in ATTRIBUTES:
            ours, theirs = getattr(x, name), getattr(m, name)
            assert type(ours) is type(theirs) and ours == theirs, (name, ours, theirs)
        assert outcome(lambda: len(x)) == outcome(lambda: len(m))
    assert x.exports == 0


DATA = bytes(range(256)) * 4

# (format, shape, byte strides or None for C order, byte offset, writable), as export_layout
# takes them.
LAYOUTS = [
    ("d", [3, 4], None, 0, True),
    ("d", [3, 4], None, 0, False),
    ("d", [], None, 40, True),                  # 0-d
    ("d", [], None, 0, False),
    ("d", [0], None, 0, True),                  # empty
    ("d", [0], [16], 0, True),                  # empty, stride not the itemsize: not contiguous
    ("d", [0], [-8], 0, True),
    ("d", [0, 3], None, 0, True),
    ("d", [3, 0], [16, 16], 0, True),
    ("d", [0, 3], [-8, 8], 0, False),
    ("d", [2, 0, 3], [7, 0, 5], 0, True),
    ("d", [3, 4], [-32, -8], 88, True),         # both axes reversed
    ("d", [2, 2], [-48, 16], 56, True),
    ("d", [2], [-8], 8, True),
    ("d", [4, 3], [8, 32], 0, False),           # Fortran order
    ("d", [4, 3], [8, 32], 0, True),
    ("d", [2, 3, 4], [8, 16, 48], 0, True),     # Fortran order, 3-D
    ("d", [2, 3, 4], [96, 32, 8], 0, True),
    ("d", [2, 3, 4], [192, 64, 16], 0, True),   # every other element
    ("d", [3, 2], [8, 8], 0, True),             # overlapping elements: read-only
    ("d", [3], [0], 0, True),                   # one element repeated
    ("d", [4, 3], [0, 8], 0, True),
    ("d", [1], [16], 0, True),                  # one element, any stride: contiguous
    ("d", [1, 3], [100, 8], 0, True),
    ("d", [3, 1], [8, 100], 0, True),
    ("d", [1, 1], [-5, 3], 64, True),
    ("B", [5, 7], None, 3, True),
    ("B", [5, 7], [1, 5], 3, True),
    ("?", [6], None, 0, False),
    ("i", [2, 3], None, 0, True),
    ("<i", [2, 3], None, 0, True),              # spelled with a byte order: kept
    (">d", [4], None, 0, True),                 # not in native order
    ("Zd", [3], [-16], 32, True),
    ("10s", [3], None, 0, True),
    ("3d", [2], None, 0, True),                 # items that are sub-arrays
    ("T{B:a:xxxi:b:}", [4], None, 0, True),     # records
    ("T{B:a:xxxi:b:}", [2, 2], [8, 16], 0, False),
    ("T{d:x:d:y:}", [], None, 16, True),
    ("T{(3)f:pos:I:id:d:mass:}", [3], [-24, ], 48, True),
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: f"{l[0]}-{l[1]}-{l[2]}-{l[4]}")
def test_every_layout_reads_as_its_memoryview(demo, layout):
    format, shape, strides, offset, writable = layout
    x = demo.export_layout(DATA, format, shape, strides, offset, writable)
    assert_like_memoryview(x)


def test_every_exported_kind_reads_as_its_memoryview(demo):
    arrays = [
        demo.ramp(5), demo.ramp(0), demo.thirds(4), demo.complex_ramp(3), demo.particles(2),
        demo.points(3), demo.transposed(2, 3), demo.rgba_image(3, 2), demo.mutable_buffer(4),
        demo.resizable_records(2), demo.copy_of(np.arange(6.0).reshape(2, 3)[:, ::-1]),
        demo.writable_copy_of(np.zeros((2, 2), np.int16)),
    ]
    for x in arrays:
        assert_like_memoryview(x)


@pytest.mark.parametrize("dtype", ["<f8", ">f8", "<i4", "u1", "?", "c16", "S5", "<U3", "V8",
                                   [("a", "u1"), ("b", "<i4")],
                                   {"names": ["a", "b"], "formats": ["u1", "<f8"],
                                    "offsets": [0, 8], "itemsize": 16}])
def test_reexported_buffers_keep_their_exporters_format(demo, dtype):
    a = np.zeros((2, 3), dtype)
    for source in (a, a[:, ::-2], a.T, a[0, 0:0], a[1, 2, ...]):
        x = demo.reexport(source)
        assert x.format == memoryview(source).format
        assert_like_memoryview(x)
        del x
    gc.collect()


def test_len_is_the_first_axis(demo):
    assert len(demo.ramp(7)) == 7
    assert len(demo.ramp(0)) == 0 and not demo.ramp(0)
    assert len(demo.transposed(2, 3)) == len(memoryview(demo.transposed(2, 3)))


def test_len_of_a_0d_array_is_memoryviews(demo):
    x = demo.export_layout(DATA, "d", [], None, 8)
    if sys.version_info >= (3, 12):
        with pytest.raises(TypeError, match="0-dim memory has no length"):
            len(x)
    else:
        # CPython 3.11's memoryview says 1.
        assert len(x) == 1
    assert outcome(lambda: len(x)) == outcome(lambda: len(memoryview(x)))
    assert outcome(lambda: bool(x)) == outcome(lambda: bool(memoryview(x)))


def test_a_resized_array_is_described_as_it_is_now(demo):
    w = demo.mutable_buffer(10)
    assert w.shape == (10,) and w.nbytes == 80 and len(w) == 10
    for n in (3, 0, 1, 1000):
        w.resize(n)
        assert w.shape == (n,) and w.nbytes == 8 * n and len(w) == n
        assert repr(w) == f"RustArray(shape=({n},), dtype=float64)"
        assert_like_memoryview(w)
    r = demo.resizable_records(2)
    r.resize(5)
    assert r.shape == (5,) and r.itemsize == 16 and r.nbytes == 80
    assert_like_memoryview(r)


def test_reading_attributes_holds_no_export(demo):
    w = demo.mutable_buffer(4)
    for name in ATTRIBUTES:
        getattr(w, name)
    len(w)
    repr(w)
    assert w.exports == 0
    w.resize(2)  # nothing refuses it
    assert w.shape == (2,)


def test_attributes_are_read_only(demo):
    x = demo.ramp(3)
    for name in ATTRIBUTES:
        with pytest.raises(AttributeError):
            setattr(x, name, getattr(x, name))


def test_repr_has_shape_and_numpys_dtype_name(demo):
    assert repr(demo.ramp(3)) == "RustArray(shape=(3,), dtype=float64)"
    t = demo.transposed(2, 3)
    assert repr(t) == f"RustArray(shape={memoryview(t).shape}, dtype=float64)"
    assert repr(demo.export_layout(DATA, "d", [2, 3])) == "RustArray(shape=(2, 3), dtype=float64)"
    assert repr(demo.export_layout(DATA, "i", [])) == "RustArray(shape=(), dtype=int32)"
    assert repr(demo.thirds(2)) == "RustArray(shape=(2,), dtype=bool)"
    assert repr(demo.complex_ramp(1)) == "RustArray(shape=(1,), dtype=complex128)"
    assert repr(demo.rgba_image(3, 2)).endswith("dtype=uint8)")


@pytest.mark.parametrize("dtype", ["<f8", ">f8", "<f4", "<f2", "<i8", "<i4", ">i2", "i1", "u1",
                                   "<u2", "<u4", "<u8", "?", "<c8", "<c16", ">c16", "S5",
                                   "<U3", "V8", "<f16"])
def test_repr_names_dtypes_as_numpy_does(demo, dtype):
    a = np.zeros((2, 3), dtype)
    assert repr(demo.reexport(a)) == f"RustArray(shape=(2, 3), dtype={np.dtype(dtype)})"


def test_repr_of_records_is_their_descr(demo):
    dt = np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8],
                   "itemsize": 16})
    x = demo.reexport(np.zeros(4, dt))
    assert repr(x) == f"RustArray(shape=(4,), dtype={dt.descr})"
    p = demo.particles(2)
    assert repr(p) == f"RustArray(shape=(2,), dtype={np.asarray(p).dtype.descr})"


def test_attributes_racing_resizes_are_current_or_refused(demo):
    w = demo.mutable_buffer(1)
    sizes = {1, 7, 64}
    stop = threading.Event()
    bad = []

    def resize():
        while not stop.is_set():
            for n in sizes:
                try:
                    w.resize(n)
                except BufferError:
                    pass

    def repr_length():
        r = repr(w)
        if r.startswith("RustArray(<BufferError: "):
            return None  # refused while a resize was under way, and said so
        return int(r.removeprefix("RustArray(shape=(").split(",")[0])

    def read():
        for _ in range(3000):
            for f in (lambda: w.shape[0], lambda: w.nbytes // 8, lambda: len(w), repr_length):
                try:
                    n = f()
                except BufferError:
                    continue
                if n is not None and n not in sizes:
                    bad.append(n)

    threads = [threading.Thread(target=resize)] + [threading.Thread(target=read)
                                                   for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    assert bad == []
    assert w.exports == 0
    w.resize(2)
    assert w.shape == (2,)

