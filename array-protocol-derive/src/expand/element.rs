//! `#[derive(Element)]` on structs.
//!
//! For `#[repr(C)] struct Rgba { r: u8, g: u8, b: u8, a: u8 }` the expansion is, in outline:
//!
//! ```text
//! const _: () = {
//!     struct __ArrayFormat;                     // mirrors the struct's generics
//!     impl __ArrayFormat {
//!         const PADDING: () = /* panics at compile time on implicit padding */;
//!         const FORMAT: &str = /* "T{" + <u8 as Element>::FORMAT + ":r:" … + "}", after PADDING */;
//!         const ITEM_TYPE: ItemType = /* one Field per field at its offset_of!, after PADDING */;
//!     }
//!     const _: () = /* non-generic structs: FORMAT and ITEM_TYPE checked at definition */;
//!     unsafe impl Element for Rgba { const FORMAT = __ArrayFormat::FORMAT; … }
//!     unsafe impl bytemuck::NoUninit for Rgba where for<'a> u8: NoUninit {}  // see below
//!     unsafe impl bytemuck::Zeroable for Rgba where for<'a> u8: Zeroable {}
//!     unsafe impl bytemuck::AnyBitPattern for Rgba where for<'a> u8: AnyBitPattern {}
//! };
//! ```
//! The `for<'a>` bounds make the bytemuck impls apply exactly when every field allows it (a
//! record holding a `bool` gets no `AnyBitPattern`) without a compile error when they do not.
//!
//! Padding is refused per instantiation: `PADDING` walks the fields of `Self` as the compiler
//! laid them out, and both `FORMAT` and `ITEM_TYPE` evaluate it first. Every path of the crate
//! from elements to bytes reads one of them, so a padded instantiation of a generic record is
//! a compile error wherever it would be viewed as bytes. bytemuck's `NoUninit` has no such
//! hook, so it is implemented only where the compiler proves every instantiation padding-free:
//! non-generic records (checked at definition), `repr(transparent)`, `repr(packed)`, and
//! `repr(C)` records without `align` whose fields share one base type (`T`, `[T; N]`), and then
//! only when every field is `NoUninit` itself.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Error, GenericParam};

use crate::ast::{Field, Input};

/// The largest format buffer a generic record gets: formats are built at compile time into the
/// smallest of these that holds them. A non-generic record's buffer is exactly its length.
const TIERS: [usize; 4] = [256, 4096, 65536, 1 << 20];

