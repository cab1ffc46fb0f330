//! `#[derive(Element)]` on fieldless enums with an integer `repr`.
//!
//! For `#[repr(u8)] enum Color { Red, Green, Blue }` the expansion is, in outline:
//!
//! ```text
//! unsafe impl Element for Color {
//!     const FORMAT = <u8 as Element>::FORMAT;          // the integer's item type
//!     const ITEM_TYPE = <u8 as Element>::ITEM_TYPE;
//!     const HAS_INVALID_BIT_PATTERNS = true;           // bytes that are no discriminant
//!     fn is_valid_bits(b) -> bool { matches!(u8::from_ne_bytes(b), x if x == Color::Red as u8 || …) }
//! }
//! unsafe impl bytemuck::NoUninit for Color {}
//! ```

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DataEnum, DeriveInput, Error, Fields};

use crate::attr;

pub fn expand(node: &DeriveInput, data: &DataEnum) -> Result<TokenStream, Error> {
    let mut errors = Vec::new();
    let container = attr::container(&node.attrs, &mut errors);
    let repr = attr::repr(&node.attrs, &mut errors);
    let ident = &node.ident;
    let Some(int) = repr.int.clone() else {
        return Err(Error::new(
            ident.span(),
            format!("`#[derive(Element)]` on the enum `{ident}` needs an integer representation such as `#[repr(u8)]` or `#[repr(i32)]`: its values are stored as that integer"),
        ));
    };
    if !node.generics.params.is_empty() {
        errors.push(Error::new_spanned(
            &node.generics,
            "`#[derive(Element)]` on an enum takes no generic parameters",
        ));
    }
    if data.variants.is_empty() {
        errors.push(Error::new(
            ident.span(),
            format!("the enum `{ident}` has no variants, so no bytes are a valid value"),
        ));
    }
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            errors.push(Error::new_spanned(
                &v.fields,
                format!("`#[derive(Element)]` needs a fieldless enum: variant `{}` holds data, which has no single item type", v.ident),
            ));
        }
    }
    for key in [
        container.shape.as_ref().map(|d| d.span),
        container.strides.as_ref().map(|d| d.span),
        container.order.as_ref().map(|o| o.1),
        container.python,
        container.dim_names.as_ref().map(|d| d.1),
    ]
    .into_iter()
    .flatten()
    {
        errors.push(Error::new(
            key,
            "this is an `ArrayProducer`/`ArrayConsumer` attribute; `Element` only takes `crate`",
        ));
    }
    if let Some(e) = errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    }) {
        return Err(e);
    }
    let krate = match &container.krate {
        Some(path) => quote!(#path),
        None => quote!(::array_protocol),
    };
    let private = quote!(#krate::__private);
    let variants = data.variants.iter().map(|v| &v.ident);
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            // SAFETY: a fieldless enum with `#[repr(#int)]` is stored as that integer (no
            // padding); `is_valid_bits` accepts exactly the integers that are discriminants.
            unsafe impl #krate::Element for #ident {
                const FORMAT: &'static str = <#int as #krate::Element>::FORMAT;
                const ITEM_TYPE: #krate::ItemType = <#int as #krate::Element>::ITEM_TYPE;
                const HAS_INVALID_BIT_PATTERNS: bool = true;
                #[inline]
                fn is_valid_bits(__bytes: &[u8]) -> bool {
                    match <[u8; ::core::mem::size_of::<#int>()]>::try_from(__bytes) {
                        ::core::result::Result::Ok(__b) => {
                            let __v = #int::from_ne_bytes(__b);
                            false #(|| __v == #ident::#variants as #int)*
                        }
                        ::core::result::Result::Err(_) => false,
                    }
                }
            }
            #[automatically_derived]
            // SAFETY: every byte of a `#[repr(#int)]` fieldless enum is part of its integer.
            unsafe impl #private::bytemuck::NoUninit for #ident {}
        };
    })
}
