"""CPython's buffer consumers against our exporter, differentially against CPython's reference
exporter `_testbuffer.ndarray` over the same memory and layout.

Every request combination `test_buffer.py` uses, on generated layouts (0-d, empty, C, Fortran,
strided, negative and zero strides, shape-1 axes, offsets) and formats (every single code, with
byte-order prefixes, and multi-item and record formats). For each case both exporters are read
through `_testbuffer.ndarray(exporter, getbuf=flags)` (and that view's own memoryview),
`py_buffer_to_contiguous`, and, once per layout, `memoryview`, `get_contiguous`,
`is_contiguous`, `bytes()` and `array.frombytes`; everything observable must agree.

Where the two may differ by design:
- Format spelling: we render the canonical PEP 3118 spelling of the parsed item type (`q` is
  `l` on LP64, `<h` is `h` on little-endian machines, `3f` is `(3)f`, `fi` is `T{fi}`). A
  format counts as the same when ours is our canonical rendering of the reference's format;
  values are then compared wherever the struct module can read our spelling, and the cases
  where it cannot are counted and printed.
- Formats the struct module cannot read (`T{...}`, `Zd`, `g`) have no `_testbuffer` exporter:
  the reference holds the same bytes as `{itemsize}s` items, and everything but the format and
  `tolist()` is compared.
- A writable owner whose layout has zero or overlapping strides is read-only for us
  (`_testbuffer` does not check): such cases are compared against a read-only reference.

Cases run in batches in subprocesses, so that a crash is caught, counted and the batch resumed.
"""
import array
import ctypes
import json
import math
import os
import random
import resource
import struct
import subprocess
import sys
from itertools import product

try:
    import _testbuffer as tb
except ImportError:  # pragma: no cover - CPython builds without the test modules
    tb = None

SEED = 3118

# Request flags: the distinct and compound requests of test_buffer.py's getbuf test, each alone
# and with WRITABLE and FORMAT added.
if tb is not None:
    REQUESTS = (
        tb.PyBUF_INDIRECT, tb.PyBUF_STRIDES, tb.PyBUF_ND, tb.PyBUF_SIMPLE,
        tb.PyBUF_C_CONTIGUOUS, tb.PyBUF_F_CONTIGUOUS, tb.PyBUF_ANY_CONTIGUOUS,
        tb.PyBUF_FULL, tb.PyBUF_FULL_RO, tb.PyBUF_RECORDS, tb.PyBUF_RECORDS_RO,
        tb.PyBUF_STRIDED, tb.PyBUF_STRIDED_RO, tb.PyBUF_CONTIG, tb.PyBUF_CONTIG_RO,
    )
    EXTRA = (0, tb.PyBUF_WRITABLE, tb.PyBUF_FORMAT, tb.PyBUF_WRITABLE | tb.PyBUF_FORMAT)
    FLAGS = sorted({r | e for r in REQUESTS for e in EXTRA})
else:
    FLAGS = []

# ----------------------------------------------------------------------------------------------
# Formats
# ----------------------------------------------------------------------------------------------

SINGLE = list("bBhHiIlLqQnNfde?c")
STANDARD = list("bBhHiIlLqQfde?c")  # n N have no standard size
PREFIXED = [p + c for p in "@<>=!" for c in STANDARD] + ["@n", "@N"]
MULTI = ["3f", "2h", "fi", "ii", "dq", "4B", "2d", "3s", "10s", "<hH", ">iI"]
# Formats the struct module cannot read: compared against `{itemsize}s` items.
OURS_ONLY = ["T{<f:x:<i:y:}", "T{ii}", "(3)f", "(2,2)>h", "T{b:a:i:b:}", "T{d:x:(2)f:y:}",
             "Zf", "Zd", "<Zd", "g", "x:pad: i:v:"]
CORE = ["B", "q", "d", ">h", "3f", "T{<f:x:<i:y:}"]


def struct_reads(fmt):
    try:
        struct.calcsize(fmt)
        return True
    except struct.error:
        return False


def scalar_value(rng, code, std):
    if code == "?":
        return bool(rng.randrange(2))
    if code == "c":
        return bytes([rng.randrange(256)])
    if code in "efd":
        return float(rng.randrange(-2000, 2000))
    size = struct.calcsize(("=" if std else "@") + code)
    if code.isupper():
        return rng.randrange(0, 1 << (8 * size))
    return rng.randrange(-(1 << (8 * size - 1)), 1 << (8 * size - 1))


