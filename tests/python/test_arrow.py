"""Arrow: exports read zero-copy by pyarrow, Polars and DuckDB through the PyCapsule interface;
imports from pyarrow, Polars and Pillow."""
import gc

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")


class OnlyArrowArray:
    def __init__(self, obj):
        self.obj = obj

    def __arrow_c_array__(self, requested_schema=None):
        return self.obj.__arrow_c_array__(requested_schema)


class OnlyArrowStream:
    def __init__(self, obj):
        self.obj = obj

    def __arrow_c_stream__(self, requested_schema=None):
        return self.obj.__arrow_c_stream__(requested_schema)


def test_pyarrow_reads_exports_in_place(demo):
    r = demo.ramp(6)
    a = pa.array(r)
    assert a.type == pa.float64() and a.to_pylist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert a.buffers()[1].address == np.asarray(r).ctypes.data
    # N-D arrays are fixed-shape tensors, one row per index of the first axis, in place.
    img = demo.rgba_image(5, 3)
    t = pa.array(img)
    assert isinstance(t, pa.FixedShapeTensorArray)
    assert t.type.shape == [5, 4] and t.type.value_type == pa.uint8()
    assert t.type.dim_names == ["W", "C"]  # #[array(dim_names = ["H", "W", "C"])], rows are H
    n = t.to_numpy_ndarray()
    assert (n == np.asarray(img)).all() and n.ctypes.data == np.asarray(img).ctypes.data
    table = pa.table({"img": img})
    assert table.column("img").type == t.type and table.num_rows == 3
    # Inner axes in another order are described with a permutation, not copied.
    base = np.arange(24.0).reshape(2, 4, 3)
    swapped = demo.reexport(base.transpose(0, 2, 1))  # rows of 3 x 4 tensors, stored 4 x 3
    st = pa.array(swapped)
    assert st.type.permutation == [1, 0] and st.type.shape == [4, 3]
    assert st.to_numpy_ndarray().tolist() == base.transpose(0, 2, 1).tolist()
    assert st.buffers()[-1].address == base.ctypes.data
    # A cyclic order of three inner axes is refused in place (pyarrow reads such permutations as
    # their inverse) and copied when allowed.
    cube = np.arange(2 * 2 * 3 * 4, dtype=np.float64).reshape(2, 2, 3, 4)
    cyclic = demo.reexport(cube.transpose(0, 3, 1, 2))
    with pytest.raises(BufferError, match="cycle"):
        pa.array(cyclic)
    assert pa.array(cyclic.arrow(allow_copy=True)).to_numpy_ndarray().tolist() == cube.transpose(0, 3, 1, 2).tolist()
    # Rows that are not one after the other (Fortran order of the first axis) need a copy.
    with pytest.raises(BufferError, match="allow_copy"):
        pa.array(demo.transposed(3, 4))
    # Booleans are arrow.bool8, one byte each.
    b = pa.array(demo.thirds(7))
    assert b.type.extension_name == "arrow.bool8"
    assert b.to_numpy().tolist() == [k % 3 == 0 for k in range(7)]


def test_exports_live_until_arrow_releases_them(demo):
    r = demo.mutable_buffer(4)
    a = pa.array(r)
    assert r.exports >= 1
    with pytest.raises(BufferError, match="live export"):
        r.resize(10)
    del a
    gc.collect()
    assert r.exports == 0
    r.resize(10)
    # Schemas alone and refused exports hold nothing.
    schema = pa.DataType._import_from_c_capsule(demo.ramp(3).__arrow_c_schema__())
    assert schema == pa.float64()
    recs = demo.resizable_records(2)
    with pytest.raises(BufferError):
        pa.array(recs)  # records need a copy per field
    assert recs.exports == 0


def test_copies_only_when_allowed(demo):
    recs = demo.particles(3)
    with pytest.raises(BufferError, match="allow_copy"):
        pa.array(recs)
    s = pa.array(recs.arrow(allow_copy=True))
    assert pa.types.is_struct(s.type)
    n = np.asarray(recs)
    assert s.field("id").to_pylist() == n["id"].tolist()
    assert s.field("mass").to_pylist() == n["mass"].tolist()
    swapped = pa.array(demo.copy_of(np.arange(4, dtype=">f8")).arrow(allow_copy=True))
    assert swapped.type == pa.float64() and swapped.to_pylist() == [0.0, 1.0, 2.0, 3.0]
    f = demo.transposed(3, 4)
    assert pa.array(f.arrow(allow_copy=True)).to_numpy_ndarray().tolist() == np.asarray(f).tolist()


