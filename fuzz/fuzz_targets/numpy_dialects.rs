//! NumPy typestrs (raw strings) and descr lists (built from the input, nesting past the limit):
//! refused with an error, or read as item types that round-trip through every dialect.
#![no_main]

use array_protocol::{Descr, DescrField, DescrFormat, ItemType};
use array_protocol_fuzz::{check_descr, check_item};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const TYPESTRS: &[&str] = &[
    "<f8", ">i4", "|u1", "|b1", "<c16", "|S3", "<U2", "|V4", "|V0", "=i2", "<f2", ">u8", "|V1",
    "|O8", "<M8", "|f8", "<f3", "|S0",
];
const NAMES: &[&str] = &["", "a", "b", "f0", "f1", "x:y", "é", "a'b"];

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((&mode, rest)) if mode % 2 == 0 => {
            if let Ok(s) = std::str::from_utf8(rest) {
                typestr(s);
            }
        }
        _ => {
            if let Ok(d) = descr(&mut Unstructured::new(data), 0) {
                check_descr(&d);
            }
        }
    }
});

fn typestr(s: &str) {
    match ItemType::from_typestr(s) {
        Ok(t) => {
            assert_eq!(
                ItemType::from_typestr(&t.typestr()).as_ref(),
                Ok(&t),
                "{s:?}"
            );
            check_item(&t);
        }
        Err(e) => {
            let pos = e.position().expect("typestr errors say where");
            assert!(pos <= s.len() && s.is_char_boundary(pos), "{e}");
            let _ = e.to_string();
        }
    }
}

fn descr(u: &mut Unstructured<'_>, depth: usize) -> Result<Descr> {
    let n = u.int_in_range(0..=4)?;
    let mut fields = Vec::new();
    for _ in 0..n {
        let name = if u.ratio(1, 10)? {
            u.arbitrary::<String>()?
        } else {
            String::from(*u.choose(NAMES)?)
        };
        let format = if depth < 40 && u.ratio(1, 3)? {
            DescrFormat::Fields(descr(u, depth + 1)?)
        } else if u.ratio(1, 10)? {
            DescrFormat::Typestr(u.arbitrary()?)
        } else {
            DescrFormat::Typestr(String::from(*u.choose(TYPESTRS)?))
        };
        let shape = if u.ratio(1, 3)? {
            let dims = u.int_in_range(0..=3)?;
            let mut shape = Vec::new();
            for _ in 0..dims {
                shape.push(match u.int_in_range(0..=5)? {
                    0..=3 => u.int_in_range(0..=4)?,
                    4 => *u.choose(&[usize::MAX, isize::MAX as usize, 1 << 62, 1 << 31])?,
                    _ => u.arbitrary()?,
                });
            }
            Some(shape)
        } else {
            None
        };
        fields.push(DescrField {
            name,
            format,
            shape,
        });
    }
    Ok(Descr(fields))
}