def split_codes(fmt):
    """The (count, code) members of a struct format without nesting: '3f' -> [(3, 'f')]."""
    out, count = [], ""
    for ch in fmt:
        if ch.isdigit():
            count += ch
        elif ch in "@<>=!":
            continue
        else:
            out.append((int(count or 1), ch))
            count = ""
    return out


def gen_item(rng, fmt):
    """A random item for struct format `fmt`: a value, or a tuple for several members."""
    std = fmt[:1] in "<>=!"
    members = []
    for count, code in split_codes(fmt):
        if code == "s":
            members.append(bytes(rng.randrange(256) for _ in range(count)))
        else:
            members.extend(scalar_value(rng, code, std) for _ in range(count))
    return members[0] if len(members) == 1 else tuple(members)


# ----------------------------------------------------------------------------------------------
# Layouts: (shape, strides in items or None for C order, offset in items)
# ----------------------------------------------------------------------------------------------

def c_strides(shape):
    s, acc = [], 1
    for n in reversed(shape):
        s.append(acc)
        acc *= n
    return s[::-1]


def f_strides(shape):
    s, acc = [], 1
    for n in shape:
        s.append(acc)
        acc *= n
    return s


def extent(shape, strides, offset):
    """(number of items of memory needed, valid) for a layout in item units."""
    if 0 in shape:
        return offset + 1, offset >= 0
    lo = sum(st * (n - 1) for n, st in zip(shape, strides) if st < 0)
    hi = sum(st * (n - 1) for n, st in zip(shape, strides) if st > 0)
    return offset + hi + 1, offset + lo >= 0


def overlapping(shape, strides):
    """Whether two distinct elements share memory (strides in items)."""
    if 0 in shape:
        return False
    seen = set()
    for ind in product(*(range(n) for n in shape)):
        p = sum(i * s for i, s in zip(ind, strides))
        if p in seen:
            return True
        seen.add(p)
    return False


EXACT_OVERLAP_MAX = 1 << 16  # array_protocol::layout::EXACT_OVERLAP_MAX


def may_overlap(shape, strides):
    """Our rule for writable views (`Layout::check_no_overlap`, strides in items): axes of
    length > 1 sorted by |stride|, each stepping over everything the faster ones span, decide
    nested axes; interleaved ones are decided element by element up to EXACT_OVERLAP_MAX
    elements, and refused above that even where no two elements meet."""
    if 0 in shape or len(shape) == 0:
        return False
    extent = 1
    for n, st in sorted(((n, abs(st)) for n, st in zip(shape, strides) if n > 1),
                        key=lambda a: a[1]):
        if st < extent:
            return math.prod(shape) > EXACT_OVERLAP_MAX or overlapping(shape, strides)
        extent += st * (n - 1)
    return False


FIXED_LAYOUTS = [
    ([], None, 0),                      # 0-d
    ([1, 3, 1], None, 0),               # the getbuf test's structures
    ([12], None, 0),
    ([12], [-1], 11),
    ([6], [2], 0),
    ([6], [-2], 11),
    ([3, 4], None, 0),
    ([3, 4], [-4, -1], 11),
    ([2, 2], [4, 1], 4),
    ([2, 2], [-4, -1], 8),
    ([3, 4], f_strides([3, 4]), 0),     # Fortran
    ([2, 3, 2], f_strides([2, 3, 2]), 0),
    ([2, 1, 3, 2], None, 0),            # 4-d C
    ([2, 1, 3, 2], f_strides([2, 1, 3, 2]), 0),
    ([3, 4], [1, -3], 9),               # Fortran, reversed columns
    ([2, 3], [6, 2], 1),                # strided with offset
    ([4], [3], 2),
    ([1, 3, 1], [7, 1, -5], 0),         # shape-1 axes with odd strides: still contiguous
    ([3, 1], [1, 9], 0),
    ([1], [-4], 3),
    ([0], None, 0),                     # empty
    ([0], [-1], 0),
    ([2, 0, 3], None, 0),
    ([2, 0, 3], [5, -7, 1], 4),
    ([0, 1], [0, 0], 0),
    ([4], [0], 0),                      # zero strides (broadcast)
    ([3, 4], [0, 1], 0),
    ([3, 4], [4, 0], 2),
    ([1], [0], 0),
    ([2, 1], [1, 0], 0),
    ([3, 3], [1, 1], 0),                # overlapping without zero strides
    ([2, 3], [-1, 1], 1),
]


