//! `#[derive(ArrayProducer)]` and `#[derive(ArrayConsumer)]`.
//!
//! For `#[array(shape = [height, width])] struct Image { width: usize, height: usize,
//! #[array(data)] pixels: Vec<Rgba> }` the producer is, in outline:
//!
//! ```text
//! impl ArrayProducer for Image {
//!     fn array(&self) -> ArrayView<'_> { /* try_array, or a panic naming the bad fields */ }
//!     fn try_array(&self) -> Result<ArrayView<'_>, Error> {
//!         let shape = [dim(self.height)?, dim(self.width)?];
//!         __private::view::<Rgba, Rgba>(&self.pixels[..], &shape, None, false)
//!     }
//! }
//! impl TypedArrayProducer for Image { type Item = Rgba; type Dim = Ix<2>; }
//! impl ArrayProducerMut for Image { /* the same, writable */ }
//! ```
//! and the consumer copies any readable array into a contiguous buffer, then builds `Self`
//! with the lengths in the shape fields, the elements in the data field and `Default` elsewhere
//! (or borrows a contiguous array without copying when the data field is `&'a [T]`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Error, Member, Type};

use crate::ast::{Field, Input};
use crate::attr::{Dim, Order};
use crate::valid::{container, Container};

struct Parts<'i, 'a> {
    input: &'i Input<'a>,
    krate: TokenStream,
    private: TokenStream,
    data: &'i Field<'a>,
    kind: Container,
    elem: &'a Type,
    item: TokenStream,
    fortran: bool,
}

/// A shape or stride entry: the field it names, or a constant expression.
enum Entry<'i, 'a> {
    Field(&'i Field<'a>),
    Const(TokenStream),
}

