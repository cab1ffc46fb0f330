#!/usr/bin/env bash
# Times our PEP 3118 parser against CPython's struct.calcsize and numpy's reader on the same
# formats (array-protocol/benches/formats.txt), in one run, and prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${ARRAY_PROTOCOL_PYTHON:-.venv/bin/python}
[ -x "$python" ] || { python3 -m venv .venv && .venv/bin/pip install -q -r tests/python/requirements.txt; python=.venv/bin/python; }

cargo bench -p array-protocol --bench parse -- --noplot >/dev/null
ours() { "$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate'])" \
  "target/criterion/$1/new/estimates.json"; }
ours_struct=$(ours parse_struct_set)
ours_numpy=$(ours parse_numpy_set)
ref=$("$python" array-protocol/benches/parse_reference.py)
calcsize=$(echo "$ref" | awk '$1=="struct.calcsize"{print $3}')
struct_parse=$(echo "$ref" | awk '$1=="struct.Struct"{print $3}')
numpy_struct=$(echo "$ref" | awk '$1=="numpy" && $2=="struct"{print $3}')
numpy_numpy=$(echo "$ref" | awk '$1=="numpy" && $2=="numpy"{print $3}')
"$python" - "$ours_struct" "$ours_numpy" "$calcsize" "$struct_parse" "$numpy_struct" "$numpy_numpy" <<'PY'
import sys
ours_s, ours_n, calc, parse, np_s, np_n = map(float, sys.argv[1:])
print("nanoseconds per pass over each set of formats (array-protocol/benches/formats.txt)")
print(f"{'set':<7} {'ours':>8} {'calcsize(cached)':>17} {'Struct()':>9} {'numpy':>9}")
print(f"{'struct':<7} {ours_s:>8.0f} {calc:>17.0f} {parse:>9.0f} {np_s:>9.0f}")
print(f"{'numpy':<7} {ours_n:>8.0f} {'-':>17} {'-':>9} {np_n:>9.0f}")
print(f"ratios (reference time / ours): numpy {np_s/ours_s:.1f}x and {np_n/ours_n:.1f}x, "
      f"struct.Struct {parse/ours_s:.2f}x, struct.calcsize {calc/ours_s:.2f}x")
PY
