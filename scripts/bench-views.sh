#!/usr/bin/env bash
# Runs the view and copy benchmarks (array-protocol/benches/views.rs) and prints each result as
# a ratio against the references measured in the same run: ndarray, plain slices, memcpy.
# Needs about 2 GiB of memory and a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p array-protocol --all-features --bench views -- --noplot | grep -E '^allocations' || true
python3 - <<'PY'
import json, os
root = "target/criterion"
def t(group, fn):
    with open(os.path.join(root, group, fn, "new", "estimates.json")) as f:
        return json.load(f)["mean"]["point_estimate"]
def line(label, ours, ref, name, lower_is_better=True):
    print(f"  {label:<44} {ours/1e6 if ours > 1e5 else ours:>9.3f}{' ms' if ours > 1e5 else ' ns'}  vs {name:<26} ratio {ours/ref:5.2f}")
print("view + validate + typed read, 3-D (target <= 1.0 against ndarray's ArrayViewD::from_shape, run-time axes)")
line("ArrayView::new + typed (any axes)", t("view3d", "array_protocol"), t("view3d", "ndarray_dyn"), "ArrayViewD::from_shape")
line("ArrayView::new + typed (any axes)", t("view3d", "array_protocol"), t("view3d", "ndarray"), "ArrayView3::from_shape")
line("TypedViewN::<f64, 3>::new (3 axes)", t("view3d", "array_protocol_fixed"), t("view3d", "ndarray"), "ArrayView3::from_shape")
print("iterate 1M f64 (ratio: ours / slice; target <= 1.05)")
line("typed view iter().sum()", t("iterate_1m_f64", "typed_view"), t("iterate_1m_f64", "slice"), "slice")
for case, target in [("real_16M_c128", 2), ("transpose_4096_f32", 4), ("stride2_32M_f64", 2)]:
    g = f"copy_into_{case}"
    ours = t(g, "array_protocol")
    print(f"copy_into {case} (speed-up over ndarray assign: {t(g, 'ndarray_assign')/ours:.2f}x, target >= {target}x)")
    line("copy_into", ours, t(g, "ndarray_assign"), "ndarray assign")
    line("copy_into", ours, t(g, "copy_from_slice"), "copy_from_slice (same bytes)")
    g = f"to_contiguous_{case}"
    ours = t(g, "array_protocol")
    print(f"to_contiguous {case} (targets: < 1.0 vs ndarray, <= 1.5 vs fresh to_vec)")
    line("to_contiguous(C)", ours, t(g, "ndarray_standard_layout"), "as_standard_layout().into_owned()")
    line("to_contiguous(C)", ours, t(g, "fresh_to_vec"), "fresh to_vec of the same bytes")
PY