impl<'i, 'a> Parts<'i, 'a> {
    fn new(input: &'i Input<'a>) -> Result<Self, Error> {
        let krate = input.krate();
        let private = quote!(#krate::__private);
        let data = input
            .data_field()
            .ok_or_else(|| Error::new(input.ident().span(), "no `#[array(data)]` field"))?;
        let (kind, elem) = container(data.ty)
            .ok_or_else(|| Error::new(input.ident().span(), "unsupported data field"))?;
        let item = match &input.attrs.item {
            Some(t) => quote!(#t),
            None => quote!(#elem),
        };
        let fortran = input.attrs.order.is_some_and(|(o, _)| o == Order::F);
        Ok(Parts {
            input,
            krate,
            private,
            data,
            kind,
            elem,
            item,
            fortran,
        })
    }

    fn entry(&self, d: &Dim) -> Entry<'i, 'a> {
        if let Some(f) = d.ident().and_then(|name| self.input.field_named(name)) {
            return Entry::Field(f);
        }
        match d {
            Dim::Name(p) => Entry::Const(quote!(#p)),
            Dim::Lit(l) => Entry::Const(quote!(#l)),
        }
    }

    fn label(&self, f: &Field) -> String {
        format!("{}.{}", self.input.ident(), member_name(&f.member))
    }

    fn shape(&self) -> Vec<Entry<'i, 'a>> {
        self.input
            .attrs
            .shape
            .iter()
            .flat_map(|s| s.dims.iter())
            .map(|d| self.entry(d))
            .collect()
    }

    fn strides(&self) -> Option<Vec<Entry<'i, 'a>>> {
        self.input
            .attrs
            .strides
            .as_ref()
            .map(|s| s.dims.iter().map(|d| self.entry(d)).collect())
    }

    /// `[dim(self.height, "Image.height")?, …]` read from `source` (`self`).
    fn shape_array(&self, source: &TokenStream) -> TokenStream {
        let private = &self.private;
        let dims = self.shape().into_iter().map(|e| match e {
            Entry::Field(f) => {
                let m = &f.member;
                let label = self.label(f);
                quote!(#private::dim(#source.#m, #label)?)
            }
            Entry::Const(c) => quote!(#private::dim(#c, "a constant in the shape")?),
        });
        quote!([#(#dims),*])
    }

    fn strides_option(&self, source: &TokenStream) -> TokenStream {
        let private = &self.private;
        match self.strides() {
            None => quote!(::core::option::Option::<&[isize]>::None),
            Some(entries) => {
                let s = entries.into_iter().map(|e| match e {
                    Entry::Field(f) => {
                        let m = &f.member;
                        let label = self.label(f);
                        quote!(#private::stride(#source.#m, #label)?)
                    }
                    Entry::Const(c) => quote!(#private::stride(#c, "a constant in the strides")?),
                });
                quote!(::core::option::Option::Some(&[#(#s),*][..]))
            }
        }
    }

    /// With `item = T`, a compile-time check that an element is exactly `T` times the constant
    /// axes after the last field axis (`shape = [height, width, 4]` for RGBA bytes).
    fn item_check(&self, which: &str) -> (TokenStream, TokenStream) {
        let name_const = quote::format_ident!("__ARRAY_{}_ITEM_CHECK", which);
        let private = &self.private;
        if self.input.attrs.item.is_none() {
            return (quote!(), quote!());
        }
        let shape = self.shape();
        let last_field = shape
            .iter()
            .rposition(|e| matches!(e, Entry::Field(_)))
            .map_or(0, |i| i + 1);
        let trailing = shape[last_field..].iter().filter_map(|e| match e {
            Entry::Const(c) => Some(quote!(* (#c as usize))),
            Entry::Field(_) => None,
        });
        let (elem, item) = (self.elem, &self.item);
        let ident = self.input.ident();
        let (impl_generics, ty_generics, where_clause) =
            self.input.original.generics.split_for_impl();
        let name = ident.to_string();
        let imp = quote! {
            impl #impl_generics #ident #ty_generics #where_clause {
                #[doc(hidden)]
                const #name_const: () = {
                    let __elem = ::core::mem::size_of::<#elem>();
                    let __item = ::core::mem::size_of::<#item>();
                    let __axes: usize = 1 #(#trailing)*;
                    if __elem != __item * __axes {
                        #private::item_size_error(#name, __elem, __item, __axes);
                    }
                };
            }
        };
        let force = if self.input.original.generics.params.is_empty() {
            quote!(const _: () = #ident::#name_const;)
        } else {
            quote!()
        };
        (quote!(#imp #force), quote!(let () = Self::#name_const;))
    }
}

/// The struct's generic parameters with their bounds, and its where-clause predicates, for the
/// `impl` headers the crate's Python macros write.
fn python_generics(input: &Input) -> (TokenStream, TokenStream) {
    let generics = &input.original.generics;
    let params = generics.params.iter().map(|param| match param {
        syn::GenericParam::Lifetime(l) => quote!(#l),
        syn::GenericParam::Type(t) => {
            let (ident, colon, bounds) = (&t.ident, &t.colon_token, &t.bounds);
            quote!(#ident #colon #bounds)
        }
        syn::GenericParam::Const(c) => {
            let (ident, ty) = (&c.ident, &c.ty);
            quote!(const #ident: #ty)
        }
    });
    let predicates = generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter());
    (quote!(#(#params,)*), quote!(#(#predicates,)*))
}

fn member_name(m: &Member) -> String {
    match m {
        Member::Named(i) => i.to_string(),
        Member::Unnamed(i) => i.index.to_string(),
    }
}

pub fn producer(input: &Input) -> Result<TokenStream, Error> {
    let p = Parts::new(input)?;
    let Parts {
        krate,
        private,
        elem,
        item,
        fortran,
        ..
    } = &p;
    let ident = input.ident();
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = input.original.generics.split_for_impl();
    let data = &p.data.member;
    let data_label = p.label(p.data);
    let this = quote!(self);
    let shape = p.shape_array(&this);
    let strides = p.strides_option(&this);
    let (check_impl, check) = p.item_check("PRODUCER");
    let ndim = p.shape().len();
    let mutable = p.kind.writable().then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_generics #krate::ArrayProducerMut for #ident #ty_generics #where_clause {
                fn array_mut(&mut self) -> #krate::ArrayViewMut<'_> {
                    match #krate::ArrayProducerMut::try_array_mut(self) {
                        ::core::result::Result::Ok(v) => v,
                        ::core::result::Result::Err(e) => #private::inconsistent(#name, &e),
                    }
                }
                fn try_array_mut(&mut self) -> ::core::result::Result<#krate::ArrayViewMut<'_>, #krate::Error> {
                    #check
                    let __shape = #shape;
                    let __strides = #strides;
                    #private::view_mut::<#elem, #item>(&mut self.#data[..], &__shape, __strides, #fortran, #data_label)
                }
            }
        }
    });
    let axis_names = input.attrs.dim_names.as_ref().map(|(names, _)| {
        quote! {
            fn axis_names(&self) -> ::core::option::Option<&[&str]> {
                ::core::option::Option::Some(&[#(#names),*])
            }
        }
    });
    let python = input.attrs.python.map(|_| {
        // `impl<'py, …> IntoPyObject<'py> for Name<…> where …, Self: Send + Sync + 'static`,
        // written by a macro of the crate so that it names the crate's own PyO3 and fails with
        // a clear message when the crate's `python` feature is off. Read-only, as the rest of
        // Python's image types hand out theirs; `ExportMut` makes a writable export.
        let (params, predicates) = python_generics(input);
        let impl_py = quote!(<'__py, #params>);
        quote! {
            ::array_protocol_python::__private::into_python! {
                [#impl_py] [#ident #ty_generics] [#predicates] [new]
            }
        }
    });
    Ok(quote! {
        const _: () = {
            #check_impl
            #python
            #[automatically_derived]
            impl #impl_generics #krate::ArrayProducer for #ident #ty_generics #where_clause {
                fn array(&self) -> #krate::ArrayView<'_> {
                    match #krate::ArrayProducer::try_array(self) {
                        ::core::result::Result::Ok(v) => v,
                        ::core::result::Result::Err(e) => #private::inconsistent(#name, &e),
                    }
                }
                fn try_array(&self) -> ::core::result::Result<#krate::ArrayView<'_>, #krate::Error> {
                    #check
                    let __shape = #shape;
                    let __strides = #strides;
                    #private::view::<#elem, #item>(&self.#data[..], &__shape, __strides, #fortran, #data_label)
                }
                #axis_names
            }
            #[automatically_derived]
            impl #impl_generics #krate::TypedArrayProducer for #ident #ty_generics #where_clause {
                type Item = #item;
                type Dim = #krate::Ix<#ndim>;
            }
            #mutable
        };
    })
}

pub fn consumer(input: &Input) -> Result<TokenStream, Error> {
    let p = Parts::new(input)?;
    let Parts {
        krate,
        private,
        elem,
        item,
        fortran,
        ..
    } = &p;
    let ident = input.ident();
    let (impl_generics, ty_generics, where_clause) = input.original.generics.split_for_impl();
    let shape = p.shape();
    let ndim = shape.len();
    let (check_impl, check) = p.item_check("CONSUMER");
    let order = if *fortran {
        quote!(#krate::Order::Fortran)
    } else {
        quote!(#krate::Order::C)
    };

    // Constant axes must have their length.
    let const_lens = shape.iter().enumerate().filter_map(|(i, e)| match e {
        Entry::Const(c) => Some(quote!(#private::expect_len(__shape, #i, #private::dim(#c, "a constant in the shape")?)?;)),
        Entry::Field(_) => None,
    });
    let strides = p.strides().unwrap_or_default();
    let const_strides = strides.iter().enumerate().filter_map(|(i, e)| match e {
        Entry::Const(c) => Some(quote! {
            if __strides[#i] != #private::stride(#c, "a constant in the strides")? {
                return ::core::result::Result::Err(#private::stride_error(#i, __strides[#i]));
            }
        }),
        Entry::Field(_) => None,
    });
    // A field named by several axes (`shape = [n, n]`) must get one length from all of them.
    let mut agree = Vec::new();
    for (i, e) in shape.iter().enumerate() {
        let Entry::Field(f) = e else { continue };
        if let Some(first) = shape[..i]
            .iter()
            .position(|g| matches!(g, Entry::Field(g) if g.member == f.member))
        {
            let label = p.label(f);
            agree.push(quote!(#private::same_len(__shape, #first, #i, #label)?;));
        }
    }
    let python = input.attrs.python.map(|_| {
        let (params, predicates) = python_generics(input);
        let impl_py = quote!(<'__a, '__py, #params>);
        quote! {
            ::array_protocol_python::__private::from_python! {
                [#impl_py] [#ident #ty_generics] [#predicates]
            }
        }
    });
    let inits = input.fields.iter().map(|f| {
        let m = &f.member;
        let label = p.label(f);
        if f.attrs.data.is_some() {
            return if p.kind.borrowed() {
                quote!(#m: __elems)
            } else {
                quote!(#m: #private::FromVec::from_vec(__elems)?)
            };
        }
        if let Some(i) = shape
            .iter()
            .position(|e| matches!(e, Entry::Field(g) if g.member == *m))
        {
            return quote!(#m: #private::field_value(__shape[#i], #label)?);
        }
        if let Some(i) = strides
            .iter()
            .position(|e| matches!(e, Entry::Field(g) if g.member == *m))
        {
            return quote!(#m: #private::field_value(__strides[#i] as usize, #label)?);
        }
        quote!(#m: ::core::default::Default::default())
    });
    let requirements = |contiguity: TokenStream| {
        quote! {
            fn requirements() -> #krate::Requirements {
                let (__item, __inner) = #private::element_parts::<#item>();
                #krate::Requirements {
                    item: ::core::option::Option::Some(__item),
                    ndim: ::core::option::Option::Some(#ndim + __inner),
                    contiguity: #contiguity,
                    writable: false,
                }
            }
        }
    };
    if p.kind.borrowed() {
        let lifetime = match p.data.ty {
            Type::Reference(r) => r.lifetime.clone(),
            _ => None,
        }
        .ok_or_else(|| {
            Error::new(
                input.ident().span(),
                "the borrowed data field needs a named lifetime",
            )
        })?;
        let contiguity = if *fortran {
            quote!(#krate::Contiguity::Fortran)
        } else {
            quote!(#krate::Contiguity::C)
        };
        let req = requirements(contiguity);
        return Ok(quote! {
            const _: () = {
                #check_impl
                #[automatically_derived]
                impl #impl_generics #krate::FromArrayView<#lifetime> for #ident #ty_generics #where_clause {
                    #req
                    fn read_array_view(__view: #krate::ArrayView<#lifetime>) -> ::core::result::Result<Self, #krate::Error> {
                        #check
                        let __shape = __view.shape();
                        #(#const_lens)*
                        #(#agree)*
                        let __bytes = #private::contiguous_bytes(&__view, #fortran)?;
                        let __elems: &#lifetime [#elem] = #private::slice_from_bytes::<#elem>(__bytes)?;
                        ::core::result::Result::Ok(Self { #(#inits,)* })
                    }
                }
            };
        });
    }
    let req = requirements(quote!(#krate::Contiguity::Any));
    Ok(quote! {
        const _: () = {
            #check_impl
            #python
            #[automatically_derived]
            impl #impl_generics #krate::ArrayConsumer for #ident #ty_generics #where_clause {
                #req
                fn read_array(__view: &#krate::ArrayView<'_>) -> ::core::result::Result<Self, #krate::Error> {
                    #check
                    let __shape = __view.shape();
                    #(#const_lens)*
                    #(#agree)*
                    let __copy = __view.to_contiguous(#order)?;
                    let __strides = __copy.strides();
                    #(#const_strides)*
                    let __elems = #private::vec_from_bytes::<#elem>(__copy.bytes())?;
                    ::core::result::Result::Ok(Self { #(#inits,)* })
                }
            }
        };
    })
}
