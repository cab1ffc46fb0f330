"""`TypedArray<T, Ix<N>>` and `TypedArrayMut<T, Ix<N>>`: the number of axes in the signature,
checked at extraction, with shapes as arrays of N."""
import numpy as np
import pytest


def c_order(a):
    return [float(x) for x in np.asarray(a).ravel(order="C")]


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.arange(12.0).reshape(3, 4),
        lambda: np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        lambda: np.arange(60.0).reshape(6, 10)[1::2, ::-3],
        lambda: np.broadcast_to(np.arange(4.0), (3, 4)),
        lambda: np.zeros((0, 5)),
        lambda: np.arange(6.0).reshape(2, 3).T,
    ],
    ids=["c", "fortran", "strided-reversed", "broadcast", "empty", "transposed"],
)
def test_a_matrix_keeps_its_shape_strides_and_values(demo, make):
    a = make()
    shape, strides, by_index = demo.matrix_f64(a)
    assert tuple(shape) == a.shape
    if a.size:
        assert tuple(strides) == a.strides
    assert by_index == c_order(a)


def test_a_matrix_from_other_routes(demo):
    a = np.arange(6.0).reshape(2, 3)
    # The buffer protocol (a memoryview), and __array_interface__ alone.
    assert demo.matrix_f64(memoryview(a)) == ([2, 3], [24, 8], c_order(a))

    class Interface:
        def __init__(self, base):
            self.base = base
            self.__array_interface__ = base.__array_interface__

    assert demo.matrix_f64(Interface(a)) == ([2, 3], [24, 8], c_order(a))
    # A Rust-owned array exported and read back.
    ramp = demo.ramp(4)
    with pytest.raises(ValueError) as e:
        demo.matrix_f64(ramp)
    assert str(e.value) == "expected a 2-D array, got a 1-D array"


@pytest.mark.parametrize(
    "a, found",
    [
        (np.arange(3.0), 1),
        (np.zeros((2, 3, 4)), 3),
        (np.array(1.5), 0),
        (np.zeros((1, 1, 1, 1, 1)), 5),
        (memoryview(np.zeros(4)), 1),
        (memoryview(np.zeros((2, 2, 2))), 3),
    ],
)
def test_another_number_of_axes_is_a_value_error_naming_both(demo, a, found):
    with pytest.raises(ValueError) as e:
        demo.matrix_f64(a)
    assert str(e.value) == f"expected a 2-D array, got a {found}-D array"
    # PyO3 0.30 names the argument in a note; 0.28 (the free-threaded run) names it only for
    # TypeErrors, as a prefix.
    notes = getattr(e.value, "__notes__", [])
    assert not notes or any("'a'" in note for note in notes)


def test_the_item_type_is_still_checked_first_as_a_type_error(demo):
    with pytest.raises(TypeError, match=r"float64|<f8"):
        demo.matrix_f64(np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match=r"float64|<f8"):
        demo.matrix_f64(np.zeros(3, np.int64))
    with pytest.raises(TypeError):
        demo.matrix_f64([[1.0, 2.0]])


def test_a_refused_array_is_not_left_claimed(demo):
    # The numpy route claims the memory before the number of axes is compared: a refusal must
    # let go of it, so that a writable import of the same array succeeds afterwards.
    cube = np.zeros((2, 3, 4), np.float32)
    matrix = np.zeros((2, 3))
    with pytest.raises(ValueError):
        demo.matrix_f64(matrix.reshape(6))
    with pytest.raises(ValueError):
        demo.label_cube(cube[0])
    assert demo.label_cube(cube) == [2, 3, 4]
    demo.normalize(matrix.reshape(6))  # a writable import of the refused array


def test_zero_axes(demo):
    assert demo.scalar_f64(np.array(2.5)) == 2.5
    assert demo.scalar_f64(np.arange(5.0)[3:4].reshape(())) == 3.0
    assert demo.scalar_f64(memoryview(np.array(-1.0))) == -1.0
    with pytest.raises(ValueError) as e:
        demo.scalar_f64(np.array([2.5]))
    assert str(e.value) == "expected a 0-D array, got a 1-D array"
    with pytest.raises(TypeError):
        demo.scalar_f64(2.5)  # a Python float is no array


