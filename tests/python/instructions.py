"""One operation N times, for instruction counts under valgrind (scripts/instructions-python.sh):
OP is one of the names below, each ours and its reference."""
import sys

import numpy as np

import array_protocol_demo as d

try:
    import array_protocol_bench as bench
except ImportError:
    bench = None

op, n = sys.argv[1], int(sys.argv[2])
export = d.points(512)
nd = np.zeros((512, 2))
mv = memoryview(nd)
small = np.arange(16.0)
ops = {
    "memoryview_ours": lambda: memoryview(export),
    "memoryview_numpy": lambda: memoryview(nd),
    "asarray_ours": lambda: np.asarray(export),
    "asarray_numpy": lambda: np.asarray(mv),
    "from_dlpack_ours": lambda: np.from_dlpack(export),
    "from_dlpack_numpy": lambda: np.from_dlpack(nd),
}
try:
    import tvm_ffi
    wrapper = tvm_ffi.core.DLTensorTestWrapper(tvm_ffi.from_dlpack(np.zeros((512, 2))))
    ops["dlpack_exchange_tvm"] = lambda: d.dlpack_imports(wrapper, 1)
    ops["dlpack_capsule_tvm"] = lambda: d.dlpack_imports(wrapper, 1, True)
except ImportError:
    pass
ops["dlpack_exchange_ours"] = lambda: d.dlpack_imports(export, 1)
ops["dlpack_capsule_ours"] = lambda: d.dlpack_imports(export, 1, True)
if bench is not None:
    ops["import_typed_ours"] = lambda: bench.sum_ours(small)
    ops["import_typed_rust_numpy"] = lambda: bench.sum_rust_numpy(small)
f = ops[op]
for _ in range(n):
    f()
