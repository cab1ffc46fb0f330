//! NumPy typestr/descr and DLPack: what each dialect can say, and clear refusals for the rest.

use array_protocol::{
    ByteOrder, DLDataType, Descr, DescrField, DescrFormat, Element, ItemType, ScalarKind,
};

#[test]
fn typestrs_of_scalars() {
    let cases = [
        ("?", "|b1"),
        ("b", "|i1"),
        ("B", "|u1"),
        ("<h", "<i2"),
        (">H", ">u2"),
        ("<i", "<i4"),
        (">q", ">i8"),
        ("<e", "<f2"),
        (">f", ">f4"),
        ("<d", "<f8"),
        ("<Zf", "<c8"),
        (">Zd", ">c16"),
        ("c", "|S1"),
        ("10s", "|S10"),
        ("<3w", "<U3"),
        ("4x:v:", "|V4"),
        ("E", "|V2"),
        ("(2,3)d", "|V48"),
    ];
    for (format, typestr) in cases {
        let t = ItemType::from_pep3118(format).unwrap();
        assert_eq!(t.typestr(), typestr, "{format}");
    }
}

#[test]
fn typestrs_read_back() {
    for typestr in [
        "|b1", "|i1", "<u2", ">i4", "<f8", ">f2", "<c16", "|S7", ">U2", "|V5",
    ] {
        let t = ItemType::from_typestr(typestr).unwrap();
        assert_eq!(t.typestr(), typestr);
    }
    assert_eq!(ItemType::from_typestr("=f8").unwrap(), f64::item_type());
    // One byte: `<`, `>` and `|` all mean the same.
    assert_eq!(ItemType::from_typestr("<u1").unwrap(), u8::item_type());
    let g = ItemType::from_typestr(&format!("<f{}", array_protocol::LONG_DOUBLE_SIZE)).unwrap();
    assert_eq!(g, ItemType::from_pep3118("g").unwrap());
}

#[test]
fn bad_typestrs_are_refused_clearly() {
    let cases: &[(&str, &str)] = &[
        (
            "",
            "found end of input, expected a byte order `<`, `>`, `|` or `=`",
        ),
        (
            "f8",
            "found `f`, expected a byte order `<`, `>`, `|` or `=`",
        ),
        (
            "<",
            "found end of input, expected a kind (one of b i u f c S U V)",
        ),
        ("<x4", "found `x`, expected a kind (one of b i u f c S U V)"),
        (
            "<f",
            "found \"\", expected the size in bytes as a decimal number",
        ),
        (
            "<f8x",
            "found \"8x\", expected the size in bytes as a decimal number",
        ),
        ("<f3", "a Float scalar cannot be 3 bytes"),
        ("<i16", "a Int scalar cannot be 16 bytes"),
        (
            "|i4",
            "found `|` on a 4-byte item, expected a byte order `<`, `>` or `=`",
        ),
        (
            "|S0",
            "found a string of length 0, expected a length of at least 1",
        ),
        (
            "|O8",
            "found `O` (Python objects), which cannot be read as plain memory",
        ),
        ("<M8", "found `M` (datetimes), which are not supported"),
        ("<m8", "found `m` (timedeltas), which are not supported"),
        ("<f99999999999999999999999", "found a size too large"),
    ];
    for &(typestr, message) in cases {
        let err = ItemType::from_typestr(typestr).expect_err(typestr);
        assert_eq!(err.message(), message, "{typestr}");
        assert!(err.to_string().starts_with("invalid NumPy typestr"));
    }
}

fn entry(name: &str, typestr: &str) -> DescrField {
    DescrField {
        name: name.into(),
        format: DescrFormat::Typestr(typestr.into()),
        shape: None,
    }
}

#[test]
fn descr_of_records_with_padding_subarrays_and_nesting() {
    let t = ItemType::from_pep3118("T{B:a:i:b:(2,3)h:m:T{d:x:}:inner:B:c:}").unwrap();
    assert_eq!(
        t.descr().to_string(),
        "[('a', '|u1'), ('', '|V3'), ('b', '<i4'), ('m', '<i2', (2, 3)), ('', '|V4'), \
         ('inner', [('x', '<f8')]), ('c', '|u1'), ('', '|V7')]"
    );
    let back = ItemType::from_descr(&t.descr()).unwrap();
    assert_eq!(back, t);
    // Names are written as Python string literals.
    let quoted = ItemType::from_pep3118("i:it's:").unwrap();
    assert_eq!(quoted.descr().to_string(), "[(\"it's\", '<i4')]");
}

#[test]
fn descr_refusals() {
    let nested_bad = Descr(vec![entry("a", "<f3")]);
    assert!(ItemType::from_descr(&nested_bad)
        .unwrap_err()
        .message()
        .contains("cannot be 3 bytes"));
    let dup = Descr(vec![entry("a", "<f8"), entry("a", "<f8")]);
    let err = ItemType::from_descr(&dup).unwrap_err();
    assert_eq!(err.message(), "duplicate field name \"a\"");
    assert!(err
        .to_string()
        .starts_with("invalid NumPy descr \"[('a', '<f8'), ('a', '<f8')]\""));
    let huge = Descr(vec![DescrField {
        shape: Some(vec![usize::MAX, 2]),
        ..entry("a", "<f8")
    }]);
    assert!(ItemType::from_descr(&huge).is_err());
}