def rand_layout(rng, maxdim=4, maxshape=4):
    """A random valid layout in the manner of test_buffer.py's rand_structure."""
    ndim = rng.randrange(maxdim + 1)
    if ndim == 0:
        return [], None, 0
    n = rng.randrange(100)
    minshape = 0 if n >= 95 else 1 if n >= 90 else 2
    shape = [rng.randrange(minshape, maxshape + 1) for _ in range(ndim)]
    zero = rng.randrange(100) >= 90
    maxstride = 5
    strides = [0] * ndim
    strides[-1] = rng.randrange(-maxstride, maxstride + 1) or (0 if zero else 1)
    for i in range(ndim - 2, -1, -1):
        maxstride *= shape[i + 1] or 1
        if zero:
            strides[i] = rng.randrange(-maxstride, maxstride + 1)
        else:
            strides[i] = rng.choice((1, -1)) * rng.randrange(1, maxstride + 1)
    lo = 0 if 0 in shape else -sum(s * (k - 1) for k, s in zip(shape, strides) if s < 0)
    return shape, strides, lo + rng.randrange(3)


def layouts(rng):
    return FIXED_LAYOUTS + [rand_layout(rng) for _ in range(48)]


# ----------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------

def all_formats():
    return SINGLE + PREFIXED + MULTI + OURS_ONLY


def cases():
    """Every case as (format, layout index, writable, flags or None for the per-layout checks),
    the same in every process."""
    rng = random.Random(SEED)
    lays = layouts(rng)
    out = []
    for fmt in all_formats():
        if fmt in CORE:
            chosen = range(len(lays))
        else:
            chosen = sorted(rng.sample(range(len(lays)), 10))
        for li in chosen:
            for writable in (False, True):
                if fmt not in CORE and writable != bool(li % 2):
                    continue
                out.append((fmt, li, writable, None))
                out.extend((fmt, li, writable, f) for f in FLAGS)
    return lays, out


# ----------------------------------------------------------------------------------------------
# One case: build both exporters over the same memory, observe, compare
# ----------------------------------------------------------------------------------------------

class Env:
    """Per-process caches: canonical renderings and exporters per (format, layout, writable)."""

    def __init__(self, lays):
        import array_protocol_demo

        self.demo = array_protocol_demo
        self.lays = lays
        self.built = {}
        self.canon = {}

    def canonical(self, fmt):
        if fmt not in self.canon:
            size = self.ref_itemsize(fmt)
            self.canon[fmt] = memoryview(self.demo.export_layout(bytes(size), fmt, [])).format
        return self.canon[fmt]

    def ref_itemsize(self, fmt):
        if struct_reads(fmt):
            return struct.calcsize(fmt)
        return memoryview(self.demo.export_layout(bytes(256), fmt, [])).itemsize

    def pair(self, fmt, li, writable):
        key = (fmt, li, writable)
        if key in self.built:
            return self.built[key]
        shape, strides, offset = self.lays[li]
        itemsize = self.ref_itemsize(fmt)
        ref_fmt = fmt if struct_reads(fmt) else f"{itemsize}s"
        rng = random.Random(f"{SEED}/{fmt}/{li}")
        st = strides if strides is not None else c_strides(shape)
        nitems, valid = extent(shape, st, offset)
        assert valid, (shape, strides, offset)
        items = [gen_item(rng, ref_fmt) for _ in range(nitems)]
        mem = b"".join(struct.pack(ref_fmt, *(i if isinstance(i, tuple) else (i,))) for i in items)
        ref_writable = writable and not may_overlap(shape, st)
        kwargs = dict(shape=shape, offset=offset * itemsize, format=ref_fmt,
                      flags=tb.ND_WRITABLE if ref_writable else 0)
        if strides is not None:
            kwargs["strides"] = [s * itemsize for s in strides]
        ref = tb.ndarray(items if shape else items[0], **kwargs)
        if strides is not None:
            byte_strides = [s * itemsize for s in strides]
        elif 0 in shape:
            # C strides of an empty array are a convention: CPython's (0 before a zero axis)
            # and numpy's (ours: as if the axis had length 1) both address no element.
            byte_strides = list(ref.strides)
        else:
            byte_strides = None
        ours = self.demo.export_layout(mem, fmt, shape, byte_strides, offset * itemsize,
                                       writable)
        self.built = {key: (ref, ours, ref_fmt)}  # one layout alive at a time
        return self.built[key]


