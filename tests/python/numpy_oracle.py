"""Answers questions about item types with the real numpy, for the Rust differential tests.

Reads one JSON object on stdin and writes one on stdout:
  {"formats": [str]}   -> for each PEP 3118 format, how numpy's PEP 3118 reader sees it
  {"elements": [str]}  -> for each dtype name, memoryview(np.zeros(1, dtype)).format
  {"calcsize": [str]}  -> for each format, struct.calcsize (or the error)
"""
import json
import struct
import sys

import numpy as np
from numpy._core._internal import _dtype_from_pep3118


def flat_descr(descr):
    """dtype.descr with sub-arrays of sub-arrays merged: numpy keeps `(2)3h` as a (2,) array of
    (3,) arrays in a field's descr, where array-protocol has one (2, 3) sub-array (same memory)."""
    out = []
    for entry in descr:
        name, fmt = entry[0], entry[1]
        shape = tuple(entry[2]) if len(entry) > 2 else ()
        while isinstance(fmt, tuple):
            fmt, inner = fmt
            shape += tuple(inner)
        if isinstance(fmt, list):
            fmt = flat_descr(fmt)
        out.append((name, fmt, shape) if shape else (name, fmt))
    return out


def plain_descr(descr):
    """A flat descr as JSON: [name, typestr or nested list, shape or null]."""
    return [
        [e[0], plain_descr(e[1]) if isinstance(e[1], list) else e[1], list(e[2]) if len(e) > 2 else None]
        for e in descr
    ]


def leaves(dt, base, path, out):
    """Every field, recursively (into the first element of sub-arrays), by index path."""
    while dt.subdtype is not None:
        dt = dt.subdtype[0]
    if dt.names is None:
        return
    fields = sorted(((dt.fields[n][1], n) for n in dt.names))
    for i, (offset, name) in enumerate(fields):
        sub = dt.fields[name][0]
        out.append([path + [i], base + offset, sub.itemsize])
        leaves(sub, base + offset, path + [i], out)


def strip_whitespace(fmt):
    """What numpy's C buffer import does before calling its PEP 3118 reader: drop whitespace
    outside `:name:` fields."""
    out, in_name = [], False
    for c in fmt:
        if c == ":":
            in_name = not in_name
        if in_name or not c.isspace():
            out.append(c)
    return "".join(out)


def describe(fmt):
    try:
        dt = _dtype_from_pep3118(strip_whitespace(fmt))
    except Exception as e:  # numpy raises ValueError, RuntimeError, NotImplementedError
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    fields = []
    leaves(dt, 0, [], fields)
    return {
        "ok": True,
        "itemsize": dt.itemsize,
        "str": dt.str,
        "descr": str(flat_descr(dt.descr)),
        "descr_json": plain_descr(flat_descr(dt.descr)),
        "fields": fields,
    }


def calcsize(fmt):
    try:
        return struct.calcsize(fmt)
    except struct.error as e:
        return f"error: {e}"


def main():
    request = json.load(sys.stdin)
    reply = {
        "numpy": np.__version__,
        "formats": [describe(f) for f in request.get("formats", [])],
        "elements": [memoryview(np.zeros(1, d)).format for d in request.get("elements", [])],
        "calcsize": [calcsize(f) for f in request.get("calcsize", [])],
    }
    json.dump(reply, sys.stdout)


if __name__ == "__main__":
    main()
