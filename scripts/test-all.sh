#!/usr/bin/env bash
# Runs every test of the project on a fresh machine, installing what it needs first:
#   - a Python venv (.venv) with the real clients the tests compare against (tests/python/requirements.txt:
#     numpy, Pillow, pyarrow, Polars, DuckDB, JAX, apache-tvm-ffi, pytest, maturin; ray[data] for the Ray step), .venv-asan for the sanitized
#     extension, and .venv-312 (CPython 3.12, when the machine has it) for the abi3 wheel;
#   - a free-threaded CPython 3.13t built from Debian's source package, cached in
#     ~/.cache/array-protocol (scripts/free-threaded.sh), with its own venv there;
#   - the Rust components rustfmt and clippy, if missing; cargo-nextest for the AddressSanitizer run;
#     cargo-fuzz for the fuzz step.
# Idempotent: a second run reuses the venv. Ends with a summary line: "summary: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
logs=$(mktemp -d)
failed_steps=()

# ARRAY_PROTOCOL_LEAN=1 (set by .ci/run) keeps the run within a few GB of disk: no incremental
# caches, line tables instead of full debug info, no pip cache, and each build folder removed
# once no later step needs it. Without it, every build folder stays for the next run.
lean=${ARRAY_PROTOCOL_LEAN:-0}
if [ "$lean" = 1 ]; then
  export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=line-tables-only CARGO_PROFILE_TEST_DEBUG=line-tables-only
  export PIP_NO_CACHE_DIR=1
fi
# done_with FOLDER...: in lean mode, removes build folders no later step uses.
done_with() { if [ "$lean" = 1 ]; then rm -rf "$@"; fi; }

note() { printf '\n==> %s [%s]\n' "$*" "$(date +%T)"; }

note "Python venv with numpy (tests/python/requirements.txt)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv" >&2; exit 1; }
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt \
  || { echo "pip install failed" >&2; exit 1; }
# A second venv for the extension built under AddressSanitizer.
if [ ! -x .venv-asan/bin/python ]; then python3 -m venv .venv-asan; fi
.venv-asan/bin/python -m pip install --quiet --disable-pip-version-check numpy pillow pyarrow pytest \
  || { echo "pip install (asan venv) failed" >&2; exit 1; }
export ARRAY_PROTOCOL_PYTHON="$root/.venv/bin/python"
export ARRAY_PROTOCOL_REQUIRE_PYTHON=1

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component" || true
  fi
done

if ! command -v cargo-nextest >/dev/null 2>&1; then
  cargo install --locked cargo-nextest || { echo "cannot install cargo-nextest" >&2; exit 1; }
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz || { echo "cannot install cargo-fuzz" >&2; exit 1; }
fi

# step NAME COMMAND...: runs COMMAND, keeps its output in a log, records failure.
step() {
  local name=$1; shift
  note "$name: $*"
  if "$@" 2>&1 | tee "$logs/$name.log"; then :; else failed_steps+=("$name"); fi
}

step fmt cargo fmt --all --check
step fmt-python-ext cargo fmt --manifest-path tests/python/Cargo.toml --check
step clippy cargo clippy --workspace --all-targets --all-features -- -D warnings
step clippy-python-ext cargo clippy --manifest-path tests/python/Cargo.toml -- -D warnings
step doc env RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --all-features
step no-std cargo build -p array-protocol --no-default-features
step test env RUSTFLAGS=-Dwarnings cargo test --workspace --all-features
done_with target/debug target/capi target/tests
# The unsafe-bearing crate's tests under AddressSanitizer (one test per process with nextest);
# any report aborts its test and fails the step.
step asan env RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Zsanitizer=address CARGO_TARGET_DIR=target/asan ASAN_OPTIONS=allocator_may_return_null=1 \
  cargo nextest run -p array-protocol -p array-protocol-python --all-features --target x86_64-unknown-linux-gnu --no-fail-fast
