//! `.npy` headers read as numpy reads them (checked against numpy 2.4's `np.load`): what numpy
//! refuses is refused, what it accepts means the same here.
#![cfg(feature = "memmap2")]

use array_protocol::mmap::MmapArray;
use array_protocol::{ArrayProducer, Element, ErrorKind, ItemType};

/// A version `major`.0 file with header `dict` and `data`.
fn file(major: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[major, 0]);
    let prefix = if major == 1 { 10 } else { 12 };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    let len = total - prefix;
    if major == 1 {
        out.extend_from_slice(&(len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out.extend_from_slice(data);
    out
}

fn read(dict: &str) -> Result<MmapArray, array_protocol::Error> {
    MmapArray::from_bytes(&file(1, dict, &[0; 64]))
}

fn refused(dict: &str) -> String {
    match read(dict) {
        Ok(a) => panic!("{dict} read as {:?}", a.header()),
        Err(e) => {
            assert!(
                matches!(e.kind(), ErrorKind::Format | ErrorKind::Layout),
                "{e}"
            );
            e.to_string()
        }
    }
}

#[test]
fn a_repeated_key_keeps_its_last_value_as_in_python() {
    let data = 7i64.to_le_bytes();
    let a = MmapArray::from_bytes(&file(
        1,
        "{'descr': '<f8', 'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
        &data,
    ))
    .unwrap();
    assert_eq!(a.header().item, i64::item_type());
    assert_eq!(a.array().to_vec::<i64>().unwrap(), [7]);
    let a = read("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), 'fortran_order': False}")
        .unwrap();
    assert!(!a.header().fortran_order);
    let a = read("{'shape': (2,), 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}").unwrap();
    assert_eq!(a.header().shape, [3]);
}

#[test]
fn keys_must_be_exactly_the_three() {
    let e = refused("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}");
    assert!(e.contains("'extra'"), "{e}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 1: 2}");
    let e = refused("{'descr': '<f8', 'shape': (1,)}");
    assert!(e.contains("no \"fortran_order\" key"), "{e}");
}

#[test]
fn sub_array_dimensions_past_a_c_int_are_refused_not_truncated() {
    for dim in [
        "18446744073709551617",
        "18446744073709551616",
        "9223372036854775808",
        "4611686018427387904",
        "2147483648",
    ] {
        let e = refused(&format!(
            "{{'descr': [('a', '|V0', ({dim},))], 'fortran_order': False, 'shape': (1,)}}"
        ));
        assert!(e.contains("too large"), "{e}");
        refused(&format!(
            "{{'descr': [('a', '<f8', (2, {dim}))], 'fortran_order': False, 'shape': (0,)}}"
        ));
    }
    let e = refused("{'descr': [('a', '<f8', (2, -1))], 'fortran_order': False, 'shape': (1,)}");
    assert!(e.contains("non-negative"), "{e}");
    let ok =
        read("{'descr': [('a', '|u1', (2, 3))], 'fortran_order': False, 'shape': (1,)}").unwrap();
    assert_eq!(ok.header().item.itemsize(), 6);
    // numpy's item sizes are C ints, and it has no sub-arrays of zero-size items.
    refused("{'descr': [('a', '<f8', (2, 2147483647))], 'fortran_order': False, 'shape': (0,)}");
    refused(
        "{'descr': [('a', '|V2147483647'), ('b', '|V1')], 'fortran_order': False, 'shape': (0,)}",
    );
    refused("{'descr': '|V3000000000', 'fortran_order': False, 'shape': (0,)}");
    refused("{'descr': [('a', '|V0', (1,))], 'fortran_order': False, 'shape': (1,)}");
    let big = read("{'descr': '|V2147483647', 'fortran_order': False, 'shape': (0,)}").unwrap();
    assert_eq!(big.header().item.itemsize(), 2147483647);
}

#[test]
fn shape_dimensions_must_fit_isize() {
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775808,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 18446744073709551617)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9223372036854775807)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (True,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}");
    let e = refused(&format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}1,)}}",
        "9".repeat(40)
    ));
    assert!(e.contains("integer"), "{e}");
}

#[test]
fn parentheses_around_one_value_are_not_a_tuple() {
    let e = refused("{'descr': '<f8', 'fortran_order': False, 'shape': (1)}");
    assert!(e.contains("'shape' should be a tuple"), "{e}");
    let a = read("{'descr': ('<f8'), 'fortran_order': (False), 'shape': ((2),)}").unwrap();
    assert_eq!(a.header().shape, [2]);
    let a = read("({'descr': '<f8', 'fortran_order': False, 'shape': ()})").unwrap();
    assert_eq!(a.header().shape, [0usize; 0]);
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (1,),,}");
}

#[test]
fn python_2_longs_only_in_versions_1_and_2() {
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,)}";
    for major in [1, 2] {
        let a = MmapArray::from_bytes(&file(major, dict, &[0; 24])).unwrap();
        assert_eq!(a.header().shape, [3]);
    }
    assert!(MmapArray::from_bytes(&file(3, dict, &[0; 24])).is_err());
}

