"""GPU tensors through Rust, never touched: a torch CUDA tensor is taken over by the demo module
(`pass_through`, a `python::DeviceArray`), handed on to CuPy and JAX through DLPack, and each
consumer sees the same device memory with the values unchanged. Run by scripts/gpu-check.sh on a
machine with an NVIDIA GPU and torch, CuPy and JAX installed."""
import gc
import sys

import array_protocol_demo as demo


def check(name, ok):
    print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return ok


def main():
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 0
    results = []
    x = torch.arange(24, dtype=torch.float32, device="cuda").reshape(4, 6)
    torch.cuda.synchronize()
    expected = x.cpu().clone()
    t = demo.pass_through(x)
    results.append(check("device is CUDA", t.device[0] == 2))
    results.append(check("same pointer as torch", t.data_ptr == x.data_ptr()))
    results.append(check("shape and strides", (t.shape, t.strides) == ([4, 6], [6, 1])))
    if hasattr(type(x), "__dlpack_c_exchange_api__"):
        results.append(check("taken through torch's DLPack exchange table", t.via_exchange_api))
    else:
        print("skip exchange API (this torch publishes no __dlpack_c_exchange_api__)")
    try:
        import cupy

        c = cupy.from_dlpack(t)
        results.append(check("cupy sees the same memory", c.data.ptr == x.data_ptr()))
        results.append(check("cupy sees the values", bool((cupy.asnumpy(c) == expected.numpy()).all())))
        del c
    except ImportError:
        print("skip cupy (not installed)")
    try:
        import jax
        import jax.numpy as jnp

        if any(d.platform == "gpu" for d in jax.devices()):
            j = jnp.from_dlpack(demo.pass_through(x))
            results.append(check("jax sees the values", bool((jax.device_get(j) == expected.numpy()).all())))
            del j
        else:
            print("skip jax (no GPU backend)")
    except ImportError:
        print("skip jax (not installed)")
    back = torch.from_dlpack(t)
    results.append(check("torch takes it back, same memory", back.data_ptr() == x.data_ptr()))
    results.append(check("values unchanged on the device", bool((x.cpu() == expected).all())))
    del t, back
    gc.collect()
    torch.cuda.synchronize()
    results.append(check("the tensor is still valid after every holder is gone", bool((x.cpu() == expected).all())))
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
