//! Checks on the input, each a compile error on the offending tokens saying what to do.

use syn::spanned::Spanned;
use syn::{Error, Type};

use crate::ast::Input;

impl Input<'_> {
    /// `#[derive(Element)]`: a `#[repr(C)]` (optionally packed) or `#[repr(transparent)]`
    /// struct, whose generic forms cannot have padding.
    pub fn validate_element(&mut self) {
        let ident = self.ident().clone();
        let repr = &self.repr;
        if !(repr.c || repr.transparent) {
            self.errors.push(Error::new(
                ident.span(),
                format!(
                    "`#[derive(Element)]` needs `#[repr(C)]` on `{ident}`: Rust's default layout may reorder fields, so no format string can describe it. Add `#[repr(C)]` (or `#[repr(C, packed)]`, or `#[repr(transparent)]` for a single field)"
                ),
            ));
        }
        if repr.transparent && self.fields.len() != 1 {
            self.errors.push(Error::new(
                ident.span(),
                "`#[derive(Element)]` on a `#[repr(transparent)]` struct needs exactly one field",
            ));
        }
        for key in [
            self.attrs.shape.as_ref().map(|d| (d.span, "shape")),
            self.attrs.strides.as_ref().map(|d| (d.span, "strides")),
            self.attrs.order.as_ref().map(|o| (o.1, "order")),
            self.attrs.item.as_ref().map(|t| (t.span(), "item")),
        ]
        .into_iter()
        .flatten()
        {
            self.errors.push(Error::new(
                key.0,
                format!("`{}` is an `ArrayProducer`/`ArrayConsumer` attribute; `Element` only takes `crate`", key.1),
            ));
        }
        let mut field_errors = Vec::new();
        for f in &self.fields {
            if let Some(span) = f.attrs.data {
                field_errors.push(Error::new(span, "`data` marks the elements of an `ArrayProducer`; a field of an `Element` record cannot be one"));
            }
            if f.attrs.pad.is_some() && !is_u8_array(f.ty) {
                field_errors.push(Error::new(
                    f.ty.span(),
                    "a `#[array(pad)]` field must be a byte array such as `[u8; 3]`",
                ));
            }
        }
        self.errors.extend(field_errors);
        self.check_generic_padding();
    }

    /// A generic `#[repr(C)]` struct is padding-free for every type argument only when all its
    /// fields have one base type (`T`, `[T; N]`) or it is packed.
    fn check_generic_padding(&mut self) {
        if self.original.generics.type_params().next().is_none()
            || self.repr.packed
            || self.repr.transparent
        {
            return;
        }
        let mut bases = self.fields.iter().map(|f| base(f.ty));
        let Some(first) = bases.next() else { return };
        if bases.any(|b| b != first) {
            self.errors.push(Error::new(
                self.original.generics.span(),
                format!(
                    "a generic `#[repr(C)]` struct can have padding for some type arguments, and `{}` mixes field types: use one type for every field (`T` or `[T; N]`), `#[repr(C, packed)]`, or a concrete type",
                    self.ident()
                ),
            ));
        }
    }
}

fn is_u8_array(ty: &Type) -> bool {
    match ty {
        Type::Array(a) => matches!(&*a.elem, Type::Path(p) if p.path.is_ident("u8")),
        _ => false,
    }
}

/// The type under any array layers, as text.
fn base(ty: &Type) -> String {
    match ty {
        Type::Array(a) => base(&a.elem),
        Type::Paren(p) => base(&p.elem),
        other => quote::quote!(#other).to_string(),
    }
}