def attempt(f):
    try:
        return ("ok", f())
    except Exception as e:  # noqa: BLE001 - the exception type is what is recorded
        return ("error", type(e).__name__)


def observe_view(v, readable):
    """What a consumer sees of a `_testbuffer.ndarray` or memoryview `v`. `readable`: values are
    compared (the struct module reads both spellings of the format)."""
    o = {}
    for a in ("ndim", "shape", "strides", "suboffsets", "itemsize", "readonly", "nbytes",
              "c_contiguous", "f_contiguous", "contiguous"):
        o[a] = getattr(v, a, None)
    o["format"] = v.format
    o["tobytes"] = attempt(v.tobytes)
    tl = attempt(v.tolist)
    if readable:
        o["tolist"] = tl
    return o


def observe(exp, flags, readable, mv_readable):
    """Everything CPython's consumers report about `exp` for request `flags` (None: the
    per-layout consumers)."""
    o = {}
    if flags is None:
        m = attempt(lambda: memoryview(exp))
        o["memoryview"] = m[0]
        if m[0] == "ok":
            mv = m[1]
            o["mv"] = observe_view(mv, mv_readable)
            for order in "CFA":
                o[f"mv.tobytes({order})"] = attempt(lambda: mv.tobytes(order=order))
            o["mv.hex"] = attempt(mv.hex)
            o["mv.cast"] = attempt(lambda: mv.cast("B").tobytes())
            o["mv.toreadonly"] = attempt(lambda: mv.toreadonly().readonly)
            mv.release()
        for order in "CFA":
            o[f"is_contiguous({order})"] = attempt(lambda: tb.is_contiguous(exp, order))
            for mode in (tb.PyBUF_READ, tb.PyBUF_WRITE):
                def contig():
                    c = tb.get_contiguous(exp, mode, order)
                    return {"readonly": c.readonly, "shape": c.shape, "strides": c.strides,
                            "tobytes": c.tobytes(), "format": c.format}
                o[f"get_contiguous({mode},{order})"] = attempt(contig)
        o["bytes"] = attempt(lambda: bytes(exp))

        def write():
            # A writable contiguous view writes the exporter's memory (both the same way).
            c = tb.get_contiguous(exp, tb.PyBUF_WRITE, "A").cast("B")
            if len(c):
                c[0] = (c[0] + 1) % 256
            return bytes(exp)
        o["write"] = attempt(write)

        def frombytes():
            a = array.array("B")
            a.frombytes(exp)
            return a.tobytes()
        o["array.frombytes"] = attempt(frombytes)
        return o
    nd = attempt(lambda: tb.ndarray(exp, getbuf=flags))
    o["getbuf"] = nd[0]
    if nd[0] == "ok":
        v = nd[1]
        o["nd"] = observe_view(v, readable)
        o["nd.is_contiguous"] = [attempt(lambda: tb.is_contiguous(v, c)) for c in "CFA"]
        mv = attempt(lambda: memoryview(v))
        o["nd.memoryview"] = mv[0]
        if mv[0] == "ok":
            o["nd.mv"] = observe_view(mv[1], mv_readable)
            mv[1].release()
        del v, nd, mv
    for order in "CFA":
        o[f"py_buffer_to_contiguous({order})"] = attempt(
            lambda: tb.py_buffer_to_contiguous(exp, order, flags))
    return o


