#!/usr/bin/env bash
# Ray checks (also a step of scripts/test-all.sh): installs ray[data] into .venv and the demo
# module, then runs
#   - examples/python/ray_tensor_column.py: Ray Data over a Rust-exported tensor column on a local
#     cluster of 2 CPUs, each batch's column read by Rust chunk by chunk in place;
#   - examples/python/ray_two_nodes.py: a two-node local cluster (one CPU and a 200 MiB object
#     store per node) where Rust reads a tensor column, a 64 MiB ray.put array and map_batches
#     batches spanning blocks from the object store of the node each task runs on, checked by
#     address and value; prints the bytes Rust copies over 10,000 rows of 32×32 float32 tensors
#     (the target: 0).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r tests/python/requirements.txt; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check "ray[data]"
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps ./tests/python
.venv/bin/python examples/python/ray_tensor_column.py
.venv/bin/python examples/python/ray_two_nodes.py
