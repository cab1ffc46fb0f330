"""Many threads on one array: exports from every route racing resizes, releases on other threads,
GIL-free kernels whose claims race. Meant for a free-threaded CPython (PYTHON_GIL=0), where the
threads run in parallel; with the GIL they interleave, and every check still holds.

Each test runs for a fixed time (DURATION seconds), then checks what every thread saw and that
every export was counted back to zero."""
import gc
import queue
import random
import sys
import threading
import time

import numpy as np
import pytest

from conftest import FREE_THREADED

THREADS = 16
DURATION = 1.5


class Fwd:
    """A consumer-side wrapper that hands on another object's `__array_interface__`."""

    def __init__(self, o):
        self.o = o

    @property
    def __array_interface__(self):
        return self.o.__array_interface__


def run_threads(targets):
    """Runs each target in its own thread until DURATION has passed; returns the unexpected
    exceptions (with the thread's name)."""
    errors = []
    start = threading.Barrier(len(targets))
    deadline = []

    def wrap(name, target):
        def body():
            start.wait()
            if not deadline:
                deadline.append(time.monotonic() + DURATION)
            try:
                target(lambda: time.monotonic() < deadline[0])
            except BaseException as e:  # noqa: BLE001 (reported below, with the thread)
                errors.append(f"{name}: {type(e).__name__}: {e}")
        return threading.Thread(target=body, name=name)

    threads = [wrap(name, t) for name, t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DURATION + 60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return errors


def test_the_interpreter_runs_as_the_suite_expects():
    if FREE_THREADED:
        assert not sys._is_gil_enabled(), "run the free-threaded suite with PYTHON_GIL=0"


def test_exports_race_resizes_and_every_export_is_counted_back(demo):
    """14 exporters (buffer, numpy, `__array_interface__`, DLPack, Arrow, and exports handed to a
    thread that releases them) against 2 resizers: every export succeeds or raises BufferError,
    sees element k equal to k (or 0 where the array just grew), and the count returns to 0."""
    w = demo.mutable_buffer(64)
    np.asarray(w)[:] = np.arange(64.0)
    handed_off = queue.Queue()
    tally = {"exports": 0, "refused": 0, "resized": 0, "resize refused": 0, "released elsewhere": 0}
    lock = threading.Lock()
    pa = None
    try:
        import pyarrow as pa
    except ImportError:
        pass

    def count(key, n=1):
        with lock:
            tally[key] += n

    def check(x):
        # One read of each element (resizers write while this reads): then the checks.
        x = np.array(x, copy=True)
        assert x.dtype == np.float64 and x.ndim == 1
        k = np.arange(x.size, dtype=np.float64)
        assert ((x == k) | (x == 0)).all(), x[(x != k) & (x != 0)][:5]

    def take(route):
        if route == "memoryview":
            m = memoryview(w)
            assert m.format == "d" and m.itemsize == 8 and not m.readonly
            check(np.frombuffer(m, np.float64))
            m.release()
        elif route == "numpy":
            check(np.asarray(w))
        elif route == "interface":
            check(np.asarray(Fwd(w)))
        elif route == "dlpack":
            check(np.from_dlpack(w))
        elif route == "arrow" and pa is not None:
            check(pa.array(w).to_numpy(zero_copy_only=True))
        elif route == "hand off":
            x = np.asarray(w) if random.random() < 0.5 else memoryview(w)
            handed_off.put(x)

    routes = ["memoryview", "numpy", "interface", "dlpack", "arrow", "hand off"]

    # A resizer refused for 0.1 s on end (a loaded machine can keep some export alive all the
    # time) asks the exporters to pause until one resize gets through, so that the run always
    # reaches moments when every export is released and a resize succeeds.
    pause = threading.Event()

    def exporter(running):
        rng = random.Random()
        while running():
            if pause.is_set():
                time.sleep(0.001)
                continue
            try:
                take(rng.choice(routes))
                count("exports")
            except BufferError:
                count("refused")
            # Mostly idle, so that resizes find moments with no export alive.
            time.sleep(rng.random() * 0.002)

    def resizer(running):
        rng = random.Random()
        refused_since = None
        while running():
            try:
                w.resize(rng.randrange(1, 256))
                count("resized")
                refused_since = None
                pause.clear()
            except BufferError:
                count("resize refused")
                now = time.monotonic()
                refused_since = refused_since or now
                if now - refused_since > 0.1:
                    # Yield too, so that an exporter in the middle of an export (under the GIL,
                    # waiting for it) finishes and releases it.
                    pause.set()
                    time.sleep(0.001)
                continue
            try:
                a = np.asarray(w)
                a[:] = np.arange(a.size, dtype=np.float64)
                del a
            except BufferError:
                count("refused")

    def releaser(running):
        while running() or not handed_off.empty():
            try:
                x = handed_off.get(timeout=0.01)
            except queue.Empty:
                continue
            check(x)
            if isinstance(x, memoryview):
                x.release()
            del x
            count("released elsewhere")

    targets = [("resizer", resizer)] * 2 + [("releaser", releaser)] + [("exporter", exporter)] * (THREADS - 3)
    errors = run_threads(targets)
    assert not errors, errors[:5]
    # An exporter may hand an export off after the releaser saw the queue empty and stopped:
    # those are released here, and counted like the others.
    while not handed_off.empty():
        x = handed_off.get_nowait()
        check(x)
        if isinstance(x, memoryview):
            x.release()
        del x
        count("released elsewhere")
    gc.collect()
    assert w.exports == 0, (w.exports, tally)
    assert tally["exports"] >= 100 and tally["resized"] >= 1 and tally["released elsewhere"] >= 1, tally
    w.resize(300)
    check(w)
    assert w.exports == 0


def test_kernels_race_on_overlapping_memory_and_claims_never_overlap(demo):
    """GIL-free kernels on one numpy array: writers (`normalize`) and readers (`sum_sqrt`, of
    the array and of an overlapping slice) exclude each other through their claims, so a reader
    sees the array wholly before or wholly after a normalisation (one of two sums, exactly), and
    each refusal is a BufferError. `while_writing` / `while_reading` hold claims while Python
    code checks that no other holder of the opposite kind is inside."""
    n = 1 << 15
    a = np.arange(float(n))
    norm = a / (n - 1)
    sums = {
        "all": {demo.sum_sqrt(a), demo.sum_sqrt(norm)},
        "tail": {demo.sum_sqrt(a[1:]), demo.sum_sqrt(norm[1:])},
    }
    tally = {"normalized": 0, "read": 0, "refused": 0}
    inside = {"readers": 0, "writers": 0}
    lock = threading.Lock()

    def count(key):
        with lock:
            tally[key] += 1

    def enter(kind, other):
        with lock:
            assert inside[other] == 0, f"a {kind} claim while a {other[:-1]} holds one"
            inside[kind] += 1
            assert kind != "writers" or inside[kind] == 1, "two writers hold claims"

    def leave(kind):
        with lock:
            inside[kind] -= 1

    def writer(running):
        rng = random.Random()
        while running():
            try:
                if rng.random() < 0.5:
                    demo.normalize(a)
                else:
                    def hold():
                        enter("writers", "readers")
                        time.sleep(0.0002)
                        leave("writers")
                    demo.while_writing(a, hold)
                count("normalized")
            except BufferError:
                count("refused")
            time.sleep(rng.random() * 0.001)

    def reader(running):
        rng = random.Random()
        while running():
            try:
                if rng.random() < 0.5:
                    which = rng.choice(["all", "tail"])
                    s = demo.sum_sqrt(a if which == "all" else a[1:])
                    assert s in sums[which], (which, s, sums[which])
                else:
                    def hold():
                        enter("readers", "writers")
                        time.sleep(0.0002)
                        leave("readers")
                    demo.while_reading(a[1:], hold)
                count("read")
            except BufferError:
                count("refused")
            # Mostly idle, so that writers find moments with no reader.
            time.sleep(rng.random() * 0.002)

    errors = run_threads([("writer", writer)] * 4 + [("reader", reader)] * (THREADS - 4))
    assert not errors, errors[:5]
    assert inside == {"readers": 0, "writers": 0}
    assert tally["normalized"] >= 1 and tally["read"] >= 10, tally
    assert (a == norm).all()
    # Every claim ended: a writable import of the whole array is granted again.
    demo.normalize(a)
    assert (a == norm).all()


@pytest.mark.skipif(not FREE_THREADED, reason="PyO3's borrow flag is a try-lock only without the GIL")
def test_exports_never_raise_runtime_errors_while_resizing(demo):
    """The failure a mutable pyclass shows without the GIL: exports meeting a resize raised
    `RuntimeError: Already mutably borrowed`, and releases skipped their decrement."""
    w = demo.mutable_buffer(8)
    kinds = []

    def spin(running):
        while running():
            try:
                memoryview(w).release()
            except BufferError:
                pass
            except RuntimeError as e:
                kinds.append(str(e))

    def resize(running):
        while running():
            try:
                w.resize(random.randrange(1, 64))
            except BufferError:
                pass

    errors = run_threads([("spin", spin)] * (THREADS - 1) + [("resize", resize)])
    assert not errors and not kinds, (errors[:3], kinds[:3])
    assert w.exports == 0