def test_fixed_array_items_count_their_own_axes(demo):
    image = np.zeros((3, 5, 4), np.uint8)
    assert demo.rgba_shape(image) == [3, 5]
    assert demo.rgba_shape(image[::2, ::-1]) == [2, 5]
    with pytest.raises(ValueError) as e:
        demo.rgba_shape(np.zeros((5, 4), np.uint8))
    assert str(e.value) == (
        "expected a 3-D array, got a 2-D array (the last axis is each item's own)"
    )
    with pytest.raises(ValueError, match=r"^expected a 3-D array, got a 4-D array"):
        demo.rgba_shape(np.zeros((2, 3, 5, 4), np.uint8))


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.zeros((2, 3, 4), np.float32),
        lambda: np.zeros((2, 3, 4), np.float32, order="F"),
        lambda: np.zeros((1, 1, 1), np.float32),
        lambda: np.zeros((3, 0, 2), np.float32),
    ],
    ids=["c", "fortran", "ones", "empty"],
)
def test_a_cube_is_written_in_place_by_index(demo, make):
    a = make()
    assert demo.label_cube(a) == list(a.shape)
    i, j, k = np.indices(a.shape)
    np.testing.assert_array_equal(a, (100 * i + 10 * j + k).astype(np.float32))


def test_a_strided_cube_writes_only_its_elements(demo):
    base = np.full((4, 6, 8), -1.0, np.float32)
    view = base[1::2, ::-2, 3:7]
    assert demo.label_cube(view) == [2, 3, 4]
    i, j, k = np.indices(view.shape)
    np.testing.assert_array_equal(view, (100 * i + 10 * j + k).astype(np.float32))
    untouched = np.ones(base.shape, bool)
    untouched[1::2, ::-2, 3:7] = False
    assert (base[untouched] == -1.0).all()


def test_a_writable_cube_refuses_other_numbers_of_axes_and_types(demo):
    for a in [np.zeros((2, 3), np.float32), np.zeros((1, 2, 3, 4), np.float32), np.array(1, np.float32)]:
        before = a.copy()
        with pytest.raises(ValueError) as e:
            demo.label_cube(a)
        assert str(e.value) == f"expected a 3-D array, got a {a.ndim}-D array"
        np.testing.assert_array_equal(a, before)
    with pytest.raises(TypeError, match=r"float32|<f4"):
        demo.label_cube(np.zeros((2, 2, 2)))
    read_only = np.zeros((2, 2, 2), np.float32)
    read_only.flags.writeable = False
    with pytest.raises((BufferError, ValueError)):
        demo.label_cube(read_only)


def test_a_wrong_item_type_is_named_as_numpy_names_dtypes(demo):
    cases = [
        (demo.typed_f64, np.zeros(3, np.float32), "expected float64, got float32"),
        (demo.typed_f64, memoryview(np.zeros(3, np.int32)), "expected float64, got int32"),
        (demo.typed_f64, np.zeros(3, np.complex128), "expected float64, got complex128"),
        (demo.typed_f64, b"12345678", "expected float64, got uint8"),
        (demo.matrix_f64, np.zeros((2, 2), np.uint16), "expected float64, got uint16"),
        (demo.typed_bool_len, np.zeros(3, np.int8), "expected bool, got int8"),
        (demo.label_cube, np.zeros((2, 2, 2)), "expected float32, got float64"),
    ]
    for f, a, message in cases:
        with pytest.raises(TypeError) as e:
            f(a)
        # PyO3 0.28 prefixes the argument's name to a TypeError; 0.30 adds it as a note.
        assert str(e.value).removeprefix("argument 'a': ") == message
    # Items numpy names otherwise keep the full description; a byte order is not a type.
    with pytest.raises(TypeError, match=r"T\{"):
        demo.typed_f64(np.zeros(2, dtype=[("a", "<f8"), ("b", "<f8")]))
    with pytest.raises(TypeError, match=">f8|byte order"):
        demo.typed_f64(np.zeros(2, ">f8"))
