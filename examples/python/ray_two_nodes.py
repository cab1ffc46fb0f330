"""Ray on a two-node local cluster (one CPU and a 200 MiB object store per node): Rust reads
arrays straight out of the object store of the node a task runs on. Run by scripts/ray-check.sh.

Each Ray node's object store (plasma) is one shared mapping of a deleted file, /dev/shm/plasmaXXXXXX
(a file of the same name pattern under the temp directory for fallback allocations), that the
raylet creates and every worker of that node maps; an object fetched from another node is copied
into it by Ray, and pyarrow and numpy then deserialize it in place. The checks, each on addresses
and values:

  a. a fixed_shape_tensor column made by a task on node A, read by Rust in a task on node B: every
     chunk lies inside node B's object store mapping (a different file from node A's, the one
     node B's raylet maps), and the sums are right;
  b. a 64 MiB `ray.put` numpy array read by Rust on node B in place, with no resident growth;
  c. `map_batches` with batches spanning blocks: multi-chunk float64 columns, each chunk imported
     in place (Rust's address is pyarrow's, inside the object store), and the row sums right;
  d. `map_batches` over 10,000 rows of 32×32 float32 tensors in blocks made on both nodes: bytes
     copied by Rust = 0, counted by address and by the peak resident growth of the worker during
     the Rust call.
"""
import os
import time

import numpy as np
import pyarrow as pa
import ray
from ray.cluster_utils import Cluster

import array_protocol_demo as demo

STORE_BYTES = 200 * 2**20


# ---- what a worker sees of itself ------------------------------------------------------------


