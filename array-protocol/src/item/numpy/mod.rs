//! NumPy's `__array_interface__` dialect: typestr (`<f8`, `|u1`, `|V16`) and descr lists.
//!
//! [`ItemType::typestr`] and [`ItemType::descr`] equal what NumPy reports as `dtype.str` and
//! `dtype.descr` for the same dtype; [`ItemType::from_typestr`] and [`ItemType::from_descr`] read
//! them back. Two spellings NumPy keeps apart read as the same item here: a void field (`3x:a:`)
//! and a field holding a struct with no fields (`T{3x}:a:`) both describe 3 opaque bytes and are
//! written back as the former.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

pub(crate) mod literal;

use literal::{Value, MAX_SUBARRAY_DIM};

use super::{ByteOrder, Field, ItemType, Scalar, ScalarKind};
use crate::error::{error, Dialect, Error, FormatError};

/// A NumPy descr: the list `[(name, typestr or nested descr[, shape]), …]` of
/// `__array_interface__`. Its [`Display`](fmt::Display) is the Python literal NumPy prints.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Descr(pub Vec<DescrField>);

/// One `(name, format[, shape])` entry of a [`Descr`]. An entry with an empty name and a `|VN`
/// typestr is N bytes of padding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DescrField {
    /// The field name (`""` for padding or the single entry of a non-record).
    pub name: String,
    /// A typestr, or a nested descr for a record field.
    pub format: DescrFormat,
    /// The sub-array shape, if the field is a sub-array.
    pub shape: Option<Vec<usize>>,
}

/// The format of a [`DescrField`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DescrFormat {
    /// A typestr such as `<f8`.
    Typestr(String),
    /// The fields of a nested record.
    Fields(Descr),
}

fn typestr_error(input: &str, position: Option<usize>, message: impl Into<String>) -> FormatError {
    FormatError::new(Dialect::Typestr, input, position, message)
}

impl ItemType {
    /// The `__array_interface__` typestr: `<f8`, `>i2`, `|u1`, `|b1`, `<c16`, `|S10`, `<U3`, and
    /// `|VN` for records, sub-arrays and opaque bytes (bfloat16, which NumPy cannot name, is
    /// `|V2`).
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// assert_eq!(ItemType::from_pep3118(">h").unwrap().typestr(), ">i2");
    /// assert_eq!(ItemType::from_pep3118("Zd").unwrap().typestr(), "<c16");
    /// assert_eq!(ItemType::from_pep3118("T{B:a:i:b:}").unwrap().typestr(), "|V8");
    /// ```
    pub fn typestr(&self) -> String {
        let ItemType::Scalar(s) = self else {
            return alloc::format!("|V{}", self.itemsize());
        };
        let order = match s.order() {
            ByteOrder::Little => '<',
            ByteOrder::Big => '>',
            ByteOrder::NotApplicable => '|',
        };
        let (kind, n) = match s.kind() {
            ScalarKind::Bool => ('b', 1),
            ScalarKind::Int => ('i', s.size()),
            ScalarKind::UInt => ('u', s.size()),
            ScalarKind::Float => ('f', s.size()),
            ScalarKind::Complex => ('c', s.size()),
            ScalarKind::Char | ScalarKind::Bytes => ('S', s.size()),
            ScalarKind::Ucs4 => ('U', s.size() / 4),
            ScalarKind::Void => ('V', s.size()),
            ScalarKind::BFloat => return String::from("|V2"),
            // What `ml_dtypes` arrays report: NumPy has no typestr for them.
            ScalarKind::MiniFloat(_) => return String::from("|V1"),
        };
        alloc::format!("{order}{kind}{n}")
    }

