#!/usr/bin/env bash
# Instructions per call of the two view paths with per-call targets (issue 22) and of their
# references, which do not move with the machine's load: (I(N) - I(0)) / N under
# `valgrind --tool=callgrind`, with the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release -p array-protocol --features image,ndarray --bench view_passes
bin=$(ls -t "$target"/release/deps/view_passes-* | grep -v '\.d$' | head -1)
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | grep -o "Collected : [0-9]*" | grep -o "[0-9]*"
}
per_call() { # N then the case
  local a b; a=$(count "$bin" "$2" 0); b=$(count "$bin" "$2" "$1")
  echo $(( (b - a) / $1 ))
}
n=100000
v=$(per_call $n view3d); vn=$(per_call $n view3d_ndarray); vd=$(per_call $n view3d_ndarray_dyn)
i=$(per_call $n image); inn=$(per_call $n image_nshare)
awk -v v="$v" -v vn="$vn" -v vd="$vd" -v i="$i" -v inn="$inn" 'BEGIN {
  printf "3-D export + validate + typed read: ours %d, ndarray ArrayViewD::from_shape (run-time axes) %d instructions per call, ratio %.2f (target <= 1.0)\n", v, vd, v / vd
  printf "3-D export + validate + typed read: ours %d, ndarray ArrayView3::from_shape (axes fixed at compile time) %d instructions per call, ratio %.2f\n", v, vn, v / vn
  printf "RgbaImage -> ArrayView3<u8> (from_array_view): ours %d, nshare %d instructions per call, ratio %.2f\n", i, inn, i / inn }'
