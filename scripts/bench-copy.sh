#!/usr/bin/env bash
# A fresh copy of a 200 MB contiguous f64 array: to_contiguous (array-protocol/benches/copy.rs) of
# an Array (the crate's own memory, as x is numpy's) and of a view over a Vec, against numpy's
# np.array(x) and Rust's slice.to_vec(), in interleaved rounds (ROUNDS, default 5;
# REPS calls per case and round, default 7), with the minor page faults per call. Prints the
# medians over the rounds and the ratios against numpy (target: to_contiguous <= 1.1x).
# Needs about 1 GiB of memory and .venv with numpy (scripts/bench-python.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
REPS=${REPS:-7}
PY=.venv/bin/python
[ -x "$PY" ] || { python3 -m venv .venv && .venv/bin/pip install -q numpy; }
echo "transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo 'not available')"
cargo bench -q -p array-protocol --bench copy --no-run 2>/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$ROUNDS"); do
    cargo bench -q -p array-protocol --bench copy -- "$REPS" 2>/dev/null >>"$out"
    "$PY" - "$REPS" >>"$out" <<'PY'
import resource, sys, time
import numpy as np
reps = int(sys.argv[1])
x = np.arange(25_000_000, dtype=np.float64)  # 200 MB
assert np.array_equal(np.array(x), x)
times, faults = [], []
for _ in range(reps):
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t = time.perf_counter()
    y = np.array(x)
    times.append((time.perf_counter() - t) * 1e3)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
    del y
print(f"numpy_array {sorted(times)[reps // 2]:.3f} {sorted(faults)[reps // 2]}")
PY
done
python3 - "$out" "$ROUNDS" "$REPS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, ms, faults = line.split()
    rows.setdefault(name, []).append((float(ms), int(faults)))
def med(name, i):
    return statistics.median(r[i] for r in rows[name])
ref = med("numpy_array", 0)
print(f"fresh copy of 200 MB of f64, median of {sys.argv[2]} interleaved rounds x {sys.argv[3]} calls")
for name, label in [
    ("to_contiguous", "Array::to_contiguous(C)"),
    ("to_contiguous_of_vec", "to_contiguous(C) of a Vec's view"),
    ("slice_to_vec", "slice.to_vec()"),
    ("numpy_array", "np.array(x)"),
]:
    ms = med(name, 0)
    print(f"  {label:<33} {ms:8.1f} ms  {med(name, 1):8.0f} minor faults/call  ratio vs numpy {ms / ref:5.2f}")
print("target: to_contiguous / np.array <= 1.1")
PY
