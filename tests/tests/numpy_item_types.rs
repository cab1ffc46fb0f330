//! Differential tests: our reading of PEP 3118 formats against the real numpy's, on hand-picked
//! cases and several hundred generated ones. The numpy answers are computed when the test runs.

use array_protocol::{Descr, DescrField, DescrFormat, Element, ItemType, ScalarKind};
use array_protocol_tests::{ask, python};
use serde_json::{json, Value};

/// Deterministic xorshift generator, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const CODES: &[&str] = &[
    "?", "c", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "g", "Zf", "Zd",
    "Zg", "s", "w",
];
const ORDERS: &[&str] = &["@", "=", "<", ">", "!", "^"];

fn gen_item(rng: &mut Rng, depth: usize, name: Option<String>, out: &mut String) {
    if rng.below(6) == 0 {
        let dims = 1 + rng.below(2);
        let shape: Vec<String> = (0..dims).map(|_| (1 + rng.below(3)).to_string()).collect();
        out.push_str(&format!("({})", shape.join(",")));
    }
    if rng.below(3) == 0 {
        out.push_str(rng.pick(ORDERS));
    }
    if rng.below(5) == 0 {
        out.push_str(&(2 + rng.below(3)).to_string());
    }
    if depth < 3 && rng.below(6) == 0 {
        out.push_str("T{");
        gen_body(rng, depth + 1, out);
        out.push('}');
    } else {
        out.push_str(rng.pick(CODES));
    }
    if let Some(name) = name {
        out.push_str(&format!(":{name}:"));
    }
}

/// One to four items, at least one of them data, some padding runs, most named.
fn gen_body(rng: &mut Rng, depth: usize, out: &mut String) {
    let n = 1 + rng.below(4);
    for i in 0..n {
        if rng.below(5) == 0 {
            let pad = 1 + rng.below(5);
            if rng.below(3) == 0 {
                out.push_str(rng.pick(ORDERS));
            }
            out.push_str(&if pad == 1 {
                "x".to_string()
            } else {
                format!("{pad}x")
            });
        }
        let name = (rng.below(4) != 0).then(|| format!("n{depth}_{i}"));
        gen_item(rng, depth, name, out);
    }
}

fn generated(count: usize) -> Vec<String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|_| {
            let mut s = String::new();
            gen_body(&mut rng, 0, &mut s);
            s
        })
        .collect()
}

/// Hand-picked cases: every code in every byte order, the alignment rules PROTOCOLS.md lists,
/// sub-arrays, nesting, padding and names.
fn handpicked() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for code in CODES {
        v.push(code.to_string());
        for order in ORDERS {
            v.push(format!("{order}{code}"));
            v.push(format!("b:a:{order}{code}:b:"));
            v.push(format!("{order}b:a:{code}:b:b:c:"));
        }
        v.push(format!("3{code}"));
        v.push(format!("(2,3){code}:m:"));
    }
    for s in [
        "T{<i:a:}d:b:",
        "@T{=b:a:}i:b:",
        "=b:a:@i:b:",
        "@b:a:=i:b:",
        "@ib",
        "ib",
        "i:a:b:b:",
        "T{b:a:xxxi:b:}",
        "T{B:r:B:g:B:b:B:a:}",
        "T{(3)f:pos:I:id:d:mass:}",
        "(2)3i",
        "2T{i:a:b:b:}:s:",
        "i:a:(2)T{i:b:}:c:",
        "T{ii}",
        "T{i:f1:i}",
        "i:f0:i",
        "10s",
        "10s:name:",
        "3x:pad:",
        "4x",
        "b4xd",
        "b:a:4x:v:d:c:",
        "3w",
        "<3w:u:",
        ">3w",
        "T{T{T{d:z:}:y:}:x:}",
        "T{i:a:=b:b:}c:d:",
        "T{<i:a:@b:b:}i:c:",
        "^d:a:b:b:",
        "^b:a:d:b:",
        "i:a:\n  (16,4)d:data:\n",
        " T{ i:x: i:y: } ",
        "(2, 3)f",
        "Zd:c:Zf:d:",
        "?:a:Zg:b:",
        "g:a:b:b:",
        "e:a:f:b:",
        "l:a:L:b:",
        "<l:a:L:b:",
        "!q:a:",
        "(1)i",
        "1i",
        "(5)x:pad:",
        "2c",
        "c:a:c:b:",
    ] {
        v.push(s.to_string());
    }
    v
}

