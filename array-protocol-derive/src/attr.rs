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
            } else {
                Err(meta.error(format!(
                    "unknown `array` attribute `{}` on a field: expected `data` (the field holding the elements) or `pad` (explicit padding bytes)",
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
    pub packed: bool,
    pub align: bool,
}

pub fn repr(attrs: &[Attribute], errors: &mut Vec<Error>) -> Repr {
    let mut out = Repr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") {
                out.c = true;
            } else if meta.path.is_ident("transparent") {
                out.transparent = true;
            } else if meta.path.is_ident("packed") {
                out.packed = true;
                if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let _: LitInt = content.parse()?;
                }
            } else if meta.path.is_ident("align") {
                out.align = true;
                let content;
                syn::parenthesized!(content in meta.input);
                let _: LitInt = content.parse()?;
            }
            // Integer reprs (`u8`, ...) apply to enums, which are refused elsewhere.
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}
