"""`.npy` files between numpy and array-protocol.

  python npy_fixtures.py write DIR   numpy writes fixtures and DIR/expected.json describing them
  python npy_fixtures.py check DIR   numpy loads the files Rust wrote and reports what it found
"""
import json
import os
import sys

import numpy as np


def fixtures():
    base = np.arange(24, dtype="<f8").reshape(2, 3, 4)
    rec_dtype = np.dtype([("pos", "<f4", (3,)), ("id", "<u4"), ("mass", "<f8")])
    rec = np.zeros(5, rec_dtype)
    for k in range(5):
        rec[k] = ((k, 2 * k, 3 * k), k, k / 2)
    aligned = np.dtype([("a", "u1"), ("b", "<i4"), ("c", ">f8")], align=True)
    al = np.zeros(3, aligned)
    al["a"], al["b"], al["c"] = [1, 2, 3], [-1, -2, -3], [0.5, 1.5, 2.5]
    return {
        "c": base,
        "f": np.asfortranarray(base.astype("<i4")),
        "be": np.arange(12, dtype=">i4").reshape(3, 4),
        "rec": rec,
        "aligned": al,
        "bool": np.array([[True, False], [False, True]]),
        "complex": np.array([1 - 1j, 2 - 2j], dtype="<c16"),
        "scalar": np.array(7.5),
        "empty": np.zeros((0, 3), dtype="<u2"),
    }


def write(d):
    expected = {}
    for name, arr in fixtures().items():
        np.save(os.path.join(d, name + ".npy"), arr)
        expected[name] = {"shape": list(arr.shape), "str": arr.dtype.str, "descr": str(arr.dtype.descr),
                          "fortran": bool(arr.flags.f_contiguous and not arr.flags.c_contiguous)}
    big = fixtures()["c"]
    with open(os.path.join(d, "v2.npy"), "wb") as f:
        np.lib.format.write_array(f, big, version=(2, 0))
    with open(os.path.join(d, "v3.npy"), "wb") as f:
        np.lib.format.write_array(f, np.zeros(2, dtype=[("μ", "<f4"), ("ν", "<i2")]), version=(3, 0))
    np.save(os.path.join(d, "obj.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)
    with open(os.path.join(d, "c.npy"), "rb") as f:
        whole = f.read()
    with open(os.path.join(d, "trunc.npy"), "wb") as f:
        f.write(whole[:-8])
    with open(os.path.join(d, "badver.npy"), "wb") as f:
        f.write(whole[:6] + bytes([4, 0]) + whole[8:])
    with open(os.path.join(d, "notnpy.npy"), "wb") as f:
        f.write(b"PK\x03\x04 this is a zip file")
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f)


def check(d):
    report = {}
    for name in sorted(os.listdir(d)):
        if not name.startswith("rust_"):
            continue
        arr = np.load(os.path.join(d, name), allow_pickle=False)
        if arr.dtype.names:
            values = {n: arr[n].tolist() for n in arr.dtype.names}
        else:
            values = arr.tolist()
        report[name] = {"shape": list(arr.shape), "str": arr.dtype.str, "descr": str(arr.dtype.descr),
                        "values": values}
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
