"""Imports that live, write and release the GIL; one aliasing policy; one import call; the
#[pyfunction] argument types."""
import gc
import re
import threading

import numpy as np
import pytest

from conftest import FREE_THREADED, NUMPY_ROUTE


class OnlyDLPack:
    def __init__(self, a):
        self.a = a

    def __dlpack__(self, **kwargs):
        return self.a.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()


class OnlyInterface:
    def __init__(self, a=None, **override):
        self.keep = a
        self.__array_interface__ = dict(a.__array_interface__ if a is not None else {}, **override)


def test_one_call_imports_every_route(demo):
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    assert demo.import_route(a) == (NUMPY_ROUTE, [3, 2], False)
    assert demo.import_route(memoryview(a)) == ("buffer protocol", [3, 2], False)
    assert demo.import_route(OnlyDLPack(a)) == ("DLPack", [3, 2], False)
    assert demo.import_route(OnlyInterface(a)) == ("__array_interface__", [3, 2], False)
    for make in (lambda x: x, OnlyDLPack, OnlyInterface):
        assert demo.sum_f64(make(a)) == float(a.sum())
    # The interface's read-only flag is honoured.
    ro = a.copy()
    ro.flags.writeable = False
    assert demo.import_route(OnlyInterface(ro))[2] is True
    with pytest.raises(TypeError, match="expected an array"):
        demo.import_route(3)
    with pytest.raises(TypeError, match="expected an array"):
        demo.sum_f64([1.0, 2.0])


def test_array_interface_imports_check_before_reading(demo):
    a = np.arange(4.0)
    # A NULL pointer with elements, extents that overflow or wrap, masks: refused, never read.
    with pytest.raises((ValueError, BufferError), match="NULL|address 0"):
        demo.sum_f64(OnlyInterface(a, data=(0, True)))
    with pytest.raises((ValueError, BufferError), match="overflow"):
        demo.sum_f64(OnlyInterface(a, shape=(2**62, 4), strides=(2**62, 8)))
    with pytest.raises(BufferError, match="mask"):
        demo.sum_f64(OnlyInterface(a, mask=a))
    with pytest.raises(ValueError, match="typestr"):
        demo.sum_f64(OnlyInterface(a, typestr="<Q9"))
    with pytest.raises(ValueError, match="strides"):
        demo.sum_f64(OnlyInterface(a, strides=(8, 8)))
    with pytest.raises(ValueError, match="version"):
        demo.sum_f64(OnlyInterface(a, version=2))
    # An empty array may point anywhere: nothing is read.
    assert demo.sum_f64(OnlyInterface(a, data=(0, True), shape=(0,))) == 0.0
    # Records come through descr.
    r = np.zeros(3, dtype=[("x", "<f8"), ("y", "<i4")])
    assert demo.import_route(OnlyInterface(r))[0] == "__array_interface__"
    assert np.asarray(demo.copy_of(OnlyInterface(r))).dtype == r.dtype
    deep = [("a", "<f8")]
    for _ in range(40):
        deep = [("a", deep)]
    with pytest.raises(ValueError, match="nested"):
        demo.copy_of(OnlyInterface(a, typestr="|V8", descr=deep))


def test_imports_live_in_structs_and_are_released_from_any_thread(demo):
    stash = demo.Stash()
    x = demo.points(4)  # ours: counts its exports
    a = np.arange(10.0)
    stash.keep(x)
    stash.keep(a[::3])
    stash.keep(OnlyDLPack(np.ones(5)))
    assert len(stash) == 3 and x.exports == 1
    del a
    gc.collect()
    assert stash.total() == 0.0 + sum(range(0, 10, 3)) + 5.0
    stash.clear_elsewhere()  # the buffers are released by another thread
    assert len(stash) == 0 and x.exports == 0


def test_reexports_share_memory_and_keep_the_exact_format(demo):
    for a in (
        np.arange(6.0).reshape(2, 3)[:, ::-1],
        np.arange(5, dtype=">i4"),
        np.zeros(4, dtype=[("x", "<f8"), ("tag", "S3"), ("n", ">u2")]),
        np.zeros(3, dtype=np.dtype([("a", "u1"), ("b", "<f4")], align=True)),
    ):
        r = demo.reexport(a)
        assert np.shares_memory(np.asarray(r), a)
        m, n = memoryview(r), memoryview(a)
        assert (m.format, m.shape, m.strides) == (n.format, n.shape, n.strides)
        assert m.readonly  # PyArray::new exports read-only
        assert np.asarray(r).tobytes() == a.tobytes()


