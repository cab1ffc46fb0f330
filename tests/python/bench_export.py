"""Python-side performance of the exports and imports, each against a reference timed in the
same run. Run by scripts/bench-python.sh (after the extension is installed)."""
import timeit

import numpy as np

import array_protocol_demo as d


def best(fn, number):
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


small, large = d.points(512), d.points(8 << 20)  # 1 K and 16 M float64 elements
t_small = best(lambda: np.asarray(small), 2000)
t_large = best(lambda: np.asarray(large), 2000)
print(f"np.asarray(export): 1K elements {t_small * 1e6:.2f} us, 16M elements {t_large * 1e6:.2f} us, "
      f"ratio {t_large / t_small:.2f} (target <= 1.5: constant time)")

n = 1 << 20
pts = d.points(n)
as_list = [(float(k), -float(k)) for k in range(n)]
t_export = best(lambda: np.asarray(pts), 200)
t_list = best(lambda: np.array(as_list), 3)
t_copy = best(lambda: np.frombuffer(bytes(memoryview(pts)), dtype="<f8").reshape(n, 2).copy(), 10)
print(f"1M points: np.asarray(export) {t_export * 1e6:.2f} us; from a list of tuples {t_list * 1e3:.1f} ms "
      f"({t_list / t_export:.0f}x, target >= 1000x); copying export {t_copy * 1e3:.2f} ms ({t_copy / t_export:.0f}x)")

big = np.random.default_rng(0).random(16 << 20)
t_ours = best(lambda: d.sum_f64(big), 10)
t_np = best(lambda: np.sum(big), 10)
print(f"sum over 16M float64: sum_f64 {t_ours * 1e3:.2f} ms, np.sum {t_np * 1e3:.2f} ms, "
      f"ratio {t_ours / t_np:.2f} (target <= 1.2)")