    /// Reads a typestr. `=` is accepted as the native order; a multi-byte number with `|` is
    /// refused, since its byte order would be a guess. Object (`O`), datetime (`M`) and
    /// timedelta (`m`) types are refused.
    ///
    /// ```
    /// use array_protocol::{Element, ItemType};
    ///
    /// assert_eq!(ItemType::from_typestr("<f8").unwrap(), f64::item_type());
    /// assert_eq!(ItemType::from_typestr("|O8").unwrap_err().to_string(),
    ///     "invalid NumPy typestr \"|O8\" at byte 1: found `O` (Python objects), which cannot be \
    ///      read as plain memory");
    /// ```
    pub fn from_typestr(typestr: &str) -> Result<ItemType, FormatError> {
        let err = |pos, msg: String| typestr_error(typestr, Some(pos), msg);
        let mut chars = typestr.chars();
        let order = match chars.next() {
            Some('<') => ByteOrder::Little,
            Some('>') => ByteOrder::Big,
            Some('|') => ByteOrder::NotApplicable,
            Some('=') => ByteOrder::NATIVE,
            found => {
                return Err(err(
                    0,
                    alloc::format!(
                        "found {}, expected a byte order `<`, `>`, `|` or `=`",
                        describe(found)
                    ),
                ))
            }
        };
        let kind_char = chars.next();
        let rest = chars.as_str();
        let kind = match kind_char {
            Some('b') => ScalarKind::Bool,
            Some('i') => ScalarKind::Int,
            Some('u') => ScalarKind::UInt,
            Some('f') => ScalarKind::Float,
            Some('c') => ScalarKind::Complex,
            Some('S') => ScalarKind::Bytes,
            Some('U') => ScalarKind::Ucs4,
            Some('V') => ScalarKind::Void,
            Some(c @ ('O' | 'M' | 'm')) => {
                let what = match c {
                    'O' => "Python objects",
                    'M' => "datetimes",
                    _ => "timedeltas",
                };
                let tail = if c == 'O' {
                    "cannot be read as plain memory"
                } else {
                    "are not supported"
                };
                return Err(err(1, alloc::format!("found `{c}` ({what}), which {tail}")));
            }
            found => {
                return Err(err(
                    1,
                    alloc::format!(
                        "found {}, expected a kind (one of b i u f c S U V)",
                        describe(found)
                    ),
                ))
            }
        };
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                2,
                alloc::format!("found {rest:?}, expected the size in bytes as a decimal number"),
            ));
        }
        let n: usize = rest
            .parse()
            .map_err(|_| err(2, String::from("found a size too large")))?;
        let size = if kind == ScalarKind::Ucs4 {
            n.saturating_mul(4)
        } else {
            n
        };
        let multi_byte = !matches!(
            kind,
            ScalarKind::Bool | ScalarKind::Bytes | ScalarKind::Void
        ) && size > 1;
        if multi_byte && order == ByteOrder::NotApplicable {
            return Err(err(
                0,
                alloc::format!(
                    "found `|` on a {size}-byte item, expected a byte order `<`, `>` or `=`"
                ),
            ));
        }
        if matches!(kind, ScalarKind::Bytes | ScalarKind::Ucs4) && n == 0 {
            return Err(err(
                2,
                String::from("found a string of length 0, expected a length of at least 1"),
            ));
        }
        Scalar::new(kind, size, order)
            .map(ItemType::Scalar)
            .map_err(|e| err(2, String::from(e.message())))
    }

    /// The `__array_interface__` descr, equal to NumPy's `dtype.descr`: `[('', typestr)]` for a
    /// non-record; for a record its fields in order, padding as `('', '|VN')` entries (trailing
    /// included), sub-array fields with their shape, nested records as nested lists, and unnamed
    /// fields given NumPy's names `f0`, `f1`, …
    ///
    /// ```
    /// use array_protocol::ItemType;
    ///
    /// let t = ItemType::from_pep3118("T{B:a:(2)h:b:}d").unwrap();
    /// assert_eq!(
    ///     t.descr().to_string(),
    ///     "[('f0', [('a', '|u1'), ('', '|V1'), ('b', '<i2', (2,))]), ('', '|V2'), ('f1', '<f8')]"
    /// );
    /// ```
    pub fn descr(&self) -> Descr {
        let ItemType::Struct(s) = self else {
            return Descr(alloc::vec![DescrField {
                name: String::new(),
                format: DescrFormat::Typestr(self.typestr()),
                shape: None,
            }]);
        };
        let names = numpy_names(s.fields());
        let mut out = Vec::new();
        let mut end = 0;
        for (field, name) in s.fields().iter().zip(names) {
            if field.offset() > end {
                out.push(padding(field.offset() - end));
            }
            let (item, shape) = match field.item() {
                ItemType::Array(a) => (a.item(), Some(Vec::from(a.shape()))),
                other => (other.clone(), None),
            };
            let format = match item {
                ItemType::Struct(_) => DescrFormat::Fields(item.descr()),
                _ => DescrFormat::Typestr(item.typestr()),
            };
            out.push(DescrField {
                name,
                format,
                shape,
            });
            end = field.offset() + field.item().itemsize();
        }
        if s.size() > end {
            out.push(padding(s.size() - end));
        }
        Descr(out)
    }

    /// Reads a descr back: a single unnamed entry is its typestr's item, anything else a record
    /// laid out in order with `('', '|VN')` entries as padding.
    ///
    /// ```
    /// use array_protocol::{Descr, DescrField, DescrFormat, ItemType};
    ///
    /// let entry = |name: &str, t: &str| DescrField {
    ///     name: name.into(),
    ///     format: DescrFormat::Typestr(t.into()),
    ///     shape: None,
    /// };
    /// let d = Descr(vec![entry("a", "|u1"), entry("", "|V3"), entry("b", "<i4")]);
    /// let t = ItemType::from_descr(&d).unwrap();
    /// assert_eq!(t, ItemType::from_pep3118("T{B:a:i:b:}").unwrap());
    /// ```
    ///
    /// Records nested deeper than [`MAX_NESTING`](super::MAX_NESTING) are refused.
    pub fn from_descr(descr: &Descr) -> Result<ItemType, FormatError> {
        ItemType::from_descr_at(descr, 1)
    }

    /// [`from_descr`](Self::from_descr) of a descr that, if a record, is at nesting `depth`.
    fn from_descr_at(descr: &Descr, depth: usize) -> Result<ItemType, FormatError> {
        let descr_err =
            |msg: String| FormatError::new(Dialect::Descr, alloc::format!("{descr}"), None, msg);
        if let [DescrField {
            name,
            format: DescrFormat::Typestr(t),
            shape,
        }] = descr.0.as_slice()
        {
            if name.is_empty() && shape.as_ref().is_none_or(Vec::is_empty) {
                return ItemType::from_typestr(t);
            }
        }
        // A list with no entries is zero opaque bytes, not a record.
        if depth > super::MAX_NESTING && !descr.0.is_empty() {
            return Err(descr_err(alloc::format!(
                "found records nested {depth} levels deep, expected at most {} levels",
                super::MAX_NESTING
            )));
        }
        let mut fields = Vec::new();
        let mut offset = 0usize;
        for entry in &descr.0 {
            let mut item = match &entry.format {
                DescrFormat::Typestr(t) => ItemType::from_typestr(t)?,
                DescrFormat::Fields(inner) => ItemType::from_descr_at(inner, depth + 1)?,
            };
            // As `np.dtype((t, shape))`: an empty shape is no sub-array.
            if let Some(shape) = entry.shape.as_ref().filter(|s| !s.is_empty()) {
                // The element count must fit, also for zero-size items (whose size alone
                // cannot overflow), so that every size computed from the shape is finite.
                let count = crate::layout::checked_product(1usize, shape);
                let too_long = shape.iter().any(|&d| d > isize::MAX as usize);
                if too_long || count.is_none_or(|n| n > isize::MAX as usize) {
                    return Err(descr_err(alloc::format!(
                        "found a sub-array of shape {shape:?}, expected each axis and the number of elements to be at most isize::MAX"
                    )));
                }
                item = ItemType::array(item, shape)
                    .map_err(|e| descr_err(String::from(e.message())))?;
            }
            // numpy's padding: an unnamed entry of void bytes (`|V4`, or `|V4` with a shape),
            // not a record.
            let is_padding =
                entry.name.is_empty() && matches!(&entry.format, DescrFormat::Typestr(_)) && {
                    let inner = item.as_subarray().map(|a| a.item());
                    let base = inner.as_ref().unwrap_or(&item);
                    base.as_scalar()
                        .is_some_and(|s| s.kind() == ScalarKind::Void)
                };
            let size = item.itemsize();
            if !is_padding {
                let name = if entry.name.is_empty() {
                    None
                } else {
                    Some(entry.name.as_str())
                };
                fields.push(Field::new(name, offset, item));
            }
            offset = offset
                .checked_add(size)
                .filter(|&n| n <= isize::MAX as usize)
                .ok_or_else(|| {
                    descr_err(String::from("the record is larger than isize::MAX bytes"))
                })?;
        }
        ItemType::record(fields, offset).map_err(|e| descr_err(String::from(e.message())))
    }
}

