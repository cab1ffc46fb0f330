//! The derive input, read once: the struct, its fields and their attributes.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Ident, Index, Member, Type};

use crate::attr::{self, ContainerAttrs, FieldAttrs, Repr};

pub struct Input<'a> {
    pub original: &'a DeriveInput,
    pub fields: Vec<Field<'a>>,
    pub attrs: ContainerAttrs,
    pub repr: Repr,
    /// Collected problems, all reported at once.
    pub errors: Vec<Error>,
}

pub struct Field<'a> {
    pub original: &'a syn::Field,
    pub member: Member,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
}

impl<'a> Input<'a> {
    /// Reads a struct; enums and unions are an error naming the derive.
    pub fn from_syn(node: &'a DeriveInput, derive: &str) -> Result<Self, Error> {
        let data = match &node.data {
            Data::Struct(data) => data,
            Data::Enum(e) => {
                return Err(Error::new(
                    e.enum_token.span,
                    format!("`{derive}` can only be derived for structs: an enum has no single memory layout to describe"),
                ))
            }
            Data::Union(u) => {
                return Err(Error::new(
                    u.union_token.span,
                    format!("`{derive}` can only be derived for structs: a union's bytes have no single item type"),
                ))
            }
        };
        let mut errors = Vec::new();
        let attrs = attr::container(&node.attrs, &mut errors);
        let repr = attr::repr(&node.attrs, &mut errors);
        let fields = data
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| Field {
                original: f,
                member: match &f.ident {
                    Some(ident) => Member::Named(ident.clone()),
                    None => Member::Unnamed(Index {
                        index: i as u32,
                        span: f.span(),
                    }),
                },
                ty: &f.ty,
                attrs: attr::field(&f.attrs, &mut errors),
            })
            .collect();
        Ok(Input {
            original: node,
            fields,
            attrs,
            repr,
            errors,
        })
    }

    /// The path of the runtime crate: `#[array(crate = "...")]`, or `::array_protocol`.
    pub fn krate(&self) -> TokenStream {
        match &self.attrs.krate {
            Some(path) => path.to_token_stream(),
            None => quote!(::array_protocol),
        }
    }

    pub fn ident(&self) -> &Ident {
        &self.original.ident
    }

    /// Every problem found so far, combined; `Ok` if none.
    pub fn take_errors(&mut self) -> Result<(), Error> {
        let mut errors = std::mem::take(&mut self.errors).into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        errors.for_each(|e| first.combine(e));
        Err(first)
    }

    pub fn data_field(&self) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.attrs.data.is_some())
    }

    pub fn field_named(&self, name: &Ident) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| matches!(&f.member, Member::Named(n) if n == name))
    }
}

impl Field<'_> {
    /// The name in the format string: `rename`, else the identifier without `r#`, or `None`
    /// for tuple fields.
    pub fn format_name(&self) -> Option<String> {
        if let Some(name) = &self.attrs.rename {
            return Some(name.value());
        }
        match &self.member {
            Member::Named(ident) => {
                let s = ident.to_string();
                Some(s.strip_prefix("r#").map_or(s.clone(), str::to_string))
            }
            Member::Unnamed(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        self.original.span()
    }
}
