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
        for key in [
            self.attrs.shape.as_ref().map(|d| (d.span, "shape")),
            self.attrs.strides.as_ref().map(|d| (d.span, "strides")),
            self.attrs.order.as_ref().map(|o| (o.1, "order")),
            self.attrs.item.as_ref().map(|t| (t.span(), "item")),
            self.attrs.python.map(|s| (s, "python")),
            self.attrs.dim_names.as_ref().map(|d| (d.1, "dim_names")),
        ]
        .into_iter()
        .flatten()
        {
            self.errors.push(Error::new(
                key.0,
                format!("`{}` is an `ArrayProducer`/`ArrayConsumer` attribute; `Element` only takes `crate`", key.1),
            ));
        }
        if repr.transparent {
            if let Some(span) = self.fields.iter().find_map(|f| f.attrs.pad) {
                self.errors.push(Error::new(span, "`#[array(pad)]` has no meaning in a `#[repr(transparent)]` struct, which has no padding: remove it"));
            }
        }
        let mut field_errors = Vec::new();
        for f in &self.fields {
            let a = &f.attrs;
            if let Some(span) = a.data {
                field_errors.push(Error::new(span, "`data` marks the elements of an `ArrayProducer`; a field of an `Element` record cannot be one"));
            }
            if a.pad.is_some() && !is_array_of(f.ty, "u8") {
                field_errors.push(Error::new(
                    f.ty.span(),
                    "a `#[array(pad)]` field must be a byte array such as `[u8; 3]`",
                ));
            }
            if a.string.is_some() && !is_array_of(f.ty, "u8") {
                field_errors.push(Error::new(
                    f.ty.span(),
                    "a `#[array(string)]` field must be a byte array such as `[u8; 16]` (numpy `|S16`)",
                ));
            }
            if a.unicode.is_some() && !is_array_of(f.ty, "u32") {
                field_errors.push(Error::new(
                    f.ty.span(),
                    "a `#[array(unicode)]` field must be an array of UCS-4 code points such as `[u32; 4]` (numpy `<U4`)",
                ));
            }
            if [a.pad, a.skip, a.string, a.unicode]
                .iter()
                .flatten()
                .count()
                > 1
            {
                field_errors.push(Error::new(
                    f.span(),
                    "a field can be only one of `pad`, `skip`, `string` and `unicode`",
                ));
            }
            if let (Some(rename), Some(_)) = (&a.rename, a.pad.or(a.skip)) {
                field_errors.push(Error::new(
                    rename.span(),
                    "`rename` names a field of the item type; a `pad` or `skip` field is not one",
                ));
            }
        }
        let mut names: Vec<(String, proc_macro2::Span)> = Vec::new();
        for f in &self.fields {
            if f.attrs.pad.is_some() || f.attrs.skip.is_some() {
                continue;
            }
            if let Some(name) = f.format_name() {
                if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
                    let mut e = Error::new(
                        f.span(),
                        format!("two fields are named `{name}` in the item type: rename one"),
                    );
                    e.combine(Error::new(*first, "the other one"));
                    field_errors.push(e);
                } else {
                    names.push((name, f.span()));
                }
            }
        }
        let data_fields = self
            .fields
            .iter()
            .filter(|f| f.attrs.skip.is_none())
            .count();
        if repr.transparent && data_fields != 1 {
            field_errors.push(Error::new(
                self.ident().span(),
                "`#[derive(Element)]` on a `#[repr(transparent)]` struct needs exactly one field not marked `#[array(skip)]`",
            ));
        }
        self.errors.extend(field_errors);
    }

    /// Whether the compiler proves every instantiation free of padding, so that bytemuck's
    /// `NoUninit` (which has no per-instantiation check) can be implemented: non-generic
    /// records (checked at definition), `repr(transparent)`, `repr(packed)` (no field is
    /// aligned), and `repr(C)` without `align` whose fields share one base type (`T`,
    /// `[T; N]`: every offset is then a multiple of the base's alignment, and so is the size),
    /// with `PhantomData` markers as the only other fields.
    pub fn padding_free_by_construction(&self) -> bool {
        let generics = &self.original.generics;
        if generics.type_params().next().is_none() && generics.const_params().next().is_none() {
            return true;
        }
        if self.repr.transparent || self.repr.packed_1() {
            return true;
        }
        if self.repr.align.is_some() || self.repr.packed.is_some() {
            return false;
        }
        let bases: Vec<String> = self
            .fields
            .iter()
            .filter(|f| !(f.attrs.skip.is_some() && is_phantom(f.ty)))
            .map(|f| base(f.ty))
            .collect();
        bases.windows(2).all(|w| w[0] == w[1])
    }
}