/// Index-path, absolute offset and size of every field, recursively, as the oracle lists them.
fn leaves(item: &ItemType, base: usize, path: &mut Vec<usize>, out: &mut Vec<Value>) {
    let inner = item.as_subarray().map(|a| a.item());
    let item = inner.as_ref().unwrap_or(item);
    let Some(fields) = item.fields() else { return };
    for (i, field) in fields.iter().enumerate() {
        path.push(i);
        out.push(json!([
            path.clone(),
            base + field.offset(),
            field.item().itemsize()
        ]));
        leaves(field.item(), base + field.offset(), path, out);
        path.pop();
    }
}

fn descr_from_json(value: &Value) -> Descr {
    let entries = value.as_array().expect("descr is a list");
    Descr(
        entries
            .iter()
            .map(|e| {
                let name = e[0]
                    .as_str()
                    .unwrap_or_else(|| panic!("name in {value}"))
                    .to_string();
                let format = match &e[1] {
                    Value::String(t) => DescrFormat::Typestr(t.clone()),
                    nested => DescrFormat::Fields(descr_from_json(nested)),
                };
                let shape = e[2]
                    .as_array()
                    .map(|s| s.iter().map(|d| d.as_u64().unwrap() as usize).collect());
                DescrField {
                    name,
                    format,
                    shape,
                }
            })
            .collect(),
    )
}

struct Checked {
    agreed: usize,
    both_refused: usize,
    failures: Vec<String>,
}

/// Compares our reading of each format with numpy's, and checks that our canonical rendering is
/// read by both numpy and us as the same item.
fn compare(formats: &[String], python: &std::path::Path) -> Checked {
    let renders: Vec<String> = formats
        .iter()
        .map(|f| {
            ItemType::from_pep3118(f)
                .map(|t| t.to_pep3118())
                .unwrap_or_default()
        })
        .collect();
    let all: Vec<&String> = formats
        .iter()
        .chain(renders.iter().filter(|r| !r.is_empty()))
        .collect();
    let reply = ask(python, "numpy_oracle.py", &json!({ "formats": all }));
    let answers = reply["formats"].as_array().expect("formats").clone();
    let (original, rendered) = answers.split_at(formats.len());
    let mut rendered = rendered.iter();
    let mut checked = Checked {
        agreed: 0,
        both_refused: 0,
        failures: Vec::new(),
    };
    for (format, numpy) in formats.iter().zip(original) {
        let ours = ItemType::from_pep3118(format);
        let numpy_render = if ours.is_ok() { rendered.next() } else { None };
        let mut fail = |what: String| checked.failures.push(format!("{format:?}: {what}"));
        let item = match (&ours, numpy["ok"].as_bool().unwrap()) {
            (Err(_), false) => {
                checked.agreed += 1;
                checked.both_refused += 1;
                continue;
            }
            (Err(e), true) => {
                fail(format!(
                    "numpy reads it ({}) but we refuse: {e}",
                    numpy["descr"]
                ));
                continue;
            }
            (Ok(t), false) => {
                fail(format!(
                    "numpy refuses it ({}) but we read {t}",
                    numpy["error"]
                ));
                continue;
            }
            (Ok(t), true) => t,
        };
        let mut ok = true;
        let mut check = |what: &str, ours: Value, theirs: &Value| {
            if &ours != theirs {
                ok = false;
                fail(format!("{what}: ours {ours}, numpy {theirs}"));
            }
        };
        check("itemsize", json!(item.itemsize()), &numpy["itemsize"]);
        check("typestr", json!(item.typestr()), &numpy["str"]);
        check("descr", json!(item.descr().to_string()), &numpy["descr"]);
        let mut ours_fields = Vec::new();
        leaves(item, 0, &mut Vec::new(), &mut ours_fields);
        check("field offsets", json!(ours_fields), &numpy["fields"]);
        // numpy's descr read back by us describes the same layout.
        let back = ItemType::from_descr(&descr_from_json(&numpy["descr_json"]));
        match back {
            Ok(back) => {
                check(
                    "descr read back: itemsize",
                    json!(back.itemsize()),
                    &numpy["itemsize"],
                );
                check(
                    "descr read back: descr",
                    json!(back.descr().to_string()),
                    &numpy["descr"],
                );
            }
            Err(e) => fail(format!("numpy's descr {} refused: {e}", numpy["descr"])),
        }
        // `c` and `1s` are both `|S1` to numpy; only the PEP 3118 spelling tells them apart.
        if item
            .as_scalar()
            .is_some_and(|s| s.kind() != ScalarKind::Char)
        {
            let from_typestr = ItemType::from_typestr(numpy["str"].as_str().unwrap());
            if from_typestr.as_ref() != Ok(item) {
                fail(format!(
                    "typestr {} reads back as {from_typestr:?}",
                    numpy["str"]
                ));
            }
        }
        // The canonical rendering reads back to the same item, for us and for numpy.
        let render = item.to_pep3118();
        let numpy_render = numpy_render.expect("one answer per render");
        if ItemType::from_pep3118(&render).as_ref() != Ok(item) {
            fail(format!(
                "rendering {render:?} does not read back to the same item"
            ));
        }
        if !numpy_render["ok"].as_bool().unwrap() {
            fail(format!(
                "numpy refuses our rendering {render:?}: {}",
                numpy_render["error"]
            ));
        } else {
            for key in ["itemsize", "str", "descr", "fields"] {
                if numpy_render[key] != numpy[key] {
                    fail(format!(
                        "numpy reads our rendering {render:?} differently: {key} {} vs {}",
                        numpy_render[key], numpy[key]
                    ));
                }
            }
        }
        if ok {
            checked.agreed += 1;
        }
    }
    checked
}

