"""DLPack 1.3's C exchange API (`__dlpack_c_exchange_api__`): our tables called through the C ABI
(ctypes, with the layout of dlpack.h 1.3), by a real consumer (apache-tvm-ffi's from_dlpack), and
our importer using a real producer's table (tvm-ffi's DLTensorTestWrapper)."""
import ctypes
import gc
import threading

import numpy as np
import pytest

c_int, c_int32, c_int64, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p = (
    ctypes.c_int, ctypes.c_int32, ctypes.c_int64, ctypes.c_uint8, ctypes.c_uint16,
    ctypes.c_uint32, ctypes.c_uint64, ctypes.c_void_p)


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", c_int32), ("device_id", c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", c_uint8), ("bits", c_uint8), ("lanes", c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", c_void_p), ("device", DLDevice), ("ndim", c_int32),
                ("dtype", DLDataType), ("shape", ctypes.POINTER(c_int64)),
                ("strides", ctypes.POINTER(c_int64)), ("byte_offset", c_uint64)]


class DLPackVersion(ctypes.Structure):
    _fields_ = [("major", c_uint32), ("minor", c_uint32)]


class Managed(ctypes.Structure):
    _fields_ = [("version", DLPackVersion), ("manager_ctx", c_void_p), ("deleter", c_void_p),
                ("flags", c_uint64), ("dl_tensor", DLTensor)]


class Table(ctypes.Structure):
    _fields_ = [("version", DLPackVersion), ("prev_api", c_void_p),
                ("managed_tensor_allocator", c_void_p),
                ("managed_tensor_from_py_object_no_sync", c_void_p),
                ("managed_tensor_to_py_object_no_sync", c_void_p),
                ("dltensor_from_py_object_no_sync", c_void_p),
                ("current_work_stream", c_void_p)]


READ_ONLY, IS_COPIED = 1, 2
# Functions called with the GIL (PYFUNCTYPE keeps it and raises a set exception); the allocator,
# the stream query and deleters through CFUNCTYPE, which releases the GIL around the call.
FromObject = ctypes.PYFUNCTYPE(c_int, ctypes.py_object, ctypes.POINTER(ctypes.POINTER(Managed)))
BareTensor = ctypes.PYFUNCTYPE(c_int, ctypes.py_object, ctypes.POINTER(DLTensor))
ToObject = ctypes.PYFUNCTYPE(c_int, ctypes.POINTER(Managed), ctypes.POINTER(c_void_p))
SetError = ctypes.CFUNCTYPE(None, c_void_p, ctypes.c_char_p, ctypes.c_char_p)
Allocator = ctypes.CFUNCTYPE(c_int, ctypes.POINTER(DLTensor),
                             ctypes.POINTER(ctypes.POINTER(Managed)), c_void_p, SetError)
Stream = ctypes.CFUNCTYPE(c_int, c_int, c_int32, ctypes.POINTER(c_void_p))
Deleter = ctypes.CFUNCTYPE(None, ctypes.POINTER(Managed))


def table_of(cls):
    capsule = cls.__dlpack_c_exchange_api__
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = c_void_p, [ctypes.py_object, ctypes.c_char_p]
    pointer = get(capsule, b"dlpack_exchange_api")
    assert pointer
    return Table.from_address(pointer)


def take(table, obj):
    out = ctypes.POINTER(Managed)()
    assert FromObject(table.managed_tensor_from_py_object_no_sync)(obj, ctypes.byref(out)) == 0
    return out


def delete(managed):
    Deleter(managed.contents.deleter)(managed)


def to_object(table, managed):
    out = c_void_p()
    assert ToObject(table.managed_tensor_to_py_object_no_sync)(managed, ctypes.byref(out)) == 0
    obj = ctypes.cast(out, ctypes.py_object).value
    ctypes.pythonapi.Py_DecRef.argtypes = [c_void_p]
    ctypes.pythonapi.Py_DecRef(out)  # the reference the function handed over
    return obj


