#!/usr/bin/env bash
# Times our PEP 3118 parser against CPython's struct.calcsize/struct.Struct and numpy's reader on
# the same formats (array-protocol/benches/formats.txt), and prints the ratios. The machine's
# speed drifts over seconds, so ours and the references are timed in alternating short rounds
# (ROUNDS, default 5), each round's ratios printed, and their medians.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${ARRAY_PROTOCOL_PYTHON:-.venv/bin/python}
[ -x "$python" ] || { python3 -m venv .venv && .venv/bin/pip install -q -r tests/python/requirements.txt; python=.venv/bin/python; }
rounds=${ROUNDS:-5}

cargo bench -p array-protocol --bench parse --no-run >/dev/null 2>&1
# The same statistic on both sides: the references are best-of-5 timeit repeats, so ours is the
# best of criterion's samples (each a mean over many passes), not their mean.
ours() { "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); print(min(t / i for t, i in zip(d['times'], d['iters'])))" \
  "target/criterion/$1/new/sample.json"; }
results=()
for _ in $(seq "$rounds"); do
  cargo bench -p array-protocol --bench parse -- --noplot --warm-up-time 1 --measurement-time 2 parse_ >/dev/null 2>&1
  ref=$("$python" array-protocol/benches/parse_reference.py)
  results+=("$(ours parse_struct_set) $(ours parse_numpy_set) $(echo "$ref" | awk '
    $1=="struct.calcsize"{c=$3} $1=="struct.Struct"{s=$3} $1=="numpy" && $2=="struct"{ns=$3}
    $1=="numpy" && $2=="numpy"{nn=$3} END {print c, s, ns, nn}')")
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${results[@]}" >"$out"
"$python" - "$out" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
print("nanoseconds per pass over each set of formats (array-protocol/benches/formats.txt), per round")
print(f"{'round':<6} {'ours':>6} {'calcsize':>9} {'Struct()':>9} {'numpy':>8} | {'ours':>6} {'numpy':>8}"
      "   ratios: Struct(), numpy (struct set), numpy (numpy set)")
ratios = []
for i, (os_, on, c, s, ns, nn) in enumerate(rows, 1):
    r = (s / os_, ns / os_, nn / on, c / os_)
    ratios.append(r)
    print(f"{i:<6} {os_:>6.0f} {c:>9.0f} {s:>9.0f} {ns:>8.0f} | {on:>6.0f} {nn:>8.0f}"
          f"   {r[0]:.2f}x {r[1]:.1f}x {r[2]:.1f}x")
med = [statistics.median(r[k] for r in ratios) for k in range(4)]
print(f"median ratios (reference time / ours): numpy {med[1]:.1f}x and {med[2]:.1f}x, "
      f"struct.Struct {med[0]:.2f}x, struct.calcsize {med[3]:.2f}x")
PY