done_with target/asan
# The Python extension (tests/python), built by maturin through pip, against the real numpy,
# Pillow, pyarrow and CPython; then again built under AddressSanitizer, with gcc's runtime
# preloaded into Python (leak detection off: CPython itself does not free everything).
step python-build .venv/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./tests/python
step pytest .venv/bin/python -m pytest -q -p no:cacheprovider tests/python
# Ray Data and a two-node local Ray cluster over the extension just installed (ray[data] from
# PyPI): tensor columns, ray.put arrays and map_batches batches spanning blocks, each chunk read
# by Rust in place in the object store of the node its task runs on (scripts/ray-check.sh runs
# the same on its own).
ray_check() {
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "ray[data]" || return 1
  .venv/bin/python examples/python/ray_tensor_column.py || return 1
  .venv/bin/python examples/python/ray_two_nodes.py
}
step ray ray_check
# The same module as an abi3 wheel (CPython's stable ABI, 3.11 and later), tested on another
# CPython (3.12) when the machine has one: one wheel for every CPython the buffer protocol's
# stable ABI covers.
abi3_check() {
  local py312
  py312=$(command -v python3.12 2>/dev/null) && "$py312" -c pass 2>/dev/null || py312=""
  if [ -z "$py312" ] && command -v pyenv >/dev/null 2>&1; then
    py312=$(ls -d "$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)
  fi
  if [ -z "$py312" ]; then echo "no CPython 3.12 on this machine: the abi3 wheel is built but not tested"; fi
  rm -rf "$root/target/abi3-wheel"
  .venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps ./tests/python \
    -w "$root/target/abi3-wheel" --config-settings=build-args="--features abi3" || return 1
  ls "$root"/target/abi3-wheel/*-abi3-*.whl || return 1
  [ -n "$py312" ] || return 0
  if [ ! -x .venv-312/bin/python ]; then "$py312" -m venv .venv-312 || return 1; fi
  .venv-312/bin/python -m pip install --quiet --disable-pip-version-check numpy pillow pyarrow pytest || return 1
  .venv-312/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$root"/target/abi3-wheel/*-abi3-*.whl || return 1
  .venv-312/bin/python -m pytest -q -p no:cacheprovider tests/python
}
step python-abi3 abi3_check
done_with tests/python/target
# The Python tests and the threaded stress test on a free-threaded CPython 3.13t (PYTHON_GIL=0),
# the extension built on PyO3 0.28.3 (the other end of the PyO3 range the crate accepts). The
# interpreter is built once per machine from Debian's source package and cached outside the
# repository (scripts/free-threaded.sh says where and how).
step python-free-threaded bash scripts/free-threaded.sh
done_with target/python-free-threaded
step python-asan-build env RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Zsanitizer=address CARGO_BUILD_TARGET=x86_64-unknown-linux-gnu \
  CARGO_TARGET_DIR="$root/target/asan-python" \
  .venv-asan/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./tests/python
step python-asan env LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  .venv-asan/bin/python -m pytest -q -p no:cacheprovider tests/python
done_with target/asan-python
# Every fuzz target (fuzz/fuzz_targets) for 20 s from its committed seeds, under AddressSanitizer
# with overflow checks; any crash, leak, timeout or out-of-memory fails the step (the input is
# kept in fuzz/artifacts/TARGET/). `scripts/fuzz.sh TARGET SECONDS` runs one for longer.
fuzz_all() {
  (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build --debug-assertions) || return 1
  local status=0 target
  for target in pep3118 numpy_dialects npy layouts dlpack arrow; do
    scripts/fuzz.sh "$target" 20 || { echo "fuzz target $target failed" >&2; status=1; }
  done
  return $status
}
step fuzz fuzz_all
done_with fuzz/target

passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  cat "$logs"/*.log | sed -n -E \
    -e 's/^test result: [A-Za-z]*\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' \
    -e 's/^ *Summary \[.*\] [0-9]+ tests? run: ([0-9]+) passed(, ([0-9]+) failed)?.*/\1 \3/p' \
    -e 's/^=* *([0-9]+) failed, ([0-9]+) passed.* in .*/\2 \1/p' \
    -e 's/^=* *([0-9]+) passed.* in [0-9.]+s.*/\1 0/p' | sed 's/ $/ 0/')
note "steps failed: ${failed_steps[*]:-none}"
if [ ${#failed_steps[@]} -gt 0 ] && [ "$failed" -eq 0 ]; then failed=${#failed_steps[@]}; fi
echo "summary: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