def described(t):
    shape = tuple(t.shape[k] for k in range(t.ndim))
    strides = tuple(t.strides[k] for k in range(t.ndim))
    return t.data, (t.device.device_type, t.device.device_id), shape, strides, \
        (t.dtype.code, t.dtype.bits, t.dtype.lanes), t.byte_offset


def test_the_tables_follow_dlpack_h(demo):
    x = demo.ramp(4)
    table = table_of(type(x))
    assert (table.version.major, table.version.minor) == (1, 3) and table.prev_api is None
    assert all([table.managed_tensor_allocator, table.managed_tensor_from_py_object_no_sync,
                table.managed_tensor_to_py_object_no_sync, table.dltensor_from_py_object_no_sync,
                table.current_work_stream])
    # One table per type, published on the type.
    assert ctypes.addressof(table_of(type(demo.ramp(2)))) == ctypes.addressof(table)
    device = table_of(demo.DLPackTensor)
    assert (device.version.major, device.version.minor) == (1, 3)
    assert device.managed_tensor_from_py_object_no_sync and device.dltensor_from_py_object_no_sync is None
    assert ctypes.addressof(device) != ctypes.addressof(table)


def test_managed_tensors_share_memory_and_keep_the_array_alive(demo):
    x = demo.writable_copy_of(np.arange(12.0).reshape(3, 4)[:, ::2])
    table = table_of(type(x))
    m = take(table, x)
    view = np.asarray(x)
    assert (m.contents.version.major, m.contents.version.minor) == (1, 3)
    assert m.contents.flags == 0
    assert described(m.contents.dl_tensor) == (view.ctypes.data, (1, 0), (3, 2), (2, 1), (2, 64, 1), 0)
    assert x.exports == 2  # the tensor and the numpy view
    del view
    gc.collect()
    assert x.exports == 1
    delete(m)  # off the GIL (CFUNCTYPE releases it): the deleter attaches to release
    assert x.exports == 0

    ro = demo.ramp(5)
    m = take(table, ro)
    assert m.contents.flags == READ_ONLY
    assert described(m.contents.dl_tensor)[2:5] == ((5,), (1,), (2, 64, 1))
    assert ro.exports == 1
    delete(m)
    assert ro.exports == 0


def test_refusals_raise_and_leave_nothing_behind(demo):
    table = table_of(type(demo.ramp(1)))
    out = ctypes.POINTER(Managed)()
    with pytest.raises(TypeError, match="RustArray's; the object is a .*ndarray"):
        FromObject(table.managed_tensor_from_py_object_no_sync)(np.zeros(3), ctypes.byref(out))
    assert not out
    records = demo.particles(3)  # records: DLPack has no item type for them
    with pytest.raises(BufferError, match="DLPack cannot carry"):
        FromObject(table.managed_tensor_from_py_object_no_sync)(records, ctypes.byref(out))
    assert not out and records.exports == 0
    with pytest.raises(TypeError, match="DLPackTensor's"):
        FromObject(table_of(demo.DLPackTensor).managed_tensor_from_py_object_no_sync)(
            demo.ramp(2), ctypes.byref(out))


def test_bare_tensors_only_for_writable_arrays(demo):
    x = demo.writable_copy_of(np.arange(6, dtype=np.int32).reshape(2, 3))
    table = table_of(type(x))
    t = DLTensor()
    assert BareTensor(table.dltensor_from_py_object_no_sync)(x, ctypes.byref(t)) == 0
    view = np.asarray(x)
    assert described(t) == (view.ctypes.data, (1, 0), (2, 3), (3, 1), (0, 32, 1), 0)
    assert x.exports == 1  # only the numpy view: a bare tensor is borrowed, not counted
    with pytest.raises(BufferError, match="read-only"):
        BareTensor(table.dltensor_from_py_object_no_sync)(demo.ramp(3), ctypes.byref(t))


