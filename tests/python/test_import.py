"""Rust reading Python's arrays: any strides, any byte order, clear refusals."""
import array

import numpy as np
import pytest


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.arange(10.0),
        lambda: np.arange(20.0)[::-3],
        lambda: np.arange(24.0).reshape(2, 3, 4).transpose(2, 0, 1),
        lambda: np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        lambda: np.arange(6, dtype=">f8"),
        lambda: np.broadcast_to(np.arange(3.0), (4, 3)),
        lambda: np.zeros((0, 5)),
        lambda: np.frombuffer(b"\0" + np.arange(5.0).tobytes(), dtype="<f8", offset=1),
        lambda: np.arange(8.0).reshape(2, 4)[:, 1:3],
    ],
)
def test_sum_matches_numpy(demo, make):
    x = make()
    assert demo.sum_f64(x) == pytest.approx(float(np.sum(x)))


def test_other_exporters(demo):
    assert demo.sum_f64(array.array("d", [1.5, 2.5])) == 4.0
    assert demo.sum_f64(memoryview(np.arange(4.0))) == 6.0
    # bytes-like objects export unsigned bytes, not float64.
    with pytest.raises(TypeError, match=r"expected float64 items, got \|u1"):
        demo.sum_f64(bytearray(np.arange(3.0).tobytes()))


def test_dlpack_producers(demo):
    pa = pytest.importorskip("pyarrow")
    assert demo.sum_f64(pa.array([1.0, 2.0, 3.5])) == 6.5

    class OnlyDLPack:
        def __init__(self, a):
            self.a = a

        def __dlpack__(self, **kwargs):
            return self.a.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.a.__dlpack_device__()

    assert demo.sum_f64(OnlyDLPack(np.arange(5.0)[::2])) == 6.0
    assert demo.sum_f64(OnlyDLPack(demo.transposed(2, 2))) == 22.0


def test_refusals(demo):
    with pytest.raises(TypeError):
        demo.sum_f64(3)
    with pytest.raises(TypeError):
        demo.sum_f64("not an array")
    with pytest.raises(TypeError, match="expected float64 items, got <f4"):
        demo.sum_f64(np.arange(3, dtype="<f4"))
    with pytest.raises(TypeError, match=r"expected float64 items, got \|u1"):
        demo.sum_f64(b"12345678")
    with pytest.raises(TypeError, match="expected float64 items, got <c16"):
        demo.sum_f64(np.arange(3, dtype=complex))
    with pytest.raises(TypeError, match="T{"):
        demo.sum_f64(np.zeros(2, dtype=[("a", "<f8"), ("b", "<f8")]))


def test_a_derived_consumer_is_a_pyfunction_argument(demo):
    # `#[array(python)]` on a consumer: any array of the right shape and type, copied.
    image = np.zeros((3, 5, 4), np.uint8)
    image[..., 0] = np.arange(15, dtype=np.uint8).reshape(3, 5)
    assert demo.red_total(image) == (3, 5, sum(range(15)))
    # Any layout: a transposed view of a 5x3 image is copied in logical order.
    t = np.ascontiguousarray(image.transpose(1, 0, 2)).transpose(1, 0, 2)
    assert not t.flags.c_contiguous
    assert demo.red_total(t) == (3, 5, sum(range(15)))
    with pytest.raises(TypeError):
        demo.red_total(np.zeros((3, 5, 4), np.float32))
    with pytest.raises(ValueError):
        demo.red_total(np.zeros((3, 5, 3), np.uint8))


def test_refusals_give_advice_in_python_terms(demo):
    big = np.arange(4.0).astype(">f8")
    with pytest.raises(TypeError) as e:
        demo.sum_sqrt(big)
    message = str(e.value)
    assert "to_native_order" not in message and "to_vec_native" not in message, message
    assert "newbyteorder" in message, message
    # The advice works as written.
    fixed = big.astype(big.dtype.newbyteorder("="))
    assert demo.sum_sqrt(fixed) == pytest.approx(sum((1 + x * x) ** 0.5 for x in range(4)))


def test_record_mismatches_name_the_field(demo):
    want = np.dtype([("pos", "<f4", (3,)), ("id", "<u4"), ("mass", "<f8")])
    good = np.zeros(4, want)
    good["mass"] = [1.0, 2.0, 3.5, 4.0]
    assert demo.total_mass(good) == 10.5
    lighter = np.zeros(4, [("pos", "<f4", (3,)), ("id", "<u4"), ("mass", "<f4"), ("pad", "V4")])
    with pytest.raises(TypeError, match="field 'mass' is float32, expected float64"):
        demo.total_mass(lighter)
    renamed = np.zeros(4, [("pos", "<f4", (3,)), ("id", "<u4"), ("weight", "<f8")])
    with pytest.raises(TypeError, match="field 'mass' is missing"):
        demo.total_mass(renamed)