def store_mappings(pid="self"):
    """(start, end, file) of each object store mapping of a process: a mapping of a file whose
    name starts with `plasma`."""
    out = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and os.path.basename(fields[5].strip()).startswith("plasma"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                out.append((start, end, fields[5].strip()))
    return out


def inside(mappings, address, nbytes):
    return any(start <= address and address + nbytes <= end for start, end, _ in mappings)


def memory_kib():
    """VmRSS, VmHWM (peak), RssAnon and RssShmem of this process, in KiB."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM", "RssAnon", "RssShmem")}


def reset_peak():
    """Sets VmHWM back to the current resident size (proc(5): clear_refs, 5)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def node_id():
    return ray.get_runtime_context().get_node_id()


def touch(array):
    """Reads one value per 4 KiB page (numpy, in place), so the peak measured around the Rust
    call counts new memory only, not first touches of object store pages."""
    flat = array.reshape(-1)
    step = max(1, 4096 // flat.itemsize)
    return float(flat[::step].sum())


def chunk_report(column, itemsize):
    """For each chunk of a fixed_shape_tensor column: the address Rust read (import_chunks), the
    address pyarrow holds for that chunk, and its bytes."""
    report = []
    rust = demo.chunk_addresses(column)
    assert len(rust) == column.num_chunks, (len(rust), column.num_chunks)
    for (route, address, shape), chunk in zip(rust, column.chunks):
        values = chunk.storage.flatten()  # the chunk's values, its offset applied
        own = values.buffers()[1].address + values.offset * itemsize
        report.append((route, address, own, int(np.prod(shape)) * itemsize, shape))
    return report


def tensor_values(first_row, rows, shape, dtype):
    """Rows of small integers (exact sums in float32): row i, flat index k -> (7 i + k) % 251."""
    width = int(np.prod(shape))
    i = np.arange(first_row, first_row + rows, dtype=np.int64)[:, None]
    k = np.arange(width, dtype=np.int64)[None, :]
    return ((7 * i + k) % 251).astype(dtype).reshape((rows, *shape))


def expected_sums(first_row, rows, shape):
    return tensor_values(first_row, rows, shape, np.float64).reshape(rows, -1).sum(axis=1)


# ---- a. a tensor column made on node A, read by Rust on node B --------------------------------


@ray.remote(resources={"node_a": 1}, num_returns=3)
def make_tensor_column(rows, shape):
    column = pa.FixedShapeTensorArray.from_numpy_ndarray(tensor_values(0, rows, shape, np.float32))
    return pa.table({"img": column}), node_id(), [f for *_, f in store_mappings()]


@ray.remote(resources={"node_b": 1})
def read_tensor_column(table):
    column = table.column("img")
    mappings = store_mappings()
    chunks = chunk_report(column, 4)
    sums = np.array(demo.tensor_sums(column))
    return {
        "node": node_id(),
        "files": [f for *_, f in mappings],
        "raylet": open(f"/proc/{os.getppid()}/comm").read().strip(),
        "raylet_files": [f for *_, f in store_mappings(os.getppid())],
        "chunks": [(route, a, own, n, inside(mappings, a, n)) for route, a, own, n, _ in chunks],
        "sums": sums,
    }


def check_tensor_column_across_nodes():
    rows, shape = 2000, (16, 16)
    table_ref, made_on, made_files = make_tensor_column.remote(rows, shape)
    made_on, made_files = ray.get([made_on, made_files])
    r = ray.get(read_tensor_column.remote(table_ref))
    assert r["node"] != made_on, "the reading task ran on the node that made the column"
    assert r["files"] and made_files, (r["files"], made_files)
    assert not set(r["files"]) & set(made_files), f"one object store file on both nodes: {r['files']}"
    assert r["raylet"] == "raylet" and set(r["files"]) <= set(r["raylet_files"]), (
        f"the worker's store {r['files']} is not its raylet's ({r['raylet']}: {r['raylet_files']})"
    )
    assert r["chunks"], "no chunks"
    for route, address, own, nbytes, in_store in r["chunks"]:
        assert route == "Arrow", route
        assert address == own, f"Rust read {address:#x}, pyarrow holds the chunk at {own:#x}"
        assert in_store, f"chunk at {address:#x} ({nbytes} bytes) outside node B's object store {r['files']}"
    assert np.array_equal(r["sums"], expected_sums(0, rows, shape)), "wrong tensor sums"
    print(
        f"a. {rows}×{shape[0]}×{shape[1]} float32 column made on node {made_on[:8]}, read by Rust on node "
        f"{r['node'][:8]}: {len(r['chunks'])} chunk(s) inside its object store ({r['files'][0]}), sums right"
    )


# ---- b. a large ray.put array read in place on node B -----------------------------------------


@ray.remote(resources={"node_b": 1})
def read_put_array(x):
    mappings = store_mappings()
    touch(x)
    before = memory_kib()
    reset_peak()
    address, item = demo.import_address(x)
    total = demo.sum_f64(x)
    after = memory_kib()
    return {
        "node": node_id(),
        "files": [f for *_, f in mappings],
        "numpy_address": x.ctypes.data,
        "writeable": x.flags.writeable,
        "address": address,
        "item": item,
        "in_store": inside(mappings, address, x.nbytes),
        "total": total,
        "peak_growth_kib": after["VmHWM"] - before["VmRSS"],
        "anon_growth_kib": after["RssAnon"] - before["RssAnon"],
    }


def check_put_array_across_nodes(driver_node):
    big = np.arange(8 * 2**20, dtype=np.float64)  # 64 MiB
    r = ray.get(read_put_array.remote(ray.put(big)))
    assert r["node"] != driver_node, "the reading task ran on the driver's node"
    assert r["address"] == r["numpy_address"], f"Rust read {r['address']:#x}, numpy's data is at {r['numpy_address']:#x}"
    assert r["in_store"], f"{r['address']:#x} (+{big.nbytes} bytes) outside the object store {r['files']}"
    assert r["total"] == float(big.sum()), (r["total"], big.sum())
    assert r["peak_growth_kib"] * 1024 < big.nbytes // 8, f"resident memory grew by {r['peak_growth_kib']} KiB"
    print(
        f"b. ray.put of {big.nbytes >> 20} MiB float64 read by Rust on node {r['node'][:8]} in place "
        f"({r['item']}, in its object store, read-only to numpy: {not r['writeable']}); sum right; "
        f"peak resident growth during the Rust calls {r['peak_growth_kib']} KiB"
    )


# ---- c, d. map_batches: every chunk of every batch read in place -------------------------------


def batch_stats(batch, column, chunks, rows_out, peak_growth_kib):
    """Per-row columns of a batch's result: the batch's chunk statistics, repeated."""
    mappings = store_mappings()
    n = batch.num_rows
    stats = {
        "batch": f"{os.getpid()}-{chunks[0][1]:x}-{n}",
        "node": node_id(),
        "chunks": column.num_chunks,
        "bytes": sum(c[3] for c in chunks),
        "rust_copied_bytes": sum(c[3] for c in chunks if c[1] != c[2]),
        "outside_store_bytes": sum(c[3] for c in chunks if not inside(mappings, c[1], c[3])),
        "peak_growth_kib": peak_growth_kib,
        "chunk_rows": ",".join(str(c[4][0]) for c in chunks),
    }
    out = {"id": batch.column("id"), **rows_out}
    out.update({k: pa.array([v] * n) for k, v in stats.items()})
    return pa.table(out)


def rust_row_sums_in_place(batch: pa.Table) -> pa.Table:
    column = batch.column("x")
    chunks = chunk_report(column, 8)
    sums = demo.chunked_row_sums(column)
    return batch_stats(batch, column, chunks, {"rowsum": pa.array(sums)}, 0)


def rust_tensor_sums_measured(batch: pa.Table) -> pa.Table:
    column = batch.column("img")
    chunks = chunk_report(column, 4)
    for chunk in column.chunks:
        touch(chunk.storage.flatten().to_numpy(zero_copy_only=True))
    before = memory_kib()
    reset_peak()
    sums = demo.tensor_sums(column)
    after = memory_kib()
    return batch_stats(batch, column, chunks, {"rowsum": pa.array(sums)}, after["VmHWM"] - before["VmRSS"])


def batches_of(result):
    """One row per batch: the per-batch columns of `batch_stats`."""
    keys = ["batch", "node", "chunks", "bytes", "rust_copied_bytes", "outside_store_bytes", "peak_growth_kib", "chunk_rows"]
    seen = {}
    for row in result.select(keys).to_pylist():
        seen.setdefault(row["batch"], row)
    return list(seen.values())


def check_sums(result, expected):
    ids = result.column("id").to_numpy()
    assert np.array_equal(np.sort(ids), np.arange(len(expected))), "rows lost or repeated"
    got = result.column("rowsum").to_numpy()
    assert np.array_equal(got, expected[ids]), "wrong row sums"


def check_in_place(batches, what):
    for b in batches:
        assert b["rust_copied_bytes"] == 0, f"{what}: Rust read {b['rust_copied_bytes']} bytes of a batch from a copy: {b}"
        assert b["outside_store_bytes"] == 0, f"{what}: Ray handed over {b['outside_store_bytes']} bytes outside its object store: {b}"


def check_batches_spanning_blocks():
    sizes, width, batch_size = [700, 1300, 900, 1100, 500, 1500], 8, 1000
    tables, first = [], 0
    for n in sizes:
        values = np.arange(first * width, (first + n) * width, dtype=np.float64).reshape(n, width)
        ids = pa.array(np.arange(first, first + n))
        tables.append(pa.table({"id": ids, "x": pa.FixedShapeTensorArray.from_numpy_ndarray(values)}))
        first += n
    ds = ray.data.from_arrow(tables)
    out = ds.map_batches(rust_row_sums_in_place, batch_format="pyarrow", batch_size=batch_size)
    result = pa.concat_tables(ray.get(out.to_arrow_refs()))
    expected = np.arange(first * width, dtype=np.float64).reshape(first, width).sum(axis=1)
    check_sums(result, expected)
    batches = batches_of(result)
    check_in_place(batches, "c")
    spanning = [b for b in batches if b["chunks"] > 1]
    assert spanning, f"no batch spans blocks: {[b['chunk_rows'] for b in batches]}"
    print(
        f"c. blocks of {sizes} rows, batch_size {batch_size}: {len(batches)} batches, rows per chunk "
        f"{sorted(b['chunk_rows'] for b in batches)}; {len(spanning)} span blocks; every chunk read by "
        f"Rust in place in the object store ({sum(b['bytes'] for b in batches)} bytes), row sums right"
    )


@ray.remote(num_returns=1)
def make_block(first, rows, shape):
    img = pa.FixedShapeTensorArray.from_numpy_ndarray(tensor_values(first, rows, shape, np.float32))
    return pa.table({"id": pa.array(np.arange(first, first + rows)), "img": img})


def check_copy_target():
    rows, shape, blocks, batch_size = 10_000, (32, 32), 8, 3000
    per_block = rows // blocks
    refs = [
        make_block.options(resources={"node_a" if k % 2 == 0 else "node_b": 1}).remote(k * per_block, per_block, shape)
        for k in range(blocks)
    ]
    ray.wait(refs, num_returns=len(refs))
    ds = ray.data.from_arrow_refs(refs)
    start = time.perf_counter()
    out = ds.map_batches(rust_tensor_sums_measured, batch_format="pyarrow", batch_size=batch_size)
    result = pa.concat_tables(ray.get(out.to_arrow_refs()))
    seconds = time.perf_counter() - start
    check_sums(result, expected_sums(0, rows, shape))
    batches = batches_of(result)
    check_in_place(batches, "d")
    total = sum(b["bytes"] for b in batches)
    copied = sum(b["rust_copied_bytes"] for b in batches)
    smallest_chunk = min(int(r) for b in batches for r in b["chunk_rows"].split(",")) * 4 * int(np.prod(shape))
    worst_peak = max(b["peak_growth_kib"] for b in batches)
    assert total == rows * 4 * int(np.prod(shape)), (total, rows)
    assert copied == 0
    assert worst_peak * 1024 < smallest_chunk // 2, f"resident memory grew by {worst_peak} KiB during a Rust call"
    nodes = {b["node"] for b in batches}
    print(
        f"d. map_batches over {rows} rows of {shape[0]}×{shape[1]} float32 ({blocks} blocks made on both nodes, "
        f"batch_size {batch_size}, {seconds:.2f} s): bytes copied by Rust = {copied} of {total} read; "
        f"{len(batches)} batches on {len(nodes)} node(s), chunks per batch {[b['chunks'] for b in batches]}, "
        f"rows per chunk {[b['chunk_rows'] for b in batches]}; peak resident growth during a Rust call "
        f"≤ {worst_peak} KiB (the sums it returns: ≤ {batch_size * 4 // 1024} KiB)"
    )


def main():
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 1,
            "object_store_memory": STORE_BYTES,
            "resources": {"node_a": 1},
            "include_dashboard": False,
        },
    )
    try:
        cluster.add_node(num_cpus=1, object_store_memory=STORE_BYTES, resources={"node_b": 1})
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        driver_node = node_id()
        check_tensor_column_across_nodes()
        check_put_array_across_nodes(driver_node)
        check_batches_spanning_blocks()
        check_copy_target()
    finally:
        ray.shutdown()
        cluster.shutdown()
    print("ray two nodes: all checks passed")


if __name__ == "__main__":
    main()