pub fn expand(input: &Input) -> Result<TokenStream, Error> {
    let krate = input.krate();
    let ident = input.ident();
    let generics = &input.original.generics;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let turbofish = ty_generics.as_turbofish();
    let generic = !generics.params.is_empty();
    let self_ty = quote!(#ident #ty_generics);
    let private = quote!(#krate::__private);
    let data: Vec<&Field> = input
        .fields
        .iter()
        .filter(|f| f.attrs.skip.is_none())
        .collect();
    let all_tys: Vec<_> = input.fields.iter().map(|f| f.ty).collect();
    let predicates: Vec<_> = generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter())
        .collect();

    // `<F as Element>::…`, spanned on each field's type so a non-element field is reported there.
    let element_of = |f: &Field, item: TokenStream| {
        let ty = f.ty;
        quote_spanned!(ty.span()=> <#ty as #krate::Element>::#item)
    };
    let invalid: Vec<_> = data
        .iter()
        .map(|f| element_of(f, quote!(HAS_INVALID_BIT_PATTERNS)))
        .collect();

    let no_uninit = input.padding_free_by_construction().then(|| {
        quote! {
            #[automatically_derived]
            // SAFETY: no instantiation has padding (see `padding_free_by_construction`) and
            // every field is `NoUninit`, so every byte of a value is initialised.
            unsafe impl #impl_generics #private::bytemuck::NoUninit for #self_ty
            where #(#predicates,)* #(for<'__array> #all_tys: #private::bytemuck::NoUninit,)* {}
        }
    });
    let bytemuck_impls = quote! {
        #no_uninit
        #[automatically_derived]
        // SAFETY: all-zero bytes are a value when they are for every field (padding, if an
        // instantiation had any, may hold anything).
        unsafe impl #impl_generics #private::bytemuck::Zeroable for #self_ty
        where #(#predicates,)* #(for<'__array> #all_tys: #private::bytemuck::Zeroable,)* {}
        #[automatically_derived]
        // SAFETY: any bytes are a value when they are for every field; `AnyBitPattern`
        // allows padding bytes, and never reads them.
        unsafe impl #impl_generics #private::bytemuck::AnyBitPattern for #self_ty
        where #(#predicates,)* #(for<'__array> #all_tys: #private::bytemuck::AnyBitPattern,)* {}
    };

    if input.repr.transparent {
        let inner = data[0];
        let format = element_of(inner, quote!(FORMAT));
        let item_type = element_of(inner, quote!(ITEM_TYPE));
        let valid = element_of(inner, quote!(is_valid_bits));
        return Ok(quote! {
            const _: () = {
                #[automatically_derived]
                // SAFETY: `#[repr(transparent)]` over one `Element` field (any others are
                // zero-sized with alignment 1, which rustc checks for `transparent`): the same
                // layout, bytes and valid values as that field.
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
    // which equals Rust's with no implicit padding), each field's format and name, `}`. A field
    // written in another byte order (`>I`) leaves that order in force for what follows (numpy's
    // reading), so `field` puts the record's own mark back before a field without one.
    let mode = if input.repr.packed.is_some() {
        quote!(b'^')
    } else {
        quote!(b'@')
    };
    let mut pushes = Vec::new();
    let mut lens = Vec::new();
    for f in &data {
        let ty = f.ty;
        if f.attrs.pad.is_some() {
            pushes.push(quote!(.pad(::core::mem::size_of::<#ty>())));
            lens.push(quote!(21));
            continue;
        }
        if f.attrs.string.is_some() || f.attrs.unicode.is_some() {
            let (n, code) = if f.attrs.string.is_some() {
                (quote!(::core::mem::size_of::<#ty>()), quote!(b's'))
            } else {
                (quote!(::core::mem::size_of::<#ty>() / 4), quote!(b'w'))
            };
            pushes.push(quote!(.push_string(#n, #code, #mode)));
            lens.push(quote!(22));
        } else {
            let format = element_of(f, quote!(FORMAT));
            pushes.push(quote!(.field(#format, #mode)));
            lens.push(quote!(1 + #format.len()));
        }
        if let Some(name) = f.format_name() {
            let tag = format!(":{name}:");
            let n = tag.len();
            pushes.push(quote!(.push_str(#tag)));
            lens.push(quote!(#n));
        }
    }
    let open = if input.repr.packed.is_some() {
        "T{^"
    } else {
        "T{"
    };

    let name = ident.to_string();
    let mut checks = Vec::new();
    for (i, f) in input.fields.iter().enumerate() {
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
                #private::padding_error(#name, #generic, __offset - __end, __end, #place);
            }
            __end = __offset + ::core::mem::size_of::<#ty>();
        });
        if f.attrs.skip.is_some() {
            let label = f.format_name().unwrap_or_else(|| i.to_string());
            let message = format!("`#[array(skip)]` field `{label}` of `{name}` must be zero-sized (a marker such as `PhantomData<T>`): its bytes would be left out of the item type");
            checks.push(quote!(::core::assert!(::core::mem::size_of::<#ty>() == 0, #message);));
        }
    }

    let phantom: Vec<TokenStream> = generics
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

    // A non-generic record's buffer is exactly its length; a generic one's length depends on
    // its arguments, which a constant array length cannot name on stable Rust, so its format is
    // built into the smallest of a few buffer sizes that holds it.
    let build = quote! {
        #private::FormatBuf::<__CAP>::new()
            .after(Self::PADDING)
            .push_str(#open)
            #(#pushes)*
            .push_str("}")
    };
    let format_consts = if generic {
        let tiers = TIERS.iter().enumerate().map(|(k, cap)| {
            let id = quote::format_ident!("__TIER_{}", k);
            quote! {
                const #id: &'static #private::FormatBuf<#cap> = &Self::__build::<#cap>(Self::LEN <= #cap);
            }
        });
        let choose = TIERS.iter().enumerate().map(|(k, cap)| {
            let id = quote::format_ident!("__TIER_{}", k);
            quote!(if Self::LEN <= #cap { Self::#id.as_str() } else)
        });
        let limit = TIERS[TIERS.len() - 1];
        let too_long = format!("the format string of an instantiation of the generic record `{name}` is longer than {limit} bytes, the most a generic record's format can hold (a non-generic record has no such limit)");
        quote! {
            const LEN: usize = 4 #(+ #lens)*;
            /// The format, or an empty buffer when `fits` is false (a larger size is used).
            const fn __build<const __CAP: usize>(__fits: bool) -> #private::FormatBuf<__CAP> {
                if !__fits {
                    return #private::FormatBuf::new();
                }
                #build
            }
            #(#tiers)*
            const FORMAT: &'static str = #(#choose)* { ::core::panic!(#too_long) };
        }
    } else {
        quote! {
            const BUF: &'static #private::FormatBuf<__CAP> = &#build;
            const FORMAT: &'static str = Self::BUF.as_str();
        }
    };
    let cap = (!generic).then(|| quote!(const __CAP: usize = 4 #(+ #lens)*;));
    let force_check = (!generic).then(|| {
        quote!(
            const _: () = {
                let _: &str = __ArrayFormat::FORMAT;
                ::core::mem::forget(__ArrayFormat::ITEM_TYPE);
            };
        )
    });

    // The item type, built in a constant: one `Field` per data field at its `offset_of!`.
    let static_fields = data.iter().filter(|f| f.attrs.pad.is_none()).map(|f| {
        let member = &f.member;
        let ty = f.ty;
        let item = if f.attrs.string.is_some() {
            quote!(#private::string_item(::core::mem::size_of::<#ty>(), false))
        } else if f.attrs.unicode.is_some() {
            quote!(#private::string_item(::core::mem::size_of::<#ty>(), true))
        } else {
            element_of(f, quote!(ITEM_TYPE))
        };
        let name = match f.format_name() {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        };
        quote!(#private::Field::from_static(#name, ::core::mem::offset_of!(#self_ty, #member), #item))
    });

    let valid_fields = data.iter().filter(|f| f.attrs.pad.is_none()).map(|f| {
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
            #cap
            struct __ArrayFormat #impl_generics (::core::marker::PhantomData<fn() -> (#(#phantom,)*)>) #where_clause;
            impl #impl_generics __ArrayFormat #ty_generics #where_clause {
                /// Fails compilation if this instantiation has implicit padding.
                const PADDING: () = {
                    let mut __end = 0usize;
                    #(#checks)*
                    let __size = ::core::mem::size_of::<#self_ty>();
                    if __size != __end {
                        #private::padding_error(#name, #generic, __size - __end, __end, "at the end");
                    }
                };
                #format_consts
                // The fields in a constant of their own: its borrow is lifetime-extended as the
                // whole initializer, where an argument's would be dropped at compile time.
                const FIELDS: &'static [#private::Field] = &[#(#static_fields),*];
                const DATA: &'static #private::StructData = &#private::StructData::new(
                    Self::FIELDS,
                    ::core::mem::size_of::<#self_ty>(),
                );
                const ITEM_TYPE: #krate::ItemType = {
                    let () = Self::PADDING;
                    #krate::ItemType::record_static(Self::DATA)
                };
            }
            #force_check
            #[automatically_derived]
            // SAFETY: `PADDING`, evaluated by both `FORMAT` and `ITEM_TYPE` (and so by every
            // path of the crate from elements to bytes, and at definition for non-generic
            // structs), proves this instantiation has no padding bytes; every field is an
            // `Element` at its `offset_of!`, which is what `FORMAT` describes; a value is valid
            // exactly when every field is.
            unsafe impl #impl_generics #krate::Element for #self_ty #where_clause {
                const FORMAT: &'static str = __ArrayFormat #turbofish::FORMAT;
                const ITEM_TYPE: #krate::ItemType = __ArrayFormat #turbofish::ITEM_TYPE;
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
