#!/usr/bin/env bash
# Ray Data over a Rust-exported tensor column (examples/python/ray_tensor_column.py): installs
# ray[data] into .venv (a large download, kept out of the test command) and the demo module, then
# runs the example on a local cluster of 2 CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r tests/python/requirements.txt; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check "ray[data]"
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps ./tests/python
.venv/bin/python examples/python/ray_tensor_column.py
