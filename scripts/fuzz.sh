#!/usr/bin/env bash
# Runs one fuzz target for a bounded time: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER ARGS...]
# Targets: pep3118 numpy_dialects npy layouts dlpack arrow (fuzz/fuzz_targets/). Builds if needed,
# with AddressSanitizer and debug assertions (overflow checks) on. The committed seeds in
# fuzz/corpus/TARGET are read, never written: new inputs go to fuzz/corpus-work/TARGET and
# crashes to fuzz/artifacts/TARGET/ (both ignored by git). Exits non-zero on any crash, leak,
# timeout or out-of-memory. Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on stable Rust
# through RUSTC_BOOTSTRAP=1.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 TARGET SECONDS [LIBFUZZER ARGS...]" >&2
  exit 2
fi
target=$1 seconds=$2
shift 2
cd "$(dirname "$0")/../fuzz"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install --locked cargo-fuzz" >&2
  exit 2
fi
export RUSTC_BOOTSTRAP=1
dict=()
if [ -f "dict/$target.dict" ]; then dict=("-dict=dict/$target.dict"); fi
mkdir -p "corpus-work/$target" "artifacts/$target"
exec cargo fuzz run --debug-assertions "$target" "corpus-work/$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="artifacts/$target/" "${dict[@]}" "$@"
