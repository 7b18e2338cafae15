//! WIT types to Rust: type expressions (owned and borrowed) and definitions.
//!
//! Every named type gets serde derives (for postcard on the wire) and
//! wasmtime's component derives (for the canonical ABI inside the runner) on
//! the same Rust item, so the two sides cannot disagree about a layout.

use anyhow::{Result, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use wit_parser::{Docs, Type, TypeDefKind, TypeId, TypeOwner};

use crate::{Generator, names};

/// How a parameter is passed to a generated client method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// By value: scalars, enums, flags.
    Value,
    /// As `&str` or `&[T]`.
    Slice,
    /// As `&T`.
    Ref,
    /// By value, an `own` handle to an object the plugin exports: the
    /// client method takes it (the plugin owns it after a successful call),
    /// the argument struct borrows it.
    Give,
}

/// `super::super::…` to climb from a module `depth` levels below the bindings root.
pub fn root_prefix(depth: usize) -> TokenStream {
    let supers = std::iter::repeat_n(quote!(super::), depth);
    quote!(#(#supers)*)
}

/// Follows `type a = b` aliases to the type they name.
pub fn unalias(g: &Generator<'_>, mut ty: Type) -> Type {
    while let Type::Id(id) = ty {
        match &g.resolve.types[id].kind {
            TypeDefKind::Type(inner) => ty = *inner,
            _ => break,
        }
    }
    ty
}

/// True for `list<u8>`, which travels as one byte string.
pub fn is_bytes(g: &Generator<'_>, ty: &Type) -> bool {
    match unalias(g, *ty) {
        Type::Id(id) => {
            matches!(&g.resolve.types[id].kind, TypeDefKind::List(inner) if unalias(g, *inner) == Type::U8)
        }
        _ => false,
    }
}

/// True when an export's argument of type `ty` is decoded borrowed from the
/// call's frame inside the runner (a `string` or a `list<u8>`): it is then
/// lowered into the guest from the frame, with no copy of its own.
pub fn borrows_from_frame(g: &Generator<'_>, ty: &Type) -> bool {
    unalias(g, *ty) == Type::String || is_bytes(g, ty)
}

/// The type an export's argument is decoded as inside the runner: borrowed
/// for `lifetime` when [`borrows_from_frame`], owned otherwise.
pub fn runner_arg(
    g: &Generator<'_>,
    ty: &Type,
    depth: usize,
    lifetime: &TokenStream,
) -> Result<TokenStream> {
    Ok(match unalias(g, *ty) {
        Type::String => quote!(&#lifetime str),
        _ if is_bytes(g, ty) => quote!(&#lifetime [u8]),
        _ => owned(g, ty, depth)?,
    })
}

/// `#[serde(with = serde_bytes)]` for `list<u8>` and `option<list<u8>>`, the bulk fast path.
pub fn serde_attr(g: &Generator<'_>, ty: &Type) -> TokenStream {
    let bytes_like = is_bytes(g, ty)
        || match unalias(g, *ty) {
            Type::Id(id) => {
                matches!(&g.resolve.types[id].kind, TypeDefKind::Option(inner) if is_bytes(g, inner))
            }
            _ => false,
        };
    if bytes_like {
        quote!(#[serde(with = "::airlock::__private::serde_bytes")])
    } else {
        TokenStream::new()
    }
}

pub fn pass(g: &Generator<'_>, ty: &Type) -> Pass {
    match unalias(g, *ty) {
        Type::String => Pass::Slice,
        Type::Id(id) => match &g.resolve.types[id].kind {
            TypeDefKind::Resource if g.is_exported_resource(id) => Pass::Give,
            TypeDefKind::Handle(wit_parser::Handle::Own(r)) if g.is_exported_resource(*r) => {
                Pass::Give
            }
            TypeDefKind::Handle(wit_parser::Handle::Borrow(r)) if g.is_exported_resource(*r) => {
                Pass::Ref
            }
            TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Resource
            | TypeDefKind::Handle(_) => Pass::Value,
            TypeDefKind::List(_) => Pass::Slice,
            _ => Pass::Ref,
        },
        _ => Pass::Value,
    }
}

/// The owned Rust type of `ty`, as written from a module `depth` levels deep.
pub fn owned(g: &Generator<'_>, ty: &Type, depth: usize) -> Result<TokenStream> {
    Ok(match ty {
        Type::Bool => quote!(bool),
        Type::U8 => quote!(u8),
        Type::U16 => quote!(u16),
        Type::U32 => quote!(u32),
        Type::U64 => quote!(u64),
        Type::S8 => quote!(i8),
        Type::S16 => quote!(i16),
        Type::S32 => quote!(i32),
        Type::S64 => quote!(i64),
        Type::F32 => quote!(f32),
        Type::F64 => quote!(f64),
        Type::Char => quote!(char),
        Type::String => quote!(::std::string::String),
        Type::ErrorContext => bail!("`error-context` is not supported by Airlock bindings"),
        Type::Id(id) => {
            let def = &g.resolve.types[*id];
            if def.name.is_some() && !matches!(def.owner, TypeOwner::None) {
                return named_path(g, *id, depth);
            }
            match &def.kind {
                TypeDefKind::List(t) => {
                    let t = owned(g, t, depth)?;
                    quote!(::std::vec::Vec<#t>)
                }
                TypeDefKind::Option(t) => {
                    let t = owned(g, t, depth)?;
                    quote!(::std::option::Option<#t>)
                }
                TypeDefKind::Result(r) => {
                    let ok = opt_owned(g, r.ok.as_ref(), depth)?;
                    let err = opt_owned(g, r.err.as_ref(), depth)?;
                    quote!(::std::result::Result<#ok, #err>)
                }
                TypeDefKind::Tuple(t) => {
                    let items = t
                        .types
                        .iter()
                        .map(|t| owned(g, t, depth))
                        .collect::<Result<Vec<_>>>()?;
                    quote!((#(#items,)*))
                }
                TypeDefKind::Type(t) => owned(g, t, depth)?,
                // `own<r>` and `borrow<r>` are both the resource's handle type.
                TypeDefKind::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
                    named_path(g, *r, depth)?
                }
                other => bail!("unsupported anonymous WIT type: {}", other.as_str()),
            }
        }
    })
}

fn opt_owned(g: &Generator<'_>, ty: Option<&Type>, depth: usize) -> Result<TokenStream> {
    match ty {
        Some(t) => owned(g, t, depth),
        None => Ok(quote!(())),
    }
}

/// The parameter type of `ty` in a client method or argument struct,
/// borrowing with lifetime `lifetime` (`'a`, or nothing to elide it).
pub fn param(
    g: &Generator<'_>,
    ty: &Type,
    depth: usize,
    lifetime: &TokenStream,
) -> Result<TokenStream> {
    Ok(match pass(g, ty) {
        Pass::Value => owned(g, ty, depth)?,
        Pass::Slice => match unalias(g, *ty) {
            Type::String => quote!(&#lifetime str),
            Type::Id(id) => match &g.resolve.types[id].kind {
                TypeDefKind::List(t) => {
                    let t = owned(g, t, depth)?;
                    quote!(&#lifetime [#t])
                }
                _ => unreachable!("only strings and lists are passed as slices"),
            },
            _ => unreachable!("only strings and lists are passed as slices"),
        },
        Pass::Ref | Pass::Give => {
            let t = owned(g, ty, depth)?;
            quote!(&#lifetime #t)
        }
    })
}

/// True when a value of `ty` can hold a handle to an object the plugin
/// exports (such values are not `Clone`: the handle is an `own`).
pub fn holds_exported_resource(g: &Generator<'_>, ty: &Type) -> bool {
    let Type::Id(id) = ty else {
        return false;
    };
    let opt = |t: &Option<Type>| t.as_ref().is_some_and(|t| holds_exported_resource(g, t));
    match &g.resolve.types[*id].kind {
        TypeDefKind::Resource => g.is_exported_resource(*id),
        TypeDefKind::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
            g.is_exported_resource(*r)
        }
        TypeDefKind::Record(r) => r.fields.iter().any(|f| holds_exported_resource(g, &f.ty)),
        TypeDefKind::Variant(v) => v.cases.iter().any(|c| opt(&c.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().any(|t| holds_exported_resource(g, t)),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => {
            holds_exported_resource(g, t)
        }
        TypeDefKind::Result(r) => opt(&r.ok) || opt(&r.err),
        _ => false,
    }
}

/// The marker type behind the handle type of resource `name`.
pub fn resource_tag(name: &str) -> proc_macro2::Ident {
    names::camel(&format!("{name}-resource"))
}

/// The path of the marker type behind resource `id`'s handle type.
pub fn resource_tag_path(g: &Generator<'_>, id: TypeId, depth: usize) -> Result<TokenStream> {
    let name = g.resolve.types[id].name.as_deref().unwrap_or_default();
    item_path(g, id, resource_tag(name), depth)
}

fn named_path(g: &Generator<'_>, id: TypeId, depth: usize) -> Result<TokenStream> {
    let name = g.resolve.types[id].name.as_deref().unwrap_or_default();
    item_path(g, id, names::camel(name), depth)
}

/// The path of `item`, defined beside the named type `id` (in its
/// interface's module, or at the root for world types).
fn item_path(
    g: &Generator<'_>,
    id: TypeId,
    item: proc_macro2::Ident,
    depth: usize,
) -> Result<TokenStream> {
    let def = &g.resolve.types[id];
    let prefix = root_prefix(depth);
    match def.owner {
        TypeOwner::World(_) => Ok(quote!(#prefix #item)),
        TypeOwner::Interface(iface) => {
            let Some(path) = g.module_paths.get(&iface) else {
                bail!(
                    "type `{}` belongs to an interface the world neither imports nor exports",
                    def.name.as_deref().unwrap_or_default()
                );
            };
            let segments = path.iter().map(|s| names::raw_ident(s));
            Ok(quote!(#prefix #(#segments::)* #item))
        }
        TypeOwner::None => unreachable!("anonymous types are spelled out"),
    }
}

pub fn docs(docs: &Docs) -> TokenStream {
    match &docs.contents {
        Some(text) => {
            let lines = text.lines().map(|l| format!(" {}", l.trim_end()));
            quote!(#(#[doc = #lines])*)
        }
        None => TokenStream::new(),
    }
}

/// The definition of the named type `id`, called `name`, in a module `depth` levels deep.
pub fn type_definition(
    g: &Generator<'_>,
    name: &str,
    id: TypeId,
    depth: usize,
) -> Result<TokenStream> {
    let def = &g.resolve.types[id];
    let ident = names::camel(name);
    let doc = docs(&def.docs);
    let wt = quote!(::airlock::__private::wasmtime);
    let serde_derive = quote! {
        ::airlock::__private::serde::Serialize, ::airlock::__private::serde::Deserialize,
        #wt::component::ComponentType, #wt::component::Lift, #wt::component::Lower
    };
    let attrs = quote! {
        #[serde(crate = "::airlock::__private::serde")]
        #[component(wasmtime_crate = ::airlock::__private::wasmtime)]
    };
    Ok(match &def.kind {
        TypeDefKind::Record(record) => {
            let fields = record
                .fields
                .iter()
                .map(|f| {
                    let fname = names::snake(&f.name);
                    let wit_name = &f.name;
                    let ty = owned(g, &f.ty, depth)?;
                    let serde = serde_attr(g, &f.ty);
                    let doc = docs(&f.docs);
                    Ok(quote! {
                        #doc
                        #[component(name = #wit_name)]
                        #serde
                        pub #fname: #ty,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let clone = clone_derive(g, id);
            quote! {
                #doc
                #[derive(Debug, #clone PartialEq, #serde_derive)]
                #attrs
                #[component(record)]
                pub struct #ident { #(#fields)* }
            }
        }
        TypeDefKind::Variant(variant) => {
            let cases = variant
                .cases
                .iter()
                .map(|c| {
                    let cname = names::camel(&c.name);
                    let wit_name = &c.name;
                    let doc = docs(&c.docs);
                    let payload = match &c.ty {
                        Some(t) => {
                            let t = owned(g, t, depth)?;
                            let serde = serde_attr(g, c.ty.as_ref().unwrap());
                            quote!((#serde #t))
                        }
                        None => TokenStream::new(),
                    };
                    Ok(quote! {
                        #doc
                        #[component(name = #wit_name)]
                        #cname #payload,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let clone = clone_derive(g, id);
            quote! {
                #doc
                #[derive(Debug, #clone PartialEq, #serde_derive)]
                #attrs
                #[component(variant)]
                pub enum #ident { #(#cases)* }
            }
        }
        TypeDefKind::Enum(e) => {
            let repr = match e.cases.len() {
                0..=0xff => format_ident!("u8"),
                0x100..=0xffff => format_ident!("u16"),
                _ => format_ident!("u32"),
            };
            let cases = e.cases.iter().map(|c| {
                let cname = names::camel(&c.name);
                let wit_name = &c.name;
                let doc = docs(&c.docs);
                quote! {
                    #doc
                    #[component(name = #wit_name)]
                    #cname,
                }
            });
            quote! {
                #doc
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #serde_derive)]
                #attrs
                #[component(enum)]
                #[repr(#repr)]
                pub enum #ident { #(#cases)* }
            }
        }
        TypeDefKind::Flags(flags) => {
            let consts: Vec<_> = flags.flags.iter().map(|f| names::shouty(&f.name)).collect();
            let wit_names = flags.flags.iter().map(|f| &f.name);
            let words = flags.flags.len().div_ceil(32);
            let bits = (0..flags.flags.len()).map(|i| {
                let word = i / 32;
                let bit = 1u32 << (i % 32);
                quote!(bits[#word] & #bit != 0)
            });
            // `flags!` spells the wasmtime crate as `wasmtime`, hence the `use` the
            // generator puts in every module that defines flags.
            quote! {
                wasmtime::component::flags! {
                    #ident {
                        #(#[component(name = #wit_names)] const #consts;)*
                    }
                }
                #doc
                impl ::airlock::__private::serde::Serialize for #ident {
                    fn serialize<S: ::airlock::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                        ::airlock::__private::serde::Serialize::serialize(&self.as_array(), s)
                    }
                }
                impl<'de> ::airlock::__private::serde::Deserialize<'de> for #ident {
                    fn deserialize<D: ::airlock::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                        let bits = <[u32; #words] as ::airlock::__private::serde::Deserialize>::deserialize(d)?;
                        let mut value = Self::empty();
                        #(if #bits { value |= Self::#consts; })*
                        Ok(value)
                    }
                }
            }
        }
        TypeDefKind::Type(_)
        | TypeDefKind::List(_)
        | TypeDefKind::Option(_)
        | TypeDefKind::Result(_)
        | TypeDefKind::Tuple(_) => {
            // Aliases and named anonymous shapes are spelled out structurally.
            let target = match &def.kind {
                TypeDefKind::Type(t) => owned(g, t, depth)?,
                _ => owned_anonymous(g, id, depth)?,
            };
            quote! {
                #doc
                pub type #ident = #target;
            }
        }
        TypeDefKind::Resource if g.is_exported_resource(id) => {
            let tag = resource_tag(name);
            quote! {
                #doc
                ///
                /// A handle to an object the plugin implements, held by the host;
                /// dropping it releases the object (with the plugin's next call).
                pub type #ident = ::airlock::PluginResource<#tag>;
                #[doc(hidden)]
                pub enum #tag {}
                impl ::airlock::ExportedResource for #tag {
                    const NAME: &'static str = #name;
                }
            }
        }
        TypeDefKind::Resource => {
            let tag = resource_tag(name);
            // The import through which the host hears of a dropped handle.
            let drop = g
                .imports
                .iter()
                .find(|f| crate::is_drop(&f.func) && f.func.params[0].ty == Type::Id(id))
                .map(|f| f.index);
            let Some(drop) = drop else {
                bail!("resource `{name}` has no drop function: it is in no imported interface");
            };
            quote! {
                #doc
                ///
                /// A handle to an object the host implements: the host picks its
                /// number (`Handle::new`), the guest holds it as a resource.
                pub type #ident = ::airlock::Handle<#tag>;
                #[doc(hidden)]
                pub enum #tag {}
                impl ::airlock::__private::runner::HostResource for #tag {
                    const DROP: u32 = #drop;
                }
            }
        }
        other => bail!(
            "type `{name}` is a {}, which Airlock bindings do not support yet",
            other.as_str()
        ),
    })
}

/// `Clone,` unless values of type `id` can hold an exported resource's handle.
fn clone_derive(g: &Generator<'_>, id: TypeId) -> TokenStream {
    if holds_exported_resource(g, &Type::Id(id)) {
        TokenStream::new()
    } else {
        quote!(Clone,)
    }
}

/// The structural spelling of a named list/option/result/tuple.
fn owned_anonymous(g: &Generator<'_>, id: TypeId, depth: usize) -> Result<TokenStream> {
    let def = &g.resolve.types[id];
    Ok(match &def.kind {
        TypeDefKind::List(t) => {
            let t = owned(g, t, depth)?;
            quote!(::std::vec::Vec<#t>)
        }
        TypeDefKind::Option(t) => {
            let t = owned(g, t, depth)?;
            quote!(::std::option::Option<#t>)
        }
        TypeDefKind::Result(r) => {
            let ok = opt_owned(g, r.ok.as_ref(), depth)?;
            let err = opt_owned(g, r.err.as_ref(), depth)?;
            quote!(::std::result::Result<#ok, #err>)
        }
        TypeDefKind::Tuple(t) => {
            let items = t
                .types
                .iter()
                .map(|t| owned(g, t, depth))
                .collect::<Result<Vec<_>>>()?;
            quote!((#(#items,)*))
        }
        _ => unreachable!(),
    })
}