def compare(a, b, alias, path=""):
    """Differences between two observations, with exception types allowed to differ and the
    formats `alias` = (reference's, ours) counted as the same."""
    diffs, types = [], []
    if isinstance(a, tuple) and len(a) == 2 and a[0] in ("ok", "error") \
            and isinstance(b, tuple) and len(b) == 2 and b[0] in ("ok", "error"):
        if a[0] != b[0]:
            diffs.append((path, a, b))
        elif a[0] == "error" and a[1] != b[1]:
            types.append((path, a[1], b[1]))
        elif a[0] == "ok":
            d, t = compare(a[1], b[1], alias, path)
            diffs += d
            types += t
        return diffs, types
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            d, t = compare(a.get(k), b.get(k), alias, f"{path}.{k}")
            diffs += d
            types += t
        return diffs, types
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and path.endswith(
            "is_contiguous"):
        for i, (x, y) in enumerate(zip(a, b)):
            d, t = compare(x, y, alias, f"{path}[{i}]")
            diffs += d
            types += t
        return diffs, types
    if a != b and not (path.endswith(".format") and (a, b) == alias):
        diffs.append((path, a, b))
    return diffs, types


def run_case(env, case):
    fmt, li, writable, flags = case
    ref, ours, ref_fmt = env.pair(fmt, li, writable)
    canonical = env.canonical(fmt)
    readable = ref_fmt == fmt and struct_reads(canonical)
    # memoryview reads only native single codes: it may read our spelling and not the
    # reference's (`h` for `<h`), so its values are compared only for identical spellings.
    mv_readable = readable and canonical == ref_fmt
    r = observe(ref, flags, readable, mv_readable)
    o = observe(ours, flags, readable, mv_readable)
    diffs, types = compare(r, o, (ref_fmt, canonical))
    return diffs, types, canonical, readable


def worker(start, stop):
    """Runs cases [start, stop): prints `S i` before each, `M i {json}` for a mismatch, `T i
    [types]` where the exception types differ and `F format ours readable` for each format we
    spell differently, then `END`, flushing so that the parent knows which case a crash
    interrupted."""
    lays, all_cases = cases()
    env = Env(lays)
    out = sys.stdout
    spelled = set()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file
    crash_at = int(os.environ.get("CONSUMERS_CRASH_AT", "-1"))  # the harness's self-test
    for i in range(start, stop):
        out.write(f"S {i}\n")
        out.flush()
        if i == crash_at:
            os.abort()
        diffs, types, canonical, readable = run_case(env, all_cases[i])
        if diffs:
            out.write("M %d %s\n" % (i, json.dumps([list(map(repr, d)) for d in diffs[:4]])))
        if types:
            out.write("T %d %s\n" % (i, json.dumps(sorted({f"{a}/{b}" for _, a, b in types}))))
        fmt = all_cases[i][0]
        if canonical != fmt and fmt not in spelled and struct_reads(fmt):
            spelled.add(fmt)
            out.write("F %s\n" % json.dumps([fmt, canonical, readable]))
    out.write("END\n")
    out.flush()


# ----------------------------------------------------------------------------------------------
# The test
# ----------------------------------------------------------------------------------------------

def run_batches(n, jobs, env=None):
    """Runs cases 0..n in `jobs` subprocesses, resuming after a crash; returns the output lines
    and (case, return code, stderr) for each crash."""
    here = os.path.dirname(os.path.abspath(__file__))
    bounds = [(n * k // jobs, n * (k + 1) // jobs) for k in range(jobs)]
    pending = list(bounds)
    lines, crashes = [], []
    while pending:
        procs = [(lo, hi, subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                            str(lo), str(hi)], cwd=here, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           env=env))
                 for lo, hi in pending]
        pending = []
        for lo, hi, p in procs:
            out, err = p.communicate(timeout=300)
            got = out.splitlines()
            lines += got
            if got and got[-1] == "END" and p.returncode == 0:
                continue
            started = [int(x.split()[1]) for x in got if x.startswith("S ")]
            last = started[-1] if started else lo
            crashes.append((last, p.returncode, err[-2000:]))
            if last + 1 < hi:
                pending.append((last + 1, hi))
    return lines, crashes


