"""Ray Data over a tensor column: a table holding a Rust-exported tensor column goes into a Ray
dataset (a local cluster of 2 CPUs), a Rust function of the demo module is mapped over its
batches (each batch's tensor column read by Rust in place, through Arrow), and the results come
back into Rust. Run by scripts/ray-check.sh."""
import numpy as np
import pyarrow as pa
import ray

import array_protocol_demo as demo


def rust_row_sums(batch: pa.Table) -> pa.Table:
    import array_protocol_demo as demo

    column = batch.column("img").combine_chunks()  # a FixedShapeTensorArray
    sums = demo.row_sums(column)  # Rust reads the batch's memory, returns a Rust-owned array
    return pa.table({"rowsum": pa.array(sums)})  # pyarrow reads that in place


def main():
    rows = 1000
    values = np.arange(rows * 4, dtype=np.float64).reshape(rows, 4)
    column = pa.array(demo.reexport(values))  # Rust-exported, zero-copy tensor column
    assert isinstance(column, pa.FixedShapeTensorArray) and column.to_numpy_ndarray().ctypes.data == values.ctypes.data
    table = pa.table({"img": column})
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        ds = ray.data.from_arrow(table)
        out = ds.map_batches(rust_row_sums, batch_format="pyarrow", batch_size=128)
        result = pa.concat_tables(ray.get(out.to_arrow_refs()))
    finally:
        ray.shutdown()
    sums = result.column("rowsum").combine_chunks()
    assert np.allclose(sums.to_numpy(), values.sum(axis=1))
    # Back into Rust: the result column, read in place.
    total = demo.sum_f64(sums)
    assert total == float(values.sum()), (total, values.sum())
    print(f"ray: {rows} rows mapped through Rust in {result.num_rows} results; total {total:.0f} (expected {values.sum():.0f})")


if __name__ == "__main__":
    main()
