//! Item types from hostile descriptions: nesting limits in every dialect, and linear costs.

use array_protocol::item::MAX_NESTING;
use array_protocol::{Descr, DescrField, DescrFormat, Dialect, ItemType};

fn nested_format(levels: usize) -> String {
    format!("{}i{}", "T{".repeat(levels), "}".repeat(levels))
}

/// As `nested_format`, every field named `x`: descr names unnamed fields, so only named ones
/// round-trip through a descr unchanged.
fn nested_named(levels: usize) -> String {
    format!("{}i:x:{}", "T{".repeat(levels), "}:x:".repeat(levels))
}

fn nested_descr(levels: usize) -> Descr {
    let mut d = Descr(vec![DescrField {
        name: "x".into(),
        format: DescrFormat::Typestr("<i4".into()),
        shape: None,
    }]);
    for _ in 1..levels {
        d = Descr(vec![DescrField {
            name: "x".into(),
            format: DescrFormat::Fields(d),
            shape: None,
        }]);
    }
    d
}

#[test]
fn ten_thousand_nested_structs_are_an_error_not_a_crash() {
    let format = nested_format(10_000);
    let e = ItemType::from_pep3118(&format).unwrap_err();
    assert_eq!(e.dialect(), Dialect::Pep3118);
    // Refused at the first `T{` no record may be in (any struct around it has a field).
    assert_eq!(e.position(), Some(2 * (MAX_NESTING + 1)));
    assert!(e.message().contains("at most 32 levels"), "{e}");
    // Unclosed: the limit is reached before the missing braces.
    let e = ItemType::from_pep3118(&"T{".repeat(10_000)).unwrap_err();
    assert!(e.message().contains("at most 32 levels"), "{e}");
    // Inside a sub-array and after other fields, too.
    let e = ItemType::from_pep3118(&format!("i:a:(2){format}:b:")).unwrap_err();
    assert!(e.message().contains("at most 32 levels"), "{e}");
}

#[test]
fn the_nesting_limit_is_exact_and_round_trips() {
    let deepest = ItemType::from_pep3118(&nested_format(MAX_NESTING)).unwrap();
    let rendered = deepest.to_pep3118();
    assert_eq!(rendered, nested_format(MAX_NESTING));
    assert_eq!(ItemType::from_pep3118(&rendered).unwrap(), deepest);
    assert!(ItemType::from_pep3118(&nested_format(MAX_NESTING + 1)).is_err());
    // Named fields: `T{…}:x:` at top level is a struct holding the outermost `T{…}`.
    let named = ItemType::from_pep3118(&nested_named(MAX_NESTING - 1)).unwrap();
    assert_eq!(ItemType::from_pep3118(&named.to_pep3118()).unwrap(), named);
    assert_eq!(ItemType::from_descr(&named.descr()).unwrap(), named);
    assert!(ItemType::from_pep3118(&nested_named(MAX_NESTING)).is_err());
    // A top-level struct of several items is one more level around its fields.
    let e = ItemType::from_pep3118(&format!("i{}", nested_format(MAX_NESTING))).unwrap_err();
    assert_eq!(e.position(), Some(1));
    assert!(e.message().contains("33 levels deep"), "{e}");
    let ok = ItemType::from_pep3118(&format!("i{}", nested_format(MAX_NESTING - 1))).unwrap();
    assert_eq!(ItemType::from_pep3118(&ok.to_pep3118()).unwrap(), ok);
    // Opaque bytes (`T{}`, `T{3x}`) are no record level, even in the deepest record.
    let opaque = format!(
        "{}T{{}}i{}",
        "T{".repeat(MAX_NESTING),
        "}".repeat(MAX_NESTING)
    );
    let t = ItemType::from_pep3118(&opaque).unwrap();
    assert_eq!(ItemType::from_pep3118(&t.to_pep3118()).unwrap(), t);
    let padded = format!(
        "{}T{{3x}}{}",
        "T{".repeat(MAX_NESTING),
        "}".repeat(MAX_NESTING)
    );
    assert!(ItemType::from_pep3118(&padded).is_ok());
    let e = ItemType::from_pep3118(&format!(
        "{}T{{i}}{}",
        "T{".repeat(MAX_NESTING),
        "}".repeat(MAX_NESTING)
    ))
    .unwrap_err();
    assert_eq!(e.position(), Some(0));
    assert!(e.message().contains("33 levels deep"), "{e}");
    // A named single item is a struct too.
    assert!(ItemType::from_pep3118(&format!("{}:a:", nested_format(MAX_NESTING))).is_err());
}

