#!/usr/bin/env bash
# Python-side benchmarks: builds the extension in release mode into .venv, then times exports and
# sum_f64 against numpy and Python references in the same run (tests/python/bench_export.py).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r tests/python/requirements.txt; }
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps ./tests/python
.venv/bin/python tests/python/bench_export.py
