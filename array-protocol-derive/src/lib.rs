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

fn element(node: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let mut input = ast::Input::from_syn(node, "Element")?;
    input.validate_element();
    input.take_errors()?;
    expand::element::expand(&input)
}
