#!/usr/bin/env bash
# Compile time of #[derive(Element)] against bytemuck's #[derive(Pod, Zeroable)] on the same 200
# generated records, measured in one run: a clean build of each crate with its dependencies, and
# a rebuild of the crate alone. Prints the times and the ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

records() { # $1 = derive line
  for i in $(seq 1 200); do
    cat <<RS
$1
#[repr(C)]
pub struct Record$i { pub a: f64, pub b: u32, pub c: f32, pub d: u16, pub e: u16, pub f: [u32; 1] }
RS
  done
}

make_crate() { # $1 = name, $2 = dependency lines, $3 = derive line
  mkdir -p "$work/$1/src"
  cat > "$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"
[dependencies]
$2
[workspace]
TOML
  records "$3" > "$work/$1/src/lib.rs"
}

make_crate with_element "array-protocol = { path = \"$root/array-protocol\", default-features = false, features = [\"derive\"] }" \
  '#[derive(array_protocol::Element, Clone, Copy)]'
make_crate with_bytemuck 'bytemuck = { version = "1", features = ["derive"] }' \
  '#[derive(bytemuck::Pod, bytemuck::Zeroable, Clone, Copy)]'

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
for c in with_element with_bytemuck; do (cd "$work/$c" && cargo fetch -q); done

declare -A clean rebuild
for c in with_element with_bytemuck; do
  clean[$c]=$(cd "$work/$c" && seconds cargo build -q --offline)
  # Rebuild of the crate alone, best of three.
  best=
  for _ in 1 2 3; do
    touch "$work/$c/src/lib.rs"
    t=$(cd "$work/$c" && seconds cargo build -q --offline)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  rebuild[$c]=$best
done
printf '%-28s %10s %10s\n' "200 records" "clean" "rebuild"
for c in with_element with_bytemuck; do printf '%-28s %9.2fs %9.2fs\n' "$c" "${clean[$c]}" "${rebuild[$c]}"; done
printf 'ratio Element / bytemuck:    %9.2f  %9.2f   (target <= 1.5)\n' \
  "$(echo "${clean[with_element]} / ${clean[with_bytemuck]}" | bc -l)" \
  "$(echo "${rebuild[with_element]} / ${rebuild[with_bytemuck]}" | bc -l)"
