//! Derive macros for `array-protocol`; documented on their re-exports in that crate.

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

#[proc_macro_derive(Element, attributes(array))]
pub fn derive_element(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    element(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[proc_macro_derive(ArrayProducer, attributes(array))]
pub fn derive_array_producer(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    array(&input, "ArrayProducer")
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[proc_macro_derive(ArrayConsumer, attributes(array))]
pub fn derive_array_consumer(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    array(&input, "ArrayConsumer")
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn array(node: &DeriveInput, derive: &str) -> syn::Result<proc_macro2::TokenStream> {
    let mut input = ast::Input::from_syn(node, derive)?;
    input.validate_array(derive);
    input.take_errors()?;
    if derive == "ArrayProducer" {
        expand::array::producer(&input)
    } else {
        expand::array::consumer(&input)
    }
}

fn element(node: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    if let syn::Data::Enum(data) = &node.data {
        return expand::enums::expand(node, data);
    }
    let mut input = ast::Input::from_syn(node, "Element")?;
    input.validate_element();
    input.take_errors()?;
    expand::element::expand(&input)
}