fn describe(c: Option<char>) -> String {
    match c {
        Some(c) => alloc::format!("`{c}`"),
        None => String::from("end of input"),
    }
}

fn padding(n: usize) -> DescrField {
    DescrField {
        name: String::new(),
        format: DescrFormat::Typestr(alloc::format!("|V{n}")),
        shape: None,
    }
}

/// NumPy's naming of unnamed fields: each takes the first `f{j}` not already used, by a named
/// field or an earlier unnamed one. Linear: the first free `j` only grows, so one pass over the
/// explicit names (marking the `f{j}` they take) and one over the fields suffice.
fn numpy_names(fields: &[Field]) -> Vec<String> {
    // `taken[j]`: a named field is called `f{j}`. No `j` beyond the number of fields is ever
    // reached, since each field takes at most one.
    let mut taken = alloc::vec![false; fields.len() + 1];
    for name in fields.iter().filter_map(Field::name) {
        if let Some(j) = dummy_index(name).filter(|&j| j < taken.len()) {
            taken[j] = true;
        }
    }
    let mut next = 0;
    fields
        .iter()
        .map(|f| match f.name() {
            Some(name) => String::from(name),
            None => {
                while taken.get(next).copied().unwrap_or(false) {
                    next += 1;
                }
                let name = alloc::format!("f{next}");
                next += 1;
                name
            }
        })
        .collect()
}