def test_bare_tensors_refused_for_resizable_arrays(demo):
    table = table_of(type(demo.ramp(1)))
    t = DLTensor()
    x = demo.mutable_buffer(4)  # resizable and writable
    with pytest.raises(BufferError, match="resizable"):
        BareTensor(table.dltensor_from_py_object_no_sync)(x, ctypes.byref(t))
    m = take(table, x)  # a managed tensor is counted: resizing waits for it
    with pytest.raises(BufferError, match="live export"):
        x.resize(100)
    delete(m)
    x.resize(100)


def test_the_header_goes_with_dlpack_h_either_way(tmp_path):
    """array_protocol.h and a real dlpack.h 1.3 (tvm-ffi's copy) in both orders."""
    import pathlib
    import shutil
    import subprocess
    tvm_ffi = pytest.importorskip("tvm_ffi")
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    dlpack_dir = pathlib.Path(tvm_ffi.__file__).parent / "include"
    if not (dlpack_dir / "dlpack" / "dlpack.h").exists():
        pytest.skip("tvm-ffi ships no dlpack.h")
    ours = pathlib.Path(__file__).resolve().parents[2] / "array-protocol/include"
    for first, second in [("dlpack/dlpack.h", "array_protocol.h"), ("array_protocol.h", "dlpack/dlpack.h")]:
        src = tmp_path / "h.c"
        src.write_text(f'#include "{first}"\n#include "{second}"\n'
                       "int main(void) { DLPackExchangeAPI a; DLManagedTensorVersioned t;"
                       " (void)a; (void)t; return DLPACK_MAJOR_VERSION - 1; }\n")
        subprocess.run([cc, "-Wall", "-Werror", "-I", str(ours), "-I", str(dlpack_dir), str(src),
                        "-o", str(tmp_path / "h")], check=True)
        assert subprocess.run([str(tmp_path / "h")]).returncode == 0


def test_allocator_makes_zeroed_writable_tensors_without_the_gil(demo):
    table = table_of(type(demo.ramp(1)))
    allocate = Allocator(table.managed_tensor_allocator)
    errors = []
    set_error = SetError(lambda ctx, kind, message: errors.append((kind.decode(), message.decode())))

    def prototype(shape, code=2, bits=32, device=1):
        dims = (c_int64 * max(len(shape), 1))(*shape)
        return DLTensor(None, DLDevice(device, 0), len(shape), DLDataType(code, bits, 1), dims, None, 0)

    p = prototype([2, 3])
    out = ctypes.POINTER(Managed)()
    assert allocate(ctypes.byref(p), ctypes.byref(out), None, set_error) == 0 and not errors
    t = out.contents.dl_tensor
    assert described(t)[1:] == ((1, 0), (2, 3), (3, 1), (2, 32, 1), 0)
    assert out.contents.flags == 0 and t.data % 16 == 0
    assert bytes((ctypes.c_char * 24).from_address(t.data)) == bytes(24)
    # Handed to Python: a writable RustArray owning it.
    a = to_object(table, out)
    assert type(a).__name__ == "RustArray"
    v = np.asarray(a)
    assert v.flags.writeable and v.ctypes.data == t.data and v.dtype == np.float32
    v[1, 2] = 7.5
    assert np.asarray(a)[1, 2] == 7.5
    del v, a

    # From another thread, as a consumer holding no GIL would.
    results = []
    thread = threading.Thread(target=lambda: results.append(
        allocate(ctypes.byref(prototype([0, 4], 0, 8)), ctypes.byref(out), None, set_error)))
    thread.start()
    thread.join()
    assert results == [0] and described(out.contents.dl_tensor)[2] == (0, 4)
    delete(out)

    for proto, kind, message in [
        (prototype([2, -1]), "ValueError", "negative"),
        (prototype([2], device=2), "BufferError", "CPU only"),
        (prototype([2], code=3, bits=8), "TypeError", "DLPack"),
        (prototype([1] * 65), "ValueError", "ndim 65"),
        (prototype([1 << 40, 1 << 40]), "ValueError", "larger than"),
    ]:
        errors.clear()
        out = ctypes.POINTER(Managed)()
        assert allocate(ctypes.byref(proto), ctypes.byref(out), None, set_error) == -1
        assert not out and len(errors) == 1, errors
        assert errors[0][0] == kind and message in errors[0][1], errors
    # No error callback: still refused, nothing written.
    assert allocate(ctypes.byref(prototype([-1])), ctypes.byref(out), None, SetError()) == -1


