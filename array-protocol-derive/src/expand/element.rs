//! `#[derive(Element)]`.
//!
//! For `#[repr(C)] struct Rgba { r: u8, g: u8, b: u8, a: u8 }` the expansion is, in outline:
//!
//! ```text
//! const _: () = {
//!     struct __ArrayFormat;                     // mirrors the struct's generics
//!     impl __ArrayFormat {
//!         const PADDING: () = /* panics at compile time on implicit padding */;
//!         const BUF: &FormatBuf<N> = &FormatBuf::new().after(Self::PADDING)
//!             .push_str("T{").push_str(<u8 as Element>::FORMAT).push_str(":r:") … .push_str("}");
//!     }
//!     const _: () = __ArrayFormat::PADDING;    // non-generic structs: checked at definition
//!     unsafe impl Element for Rgba { const FORMAT = __ArrayFormat::BUF.as_str(); … }
//!     unsafe impl bytemuck::NoUninit for Rgba {}
//!     unsafe impl bytemuck::Zeroable for Rgba where for<'a> u8: Zeroable {}
//!     unsafe impl bytemuck::AnyBitPattern for Rgba where for<'a> u8: AnyBitPattern {}
//! };
//! ```
//! The `for<'a>` bounds make the bytemuck impls apply exactly when every field allows it (a
//! record holding a `bool` gets no `AnyBitPattern`) without a compile error when they do not.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Error, GenericParam};

use crate::ast::Input;