def test_writable_imports_write_in_place_and_refuse_read_only_memory(demo):
    a = np.array([2.0, 4.0, 3.0, 6.0])
    demo.normalize(a)
    assert a.tolist() == [0.0, 0.5, 0.25, 1.0]
    s = np.arange(10.0)
    demo.normalize(s[::3])
    assert s.tolist() == [0.0, 1, 2, 1 / 3, 4, 5, 2 / 3, 7, 8, 1.0]
    ro = np.arange(3.0)
    ro.flags.writeable = False
    with pytest.raises(BufferError, match="read-only"):
        demo.normalize(ro)
    with pytest.raises(BufferError, match="read-only"):
        demo.normalize(b"12345678")
    with pytest.raises(BufferError, match="read-only"):
        demo.normalize(demo.transposed(2, 2))  # a read-only export of ours
    aliased = np.lib.stride_tricks.as_strided(np.zeros(3), shape=(3,), strides=(0,), writeable=True)
    with pytest.raises(BufferError, match="overlap"):
        demo.normalize(aliased)
    with pytest.raises(TypeError, match="f8|float64|<d|d"):
        demo.normalize(np.arange(3))


def test_writable_imports_exclude_overlapping_imports(demo):
    a = np.arange(10.0)
    conflict = pytest.raises(BufferError, match="overlaps")
    # A writable import excludes every other import of overlapping memory, by every route…
    for route in (lambda x: x, OnlyDLPack, OnlyInterface):
        with conflict:
            demo.while_writing(a, lambda: demo.sum_f64(route(a[3:5])))
    with conflict:
        demo.while_writing(a[2:], lambda: demo.normalize(a[:3]))
    with conflict:
        demo.while_reading(a, lambda: demo.normalize(a[::4]))
    # …but not of memory it does not touch: the even and odd elements, or disjoint halves.
    assert demo.while_writing(a[::2], lambda: demo.sum_f64(a[1::2])) == 25.0
    assert demo.while_writing(a[:5], lambda: demo.normalize(a[5:])) is None
    m = np.zeros((4, 6))
    assert demo.while_writing(m[:, :3], lambda: demo.normalize(m[:, 3:])) is None
    with conflict:
        demo.while_writing(m[:, :3], lambda: demo.normalize(m[1:, 2:]))
    # Shared imports coexist, and every claim ends with its import.
    assert demo.while_reading(a, lambda: demo.sum_f64(a)) == float(a.sum())
    b = np.arange(10.0)
    demo.while_reading(b, lambda: None)
    demo.normalize(b)
    assert demo.sum_f64(b) == pytest.approx(5.0)


def test_compute_runs_with_the_gil_released(demo):
    a = np.linspace(-3.0, 3.0, 1 << 16)
    assert demo.sum_sqrt(a) == pytest.approx(float(np.sqrt(1 + a * a).sum()))
    assert demo.sum_sqrt(a[::-5]) == pytest.approx(float(np.sqrt(1 + a[::-5] ** 2).sum()))
    # While one thread computes with the GIL released, another makes progress: it runs Python.
    big = np.ones(1 << 23)
    ticks, done = [], threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)

    t = threading.Thread(target=tick)
    t.start()
    before = len(ticks)
    demo.sum_sqrt(big)
    during = len(ticks) - before
    done.set()
    t.join()
    assert during > 0


def test_channels_are_zero_copy_views_of_the_image(demo):
    img = demo.rgba_image(7, 5)
    full = np.asarray(img)
    for c in range(4):
        ch = demo.channel(img, c)
        v = np.asarray(ch)
        assert v.shape == (5, 7) and (v == full[:, :, c]).all()
        assert np.shares_memory(v, full)
    n = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    g = np.asarray(demo.channel(n, 2))
    assert np.shares_memory(g, n) and g.tolist() == n[:, :, 2].tolist()
    with pytest.raises(ValueError, match="channel 4"):
        demo.channel(img, 4)
    with pytest.raises(ValueError, match="axes"):
        demo.channel(np.zeros((3, 3)), 0)


def test_derived_consumers_are_copied_from_any_array(demo):
    g = (np.arange(30) % 7).astype(np.uint8).reshape(5, 6)
    assert demo.histogram(g) == np.bincount(g.ravel(), minlength=256).tolist()
    assert demo.histogram(g.T) == demo.histogram(g)
    assert demo.histogram(OnlyInterface(g)) == demo.histogram(g)
    with pytest.raises(TypeError):
        demo.histogram(g.astype(np.float32))
    with pytest.raises(ValueError):
        demo.histogram(g.ravel())