def test_current_stream_is_the_default_one(demo):
    table = table_of(type(demo.ramp(1)))
    stream = c_void_p(1234)
    assert Stream(table.current_work_stream)(1, 0, ctypes.byref(stream)) == 0 and stream.value is None
    stream = c_void_p(1234)
    assert Stream(table.current_work_stream)(2, 0, ctypes.byref(stream)) == 0 and stream.value is None


def test_read_only_tensors_come_back_read_only(demo):
    ro = demo.ramp(4)
    table = table_of(type(ro))
    back = to_object(table, take(table, ro))
    assert ro.exports == 1
    v = np.asarray(back)
    assert not v.flags.writeable and v.ctypes.data == np.asarray(ro).ctypes.data
    assert v.tolist() == np.asarray(ro).tolist()
    del v, back
    gc.collect()
    assert ro.exports == 0


def test_tvm_ffi_takes_our_arrays_through_the_table(demo):
    tvm_ffi = pytest.importorskip("tvm_ffi")
    ro = demo.ramp(6)
    # The legacy capsule cannot carry a read-only array, and tvm-ffi asks for the legacy
    # capsule when it falls back to __dlpack__: only the table can succeed here.
    with pytest.raises(BufferError):
        ro.__dlpack__()
    t = tvm_ffi.from_dlpack(ro)
    assert tuple(t.shape) == (6,) and str(t.dtype) == "float64"
    assert ro.exports == 1
    back = np.from_dlpack(t)
    assert back.tolist() == np.asarray(ro).tolist()
    assert back.ctypes.data == np.asarray(ro).ctypes.data
    del t, back
    gc.collect()
    assert ro.exports == 0

    x = demo.writable_copy_of(np.arange(12, dtype=np.int16).reshape(3, 4).T)
    t = tvm_ffi.from_dlpack(x)
    assert tuple(t.shape) == (4, 3)
    assert np.from_dlpack(t).ctypes.data == np.asarray(x).ctypes.data
    assert (np.from_dlpack(t) == np.asarray(x)).all()


def test_we_take_tensors_through_a_real_producers_table(demo):
    tvm_ffi = pytest.importorskip("tvm_ffi")
    a = np.arange(20.0).reshape(4, 5)
    w = tvm_ffi.core.DLTensorTestWrapper(tvm_ffi.from_dlpack(a))
    assert demo.dlpack_route(w) == (True, [4, 5], False)
    assert demo.dlpack_route(w, capsule_only=True) == (False, [4, 5], False)
    # The one-call import goes the same way, in place.
    assert demo.import_route(w)[0] == "DLPack"
    assert demo.import_address(w)[0] == a.ctypes.data
    assert demo.sum_f64(w) == a.sum()
    assert demo.dlpack_imports(w, 100) == 100 * a.size
    # Producers without a table take the capsule path.
    assert demo.dlpack_route(np.arange(3.0)) == (False, [3], False)