def test_layouts_arrow_cannot_describe_are_refused(demo):
    with pytest.raises(BufferError):
        pa.array(demo.complex_ramp(3))
    with pytest.raises(BufferError):
        pa.array(demo.copy_of(np.arange(4, dtype=">f8")))  # the other byte order


def test_polars_and_duckdb_read_exports(demo):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    r = demo.ramp(5)
    s = pl.Series(r)
    assert s.dtype == pl.Float64 and s.to_list() == [0.0, 1.0, 2.0, 3.0, 4.0]
    # Polars keeps the tensor extension over its storage type, an array of fixed width.
    p = pl.Series(demo.points(3))
    assert p.to_list() == [[0.0, -0.0], [1.0, -1.0], [2.0, -2.0]]
    # DuckDB reads through __arrow_c_stream__; the tensor column is its storage, a fixed list.
    assert duckdb.sql("select sum(r) from (select * from r) t(r)").fetchall() == [(10.0,)]
    points = demo.points(3)
    assert duckdb.sql("select * from points").fetchall() == [((0.0, -0.0),), ((1.0, -1.0),), ((2.0, -2.0),)]


def test_arrow_imports(demo):
    # pyarrow arrays, tensor arrays and Polars series, read in place through the PyCapsule
    # interface (objects that only speak Arrow, so no other route is taken).
    a = pa.array([1.5, 2.5, 4.0])
    assert demo.import_route(OnlyArrowArray(a)) == ("Arrow", [3], True)
    assert demo.sum_f64(OnlyArrowArray(a)) == 8.0
    assert demo.import_address(OnlyArrowArray(a))[0] == a.buffers()[1].address
    tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(np.arange(24.0).reshape(2, 3, 4))
    assert demo.import_route(OnlyArrowArray(tensor)) == ("Arrow", [2, 3, 4], True)
    assert demo.import_address(OnlyArrowArray(tensor))[0] == tensor.to_numpy_ndarray().ctypes.data
    assert np.asarray(demo.copy_of(OnlyArrowArray(tensor))).tolist() == tensor.to_numpy_ndarray().tolist()
    assert demo.sum_f64(OnlyArrowStream(pa.chunked_array([[1.0, 2.0]]))) == 3.0
    with pytest.raises(BufferError, match="2 non-empty chunks"):
        demo.sum_f64(OnlyArrowStream(pa.chunked_array([[1.0, 2.0], [3.0]])))
    assert demo.sum_f64(OnlyArrowStream(pa.chunked_array([[], [1.0, 2.0], []], type=pa.float64()))) == 3.0
    # Offsets are honoured.
    assert demo.sum_f64(OnlyArrowArray(pa.array([9.0, 1.0, 2.0, 9.0]).slice(1, 2))) == 3.0
    # Nulls and bit-packed booleans are not plain strided memory.
    with pytest.raises((BufferError, ValueError), match="null"):
        demo.sum_f64(OnlyArrowArray(pa.array([1.0, None])))
    with pytest.raises((BufferError, ValueError, TypeError), match="bit"):
        demo.copy_of(OnlyArrowArray(pa.array([True, False])))
    # Our own exports come back as themselves.
    img = demo.rgba_image(4, 2)
    assert demo.import_address(OnlyArrowArray(img))[0] == np.asarray(img).ctypes.data
    pl = pytest.importorskip("polars")
    s = pl.Series([1.0, 2.0, 3.5])
    assert demo.import_route(s) == ("Arrow", [3], True) and demo.sum_f64(s) == 6.5


def test_pillow_images_import_through_arrow(demo):
    Image = pytest.importorskip("PIL.Image")
    im = Image.new("RGBA", (3, 2), (1, 2, 3, 4))
    if not hasattr(im, "__arrow_c_array__"):
        pytest.skip("this Pillow exports no Arrow arrays")
    # Pillow's Arrow export is one row per pixel.
    route, shape, _ = demo.import_route(OnlyArrowArray(im))
    assert (route, shape) == ("Arrow", [6, 4])
    assert np.asarray(demo.copy_of(OnlyArrowArray(im))).tolist() == [[1, 2, 3, 4]] * 6
