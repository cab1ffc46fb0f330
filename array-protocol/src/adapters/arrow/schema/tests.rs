//! The tensor metadata reader against RFC 8259: valid JSON is read, anything else refused with
//! the byte where it went wrong.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::{json::MAX_DEPTH, TensorMetadata, FIXED_SHAPE_TENSOR};

fn read(text: &str) -> Result<TensorMetadata, String> {
    TensorMetadata::from_json(FIXED_SHAPE_TENSOR, text.as_bytes()).map_err(|e| e.to_string())
}

/// Whether `text` is refused with an error that says `what` at byte `at`; the error otherwise.
fn refusal(text: &str, what: &str, at: usize) -> Result<(), String> {
    match read(text) {
        Ok(m) => Err(alloc::format!("{text}: read as {m:?}")),
        Err(e) if e.contains(what) && e.contains(&alloc::format!("at byte {at}")) => Ok(()),
        Err(e) => Err(alloc::format!("{text}: {e}")),
    }
}

fn refused_at(text: &str, what: &str, at: usize) {
    refusal(text, what, at).unwrap_or_else(|e| panic!("{e}"));
}

fn shape_of(text: &str) -> Vec<usize> {
    read(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .shape
        .expect("a shape")
}

#[test]
fn invalid_values_under_skipped_keys_are_refused() {
    // Found by fuzzing: each was once read as a tensor of shape [2].
    let wrong = [
        (r#"{"shape":[2],"a":e}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":01}"#, "leading zero", 17),
        (r#"{"shape":[2],"a":+1}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":1.2.3}"#, "expected `,`", 20),
        (r#"{"shape":[2],"a":[E,+,.]}"#, "expected a JSON value", 18),
        (r#"{"shape":[02]}"#, "leading zero", 10),
        // More of the number grammar.
        (r#"{"shape":[2],"a":-}"#, "expected a digit", 18),
        (r#"{"shape":[2],"a":-01}"#, "leading zero", 17),
        (r#"{"shape":[2],"a":1.}"#, "expected a digit", 19),
        (r#"{"shape":[2],"a":.5}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":1e}"#, "expected a digit", 19),
        (r#"{"shape":[2],"a":1e+}"#, "expected a digit", 20),
        (r#"{"shape":[2],"a":1E-x}"#, "expected a digit", 20),
        (r#"{"shape":[2],"a":0x10}"#, "expected `,`", 18),
        (r#"{"shape":[2],"a":Infinity}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":NaN}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":1-2}"#, "expected `,`", 18),
        // Literals, strings, structure.
        (r#"{"shape":[2],"a":tru}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":trueish}"#, "expected `,`", 21),
        (r#"{"shape":[2],"a":None}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":'x'}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],"a":"\x"}"#, "invalid escape", 18),
        (r#"{"shape":[2],"a":"\u12"}"#, "hex digit", 22),
        (r#"{"shape":[2],"a":"\ud800"}"#, "without its low half", 18),
        (
            r#"{"shape":[2],"a":"\ud800\u0041"}"#,
            "followed by no low one",
            24,
        ),
        (r#"{"shape":[2],"a":"\udc00"}"#, "without its high half", 18),
        (
            "{\"shape\":[2],\"a\":\"tab\there\"}",
            "control character",
            21,
        ),
        (r#"{"shape":[2],"a":"open}"#, "unterminated string", 23),
        (r#"{"shape":[2],"a":[1,]}"#, "expected a JSON value", 20),
        (r#"{"shape":[2],"a":[1 2]}"#, "expected `,`", 20),
        (r#"{"shape":[2],"a":{"k"}}"#, "expected `:`", 21),
        (r#"{"shape":[2],"a":{"k":1,}}"#, "expected `\"`", 24),
        (r#"{"shape":[2],"a":{k:1}}"#, "expected `\"`", 18),
        (r#"{"shape":[2],"a":[}"#, "expected a JSON value", 18),
        (r#"{"shape":[2],"a":}"#, "expected a JSON value", 17),
        (r#"{"shape":[2],}"#, "expected `\"`", 13),
        (r#"{"shape":[2] "a":1}"#, "expected `,`", 13),
        (r#"{"shape":[2],"shape":[2]}"#, "duplicate key", 13),
        (r#"{"shape":[2]}{}"#, "text after the object", 13),
        ("{\"shape\":[2],\"a\":1}\u{c}", "text after the object", 19),
        ("\u{feff}{\"shape\":[2]}", "expected `{`", 0),
        (r#"{"shape":[2,-0]}"#, "non-negative integer", 12),
        (r#"{"shape":[2,2e0]}"#, "non-negative integer", 12),
        (r#"{"shape":[2,null]}"#, "non-negative integer", 12),
        (
            r#"{"shape":[2],"uniform_shape":[nul]}"#,
            "non-negative integer",
            30,
        ),
    ]
    .iter()
    .filter_map(|&(text, what, at)| refusal(text, what, at).err())
    .collect::<Vec<_>>();
    assert!(wrong.is_empty(), "{wrong:#?}");
    let e = TensorMetadata::from_json(FIXED_SHAPE_TENSOR, b"{\"shape\":[2],\"a\":\"\xff\"}")
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid UTF-8 at byte 18"), "{e}");
}

#[test]
fn nesting_in_skipped_values_is_bounded() {
    let deep = |n: usize| {
        alloc::format!(
            "{{\"shape\":[2],\"a\":{}1{}}}",
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    assert_eq!(shape_of(&deep(MAX_DEPTH)), [2]);
    refused_at(&deep(MAX_DEPTH + 1), "nested more than", 18 + MAX_DEPTH);
    refused_at(&deep(100_000), "nested more than", 18 + MAX_DEPTH);
}

#[test]
fn valid_json_is_read() {
    for text in [
        // Whitespace of all four kinds, everywhere it may go.
        " \t\r\n{ \t\r\n\"shape\" \t\r\n: \t\r\n[ \t\r\n2 \t\r\n, 3 ] \t\r\n} \t\r\n",
        // Numbers under skipped keys, by every branch of the grammar.
        r#"{"a":0,"b":-0,"c":12,"d":-1.5,"e":1e9,"f":1E+9,"g":2.5e-3,"h":0.0,"shape":[2,3]}"#,
        r#"{"big":123456789012345678901234567890e-999999,"shape":[2,3]}"#,
        // Literals, nested objects and arrays, empty ones.
        r#"{"shape":[2,3],"x":{"y":[true,false,null,{},[],{"z":[[[]]]}]}}"#,
        // Escapes in strings, keys included; a key only spelled like `shape` is another key.
        r#"{"shape":[2,3],"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","k\u0065y":1,"shap\u0065x":[9]}"#,
        // Non-ASCII text, raw.
        "{\"shape\":[2,3],\"名前\":\"é😀\"}",
        // `null` in `uniform_shape`.
        r#"{"shape":[2,3],"uniform_shape":[null,3]}"#,
    ] {
        assert_eq!(shape_of(text), [2, 3], "{text}");
    }
    // Escaped keys are the keys they decode to.
    assert_eq!(shape_of(r#"{"sh\u0061pe":[4]}"#), [4]);
    let m = read(r#"{"shape":[1,1],"dim_names":["\u00e9\n","\ud83d\ude00"],"permutation":[1,0]}"#)
        .unwrap();
    assert_eq!(
        m.dim_names,
        Some(vec![String::from("é\n"), String::from("😀")])
    );
    assert_eq!(m.permutation, Some(vec![1, 0]));
    // Empty metadata holds no parameters; an empty object too.
    assert_eq!(read("").unwrap(), TensorMetadata::default());
    assert_eq!(read("{}").unwrap(), TensorMetadata::default());
}

#[test]
fn written_metadata_reads_back() {
    let m = TensorMetadata {
        shape: Some(vec![0, 7, usize::try_from(isize::MAX).unwrap()]),
        dim_names: Some(vec![
            String::from("a\"b\\c"),
            String::from("\u{1}\u{1f}\t\n\r"),
            String::from("é😀/"),
        ]),
        permutation: Some(vec![2, 0, 1]),
    };
    assert_eq!(read(&m.to_json()).unwrap(), m);
}