def test_cpython_consumers_agree_with_testbuffer(capsys):
    import pytest

    if tb is None:
        pytest.skip("no _testbuffer")
    lays, all_cases = cases()
    lines, crashes = run_batches(len(all_cases), max(2, min(4, os.cpu_count() or 2)))
    mismatched = {int(x.split()[1]): x for x in lines if x.startswith("M ")}
    typed = [x for x in lines if x.startswith("T ")]
    spelled = sorted({tuple(json.loads(x[2:])) for x in lines if x.startswith("F ")})
    crashed = {i for i, _, _ in crashes}
    agree = len(all_cases) - len(mismatched) - len(crashed)
    conservative = sum(1 for shape, st, _ in lays if st is not None
                       and may_overlap(shape, st) and not overlapping(shape, st))
    with capsys.disabled():
        print(f"\nCPython consumers: {len(all_cases)} cases over {len(lays)} layouts and "
              f"{len(all_formats())} formats, {agree} agreements, {len(mismatched)} mismatches, "
              f"{len(crashed)} crashes, {len(typed)} refused with another exception type; "
              f"{conservative} layouts read-only for us only (interleaved axes)")
        print("  spelled canonically: " + ", ".join(f"{f}->{c}" for f, c, _ in spelled))
        print("  the struct module cannot read: "
              + ", ".join(c for _, c, readable in spelled if not readable))
    details = [f"{all_cases[i]}: {line}" for i, line in sorted(mismatched.items())[:20]]
    details += [f"crash in {all_cases[i]} (rc {rc}): {err}" for i, rc, err in crashes[:5]]
    assert not crashes and not mismatched, "\n".join(details)


def test_the_harness_counts_a_crash_and_resumes():
    import pytest

    if tb is None:
        pytest.skip("no _testbuffer")
    lines, crashes = run_batches(40, 2, env=dict(os.environ, CONSUMERS_CRASH_AT="7"))
    assert [(i, rc) for i, rc, _ in crashes] == [(7, -6)]
    started = sorted(int(x.split()[1]) for x in lines if x.startswith("S "))
    assert started == list(range(40)) and lines.count("END") == 2
    assert not [x for x in lines if x.startswith("M ")]


class RawBuffer(ctypes.Structure):
    """A Py_buffer whose `obj` reads as an address (None for NULL)."""
    _fields_ = [(name, ctypes.c_void_p if name == "obj" else kind)
                for name, kind in [
                    ("buf", ctypes.c_void_p), ("obj", None), ("len", ctypes.c_ssize_t),
                    ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int),
                    ("ndim", ctypes.c_int), ("format", ctypes.c_char_p),
                    ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
                    ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
                    ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
                    ("internal", ctypes.c_void_p)]]


def test_format_without_a_shape_is_refused(demo):
    # Regression: PyBUF_FORMAT without PyBUF_ND (a request for unsigned bytes, with a format)
    # was answered with the item format and no shape; memoryview and _testbuffer refuse it.
    import pytest
    from conftest import PyBUF, get_buffer

    testbuffer = pytest.importorskip("_testbuffer")
    arr = demo.export_layout(struct.pack("2d", 1.5, 2.5), "d", [2], None, 0, True)
    reference = testbuffer.ndarray([1.5, 2.5], shape=[2], format="d", flags=testbuffer.ND_WRITABLE)
    for flags in (PyBUF["FORMAT"], PyBUF["FORMAT"] | PyBUF["WRITABLE"]):
        with pytest.raises(BufferError, match="without a shape"):
            get_buffer(arr, flags)
        with pytest.raises(BufferError, match="format flag"):
            testbuffer.ndarray(reference, getbuf=flags)
    view, release = get_buffer(arr, PyBUF["WRITABLE"])
    assert (view.format, view.ndim, bool(view.shape), view.len) == (None, 1, False, 16)
    release()
    view, release = get_buffer(arr, PyBUF["ND"] | PyBUF["FORMAT"])
    assert (view.format, view.ndim, view.shape[0]) == (b"d", 1, 2)
    release()
    assert arr.exports == 0


def test_a_refused_request_leaves_obj_null(demo):
    # Regression: a refused request left the caller's `obj` as it was; exporters must set it
    # to NULL on failure.
    import pytest

    get = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.POINTER(RawBuffer),
                            ctypes.c_int)(("PyObject_GetBuffer", ctypes.pythonapi))
    read_only = demo.export_layout(bytes(8), "d", [1])
    for flags in (1, 4):  # PyBUF_WRITABLE on a read-only array; PyBUF_FORMAT without PyBUF_ND
        view = RawBuffer()
        view.obj = 0x1
        with pytest.raises(BufferError):
            get(read_only, ctypes.byref(view), flags)
        assert view.obj is None
    assert read_only.exports == 0


if __name__ == "__main__":
    worker(int(sys.argv[1]), int(sys.argv[2]))
