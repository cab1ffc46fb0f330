//! numpy's names for item types, for messages and `repr`s that speak to Python users.

use std::format;
use std::prelude::rust_2021::*;

use std::fmt::Write;

use array_protocol::{ByteOrder, ItemType, ScalarKind};

/// The item type as numpy's `str(dtype)` spells it, without numpy: the name of a number or
/// boolean in native byte order (`float64`, `int32`, `uint8`, `bool`, `complex128`; `float128`
/// and `complex256` for `long double`), the typestr of anything else (`>f8`, `|S10`, `<U3`,
/// `|V16`), a record as its descr (`[('x', '<f8'), ('y', '<f8')]`), a sub-array as
/// `(base, shape)`. bfloat16 and the FP8/FP6/FP4 types, which numpy cannot name, get the names
/// `ml_dtypes` gives them (`bfloat16`, `float8_e4m3fn`).
pub(crate) fn dtype_name(item: &ItemType) -> String {
    match item {
        ItemType::Scalar(s) => {
            let native = s.order().is_native() || s.order() == ByteOrder::NotApplicable;
            let bits = s.size().saturating_mul(8);
            match s.kind() {
                ScalarKind::Bool => "bool".to_string(),
                ScalarKind::Int if native => format!("int{bits}"),
                ScalarKind::UInt if native => format!("uint{bits}"),
                ScalarKind::Float if native => format!("float{bits}"),
                ScalarKind::Complex if native => format!("complex{bits}"),
                ScalarKind::BFloat => "bfloat16".to_string(),
                ScalarKind::MiniFloat(f) => f.name().to_string(),
                _ => item.typestr(),
            }
        }
        ItemType::Array(a) => {
            let base = a.item();
            let base = match base {
                ItemType::Struct(_) => base.descr().to_string(),
                _ => format!("'{}'", base.typestr()),
            };
            format!("({base}, {})", tuple(a.shape()))
        }
        ItemType::Struct(_) => item.descr().to_string(),
    }
}

/// numpy's name for a native number or boolean (`float64`, `int32`, `bool`, `complex128`),
/// `None` for every other item (records, sub-arrays, strings, `long double`, other byte
/// orders), whose mismatches keep the core's description.
pub(crate) fn scalar_name(item: &ItemType) -> Option<String> {
    let scalar = item.as_scalar()?;
    let native = scalar.order().is_native() || scalar.order() == ByteOrder::NotApplicable;
    let bits = 8 * scalar.size();
    match (scalar.kind(), bits) {
        (ScalarKind::Bool, 8) => Some("bool".into()),
        (ScalarKind::Int, 8 | 16 | 32 | 64) if native => Some(format!("int{bits}")),
        (ScalarKind::UInt, 8 | 16 | 32 | 64) if native => Some(format!("uint{bits}")),
        (ScalarKind::Float, 16 | 32 | 64) if native => Some(format!("float{bits}")),
        (ScalarKind::Complex, 64 | 128) if native => Some(format!("complex{bits}")),
        _ => None,
    }
}

/// How a record `got` differs from the record `want`, field by field, in numpy's terms: the
/// first field of `want` that `got` lacks or holds otherwise (`field 'mass' is float32,
/// expected float64`), else a field `got` has besides, else their sizes. `None` unless both are
/// records.
pub(crate) fn record_difference(want: &ItemType, got: &ItemType) -> Option<String> {
    let (ItemType::Struct(w), ItemType::Struct(g)) = (want, got) else {
        return None;
    };
    for (i, f) in w.fields().iter().enumerate() {
        let label = f.name().map_or_else(|| format!("f{i}"), str::to_string);
        let other = match f.name() {
            Some(name) => g.fields().iter().find(|h| h.name() == Some(name)),
            None => g.fields().get(i),
        };
        let Some(other) = other else {
            return Some(format!("field '{label}' is missing"));
        };
        if other.item() != f.item() {
            return Some(format!(
                "field '{label}' is {}, expected {}",
                dtype_name(other.item()),
                dtype_name(f.item())
            ));
        }
        if other.offset() != f.offset() {
            return Some(format!(
                "field '{label}' is at byte {}, expected byte {}",
                other.offset(),
                f.offset()
            ));
        }
    }
    if let Some((i, extra)) = g.fields().iter().enumerate().find(|(_, h)| {
        h.name()
            .is_some_and(|n| !w.fields().iter().any(|f| f.name() == Some(n)))
    }) {
        let label = extra.name().map_or_else(|| format!("f{i}"), str::to_string);
        return Some(format!("there is an extra field '{label}'"));
    }
    (got.itemsize() != want.itemsize()).then(|| {
        format!(
            "the record is {} bytes, expected {} (padding differs)",
            got.itemsize(),
            want.itemsize()
        )
    })
}

/// A shape as Python prints a tuple: `()`, `(5,)`, `(2, 3)`.
pub(crate) fn tuple<T: std::fmt::Display>(shape: &[T]) -> String {
    let mut out = String::from("(");
    for (i, n) in shape.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{n}");
    }
    if shape.len() == 1 {
        out.push(',');
    }
    out.push(')');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(format: &str) -> ItemType {
        ItemType::from_pep3118(format).unwrap()
    }

    #[test]
    fn records_differ_by_their_first_differing_field() {
        let want = item("T{(3)f:pos:I:id:d:mass:}");
        assert_eq!(
            record_difference(&want, &item("T{(3)f:pos:I:id:f:mass:}")).as_deref(),
            Some("field 'mass' is float32, expected float64")
        );
        assert_eq!(
            record_difference(&want, &item("T{(3)f:pos:I:id:}")).as_deref(),
            Some("field 'mass' is missing")
        );
        assert_eq!(
            record_difference(&want, &item("T{(3)f:pos:I:id:d:mass:i:z:}")).as_deref(),
            Some("there is an extra field 'z'")
        );
        assert_eq!(
            record_difference(&want, &item("T{(3)f:pos:I:id:8xd:mass:}")).as_deref(),
            Some("field 'mass' is at byte 24, expected byte 16")
        );
        assert_eq!(record_difference(&want, &item("d")), None);
    }

    #[test]
    fn scalars_have_numpy_names_in_native_order_only() {
        assert_eq!(scalar_name(&item("d")).as_deref(), Some("float64"));
        assert_eq!(scalar_name(&item("?")).as_deref(), Some("bool"));
        let swapped = if cfg!(target_endian = "little") {
            ">d"
        } else {
            "<d"
        };
        assert_eq!(scalar_name(&item(swapped)), None);
        assert_eq!(scalar_name(&item("T{d:x:}")), None);
    }
}
