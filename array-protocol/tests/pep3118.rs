//! The PEP 3118 reader: NumPy's semantics on valid input, a clear error on everything else.

use array_protocol::{ByteOrder, Element, ItemType, ScalarKind};

fn size(format: &str) -> usize {
    ItemType::from_pep3118(format)
        .unwrap_or_else(|e| panic!("{format:?}: {e}"))
        .itemsize()
}

fn offsets(format: &str) -> Vec<usize> {
    let t = ItemType::from_pep3118(format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    t.fields().unwrap().iter().map(|f| f.offset()).collect()
}

#[test]
fn byte_order_marks_are_state_for_the_rest_of_the_string() {
    // The cases numpy documents by behaviour (see PROTOCOLS.md).
    assert_eq!(size("T{<i:a:}d:b:"), 12);
    assert_eq!(size("@T{=b:a:}i:b:"), 5);
    assert_eq!(size("=b:a:@i:b:"), 8);
    assert_eq!(size("@b:a:=i:b:"), 5);
    assert_eq!(size("@ib"), 8);
    assert_eq!(offsets("=b:a:@i:b:"), [0, 4]);
    assert_eq!(offsets("^b:a:d:b:"), [0, 1]);
}

#[test]
fn native_and_standard_sizes() {
    assert_eq!(size("l"), 8);
    assert_eq!(size("<l"), 4);
    assert_eq!(size("=L"), 4);
    assert_eq!(size("^l"), 8);
    assert_eq!(size("n"), std::mem::size_of::<isize>());
    assert_eq!(size("g"), array_protocol::LONG_DOUBLE_SIZE);
    assert_eq!(size("Zg"), 2 * array_protocol::LONG_DOUBLE_SIZE);
    for bad in ["<g", "=n", ">N", "!Zg"] {
        let e = ItemType::from_pep3118(bad).unwrap_err();
        assert!(e.message().contains("has no standard size"), "{bad}: {e}");
    }
}

#[test]
fn byte_orders_are_resolved() {
    let little = ItemType::from_pep3118("<i").unwrap();
    let big = ItemType::from_pep3118(">i").unwrap();
    let network = ItemType::from_pep3118("!i").unwrap();
    assert_eq!(little.as_scalar().unwrap().order(), ByteOrder::Little);
    assert_eq!(big.as_scalar().unwrap().order(), ByteOrder::Big);
    assert_eq!(big, network);
    assert_eq!(ItemType::from_pep3118("=i").unwrap(), i32::item_type());
    assert_eq!(ItemType::from_pep3118("i").unwrap(), i32::item_type());
    // Single bytes have no order, whatever mark precedes them.
    assert_eq!(ItemType::from_pep3118(">B").unwrap(), u8::item_type());
    assert_eq!(ItemType::from_pep3118("<?").unwrap(), bool::item_type());
    assert_ne!(little, big);
}

#[test]
fn counts_lengths_and_subarrays() {
    let t = ItemType::from_pep3118("3d").unwrap();
    assert_eq!(t.as_subarray().unwrap().shape(), [3]);
    let s = ItemType::from_pep3118("10s").unwrap();
    assert_eq!(
        (s.as_scalar().unwrap().kind(), s.itemsize()),
        (ScalarKind::Bytes, 10)
    );
    let w = ItemType::from_pep3118("3w").unwrap();
    assert_eq!(
        (w.as_scalar().unwrap().kind(), w.itemsize()),
        (ScalarKind::Ucs4, 12)
    );
    // `(2)3i` and `(2,3)i` are one sub-array.
    assert_eq!(
        ItemType::from_pep3118("(2)3i").unwrap(),
        ItemType::from_pep3118("(2,3)i").unwrap()
    );
    assert_eq!(ItemType::from_pep3118("1i").unwrap(), i32::item_type());
    // `4x` is padding; named, it is a void field.
    assert_eq!(
        ItemType::from_pep3118("b4xd")
            .unwrap()
            .fields()
            .unwrap()
            .len(),
        2
    );
    let v = ItemType::from_pep3118("b:a:3x:pad:").unwrap();
    let pad = v.field("pad").unwrap();
    assert_eq!(
        (pad.offset(), pad.item().as_scalar().unwrap().kind()),
        (1, ScalarKind::Void)
    );
}

#[test]
fn top_level_structs_as_numpy_forms_them() {
    assert!(ItemType::from_pep3118("d").unwrap().fields().is_none());
    assert!(ItemType::from_pep3118("d:x:").unwrap().fields().is_some());
    assert!(ItemType::from_pep3118("dd").unwrap().fields().is_some());
    let t = ItemType::from_pep3118("T{ii}").unwrap();
    assert_eq!(
        t.fields()
            .unwrap()
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>(),
        [None, None]
    );
    assert_eq!(t.descr().to_string(), "[('f0', '<i4'), ('f1', '<i4')]");
}

#[test]
fn whitespace_between_items_as_in_the_pep() {
    let multi_line = "T{\n    i:ival:\n    (16, 4)d:data:\n}";
    let t = ItemType::from_pep3118(multi_line).unwrap();
    assert_eq!(t.itemsize(), 8 + 16 * 4 * 8);
    assert_eq!(t.field("data").unwrap().offset(), 8);
    // Names keep their spaces.
    let named = ItemType::from_pep3118("i:two words:").unwrap();
    assert!(named.field("two words").is_some());
}

/// `(format, byte, message)` for malformed input, including what numpy silently accepts.
const REFUSED: &[(&str, usize, &str)] = &[
    ("", 0, "found an empty format, expected at least one item"),
    ("   ", 3, "found an empty format, expected at least one item"),
    ("T{", 2, "found end of input, expected `}` closing the struct opened at byte 0"),
    ("T{i:a:", 6, "found end of input, expected `}` closing the struct opened at byte 0"),
    ("T{T{i}", 6, "found end of input, expected `}` closing the struct opened at byte 0"),
    ("}", 0, "found `}`, expected a type code or end of input (no struct is open)"),
    ("i}x", 1, "found `}`, expected a type code or end of input (no struct is open)"),
    ("T{i:a:}}", 7, "found `}`, expected a type code or end of input (no struct is open)"),
    ("T", 1, "found end of input, expected `{` after `T` (a struct is written `T{…}`)"),
    ("Tx", 1, "found `x`, expected `{` after `T` (a struct is written `T{…}`)"),
    ("q2", 2, "found end of input, expected a type code (one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{)"),
    ("y", 0, "found `y`, expected a type code (one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{)"),
    ("Zq", 1, "found `q`, expected `f`, `d` or `g` after `Z` (complex float, double or long double)"),
    ("Z", 1, "found end of input, expected `f`, `d` or `g` after `Z` (complex float, double or long double)"),
    ("i:a:i:a:", 5, "found a second field named \"a\", expected unique field names"),
    ("i:a", 3, "found end of input, expected `:` closing the field name opened at byte 1"),
    ("i:", 2, "found end of input, expected `:` closing the field name opened at byte 1"),
    ("i::", 2, "found `:`, expected a field name (names may not be empty)"),
    (":a:", 0, "found `:`, expected a type code (one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{)"),
    ("<(2,3)i", 1, "found `(`, expected a count or type code (a sub-array shape goes before the byte-order mark)"),
    ("2(3)i", 1, "found `(`, expected a type code (a sub-array shape goes before the count)"),
    ("(2)(3)i", 3, "found `(`, expected a type code ({placeholder})"),
    ("(2,)f", 3, "found `)`, expected a dimension (a decimal number)"),
    ("()i", 1, "found `)`, expected a dimension (a decimal number)"),
    ("(2", 2, "found end of input, expected `,` or `)` closing the shape opened at byte 0"),
    ("(2;3)i", 2, "found `;`, expected `,` or `)` closing the shape opened at byte 0"),
    ("(-1)i", 1, "found `-`, expected a dimension (a decimal number)"),
    ("0s", 0, "found a `s` string of length 0, expected a length of at least 1"),
    ("99999999999999999999999i", 0, "found a number too large for a count or dimension"),
    ("(4294967296,4294967296)d", 23, "the item size overflows: larger than isize::MAX bytes"),
    ("O", 0, "found `O` (Python object pointers), which cannot be read as plain memory and is not supported"),
    ("&i", 0, "found `&` (pointers), which cannot be read as plain memory and is not supported"),
    ("P", 0, "found `P` (void pointers), which cannot be read as plain memory and is not supported"),
    ("t", 0, "found `t` (bit fields), which cannot be read as plain memory and is not supported"),
    ("u", 0, "found `u` (UCS-2 strings), which cannot be read as plain memory and is not supported"),
    ("X{}", 0, "found `X` (function pointers), which cannot be read as plain memory and is not supported"),
    ("10p", 2, "found `p` (Pascal strings), which cannot be read as plain memory and is not supported"),
    ("<", 1, "found end of input, expected a type code (one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{)"),
];

#[test]
fn malformed_formats_are_refused_with_position_and_reason() {
    let codes = "one of ? c b B h H i I l L q Q n N e f d g Zf Zd Zg s w x T{";
    for &(format, position, message) in REFUSED {
        let err = ItemType::from_pep3118(format).expect_err(format);
        let message = message.replace("{placeholder}", codes);
        assert_eq!(
            (err.position(), err.message()),
            (Some(position), message.as_str()),
            "{format:?}"
        );
        assert!(
            err.to_string().starts_with("invalid PEP 3118 format"),
            "{err}"
        );
    }
}

#[test]
fn overflow_in_offsets_is_an_error_not_a_wrap() {
    let huge = format!("{}s{}s", isize::MAX, isize::MAX);
    let err = ItemType::from_pep3118(&huge).unwrap_err();
    assert!(err.message().contains("overflows"), "{err}");
    let nested = "(65536,65536)T{(65536,65536)d}";
    assert!(ItemType::from_pep3118(nested)
        .unwrap_err()
        .message()
        .contains("overflows"));
}

#[test]
fn rendering_is_canonical() {
    let cases = [
        ("d", "d"),
        ("<d", "d"),
        (">d", ">d"),
        ("@B:a:i:b:", "T{B:a:xxxi:b:}"),
        ("<B:a:i:b:", "T{B:a:=i:b:}"),
        ("b:a:>i:b:", "T{b:a:>i:b:}"),
        ("T{i:a:=b:b:}", "T{=i:a:b:b:}"),
        ("i:a:b:b:", "T{i:a:b:b:xxx}"),
        ("3d", "(3)d"),
        ("10s", "10s"),
        ("4x", "4x"),
        ("T{}", "T{}"),
        ("(2)4x:v:", "T{(2)4x:v:}"),
        ("l:a:<q:b:", "T{l:a:l:b:}"),
        ("<e:a:^g:b:", "T{=e:a:^g:b:}"),
        ("e:a:g:b:", "T{e:a:14xg:b:}"),
    ];
    for (input, canonical) in cases {
        let t = ItemType::from_pep3118(input).unwrap();
        let rendered = t.to_pep3118();
        assert_eq!(rendered, canonical, "{input}");
        assert_eq!(
            ItemType::from_pep3118(&rendered).unwrap(),
            t,
            "{input} -> {rendered}"
        );
    }
}