pub fn expand(input: &Input) -> Result<TokenStream, Error> {
    let krate = input.krate();
    let ident = input.ident();
    let (impl_generics, ty_generics, where_clause) = input.original.generics.split_for_impl();
    let turbofish = ty_generics.as_turbofish();
    let generic = !input.original.generics.params.is_empty();
    let self_ty = quote!(#ident #ty_generics);
    let fields = &input.fields;
    let tys: Vec<_> = fields.iter().map(|f| f.ty).collect();
    let private = quote!(#krate::__private);

    // `<F as Element>::…`, spanned on each field's type so a non-element field is reported there.
    let element_of = |f: &crate::ast::Field, item: TokenStream| {
        let ty = f.ty;
        quote_spanned!(ty.span()=> <#ty as #krate::Element>::#item)
    };
    let invalid: Vec<_> = fields
        .iter()
        .map(|f| element_of(f, quote!(HAS_INVALID_BIT_PATTERNS)))
        .collect();

    let bytemuck_impls = quote! {
        #[automatically_derived]
        unsafe impl #impl_generics #private::bytemuck::NoUninit for #self_ty #where_clause {}
        #[automatically_derived]
        unsafe impl #impl_generics #private::bytemuck::Zeroable for #self_ty
        where #(for<'__array> #tys: #private::bytemuck::Zeroable,)* {}
        #[automatically_derived]
        unsafe impl #impl_generics #private::bytemuck::AnyBitPattern for #self_ty
        where #(for<'__array> #tys: #private::bytemuck::AnyBitPattern,)* {}
    };

    if input.repr.transparent {
        let inner = &fields[0];
        let format = element_of(inner, quote!(FORMAT));
        let item_type = element_of(inner, quote!(ITEM_TYPE));
        let valid = element_of(inner, quote!(is_valid_bits));
        return Ok(quote! {
            const _: () = {
                #[automatically_derived]
                // SAFETY: `#[repr(transparent)]` over one `Element` field: the same layout,
                // bytes and valid values as that field.
                unsafe impl #impl_generics #krate::Element for #self_ty #where_clause {
                    const FORMAT: &'static str = #format;
                    const ITEM_TYPE: #krate::ItemType = #item_type;
                    const HAS_INVALID_BIT_PATTERNS: bool = #(#invalid)*;
                    #[inline]
                    fn is_valid_bits(__bytes: &[u8]) -> bool {
                        #valid(__bytes)
                    }
                }
                #bytemuck_impls
            };
        });
    }

    // The format: `T{`, `^` for packed structs (no alignment, so offsets are the running sum,
    // which equals Rust's with no implicit padding), each field's format and name, `}`.
    let mut pushes = Vec::new();
    let mut lens = Vec::new();
    for f in fields {
        let ty = f.ty;
        if f.attrs.pad.is_some() {
            pushes.push(quote!(.pad(::core::mem::size_of::<#ty>())));
            lens.push(quote!(21));
            continue;
        }
        let format = element_of(f, quote!(FORMAT));
        pushes.push(quote!(.push_str(#format)));
        lens.push(quote!(#format.len()));
        if let Some(name) = f.format_name() {
            let tag = format!(":{name}:");
            let n = tag.len();
            pushes.push(quote!(.push_str(#tag)));
            lens.push(quote!(#n));
        }
    }
    let open = if input.repr.packed { "T{^" } else { "T{" };

    let name = ident.to_string();
    let mut checks = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let member = &f.member;
        let ty = f.ty;
        let place = match (i, f.format_name()) {
            (0, _) => "before the first field".to_string(),
            (_, Some(n)) => format!("before field `{n}`"),
            (_, None) => format!("before field {i}"),
        };
        checks.push(quote! {
            let __offset = ::core::mem::offset_of!(#self_ty, #member);
            if __offset != __end {
                #private::padding_error(#name, __offset - __end, __end, #place);
            }
            __end = __offset + ::core::mem::size_of::<#ty>();
        });
    }

    let phantom: Vec<TokenStream> = input
        .original
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => {
                let id = &t.ident;
                Some(quote!(#id))
            }
            GenericParam::Lifetime(l) => {
                let lt = &l.lifetime;
                Some(quote!(&#lt ()))
            }
            GenericParam::Const(_) => None,
        })
        .collect();
    let cap = if generic {
        quote!(4096)
    } else {
        quote!(__ARRAY_FORMAT_LEN)
    };
    let len_const = (!generic).then(|| quote!(const __ARRAY_FORMAT_LEN: usize = 4 #(+ #lens)*;));
    let force_check = (!generic).then(|| {
        quote!(
            const _: () = __ArrayFormat::PADDING;
        )
    });

    // The item type, built in a constant: one `Field` per data field at its `offset_of!`.
    let static_fields = fields.iter().filter(|f| f.attrs.pad.is_none()).map(|f| {
        let member = &f.member;
        let item = element_of(f, quote!(ITEM_TYPE));
        let name = match f.format_name() {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        };
        quote!(#private::Field::from_static(#name, ::core::mem::offset_of!(#self_ty, #member), #item))
    });

    let valid_fields = fields.iter().filter(|f| f.attrs.pad.is_none()).map(|f| {
        let member = &f.member;
        let ty = f.ty;
        let valid = element_of(f, quote!(is_valid_bits));
        quote! {{
            let __at = ::core::mem::offset_of!(Self, #member);
            #valid(&__bytes[__at..__at + ::core::mem::size_of::<#ty>()])
        }}
    });

    Ok(quote! {
        const _: () = {
            #len_const
            struct __ArrayFormat #impl_generics (::core::marker::PhantomData<fn() -> (#(#phantom,)*)>) #where_clause;
            impl #impl_generics __ArrayFormat #ty_generics #where_clause {
                /// Fails compilation if the struct has implicit padding.
                const PADDING: () = {
                    let mut __end = 0usize;
                    #(#checks)*
                    let __size = ::core::mem::size_of::<#self_ty>();
                    if __size != __end {
                        #private::padding_error(#name, __size - __end, __end, "at the end");
                    }
                };
                const BUF: &'static #private::FormatBuf<#cap> = &#private::FormatBuf::new()
                    .after(Self::PADDING)
                    .push_str(#open)
                    #(#pushes)*
                    .push_str("}");
                const DATA: &'static #private::StructData = &#private::StructData {
                    fields: &[#(#static_fields),*],
                    size: ::core::mem::size_of::<#self_ty>(),
                };
            }
            #force_check
            #[automatically_derived]
            // SAFETY: `PADDING` (evaluated by `FORMAT`, and at definition for non-generic
            // structs; generic ones are accepted only when padding is impossible) proves there
            // are no padding bytes; every field is an `Element` at its `offset_of!`, which is
            // what `FORMAT` describes; a value is valid exactly when every field is.
            unsafe impl #impl_generics #krate::Element for #self_ty #where_clause {
                const FORMAT: &'static str = __ArrayFormat #turbofish::BUF.as_str();
                const ITEM_TYPE: #krate::ItemType = #krate::ItemType::record_static(__ArrayFormat #turbofish::DATA);
                const HAS_INVALID_BIT_PATTERNS: bool = false #(|| #invalid)*;
                fn is_valid_bits(__bytes: &[u8]) -> bool {
                    !<Self as #krate::Element>::HAS_INVALID_BIT_PATTERNS
                        || (__bytes.len() == ::core::mem::size_of::<Self>() #(&& #valid_fields)*)
                }
            }
            #bytemuck_impls
        };
    })
}
