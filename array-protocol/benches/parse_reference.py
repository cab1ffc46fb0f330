"""Times CPython's struct.calcsize and numpy's PEP 3118 reader on the formats in formats.txt.

struct.calcsize keeps a cache of compiled formats, so in a loop it mostly looks them up;
struct.Struct(fmt) parses every time. Prints one line per set: `<reader> <set> <nanoseconds per pass over the set>`.
With arguments `READER SET N` (READER `struct` or `numpy`), makes N passes of that reader
instead, for instruction counts (scripts/instructions-parse.sh).
"""
import os
import struct
import sys
import timeit

from numpy._core._internal import _dtype_from_pep3118

here = os.path.dirname(os.path.abspath(__file__))
sets = {}
with open(os.path.join(here, "formats.txt")) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            name, fmt = line.split()
            sets.setdefault(name, []).append(fmt)


def per_pass(fn, formats):
    def one_pass():
        for fmt in formats:
            fn(fmt)

    number = 2000
    best = min(timeit.repeat(one_pass, number=number, repeat=5))
    return best / number * 1e9


if len(sys.argv) == 4:
    reader = {"struct": struct.Struct, "numpy": _dtype_from_pep3118}[sys.argv[1]]
    formats = sets[sys.argv[2]]
    for _ in range(int(sys.argv[3])):
        for fmt in formats:
            reader(fmt)
    sys.exit(0)

print(f"struct.calcsize struct {per_pass(struct.calcsize, sets['struct']):.0f}")
print(f"struct.Struct struct {per_pass(struct.Struct, sets['struct']):.0f}")
print(f"numpy struct {per_pass(_dtype_from_pep3118, sets['struct']):.0f}")
print(f"numpy numpy {per_pass(_dtype_from_pep3118, sets['numpy']):.0f}")
