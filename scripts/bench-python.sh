#!/usr/bin/env bash
# Python-side benchmarks: builds the extension (tests/python) and the rust-numpy comparison module
# (tests/python-bench, which depends on the numpy crate; nothing else does) in release mode into
# .venv, then times exports, imports, sum_f64 and the GIL-released kernel against numpy's own paths
# and rust-numpy in the same run (tests/python/bench_export.py).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r tests/python/requirements.txt; }
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps ./tests/python
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps ./tests/python-bench
.venv/bin/python tests/python/bench_export.py
