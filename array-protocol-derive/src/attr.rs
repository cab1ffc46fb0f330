//! `#[array(...)]` and `#[repr(...)]` attributes.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Error, Ident, LitInt, LitStr, Path, Result, Token, Type};

/// One entry of `shape = [...]` or `strides = [...]`: a field, or a constant.
pub enum Dim {
    /// A field of the struct (when the name is one), or a constant path.
    Name(Path),
    /// An integer literal.
    Lit(LitInt),
}

impl Parse for Dim {
    fn parse(input: ParseStream) -> Result<Self> {
        if input.peek(LitInt) {
            input.parse().map(Dim::Lit)
        } else {
            input.parse().map(Dim::Name)
        }
    }
}

impl Dim {
    /// The field name, if this is a single identifier.
    pub fn ident(&self) -> Option<&Ident> {
        match self {
            Dim::Name(p) => p.get_ident(),
            Dim::Lit(_) => None,
        }
    }
}

pub struct Dims {
    pub span: Span,
    pub dims: Vec<Dim>,
}

fn parse_dims(input: ParseStream) -> Result<Dims> {
    let content;
    let bracket = syn::bracketed!(content in input);
    let dims: Punctuated<Dim, Token![,]> = content.parse_terminated(Dim::parse, Token![,])?;
    Ok(Dims {
        span: bracket.span.join(),
        dims: dims.into_iter().collect(),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Order {
    C,
    F,
}

#[derive(Default)]
pub struct ContainerAttrs {
    pub krate: Option<Path>,
    pub shape: Option<Dims>,
    pub strides: Option<Dims>,
    pub order: Option<(Order, Span)>,
    pub item: Option<Type>,
    /// `python`: the producer converts into a Python array (`IntoPyObject`).
    pub python: Option<Span>,
    /// `dim_names = ["H", "W", "C"]`: the names of the axes.
    pub dim_names: Option<(Vec<LitStr>, Span)>,
}

#[derive(Default)]
pub struct FieldAttrs {
    pub data: Option<Span>,
    pub pad: Option<Span>,
    /// `rename = "class"`: the field's name in the item type.
    pub rename: Option<LitStr>,
    /// `skip`: a zero-sized field (a marker) left out of the item type.
    pub skip: Option<Span>,
    /// `string`: a `[u8; N]` field is a byte string (`Ns`, numpy `|SN`).
    pub string: Option<Span>,
    /// `unicode`: a `[u32; N]` field is a UCS-4 string (`Nw`, numpy `<UN`).
    pub unicode: Option<Span>,
}

fn duplicate(span: Span, key: &str) -> Error {
    Error::new(span, format!("duplicate `{key}` in `#[array(...)]`"))
}

/// Reads every `#[array(...)]` on the container, collecting all problems.
pub fn container(attrs: &[Attribute], errors: &mut Vec<Error>) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("array")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            if meta.path.is_ident("crate") {
                let s: LitStr = meta.value()?.parse()?;
                let path = s.parse::<Path>().map_err(|_| Error::new(s.span(), "expected a path such as `array_protocol` or `::my_crate::array_protocol`"))?;
                set(&mut out.krate, path, span, "crate")
            } else if meta.path.is_ident("shape") {
                let dims = parse_dims(meta.value()?)?;
                set(&mut out.shape, dims, span, "shape")
            } else if meta.path.is_ident("strides") {
                let dims = parse_dims(meta.value()?)?;
                set(&mut out.strides, dims, span, "strides")
            } else if meta.path.is_ident("order") {
                let s: LitStr = meta.value()?.parse()?;
                let order = match s.value().as_str() {
                    "C" => Order::C,
                    "F" => Order::F,
                    other => {
                        return Err(Error::new(
                            s.span(),
                            format!("unknown order {other:?}: expected \"C\" (row-major, the default) or \"F\" (column-major)"),
                        ))
                    }
                };
                set(&mut out.order, (order, s.span()), span, "order")
            } else if meta.path.is_ident("item") {
                let ty: Type = meta.value()?.parse()?;
                set(&mut out.item, ty, span, "item")
            } else if meta.path.is_ident("python") {
                set(&mut out.python, span, span, "python")
            } else if meta.path.is_ident("dim_names") {
                let input = meta.value()?;
                let content;
                syn::bracketed!(content in input);
                let names = content.parse_terminated(<LitStr as Parse>::parse, Token![,])?;
                set(&mut out.dim_names, (names.into_iter().collect(), span), span, "dim_names")
            } else {
                Err(meta.error(format!(
                    "unknown `array` attribute `{}`: expected one of `crate`, `shape`, `strides`, `order`, `item`, `python`, `dim_names` on a struct",
                    meta.path.get_ident().map_or_else(|| "?".to_string(), ToString::to_string)
                )))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}

fn set<T>(slot: &mut Option<T>, value: T, span: Span, key: &str) -> Result<()> {
    if slot.is_some() {
        return Err(duplicate(span, key));
    }
    *slot = Some(value);
    Ok(())
}

/// Reads every `#[array(...)]` on a field.
pub fn field(attrs: &[Attribute], errors: &mut Vec<Error>) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("array")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            if meta.path.is_ident("data") {
                set(&mut out.data, span, span, "data")
            } else if meta.path.is_ident("pad") {
                set(&mut out.pad, span, span, "pad")
            } else if meta.path.is_ident("rename") {
                let name: LitStr = meta.value()?.parse()?;
                let value = name.value();
                if value.is_empty() || value.contains([':', '\0']) {
                    return Err(Error::new(name.span(), "a field name must be non-empty and hold no `:` (the format string's name delimiter) and no NUL"));
                }
                set(&mut out.rename, name, span, "rename")
            } else if meta.path.is_ident("skip") {
                set(&mut out.skip, span, span, "skip")
            } else if meta.path.is_ident("string") {
                set(&mut out.string, span, span, "string")
            } else if meta.path.is_ident("unicode") {
                set(&mut out.unicode, span, span, "unicode")
            } else {
                Err(meta.error(format!(
                    "unknown `array` attribute `{}` on a field: expected `data` (the field holding the elements), `pad` (explicit padding bytes), `rename = \"name\"`, `skip` (a zero-sized marker), `string` (`[u8; N]` as a byte string) or `unicode` (`[u32; N]` as a UCS-4 string)",
                    meta.path.get_ident().map_or_else(|| "?".to_string(), ToString::to_string)
                )))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}

/// What `#[repr(...)]` says about the layout.
#[derive(Default)]
pub struct Repr {
    pub c: bool,
    pub transparent: bool,
    /// `packed` (1) or `packed(N)`.
    pub packed: Option<u64>,
    /// `align(N)`.
    pub align: Option<u64>,
    /// An integer repr (`u8`, `i32`, …), for fieldless enums.
    pub int: Option<syn::Ident>,
}

impl Repr {
    /// `packed` or `packed(1)`: no field is aligned, so there is never padding.
    pub fn packed_1(&self) -> bool {
        self.packed == Some(1)
    }
}

const INT_REPRS: &[&str] = &[
    "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "usize", "isize",
];

pub fn repr(attrs: &[Attribute], errors: &mut Vec<Error>) -> Repr {
    let mut out = Repr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") {
                out.c = true;
            } else if meta.path.is_ident("transparent") {
                out.transparent = true;
            } else if meta.path.is_ident("packed") {
                out.packed = Some(1);
                if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let n: LitInt = content.parse()?;
                    out.packed = Some(n.base10_parse()?);
                }
            } else if meta.path.is_ident("align") {
                let content;
                syn::parenthesized!(content in meta.input);
                let n: LitInt = content.parse()?;
                out.align = Some(n.base10_parse()?);
            } else if let Some(ident) = meta.path.get_ident() {
                if INT_REPRS.iter().any(|i| ident == i) {
                    out.int = Some(ident.clone());
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}
