#!/usr/bin/env bash
# The Python tests on a free-threaded CPython (3.13t, PYTHON_GIL=0), with the extension built on
# PyO3 0.28 (the newest PyO3 that supports 3.13t; the workspace itself builds on 0.30).
#
#   1. CPython 3.13t, built once per machine from Debian's python3.13 source package (trixie,
#      through a deb-src line) with `./configure --disable-gil`, and installed in a cache folder
#      keyed by the source version: $ARRAY_PROTOCOL_CACHE (default ~/.cache/array-protocol)
#      /cpython-3.13t-VERSION. A folder without its `.complete` mark is rebuilt.
#   2. A venv of it in the same folder (venv/) with numpy and pytest.
#   3. The demo extension (tests/python) built by maturin against it, from a copy of its manifest
#      whose lock file pins pyo3 to 0.28.3; the repository's own lock files are not touched. Its
#      build folder is target/python-free-threaded.
#   4. The Python tests, plus the threaded stress test (tests/python/test_threads.py), with
#      PYTHON_GIL=0 (an extension that did not declare itself free-threading safe would turn the
#      GIL back on: the run checks that it stayed off).
#
# `scripts/free-threaded.sh build` stops after step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache=${ARRAY_PROTOCOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/array-protocol}
pyo3_version=0.28.3
jobs=${ARRAY_PROTOCOL_JOBS:-$(nproc)}

note() { printf '\n==> %s\n' "$*"; }
die() { echo "free-threaded.sh: $*" >&2; exit 1; }

# The trixie deb-src line, added once; `apt-get update` only when the source package is unknown.
source_version() {
  apt-cache showsrc python3.13 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1
}
version=$(source_version || true)
if [ -z "$version" ]; then
  list=/etc/apt/sources.list.d/array-protocol-trixie-src.sources
  if [ ! -f "$list" ]; then
    [ -w /etc/apt/sources.list.d ] || die "cannot add a deb-src line for trixie (need root): add 'deb-src http://deb.debian.org/debian trixie main' yourself"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$list"
  fi
  apt-get update -qq || die "apt-get update failed"
  version=$(source_version || true)
  [ -n "$version" ] || die "no python3.13 source package in the apt sources"
fi
prefix="$cache/cpython-3.13t-$version"
python="$prefix/bin/python3.13t"

if [ ! -f "$prefix/.complete" ]; then
  note "building CPython 3.13t $version into $prefix (once per machine)"
  rm -rf "$prefix"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Upstream sources as Debian ships them, without Debian's patches (they change the install
  # layout for Debian's own packaging, which a --prefix build does not want).
  (cd "$work" && apt-get source --download-only -qq "python3.13=$version" >/dev/null) \
    || die "apt-get source python3.13=$version failed"
  (cd "$work" && dpkg-source --skip-patches -x ./*.dsc src >/dev/null) || die "dpkg-source failed"
  (cd "$work/src" && ./configure --quiet --disable-gil --prefix="$prefix" >"$work/configure.log" 2>&1) \
    || { tail -30 "$work/configure.log"; die "configure failed"; }
  (cd "$work/src" && make -j"$jobs" >"$work/make.log" 2>&1) || { tail -40 "$work/make.log"; die "make failed"; }
  (cd "$work/src" && make install >"$work/install.log" 2>&1) || { tail -40 "$work/install.log"; die "make install failed"; }
  "$python" -c 'import sys, sysconfig; assert sysconfig.get_config_var("Py_GIL_DISABLED") == 1; assert not sys._is_gil_enabled()' \
    || die "the built interpreter is not free-threaded"
  touch "$prefix/.complete"
  rm -rf "$work"
  trap - EXIT
fi
note "CPython: $("$python" -VV | head -1)"
[ "${1:-}" = build ] && exit 0

note "venv with numpy and pytest ($prefix/venv)"
venv="$prefix/venv"
if [ ! -x "$venv/bin/python" ]; then "$python" -m venv "$venv" || die "venv failed"; fi
pip() { "$venv/bin/python" -m pip --disable-pip-version-check --quiet "$@"; }
pip install --only-binary :all: 'numpy>=2.1' pytest 'maturin>=1.5,<2' || die "pip install numpy pytest maturin failed"
# Optional clients with free-threaded wheels; the tests that need them skip without them.
pip install --only-binary :all: pillow pyarrow || echo "pillow/pyarrow: no free-threaded wheels here, their tests skip"

note "the demo extension on PyO3 $pyo3_version"
build="$root/target/python-free-threaded"
src="$build/src"
mkdir -p "$src"
rm -rf "$src/src"
cp -r tests/python/Cargo.toml tests/python/Cargo.lock tests/python/pyproject.toml tests/python/src "$src/"
sed -i -e "s|path = \"../../array-protocol\"|path = \"$root/array-protocol\"|" \
  -e "s|path = \"../../array-protocol-python\"|path = \"$root/array-protocol-python\"|" "$src/Cargo.toml"
grep -q "path = \"$root/array-protocol\"" "$src/Cargo.toml" || die "tests/python/Cargo.toml: no path dependency on array-protocol to point at $root"
# Every pyo3 crate to 0.28.3: pyo3 with its own (exact) dependencies, then array-protocol-python's
# build dependency on pyo3-build-config, so that one version is built.
(cd "$src" && cargo update --quiet -p pyo3 --precise "$pyo3_version") || die "cargo update -p pyo3 --precise $pyo3_version failed"
for stale in $(sed -n '/^name = "pyo3-build-config"$/{n;s/^version = "\(.*\)"$/\1/p}' "$src/Cargo.lock"); do
  if [ "$stale" != "$pyo3_version" ]; then
    (cd "$src" && cargo update --quiet -p "pyo3-build-config@$stale" --precise "$pyo3_version") || die "cannot pin pyo3-build-config"
  fi
done
versions=$(sed -n '/^name = "pyo3/{N;s/\n/ /p}' "$src/Cargo.lock" | sed 's/name = "\(.*\)" version = "\(.*\)"/\1 \2/' | sort -u)
echo "$versions"
if echo "$versions" | grep -v " $pyo3_version\$" | grep -q .; then die "not every pyo3 crate is at $pyo3_version"; fi
rm -rf "$build/wheels"
CARGO_TARGET_DIR="$build/target" "$venv/bin/maturin" build --quiet --manifest-path "$src/Cargo.toml" \
  --interpreter "$venv/bin/python" --out "$build/wheels" || die "maturin build failed"
pip install --no-deps --force-reinstall "$build"/wheels/*.whl || die "installing the wheel failed"

note "the Python tests and the threaded stress test with PYTHON_GIL=0"
# Without PYTHON_GIL=0, importing an extension that does not declare itself safe without the GIL
# turns the GIL back on (with a RuntimeWarning): it must stay off.
env -u PYTHON_GIL "$venv/bin/python" -W error -c 'import sys, array_protocol_demo; assert not sys._is_gil_enabled(), "the GIL is on"' \
  || die "importing the extension enables the GIL: it does not declare itself free-threading safe"
PYTHON_GIL=0 "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python