fn is_phantom(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "PhantomData"))
}

fn is_array_of(ty: &Type, elem: &str) -> bool {
    match ty {
        Type::Array(a) => matches!(&*a.elem, Type::Path(p) if p.path.is_ident(elem)),
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

/// What holds the elements of a derived producer/consumer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Vec,
    Boxed,
    Array,
    Shared,
    Unique,
    Arc,
    Rc,
}

impl Container {
    pub fn writable(self) -> bool {
        matches!(
            self,
            Container::Vec | Container::Boxed | Container::Array | Container::Unique
        )
    }

    pub fn borrowed(self) -> bool {
        matches!(self, Container::Shared | Container::Unique)
    }
}

/// The container kind and element type of a data field's type.
pub fn container(ty: &Type) -> Option<(Container, &Type)> {
    fn slice_elem(ty: &Type) -> Option<&Type> {
        match ty {
            Type::Slice(s) => Some(&s.elem),
            _ => None,
        }
    }
    fn single_arg<'t>(p: &'t syn::TypePath, name: &str) -> Option<&'t Type> {
        let last = p.path.segments.last()?;
        if last.ident != name {
            return None;
        }
        match &last.arguments {
            syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first()? {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }
    match ty {
        Type::Array(a) => Some((Container::Array, &a.elem)),
        Type::Reference(r) => {
            let elem = slice_elem(&r.elem)?;
            Some((
                if r.mutability.is_some() {
                    Container::Unique
                } else {
                    Container::Shared
                },
                elem,
            ))
        }
        Type::Path(p) => {
            if let Some(t) = single_arg(p, "Vec") {
                return Some((Container::Vec, t));
            }
            for (name, kind) in [
                ("Box", Container::Boxed),
                ("Arc", Container::Arc),
                ("Rc", Container::Rc),
            ] {
                if let Some(t) = single_arg(p, name).and_then(slice_elem) {
                    return Some((kind, t));
                }
            }
            None
        }
        _ => None,
    }
}

const INTEGERS: &[&str] = &[
    "usize", "u8", "u16", "u32", "u64", "u128", "isize", "i8", "i16", "i32", "i64", "i128",
];

fn is_integer(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if INTEGERS.iter().any(|i| p.path.is_ident(i)))
}

