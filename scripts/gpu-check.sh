#!/usr/bin/env bash
# GPU round trips for a machine with an NVIDIA GPU, Python >= 3.11 with torch (CuPy and JAX if
# present) and no Rust toolchain: installs the abi3 wheel of the demo module that
# `bash scripts/test-all.sh` builds into target/abi3-wheel/ (carry it there), then runs
# examples/python/gpu_round_trip.py. PYTHON selects the interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
wheel=$(ls target/abi3-wheel/array_protocol_demo-*-abi3-*.whl 2>/dev/null | tail -1)
[ -n "$wheel" ] || { echo "no abi3 wheel in target/abi3-wheel: run scripts/test-all.sh (or its abi3 step) where Rust is installed" >&2; exit 1; }
"$py" -m pip install --quiet --no-deps --force-reinstall "$wheel"
"$py" examples/python/gpu_round_trip.py