def test_pillow_images_import_through_the_array_interface(demo):
    Image = pytest.importorskip("PIL.Image")
    gray = Image.frombytes("L", (6, 5), bytes(range(30)))
    # Pillow's interface hands its pixels over as a bytes object, read in place.
    assert demo.import_route(gray) == ("__array_interface__", [5, 6], True)
    assert demo.histogram(gray) == np.bincount(np.asarray(gray).ravel(), minlength=256).tolist()
    rgba = Image.new("RGBA", (4, 3), (1, 2, 3, 4))
    assert np.asarray(demo.copy_of(rgba)).tolist() == np.asarray(rgba).tolist()
    # An offset into a buffer object is honoured, and checked against its length.
    raw = np.arange(10, dtype="<f8").tobytes()
    inside = OnlyInterface(shape=(3,), typestr="<f8", data=raw, offset=16, version=3)
    assert demo.sum_f64(inside) == 2.0 + 3.0 + 4.0
    outside = OnlyInterface(shape=(3,), typestr="<f8", data=raw, offset=64, version=3)
    with pytest.raises(ValueError, match="buffer|outside|bytes"):
        demo.sum_f64(outside)


NUMPY_TYPES = ["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "F", "D"]


def numpy_layouts():
    """Arrays of every builtin numeric type in the layouts numpy makes: 0-d, empty, C, Fortran,
    strided, negative and zero strides, read-only, unaligned."""
    for t in NUMPY_TYPES:
        base = np.arange(24).astype(t)
        yield base.reshape(2, 3, 4)
        yield np.asfortranarray(base.reshape(4, 6))
        yield base.reshape(4, 6)[::2, ::-3]
        yield base[::-1]
        yield base[:0].reshape(0, 3)
        yield np.array(base[5])  # 0-d
        yield np.broadcast_to(base[:4], (3, 4))  # zero stride, read-only
        ro = base.reshape(6, 4)
        ro.flags.writeable = False
        yield ro
        yield np.broadcast_arrays(base[:4], base[:1])[0]  # numpy warns on writes: read-only


def test_numpy_arrays_are_read_from_numpys_struct_as_their_buffers_say(demo):
    """The numpy route against the buffer route, on the same arrays: same address, shape,
    strides, item type and read-only flag. (Free-threaded: the numpy route is off, and the
    import takes the buffer route itself.)"""
    count = 0
    for a in numpy_layouts():
        fast = demo.describe_import(a)
        slow = demo.describe_import(a, via_buffer=True)
        assert fast[0] == NUMPY_ROUTE, (a.dtype, a.shape)
        assert fast[1:] == slow[1:], (a.dtype, a.shape, a.strides, fast, slow)
        count += 1
    assert count == 9 * len(NUMPY_TYPES)


def test_other_numpy_arrays_take_the_buffer_protocol(demo):
    class Sub(np.ndarray):
        pass

    a = np.arange(6.0)
    raw = np.zeros(8 * 5 + 1, np.uint8)
    unaligned = np.frombuffer(raw.data, np.float64, 5, offset=1)
    for other in [a.astype(">f8"), a.view(Sub), np.zeros(3, "i4,f8"), np.array([b"ab", b"cd"]),
                  np.zeros(3, np.longdouble), unaligned]:
        fast = demo.describe_import(other)
        assert fast[0] == "buffer protocol", other.dtype
        assert fast[1:] == demo.describe_import(other, via_buffer=True)[1:]
    # A numpy import keeps the array alive and counts as a reference: numpy refuses to resize.
    b = np.arange(4.0)
    kept = demo.Stash()
    kept.keep(b)
    with pytest.raises(ValueError):
        b.resize(100)
    assert demo.import_route(b)[0] == NUMPY_ROUTE


def test_a_module_called_numpy_is_not_numpy(demo):
    """The numpy route trusts numpy's own C API for the array type, not sys.modules' names: a
    stand-in class called numpy.ndarray is no array (and must not be read as one)."""
    import subprocess
    import sys
    code = (
        "import sys, types\n"
        "fake = types.ModuleType('numpy'); fake.ndarray = type('ndarray', (), {})\n"
        "sys.modules['numpy'] = fake\n"
        "import array_protocol_demo as d\n"
        "try:\n"
        "    d.import_route(fake.ndarray())\n"
        "except TypeError as e:\n"
        "    print('refused:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # PyO3 0.28 names the argument in extraction errors; 0.30 leaves the message as it is.
    assert re.match(r"refused: (argument 'a': )?expected an array", out.stdout), out.stdout


def test_bool_views_are_checked_again_after_python_ran(demo):
    a = np.array([True, False, True])
    assert demo.count_true_around(a, lambda: None) == (2, 2)

    def corrupt():
        a.view(np.uint8)[1] = 2  # not a bool any more

    with pytest.raises(ValueError, match="bool"):
        demo.count_true_around(a, corrupt)


def test_typed_imports_of_numpy_arrays_read_every_layout_in_place(demo):
    """`TypedArray<f64>` reads numpy arrays straight from numpy's struct: every layout gives
    numpy's shape, strides and elements at numpy's address, and hands on the same memory."""
    base = np.arange(24.0).reshape(2, 3, 4)
    for a in (
        base,
        np.asfortranarray(base),
        base[::-1, :, ::-2],
        base.transpose(2, 0, 1),
        base[:, 1],
        np.array(5.0),
        np.zeros((0, 3)),
        np.zeros((3, 0))[::-1],
        np.broadcast_to(np.arange(3.0), (4, 3)),
        np.lib.stride_tricks.as_strided(np.arange(4.0), shape=(3, 2), strides=(8, 8)),
    ):
        shape, strides, items, address = demo.typed_f64(a)
        # Free-threaded, the buffer route: numpy's buffer gives other strides for empty arrays.
        expected = memoryview(a).strides if FREE_THREADED else a.strides
        assert (shape, strides) == (list(a.shape), list(expected)), a
        assert items == a.ravel().tolist()
        if a.size:
            assert address == a.__array_interface__["data"][0]
        for r in (demo.typed_reexport(a)[0], demo.typed_as_producer(a)):
            assert np.asarray(r).tolist() == a.tolist()
            assert np.shares_memory(np.asarray(r), a) or a.size == 0 or a.strides.count(0)
            assert memoryview(r).format == "d"
    # Every claim ended with its handle: the re-exports and the imports behind them are gone.
    del r
    gc.collect()
    demo.normalize(base)
    _, route, read_only = demo.typed_reexport(base)
    assert (route, read_only) == (NUMPY_ROUTE, False)
    frozen = base.copy()
    frozen.flags.writeable = False
    assert demo.typed_reexport(frozen)[1:] == (NUMPY_ROUTE, True)
    # Other exporters, subclasses and byte orders take the general routes, with the same result.
    for a, route in (
        (memoryview(base), "buffer protocol"),
        (np.ma.masked_array(np.arange(3.0)), "buffer protocol"),
        (OnlyDLPack(np.arange(3.0)), "DLPack"),
        (OnlyInterface(np.arange(3.0)), "__array_interface__"),
    ):
        assert demo.typed_reexport(a)[1] == route
        assert demo.typed_f64(a)[2] == (base.ravel().tolist() if route == "buffer protocol" and a.ndim == 3 else [0.0, 1.0, 2.0])


def test_typed_imports_refuse_what_they_cannot_view(demo):
    with pytest.raises(TypeError, match="<f8|float64|f8"):
        demo.typed_f64(np.arange(3, dtype=np.float32))
    with pytest.raises(TypeError):
        demo.typed_f64(np.arange(3, dtype=">f8"))  # numpy's struct route takes native orders only
    unaligned = np.frombuffer(bytes(33), dtype=np.float64, offset=1, count=4)
    assert not unaligned.flags.aligned
    with pytest.raises(ValueError, match="align"):
        demo.typed_f64(unaligned)


def test_typed_imports_claim_their_elements(demo):
    """A typed import is a shared claim on exactly its elements, for as long as it lives."""
    a = np.arange(10.0)
    stash = demo.Stash()
    stash.keep(a[::2])
    demo.normalize(a[1::2])  # the odd elements: not claimed
    with pytest.raises(BufferError, match="overlaps"):
        demo.normalize(a[:3])
    stash.clear_elsewhere()
    demo.normalize(a[:3])
    assert a[:3].tolist() == [0.0, 0.0, 1.0]  # a[1] became 0 with the odd elements
    # A contiguous import claims its span: the next elements are free, the overlapping ones not.
    stash.keep(a[:5])
    demo.normalize(a[5:])
    with pytest.raises(BufferError, match="overlaps"):
        demo.normalize(a[4:6])
    stash.clear_elsewhere()
    demo.normalize(a[4:6])


def test_bool_imports_of_broadcast_arrays_are_checked_without_their_repeats(demo):
    huge = np.broadcast_to(np.array([True, False, True]), (1 << 40, 3))
    assert demo.typed_bool_len(huge) == 3 << 40
    bad = np.broadcast_to(np.array([1, 2], dtype=np.uint8).view(np.bool_)[:, None], (1 << 20, 2, 1 << 20))
    with pytest.raises(ValueError, match="not a valid bool"):
        demo.typed_bool_len(bad)
    # Overlapping windows: 2.5·10^11 indexes over 10^6 elements, each element checked once.
    base = np.ones(10**6, dtype=np.bool_)
    windows = np.lib.stride_tricks.sliding_window_view(base, 5 * 10**5)
    assert demo.typed_bool_len(windows) == windows.size
    base.view(np.uint8)[-1] = 7
    with pytest.raises(ValueError, match="not a valid bool"):
        demo.typed_bool_len(np.lib.stride_tricks.sliding_window_view(base, 5 * 10**5))
