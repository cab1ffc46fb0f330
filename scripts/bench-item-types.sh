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
numpy_struct=$(echo "$ref" | awk '$1=="numpy" && $2=="struct"{print $3}')
numpy_numpy=$(echo "$ref" | awk '$1=="numpy" && $2=="numpy"{print $3}')
"$python" - "$ours_struct" "$ours_numpy" "$calcsize" "$numpy_struct" "$numpy_numpy" <<'PY'
import sys
ours_s, ours_n, calc, np_s, np_n = map(float, sys.argv[1:])
print(f"{'set':<8} {'array-protocol':>15} {'struct.calcsize':>16} {'numpy':>10}   ratios (reference / ours)")
print(f"{'struct':<8} {ours_s:>13.0f}ns {calc:>14.0f}ns {np_s:>8.0f}ns   calcsize {calc/ours_s:.1f}x, numpy {np_s/ours_s:.1f}x")
print(f"{'numpy':<8} {ours_n:>13.0f}ns {'-':>16} {np_n:>8.0f}ns   numpy {np_n/ours_n:.1f}x")
PY