/// `j` when `name` is exactly `f{j}` as `format!` writes it (no sign, no leading zeros).
fn dummy_index(name: &str) -> Option<usize> {
    let digits = name.strip_prefix('f')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical {
        digits.parse().ok()
    } else {
        None
    }
}

impl fmt::Display for Descr {
    /// The Python literal, as `str(dtype.descr)` prints it. Written without recursion (a stack
    /// of open lists), since a `Descr` built by hand may nest arbitrarily deep.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each open list, with the index of its next entry.
        let mut open: Vec<(&Descr, usize)> = alloc::vec![(self, 0)];
        f.write_char('[')?;
        while let Some((descr, i)) = open.pop() {
            if i > 0 {
                // Back from a nested list: finish the entry that holds it.
                close_entry(f, &descr.0[i - 1])?;
            }
            let Some(entry) = descr.0.get(i) else {
                f.write_char(']')?;
                continue;
            };
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_char('(')?;
            python_str(f, &entry.name)?;
            f.write_str(", ")?;
            open.push((descr, i + 1));
            match &entry.format {
                DescrFormat::Typestr(t) => python_str(f, t)?,
                DescrFormat::Fields(inner) => {
                    f.write_char('[')?;
                    open.push((inner, 0));
                }
            }
        }
        Ok(())
    }
}

