"""DLPack tensors on devices the CPU cannot address, passed through without being touched: the
producer's memory is a PROT_NONE page, so any read would crash the interpreter."""
import gc

import numpy as np
import pytest

from array_protocol_demo import DLPackTensor  # noqa: F401  (the pass-through type)


def test_device_tensors_are_described_and_passed_on_untouched(demo):
    fake = demo.FakeCuda()
    before = demo.fake_cuda_deleted()
    t = demo.pass_through(fake)
    assert t.device == (2, 0) and t.__dlpack_device__() == (2, 0)
    assert (t.shape, t.strides, t.byte_offset, t.dtype) == ([4, 8], [8, 1], 0, (2, 32, 1))
    assert t.data_ptr == fake.last_pointer and not t.read_only
    # Handed on, twice, through our own consumer: the same memory each time.
    u = demo.pass_through(t)
    w = demo.pass_through(u)
    assert u.data_ptr == w.data_ptr == fake.last_pointer and w.device == (2, 0)
    # Host consumers refuse it without reading it.
    with pytest.raises(BufferError, match="device CUDA"):
        demo.sum_f64(t)
    with pytest.raises(BufferError, match="device CUDA"):
        demo.import_route(fake)
    with pytest.raises(BufferError, match="copy"):
        t.__dlpack__(max_version=(1, 3), copy=True)
    with pytest.raises(BufferError, match="device"):
        t.__dlpack__(max_version=(1, 3), dl_device=(1, 0))
    with pytest.raises((BufferError, RuntimeError, ValueError, TypeError)):
        np.from_dlpack(t)  # numpy refuses non-CPU devices
    # The producer's deleter runs once: when the last holder is gone. The refused imports above
    # each took one tensor of their own (and deleted it once).
    taken = demo.fake_cuda_deleted() - before
    del t, u
    gc.collect()
    assert demo.fake_cuda_deleted() - before == taken
    del w
    gc.collect()
    assert demo.fake_cuda_deleted() - before == taken + 1


def test_unconsumed_capsules_release_once(demo):
    before = demo.fake_cuda_deleted()
    t = demo.pass_through(demo.FakeCuda())
    caps = [t.__dlpack__(max_version=(1, 3)) for _ in range(3)]
    legacy = t.__dlpack__()
    del t, caps, legacy
    gc.collect()
    assert demo.fake_cuda_deleted() - before == 1
