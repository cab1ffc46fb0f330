"""JAX on CPU as the DLPack client for the item types numpy cannot carry: FP8 and bfloat16
arrays go JAX -> Rust -> JAX with their dtype intact."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")


@pytest.mark.parametrize("name", ["float8_e4m3fn", "float8_e5m2", "bfloat16"])
def test_jax_arrays_round_trip_through_rust(demo, name):
    dtype = getattr(jnp, name)
    x = jnp.arange(12, dtype=dtype).reshape(3, 4)
    # JAX refuses the buffer protocol for these (BufferError); import() goes on to DLPack, in
    # place.
    route, shape, _ = demo.import_route(x)
    assert (route, shape) == ("DLPack", [3, 4])
    address, item = demo.import_address(x)
    assert address == x.unsafe_buffer_pointer()
    assert item == {"bfloat16": "E"}.get(name, name)
    # Rust copies it and hands the copy to JAX, which reads it with the same dtype. JAX takes
    # only DLPack's legacy capsule, which cannot say read-only, so the export is writable.
    y = jnp.from_dlpack(demo.writable_copy_of(x))
    assert y.dtype == x.dtype and y.shape == x.shape
    assert bool((y.astype(jnp.float32) == x.astype(jnp.float32)).all())
    # Read-only exports refuse that capsule rather than hand out writable memory.
    with pytest.raises(BufferError, match="read-only"):
        jnp.from_dlpack(demo.copy_of(x))


def test_numpy_arrays_reach_jax_through_rust(demo):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = jnp.from_dlpack(demo.writable_copy_of(a))
    assert y.dtype == jnp.float32 and np.asarray(y).tolist() == a.tolist()


FP8 = ["float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz",
       "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu"]


@pytest.mark.parametrize("name", FP8)
def test_every_fp8_format_reads_as_its_byte_type_and_goes_back(demo, name):
    dtype = getattr(jnp, name, None)
    if dtype is None:
        pytest.skip(f"this JAX has no {name}")
    x = jnp.arange(1, 13, dtype=jnp.float32).reshape(3, 4).astype(dtype)
    bits = np.asarray(jax.lax.bitcast_convert_type(x, jnp.uint8)).ravel().tolist()
    # JAX -> Rust: typed through array_protocol::bytes8, the same bytes.
    assert demo.minifloat_bytes(x) == bytes(bits)
    # Rust -> JAX: the copy keeps the dtype and the bits.
    y = jnp.from_dlpack(demo.writable_copy_of(x))
    assert y.dtype == x.dtype and y.shape == x.shape
    assert np.asarray(jax.lax.bitcast_convert_type(y, jnp.uint8)).ravel().tolist() == bits


def test_packed_fp4_is_refused_as_items(demo):
    if not hasattr(jnp, "float4_e2m1fn"):
        pytest.skip("this JAX has no float4_e2m1fn")
    x = jnp.zeros(6, dtype=jnp.float4_e2m1fn)
    with pytest.raises(BufferError, match="packs float4_e2m1fn"):
        demo.import_route(x)