def test_device_tensors_pass_through_the_table(demo):
    before = demo.fake_cuda_deleted()
    d = demo.pass_through(demo.FakeCuda())  # a DLPackTensor whose memory must not be read
    table = table_of(type(d))
    m = take(table, d)
    assert described(m.contents.dl_tensor)[:3] == (d.data_ptr, (2, 0), (4, 8))
    # Handed back to Python: a DLPackTensor again (device memory is never viewed).
    e = to_object(table, m)
    assert type(e).__name__ == "DLPackTensor" and e.data_ptr == d.data_ptr
    # Our importer takes it through the table too, and passes it on.
    f = demo.pass_through(e)
    assert f.data_ptr == d.data_ptr and f.via_exchange_api and not d.via_exchange_api
    del d, e
    gc.collect()
    assert demo.fake_cuda_deleted() == before
    del f
    gc.collect()
    assert demo.fake_cuda_deleted() == before + 1


@pytest.fixture(scope="module")
def c_consumer(tmp_path_factory):
    """tests/c/exchange_consumer.c built with the machine's C compiler, loaded with the GIL held."""
    import pathlib
    import shutil
    import subprocess
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    root = pathlib.Path(__file__).resolve().parents[2]
    lib = tmp_path_factory.mktemp("c") / "libexchange_consumer.so"
    subprocess.run([cc, "-O1", "-Wall", "-Werror", "-shared", "-fPIC", "-I", str(root / "array-protocol/include"),
                    str(root / "tests/c/exchange_consumer.c"), "-o", str(lib)], check=True)
    c = ctypes.PyDLL(str(lib))
    c.ap_c_sum.restype = ctypes.c_double
    c.ap_c_sum.argtypes = [c_void_p, ctypes.py_object, ctypes.POINTER(c_int), ctypes.POINTER(c_uint64)]
    c.ap_c_make.restype = c_void_p
    c.ap_c_make.argtypes = [c_void_p, c_int64, ctypes.POINTER(c_int)]
    return c


def test_a_c_consumer_reads_through_the_table(demo, c_consumer):
    a = np.arange(24.0).reshape(2, 3, 4)
    for x, expected_flags in [(demo.copy_of(a), READ_ONLY),
                              (demo.writable_copy_of(a[:, ::-1, ::2]), 0)]:
        table = ctypes.addressof(table_of(type(x)))
        status, flags = c_int(), c_uint64()
        total = c_consumer.ap_c_sum(table, x, ctypes.byref(status), ctypes.byref(flags))
        assert status.value == 0 and flags.value == expected_flags
        assert total == np.asarray(x).sum()
        assert x.exports == 0  # the C consumer deleted its tensor, once
    # The producer's refusal reaches Python as its exception.
    table = ctypes.addressof(table_of(type(demo.ramp(1))))
    status, flags = c_int(), c_uint64()
    with pytest.raises(BufferError, match="DLPack cannot carry"):
        c_consumer.ap_c_sum(table, demo.particles(2), ctypes.byref(status), ctypes.byref(flags))
    # Through tvm-ffi's table, a real producer's.
    tvm_ffi = pytest.importorskip("tvm_ffi")
    w = tvm_ffi.core.DLTensorTestWrapper(tvm_ffi.from_dlpack(a.T))
    total = c_consumer.ap_c_sum(ctypes.addressof(table_of(type(w))), w, ctypes.byref(status),
                                ctypes.byref(flags))
    assert status.value == 0 and total == a.sum()


def test_a_c_producer_allocates_through_the_table(demo, c_consumer):
    table = ctypes.addressof(table_of(type(demo.ramp(1))))
    errors = c_int()
    p = c_consumer.ap_c_make(table, 5, ctypes.byref(errors))
    assert p and errors.value == 0
    x = ctypes.cast(p, ctypes.py_object).value
    ctypes.pythonapi.Py_DecRef.argtypes = [c_void_p]
    ctypes.pythonapi.Py_DecRef(p)
    assert type(x).__name__ == "RustArray" and np.asarray(x).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert np.asarray(x).flags.writeable
    assert c_consumer.ap_c_make(table, -1, ctypes.byref(errors)) is None and errors.value == 1
