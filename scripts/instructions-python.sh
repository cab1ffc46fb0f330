#!/usr/bin/env bash
# Instructions per call of the Python paths bench-python.sh times, which do not move with the
# machine's load: for each operation, the median over 3 runs of (I(N) - I(0)) / N under
# `valgrind --tool=callgrind`, ours next to its reference. Run scripts/bench-python.sh first (it
# installs the modules).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1
n=20000
ins() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python tests/python/instructions.py "$1" "$2" 2>&1 \
    | grep -o "Collected : [0-9]*" | grep -o "[0-9]*"
}
for op in memoryview_ours memoryview_numpy asarray_ours asarray_numpy from_dlpack_ours from_dlpack_numpy \
          import_typed_ours import_typed_rust_numpy dlpack_exchange_ours dlpack_capsule_ours \
          dlpack_exchange_tvm dlpack_capsule_tvm; do
  vals=()
  for _ in 1 2 3; do a=$(ins "$op" 0); b=$(ins "$op" "$n"); vals+=($(( (b - a) / n ))); done
  echo "$op $(printf '%s\n' "${vals[@]}" | sort -n | sed -n 2p) (runs: ${vals[*]})"
done
