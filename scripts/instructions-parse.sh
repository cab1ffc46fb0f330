#!/usr/bin/env bash
# Instructions per pass of the PEP 3118 readers over each set of array-protocol/benches/formats.txt,
# which do not move with the machine's load: (I(N) - I(0)) / N under `valgrind --tool=callgrind`
# for ours, CPython's struct.Struct (struct set, Python call included, as timed by
# bench-item-types.sh) and numpy's reader, with the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${ARRAY_PROTOCOL_PYTHON:-.venv/bin/python}
export PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1
cargo build -q --release -p array-protocol --bench parse_passes
bin=$(ls -t target/release/deps/parse_passes-* | grep -v '\.d$' | head -1)
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | grep -o "Collected : [0-9]*" | grep -o "[0-9]*"
}
per_pass() { # N then the command, which takes N as its last argument
  local n=$1; shift
  local a b; a=$(count "$@" 0); b=$(count "$@" "$n")
  echo $(( (b - a) / n ))
}
ref=array-protocol/benches/parse_reference.py
ours_s=$(per_pass 10000 "$bin" struct)
ours_n=$(per_pass 10000 "$bin" numpy)
struct_s=$(per_pass 2000 "$python" "$ref" struct struct)
numpy_s=$(per_pass 200 "$python" "$ref" numpy struct)
numpy_n=$(per_pass 200 "$python" "$ref" numpy numpy)
echo "instructions per pass: struct set ours $ours_s, struct.Struct $struct_s, numpy $numpy_s; numpy set ours $ours_n, numpy $numpy_n"
awk -v os="$ours_s" -v on="$ours_n" -v ss="$struct_s" -v ns="$numpy_s" -v nn="$numpy_n" 'BEGIN {
  printf "ratios (reference / ours): struct.Struct %.2fx, numpy %.1fx (struct set) and %.1fx (numpy set)\n", ss / os, ns / os, nn / on }'