#[test]
fn integers_are_python_3_decimals() {
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (007,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (1.0,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (0x1,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (--1,)}");
    let a = read("{'descr': '<f8', 'fortran_order': False, 'shape': (00, +2, - 0)}").unwrap();
    assert_eq!(a.header().shape, [0, 2, 0]);
}

#[test]
fn strings_are_read_with_python_escapes() {
    // `\f` is a form feed to Python: '<\f8' is no dtype, not '<f8'.
    refused(r"{'descr': '<\f8', 'fortran_order': False, 'shape': (1,)}");
    // An unknown escape keeps its backslash.
    refused(r"{'descr': '<\d8', 'fortran_order': False, 'shape': (1,)}");
    let a = read(r"{'descr': '<f\x38', 'fortran_order': False, 'shape': (1,)}").unwrap();
    assert_eq!(a.header().item, f64::item_type());
    let a = read(r"{'descr': u'<f' '8', 'fortran_order': False, 'shape': (1,)}").unwrap();
    assert_eq!(a.header().item, f64::item_type());
    let named = |dict: &str| {
        read(dict).unwrap().header().item.fields().unwrap()[0]
            .name()
            .map(String::from)
    };
    let tail = "'<f8')], 'fortran_order': False, 'shape': (1,)}";
    assert_eq!(
        named(&format!(r"{{'descr': [('a\'b', {tail}")).as_deref(),
        Some("a'b")
    );
    assert_eq!(
        named(&format!(r"{{'descr': [('a\\b', {tail}")).as_deref(),
        Some("a\\b")
    );
    assert_eq!(
        named(&format!(r"{{'descr': [('a\tb', {tail}")).as_deref(),
        Some("a\tb")
    );
    assert_eq!(
        named(&format!(r"{{'descr': [('\u00e9', {tail}")).as_deref(),
        Some("é")
    );
    // A raw line break ends no string in Python.
    refused("{'descr': '<f8\n', 'fortran_order': False, 'shape': (1,)}");
    refused("{'descr': '''<f8''', 'fortran_order': False, 'shape': (1,)}");
    refused("{'descr': b'<f8', 'fortran_order': False, 'shape': (1,)}");
}

#[test]
fn whitespace_and_comments_as_in_python() {
    let a = read(
        "\n{'descr': '<f8'\n,\x0c 'fortran_order': False,\r 'shape': (1,), } # written by hand",
    )
    .unwrap();
    assert_eq!(a.header().shape, [1]);
    refused("{'descr': '<f8', 'fortran_order': False,\x0b 'shape': (1,)}");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\0");
    refused("{'descr': '<f8', 'fortran_order': Falsey, 'shape': (1,)}");
    refused("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}");
    refused("{'descr': '<f8', 'fortran_order': None, 'shape': (1,)}");
}

#[test]
fn descr_entries_as_numpy_unpacks_them() {
    let tail = "], 'fortran_order': False, 'shape': (1,)}";
    let item = |entries: &str| {
        read(&format!("{{'descr': [{entries}{tail}")).map(|a| a.header().item.clone())
    };
    // Void bytes without a name are padding, with a shape too.
    let t = item("('', '|V4', (2,)), ('b', '<i4')").unwrap();
    assert_eq!(t, ItemType::from_pep3118("8x i:b:").unwrap());
    // A shape `()` is no sub-array, `3` is `(3,)`; lists work as tuples.
    assert_eq!(
        item("('a', '<i4', ())").unwrap(),
        ItemType::from_pep3118("i:a:").unwrap()
    );
    assert_eq!(
        item("['a', '<i4', 3]").unwrap(),
        ItemType::from_pep3118("(3)i:a:").unwrap()
    );
    // `(title, name)`.
    assert_eq!(
        item("(('t', 'a'), '<i4')").unwrap(),
        ItemType::from_pep3118("i:a:").unwrap()
    );
    assert!(item("(('t', 'a', 'x'), '<i4')").is_err());
    assert!(item("('a', '<i4', (2,), 5)").is_err());
    assert!(item("('a',)").is_err());
    assert!(item("('a', '<i4'), ('a', '<i4')").is_err());
}

#[test]
fn deep_nesting_is_an_error() {
    let mut d = String::from("'<i4'");
    for _ in 0..array_protocol::item::MAX_NESTING {
        d = format!("[('x', {d})]");
    }
    let ok = read(&format!(
        "{{'descr': {d}, 'fortran_order': False, 'shape': (1,)}}"
    ))
    .unwrap();
    assert_eq!(ok.header().item.itemsize(), 4);
    let deeper = format!("[('x', {d})]");
    refused(&format!(
        "{{'descr': {deeper}, 'fortran_order': False, 'shape': (1,)}}"
    ));
    let brackets = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let e = refused(&format!(
        "{{'descr': {brackets}, 'fortran_order': False, 'shape': (1,)}}"
    ));
    assert!(e.contains("brackets nested more than"), "{e}");
}

#[test]
fn truncated_and_odd_prefixes_are_refused() {
    assert!(MmapArray::from_bytes(b"").is_err());
    assert!(MmapArray::from_bytes(b"\x93NUMPY\x02\x00\xff").is_err());
    assert!(MmapArray::from_bytes(b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}").is_err());
    assert!(MmapArray::from_bytes(b"\x93NUMPY\x01\x00\x05\x00{}").is_err());
    let short = file(
        1,
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
        &[0; 15],
    );
    let e = MmapArray::from_bytes(&short).err().unwrap();
    assert!(e.to_string().contains("truncated"), "{e}");
}
