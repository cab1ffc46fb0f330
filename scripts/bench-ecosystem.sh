#!/usr/bin/env bash
# Runs the ecosystem benchmarks (array-protocol/benches/ecosystem.rs) and prints the ratios
# against the references measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p array-protocol --features image,ndarray,memmap2 --bench ecosystem -- --noplot >/dev/null
python3 - <<'PY'
import json
def t(g, f):
    return json.load(open(f"target/criterion/{g}/{f}/new/estimates.json"))["mean"]["point_estimate"]
ours, ref = t("image_to_ndarray", "array_protocol"), t("image_to_ndarray", "nshare")
typed = t("image_to_ndarray", "array_protocol_typed")
print(f"RgbaImage 512x512 -> ndarray view, from_array_view(image.array()): ours {ours:.1f} ns, nshare {ref:.1f} ns, ratio {ours/ref:.2f}")
print(f"RgbaImage 512x512 -> ndarray view, try_from(TypedViewN::from_image): ours {typed:.1f} ns, nshare {ref:.1f} ns, ratio {typed/ref:.2f} (target <= 1.0)")
c, r = t("ndarray_to_image", "array_protocol"), t("ndarray_to_image", "from_raw_to_vec")
print(f"ndarray 512x512x4 u8 -> RgbaImage copy: from_array {c/1e3:.1f} us, from_raw(to_vec) {r/1e3:.1f} us, ratio {c/r:.2f}")
for size in ["1GiB", "1MiB"]:
    m, r = t("npy_open", f"mmap_{size}"), t("npy_open", f"ndarray_npy_{size}")
    print(f"open .npy {size}: MmapArray {m/1e3:.1f} us, ndarray-npy read {r/1e6:.2f} ms, ndarray-npy / ours = {r/m:.0f}x")
big, small = t("npy_open", "mmap_1GiB"), t("npy_open", "mmap_1MiB")
print(f"MmapArray open time, 1 GiB / 1 MiB: {big/small:.2f} (constant in file size: ~1)")
PY
