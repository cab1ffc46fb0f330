"""Ray Data over a tensor column: a table holding a Rust-exported tensor column goes into a Ray
dataset of several blocks (a local cluster of 2 CPUs), a Rust function of the demo module is
mapped over its batches, and the results come back into Rust. A batch that spans blocks holds one
chunk per block; Rust reads the batch's tensor column chunk by chunk, each in place in the memory
Ray hands over (no combine_chunks, which copies). Run by scripts/ray-check.sh."""
import numpy as np
import pyarrow as pa
import ray

import array_protocol_demo as demo


def rust_row_sums(batch: pa.Table) -> pa.Table:
    import array_protocol_demo as demo

    column = batch.column("img")  # a ChunkedArray of fixed_shape_tensor chunks, one per block spanned
    # Where Rust reads each chunk is where pyarrow holds it: nothing copied on the way in.
    for (_, address, _), chunk in zip(demo.chunk_addresses(column), column.chunks, strict=True):
        values = chunk.storage.flatten()
        assert address == values.buffers()[1].address + 8 * values.offset
    # Every chunk imported in place (its row loop then reads a chunk through a Vec of its values;
    # demo.tensor_sums, in ray_two_nodes.py, reads float32 tensors with no copy at all).
    sums = demo.chunked_row_sums(column)  # a Rust-owned array back
    first = batch.column("id")[0].as_py()
    n = len(batch)
    return pa.table({"id": batch.column("id"), "rowsum": pa.array(sums), "batch": [first] * n, "chunks": [column.num_chunks] * n})


def main():
    rows, width = 1000, 4
    values = np.arange(rows * width, dtype=np.float64).reshape(rows, width)
    column = pa.array(demo.reexport(values))  # Rust-exported, zero-copy tensor column
    assert isinstance(column, pa.FixedShapeTensorArray) and column.to_numpy_ndarray().ctypes.data == values.ctypes.data
    table = pa.table({"id": np.arange(rows), "img": column})
    blocks = [table.slice(0, 300), table.slice(300, 450), table.slice(750)]  # views, not copies
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        ds = ray.data.from_arrow(blocks)
        out = ds.map_batches(rust_row_sums, batch_format="pyarrow", batch_size=400)
        result = pa.concat_tables(ray.get(out.to_arrow_refs()))
    finally:
        ray.shutdown()
    ids = result.column("id").to_numpy()
    assert np.array_equal(np.sort(ids), np.arange(rows)), "rows lost or repeated"
    sums = result.column("rowsum")
    assert np.array_equal(sums.to_numpy(), values.sum(axis=1)[ids]), "wrong row sums"
    # Back into Rust: the result column, chunk by chunk, read in place.
    total = sum(demo.sum_f64(chunk) for chunk in sums.chunks)
    assert total == float(values.sum()), (total, values.sum())
    chunks = dict(zip(result.column("batch").to_pylist(), result.column("chunks").to_pylist()))
    assert any(c > 1 for c in chunks.values()), f"no batch spans blocks: {chunks}"
    print(
        f"ray: {rows} rows in {len(blocks)} blocks mapped through Rust in {len(chunks)} batches "
        f"(chunks per batch {[chunks[k] for k in sorted(chunks)]}); total {total:.0f} (expected {values.sum():.0f})"
    )


if __name__ == "__main__":
    main()