impl Input<'_> {
    /// `#[derive(ArrayProducer)]` / `#[derive(ArrayConsumer)]`.
    pub fn validate_array(&mut self, derive: &str) {
        let ident = self.ident().clone();
        let mut errors = Vec::new();
        let data: Vec<_> = self
            .fields
            .iter()
            .filter(|f| f.attrs.data.is_some())
            .collect();
        match data.as_slice() {
            [] => errors.push(Error::new(
                ident.span(),
                format!("`{derive}` needs the field holding the elements marked `#[array(data)]`, e.g. `#[array(data)] pixels: Vec<Rgba>`"),
            )),
            [one] => {
                if container(one.ty).is_none() {
                    errors.push(Error::new(
                        one.ty.span(),
                        "the `#[array(data)]` field must be `Vec<T>`, `Box<[T]>`, `[T; N]`, `&[T]`, `&mut [T]`, `Arc<[T]>` or `Rc<[T]>`",
                    ));
                }
            }
            [_, second, ..] => errors.push(Error::new(
                second.attrs.data.unwrap_or_else(|| second.span()),
                "only one field can be `#[array(data)]`; this is the second",
            )),
        }
        for f in &self.fields {
            if let Some(span) = f.attrs.pad {
                errors.push(Error::new(
                    span,
                    "`pad` is an `Element` attribute; it has no meaning on an array type",
                ));
            }
        }
        let Some(shape) = &self.attrs.shape else {
            errors.push(Error::new(
                ident.span(),
                format!("`{derive}` needs the axes: add `#[array(shape = [...])]` naming the fields (or constants) that give each axis' length, e.g. `#[array(shape = [height, width])]`"),
            ));
            self.errors.extend(errors);
            return;
        };
        if shape.dims.is_empty() {
            errors.push(Error::new(shape.span, "`shape` needs at least one axis"));
        }
        let mut dims = vec![&shape.dims];
        if let Some(strides) = &self.attrs.strides {
            if strides.dims.len() != shape.dims.len() {
                errors.push(Error::new(
                    strides.span,
                    format!("`strides` has {} entries but `shape` has {}: give one stride (in bytes) per axis", strides.dims.len(), shape.dims.len()),
                ));
            }
            if let Some((_, span)) = self.attrs.order {
                errors.push(Error::new(
                    span,
                    "`order` and `strides` both say where elements lie: give one of them",
                ));
            }
            dims.push(&strides.dims);
        }
        for d in dims.into_iter().flatten() {
            let Some(name) = d.ident() else { continue };
            match self.field_named(name) {
                Some(f) if !is_integer(f.ty) => {
                    let ty = f.ty;
                    errors.push(Error::new(
                        ty.span(),
                        format!(
                            "shape and stride field `{name}` has type `{}`; expected an integer type (usize, u32, …)",
                            quote::quote!(#ty).to_string().replace(' ', "")
                        ),
                    ))
                }
                Some(f) if f.attrs.data.is_some() => errors.push(Error::new(name.span(), format!("`{name}` is the data field, not a length"))),
                Some(_) => {}
                None if is_constant_name(&name.to_string()) => {}
                None => errors.push(Error::new(
                    name.span(),
                    format!("unknown field `{name}` in the shape: `{ident}` has no field of that name (constants are written in UPPER_CASE or as literals)"),
                )),
            }
        }
        if let Some((names, span)) = &self.attrs.dim_names {
            if names.len() != shape.dims.len() {
                errors.push(Error::new(
                    *span,
                    format!(
                        "`dim_names` names {} axes, but the shape has {}: give one name per axis",
                        names.len(),
                        shape.dims.len()
                    ),
                ));
            }
        }
        if let (Some(span), Some(f)) = (self.attrs.python, data.first()) {
            if derive == "ArrayConsumer" && container(f.ty).is_some_and(|(c, _)| c.borrowed()) {
                errors.push(Error::new(
                    span,
                    "`python` on a consumer reads it from Python by copying, which needs an owned data field such as `Vec<T>`; a borrowed one cannot outlive the Python call",
                ));
            }
        }
        if let (Some(f), Some(_)) = (data.first(), &self.attrs.strides) {
            if container(f.ty).is_some_and(|(c, _)| c.borrowed()) && derive == "ArrayConsumer" {
                errors.push(Error::new(
                    f.ty.span(),
                    "a zero-copy consumer (borrowed data field) cannot take `strides`; use an owned data field such as `Vec<T>`",
                ));
            }
        }
        if let Some(f) = data.first() {
            if derive == "ArrayConsumer"
                && container(f.ty).is_some_and(|(c, _)| c == Container::Unique)
            {
                errors.push(Error::new(
                    f.ty.span(),
                    "a consumer cannot borrow `&mut [T]` from a read-only array; use `&[T]` (zero-copy) or an owned container (a copy)",
                ));
            }
        }
        self.errors.extend(errors);
    }
}

fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}