#[test]
fn formats_agree_with_numpy() {
    let Some(python) = python() else { return };
    let mut formats = handpicked();
    formats.extend(generated(600));
    let checked = compare(&formats, &python);
    eprintln!(
        "{} of {} formats agree with numpy ({} refused by both)",
        checked.agreed,
        formats.len(),
        checked.both_refused
    );
    // Most cases must be valid formats, or the comparison says little.
    assert!(
        checked.both_refused * 4 < formats.len(),
        "too few valid formats generated"
    );
    assert!(
        checked.failures.is_empty(),
        "{} disagreements:\n{}",
        checked.failures.len(),
        checked.failures.join("\n")
    );
    assert!(formats.len() >= 500);
}

#[test]
fn element_formats_equal_numpy_buffer_exports() {
    let Some(python) = python() else { return };
    let cases: Vec<(&str, &str, ItemType)> = vec![
        ("bool", bool::FORMAT, bool::item_type()),
        ("u1", u8::FORMAT, u8::item_type()),
        ("i1", i8::FORMAT, i8::item_type()),
        ("u2", u16::FORMAT, u16::item_type()),
        ("i2", i16::FORMAT, i16::item_type()),
        ("u4", u32::FORMAT, u32::item_type()),
        ("i4", i32::FORMAT, i32::item_type()),
        ("u8", u64::FORMAT, u64::item_type()),
        ("i8", i64::FORMAT, i64::item_type()),
        ("uintp", usize::FORMAT, usize::item_type()),
        ("intp", isize::FORMAT, isize::item_type()),
        ("f2", half::f16::FORMAT, half::f16::item_type()),
        ("f4", f32::FORMAT, f32::item_type()),
        ("f8", f64::FORMAT, f64::item_type()),
        (
            "c8",
            num_complex::Complex32::FORMAT,
            num_complex::Complex32::item_type(),
        ),
        (
            "c16",
            num_complex::Complex64::FORMAT,
            num_complex::Complex64::item_type(),
        ),
    ];
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let reply = ask(&python, "numpy_oracle.py", &json!({ "elements": names }));
    for ((dtype, format, item), numpy) in cases.iter().zip(reply["elements"].as_array().unwrap()) {
        assert_eq!(
            Some(*format),
            numpy.as_str(),
            "FORMAT of the Rust type for numpy dtype {dtype}"
        );
        assert_eq!(
            ItemType::from_pep3118(format).as_ref(),
            Ok(item),
            "{dtype}: FORMAT and item_type() agree"
        );
    }
}

#[test]
fn native_only_codes_agree_with_struct_calcsize() {
    // numpy does not know `n`/`N`; CPython's struct module is the reference for them.
    let Some(python) = python() else { return };
    let formats = ["n", "N", "@n", "@N", "3n", "bn", "bN", "=n", "<N"];
    let reply = ask(&python, "numpy_oracle.py", &json!({ "calcsize": formats }));
    for (format, size) in formats.iter().zip(reply["calcsize"].as_array().unwrap()) {
        match (ItemType::from_pep3118(format), size.as_u64()) {
            // struct does not pad the end of `@` structs; these cases have no trailing padding.
            (Ok(t), Some(n)) => assert_eq!(t.itemsize() as u64, n, "{format}"),
            (Err(_), None) => {}
            (ours, _) => panic!("{format}: ours {ours:?}, struct.calcsize {size}"),
        }
    }
}