/// The rest of a descr entry after its format: the shape, if any, and `)`.
fn close_entry(f: &mut fmt::Formatter<'_>, entry: &DescrField) -> fmt::Result {
    if let Some(shape) = &entry.shape {
        f.write_str(", (")?;
        for (j, d) in shape.iter().enumerate() {
            if j > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        if shape.len() == 1 {
            f.write_char(',')?;
        }
        f.write_char(')')?;
    }
    f.write_char(')')
}

/// Python's `repr` of a string.
fn python_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{c}")?,
            c if (c as u32) < 0x20 || c as u32 == 0x7f => write!(f, "\\x{:02x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

impl Descr {
    /// A descr list from its Python literal, as numpy writes it in `.npy` headers and as
    /// `repr()` prints an `__array_interface__`'s `descr`: `[('a', '<i4'), ('b', '<f8', (2,))]`,
    /// names possibly `(title, name)` pairs, formats typestrs or nested lists, shapes tuples of
    /// non-negative integers (or one integer). The one reader of descr lists in this crate and its
    /// adapters, so a descr means the same wherever it comes from.
    ///
    /// ```
    /// use array_protocol::{Descr, ItemType};
    ///
    /// let d = Descr::from_literal("[('pos', '<f4', (3,)), (('Mass', 'mass'), '<f8')]")?;
    /// let item = ItemType::from_descr(&d)?;
    /// assert_eq!(item.itemsize(), 20);
    /// assert_eq!(item.field("mass").unwrap().offset(), 12);
    /// assert!(Descr::from_literal("[('a', '<i4', (-1,))]").is_err());
    /// # Ok::<(), array_protocol::Error>(())
    /// ```
    pub fn from_literal(text: &str) -> Result<Descr, Error> {
        let value = literal::literal(text, false, "descr")?;
        Descr::from_value(&value)
    }

    pub(crate) fn from_value(v: &Value) -> Result<Descr, Error> {
        let Value::List(entries) = v else {
            return Err(error!(Format, "a descr should be a list, got {v:?}"));
        };
        let fields = entries
            .iter()
            .map(|e| {
                // numpy unpacks each entry (a tuple or a list) into 2 or 3 parts.
                let (Value::Tuple(parts) | Value::List(parts)) = e else {
                    return Err(error!(Format, "a descr entry should be a tuple, got {e:?}"));
                };
                if !matches!(parts.len(), 2 | 3) {
                    return Err(error!(
                        Format,
                        "a descr entry should be (name, format) or (name, format, shape), got {e:?}"
                    ));
                }
                let name = match &parts[0] {
                    Value::Str(s) => s.clone(),
                    // `(title, name)`: the name is what the data is found under.
                    Value::Tuple(t) => match t.as_slice() {
                        [Value::Str(_), Value::Str(s)] if !s.is_empty() => s.clone(),
                        _ => {
                            return Err(error!(
                                Format,
                                "a titled descr name should be (title, name), both strings, got {t:?}"
                            ))
                        }
                    },
                    other => {
                        return Err(error!(
                            Format,
                            "a descr entry should start with a name, got {other:?}"
                        ))
                    }
                };
                let format = match &parts[1] {
                    Value::Str(t) => DescrFormat::Typestr(t.clone()),
                    list @ Value::List(_) => DescrFormat::Fields(Descr::from_value(list)?),
                    other => {
                        return Err(error!(
                            Format,
                            "a descr entry's format should be a typestr or a list, got {other:?}"
                        ))
                    }
                };
                let dim = |d: &Value| match d {
                    Value::Int(n) if (0..=MAX_SUBARRAY_DIM).contains(n) => Ok(*n as usize),
                    Value::Int(n) if *n >= 0 => Err(error!(
                        Format,
                        "a sub-array dimension of {n} is too large (numpy allows at most {MAX_SUBARRAY_DIM})"
                    )),
                    other => Err(error!(
                        Format,
                        "a sub-array dimension should be a non-negative integer, got {other:?}"
                    )),
                };
                let shape = match parts.get(2) {
                    None => None,
                    // `()` is no sub-array and `n` is `(n,)`, as in `np.dtype((t, shape))`.
                    Some(Value::Tuple(dims)) if dims.is_empty() => None,
                    Some(Value::Tuple(dims)) => Some(dims.iter().map(dim).collect::<Result<_, _>>()?),
                    Some(n @ Value::Int(_)) => Some(alloc::vec![dim(n)?]),
                    Some(other) => {
                        return Err(error!(
                            Format,
                            "a sub-array shape should be a tuple, got {other:?}"
                        ))
                    }
                };
                Ok(DescrField {
                    name,
                    format,
                    shape,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Descr(fields))
    }
}