#[test]
fn descr_nesting_is_limited_the_same_way() {
    let deepest = ItemType::from_descr(&nested_descr(MAX_NESTING)).unwrap();
    assert_eq!(
        ItemType::from_pep3118(&deepest.to_pep3118()).unwrap(),
        deepest
    );
    let e = ItemType::from_descr(&nested_descr(MAX_NESTING + 1)).unwrap_err();
    assert_eq!(e.dialect(), Dialect::Descr);
    assert!(e.message().contains("at most 32 levels"), "{e}");
    // Built by hand (no reader makes one), a `Descr` may nest without bound; dropping it
    // recurses per level as any nested Rust value does, so this part runs on a large stack.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let huge = nested_descr(10_000);
            let e = ItemType::from_descr(&huge).unwrap_err();
            assert!(e.message().contains("at most 32 levels"), "{e}");
            // Its Python literal is written without recursion.
            let text = huge.to_string();
            assert!(text.starts_with("[('x', [('x', ["));
            assert!(text.contains("[('x', '<i4')])])]"));
            assert!(text.ends_with(")])]"));
            assert_eq!(text.matches('[').count(), 10_000);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn twenty_thousand_unnamed_fields_get_numpy_names_in_linear_time() {
    let n = 20_000;
    let t = ItemType::from_pep3118(&"i".repeat(n)).unwrap();
    let d = t.descr();
    assert_eq!(d.0.len(), n);
    for (k, f) in d.0.iter().enumerate() {
        assert_eq!(f.name, format!("f{k}"));
        assert_eq!(f.format, DescrFormat::Typestr("<i4".into()));
    }
    let small = ItemType::from_pep3118(&"i".repeat(2_000)).unwrap();
    assert_eq!(
        ItemType::from_descr(&small.descr()).unwrap().itemsize(),
        4 * 2_000
    );
}

#[test]
fn many_named_fields_parse_and_duplicates_are_found() {
    let format: String = (0..5_000).map(|k| format!("i:a{k}:")).collect();
    let t = ItemType::from_pep3118(&format).unwrap();
    assert_eq!(t.fields().unwrap().len(), 5_000);
    assert_eq!(t.fields().unwrap()[4_999].name(), Some("a4999"));
    let dup = format!("{format}d:a7:");
    let e = ItemType::from_pep3118(&dup).unwrap_err();
    assert_eq!(e.position(), Some(format.len() + 1));
    assert!(e.message().contains("second field named \"a7\""), "{e}");
}

#[test]
fn unnamed_fields_skip_names_already_taken() {
    let t = ItemType::from_pep3118("i:f1: i i:f0: i i:f03: i").unwrap();
    let names: Vec<String> = t.descr().0.into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["f1", "f2", "f0", "f3", "f03", "f4"]);
}

/// A record whose trailing padding (`@` alignment) would take its size past `isize::MAX` is
/// refused with the overflow error, through either reader, never accepted.
#[test]
fn trailing_padding_past_isize_max_is_refused() {
    for format in [
        "i9223372036854775803x",
        "0i9223372036854775807x",
        "(0)i9223372036854775807x",
        "T{i9223372036854775803x}",
        "T{i:a:9223372036854775803x}",
    ] {
        let e = ItemType::from_pep3118(format).unwrap_err();
        assert!(e.message().contains("overflows"), "{format}: {e}");
        assert_eq!(e.dialect(), Dialect::Pep3118, "{format}");
    }
    // The largest size that fits is still read.
    let t = ItemType::from_pep3118("i9223372036854775799x").unwrap();
    assert_eq!(t.itemsize(), isize::MAX as usize - 3);
}
