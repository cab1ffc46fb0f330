"""Shared helpers for the tests against the real numpy, Pillow, pyarrow and CPython."""
import ctypes
import sysconfig

import pytest

# A free-threaded CPython (3.13t). There the numpy route of imports (numpy's array struct read
# directly) is off, since another thread may change the struct while it is read: numpy arrays
# take the buffer protocol instead, with the same elements, and the strides numpy's buffer gives
# (for empty arrays those differ from the struct's).
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
NUMPY_ROUTE = "buffer protocol" if FREE_THREADED else "numpy"


class Py_buffer(ctypes.Structure):
    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.py_object),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
        ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
        ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
        ("internal", ctypes.c_void_p),
    ]


PyBUF = {"SIMPLE": 0, "WRITABLE": 1, "FORMAT": 4, "ND": 8, "STRIDES": 0x18, "C_CONTIGUOUS": 0x38,
         "F_CONTIGUOUS": 0x58, "ANY_CONTIGUOUS": 0x98, "INDIRECT": 0x118}


def get_buffer(obj, flags):
    """PyObject_GetBuffer with exactly `flags`; returns (Py_buffer, release) or raises."""
    api = ctypes.pythonapi
    api.PyObject_GetBuffer.argtypes = [ctypes.py_object, ctypes.POINTER(Py_buffer), ctypes.c_int]
    api.PyObject_GetBuffer.restype = ctypes.c_int
    api.PyBuffer_Release.argtypes = [ctypes.POINTER(Py_buffer)]
    view = Py_buffer()
    if api.PyObject_GetBuffer(obj, ctypes.byref(view), flags) != 0:
        raise AssertionError("unreachable: ctypes raises the Python error")
    return view, lambda: api.PyBuffer_Release(ctypes.byref(view))


@pytest.fixture
def demo():
    import array_protocol_demo

    return array_protocol_demo