#[test]
fn dlpack_round_trips_and_refusals() {
    let carried = [
        (bool::item_type(), (6, 8)),
        (i8::item_type(), (0, 8)),
        (u16::item_type(), (1, 16)),
        (i64::item_type(), (0, 64)),
        (half::f16::item_type(), (2, 16)),
        (half::bf16::item_type(), (4, 16)),
        (f32::item_type(), (2, 32)),
        (num_complex::Complex64::item_type(), (5, 128)),
    ];
    for (item, (code, bits)) in carried {
        let dt = item
            .to_dlpack()
            .unwrap_or_else(|| panic!("{item} has a DLPack type"));
        assert_eq!((dt.code, dt.bits, dt.lanes), (code, bits, 1));
        assert_eq!(ItemType::from_dlpack(dt).unwrap(), item);
    }
    for format in ["g", ">i", "10s", "c", "3d", "T{d:x:}", "4x"] {
        assert_eq!(
            ItemType::from_pep3118(format).unwrap().to_dlpack(),
            None,
            "{format}"
        );
    }
    let refused = [
        (DLDataType { code: 2, bits: 32, lanes: 4 }, "found a vector type with 4 lanes, expected lanes = 1"),
        (DLDataType { code: 3, bits: 64, lanes: 1 }, "found code 3 (OpaqueHandle) with 64 bits, which has no item type here; expected Int, UInt, Float, Bfloat, Complex, Bool or an FP8/FP6/FP4 code"),
        (DLDataType { code: 99, bits: 8, lanes: 1 }, "found code 99 (unknown) with 8 bits, which has no item type here; expected Int, UInt, Float, Bfloat, Complex, Bool or an FP8/FP6/FP4 code"),
        (DLDataType { code: 2, bits: 128, lanes: 1 }, "found Float with 128 bits, which has no item type here"),
        (DLDataType { code: 0, bits: 4, lanes: 1 }, "found Int with 4 bits, which has no item type here"),
        (DLDataType { code: 6, bits: 1, lanes: 1 }, "found Bool with 1 bits, which has no item type here"),
    ];
    for (dt, message) in refused {
        assert_eq!(ItemType::from_dlpack(dt).unwrap_err().message(), message);
    }
}

#[test]
fn scalar_constructor_normalises_and_refuses() {
    let one = ItemType::scalar(ScalarKind::Int, 1, ByteOrder::Big).unwrap();
    assert_eq!(one.as_scalar().unwrap().order(), ByteOrder::NotApplicable);
    let native = ItemType::scalar(ScalarKind::Float, 8, ByteOrder::NotApplicable).unwrap();
    assert_eq!(native, f64::item_type());
    assert!(ItemType::scalar(
        ScalarKind::Float,
        array_protocol::LONG_DOUBLE_SIZE,
        ByteOrder::NATIVE.swapped()
    )
    .is_err());
    assert!(ItemType::scalar(ScalarKind::Ucs4, 6, ByteOrder::Little).is_err());
    assert!(ItemType::scalar(ScalarKind::Bytes, 0, ByteOrder::Little).is_err());
    assert!(ItemType::scalar(ScalarKind::Bool, 2, ByteOrder::Little).is_err());
}

#[test]
fn element_formats_are_compile_time_constants() {
    const RGB: &str = <[[u8; 3]; 2]>::FORMAT;
    assert_eq!(RGB, "(2,3)B");
    assert_eq!(<[[[f64; 2]; 3]; 4]>::FORMAT, "(4,3,2)d");
    assert_eq!(
        <[[f64; 2]; 3]>::item_type(),
        ItemType::from_pep3118("(3,2)d").unwrap()
    );
    assert_eq!(<[u8; 0]>::item_type().itemsize(), 0);
    assert_eq!(<[u32; 1_000_000]>::FORMAT, "(1000000)I");
    for t in [
        u8::item_type(),
        i64::item_type(),
        f32::item_type(),
        bool::item_type(),
    ] {
        assert_eq!(ItemType::from_pep3118(&t.to_pep3118()).unwrap(), t);
    }
}

#[test]
fn fp8_fp6_fp4_in_every_dialect() {
    use array_protocol::MiniFloat;
    for f in MiniFloat::ALL {
        let t = ItemType::mini_float(f);
        assert_eq!((t.itemsize(), t.alignment()), (1, 1));
        let pep = t.to_pep3118();
        assert_eq!(pep, format!("[{}]", f.name()));
        assert_eq!(ItemType::from_pep3118(&pep).unwrap(), t);
        assert_eq!(t.describe(), f.name());
        assert_eq!(t.typestr(), "|V1");
        assert_eq!(MiniFloat::from_name(f.name()), Some(f));
        assert_eq!(MiniFloat::from_dlpack_code(f.dlpack_code()), Some(f));
        let dt = t.to_dlpack().unwrap();
        assert_eq!((dt.code, dt.bits, dt.lanes), (f.dlpack_code(), f.bits(), 1));
        assert_eq!(ItemType::from_dlpack(dt).unwrap(), t);
    }
    assert_eq!(MiniFloat::from_dlpack_code(6), None);
    assert_eq!(MiniFloat::from_dlpack_code(18), None);
    // Inside records and sub-arrays, in any byte-order mode.
    let rec = ItemType::from_pep3118("T{[float8_e4m3fn]:a:<H:b:3[float4_e2m1fn]:c:}").unwrap();
    assert_eq!(rec.itemsize(), 6);
    assert_eq!(ItemType::from_pep3118(&rec.to_pep3118()).unwrap(), rec);
    assert_eq!(
        rec.field("c").unwrap().item().as_subarray().unwrap().item(),
        ItemType::mini_float(MiniFloat::Float4E2M1Fn)
    );
    for (bad, message) in [
        (
            "[float8]",
            "found the type name [float8], expected one of the FP8/FP6/FP4 formats",
        ),
        (
            "[float8_e4m3fn",
            "found end of input, expected `]` closing the type name opened at byte 0",
        ),
        ("[]", "found the type name [], expected one of"),
    ] {
        let e = ItemType::from_pep3118(bad).unwrap_err();
        assert!(e.message().starts_with(message), "{bad}: {e}");
    }
}
