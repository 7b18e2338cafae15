//! Functions across the wire: argument and result structs, the typed client,
//! the host traits and their dispatcher, and the runner glue.
//!
//! Every function gets four small structs in the hidden `__airlock_fns`
//! module: a borrowing `…ArgsRef` the caller serialises, an owned `…Args`
//! the callee deserialises, and the same pair for the result. Postcard encodes
//! a struct as its fields in order, so a pair agrees byte for byte.
//!
//! # Layout
//! - [`wire`]: the wire structs of each function.
//! - [`client`]: the typed client of the exports.
//! - [`host_traits`]: the host traits of the imports and their dispatcher.
//! - [`runner_glue`]: linking imports and calling exports inside the runner.

mod client;
mod host_traits;
mod runner_glue;
mod wire;

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use wit_parser::InterfaceId;

use crate::types;
use crate::{Generator, WireFunction, names};
use client::{client, client_method};
use host_traits::{imports_trait, trait_method};
use runner_glue::runner_glue;
use wire::wire_structs;

pub(super) fn fns_path(depth: usize) -> TokenStream {
    let prefix = types::root_prefix(depth);
    quote!(#prefix __airlock_fns)
}

pub(super) fn struct_names(
    prefix: char,
    f: &WireFunction<'_>,
) -> (
    proc_macro2::Ident,
    proc_macro2::Ident,
    proc_macro2::Ident,
    proc_macro2::Ident,
) {
    let i = f.index;
    (
        format_ident!("{prefix}{i}ArgsRef"),
        format_ident!("{prefix}{i}Args"),
        format_ident!("{prefix}{i}RetRef"),
        format_ident!("{prefix}{i}Ret"),
    )
}

/// True when the world has imports the host application must implement.
pub(super) fn has_user_imports(g: &Generator<'_>) -> bool {
    !g.imports.is_empty()
}

/// `#[allow(clippy::too_many_arguments)]` where clippy would otherwise warn in
/// the host application's crate about a signature the WIT decided.
pub(super) fn many_params(count: usize) -> TokenStream {
    if count > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        TokenStream::new()
    }
}

/// What goes into the module of interface `id`: its host trait (imports) or client (exports).
pub fn interface_items(g: &Generator<'_>, id: InterfaceId, depth: usize) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    let imports: Vec<_> = g
        .imports
        .iter()
        .filter(|f| f.interface == Some(id))
        .collect();
    if !imports.is_empty() {
        let methods = imports
            .iter()
            .map(|f| trait_method(g, f, depth))
            .collect::<Result<Vec<_>>>()?;
        let name = g.resolve.interfaces[id]
            .name
            .as_deref()
            .unwrap_or("interface");
        let doc =
            format!(" What the host application implements for the imported interface `{name}`.");
        out.extend(quote! {
            #[doc = #doc]
            pub trait Host {
                #(#methods)*
            }
        });
    }
    let exports: Vec<_> = g
        .exports
        .iter()
        .filter(|f| f.interface == Some(id))
        .collect();
    if !exports.is_empty() {
        let methods = exports
            .iter()
            .map(|f| client_method(g, f, depth))
            .collect::<Result<Vec<_>>>()?;
        out.extend(quote! {
            /// Typed calls into this exported interface of the plugin.
            pub struct Client<'p> {
                plugin: &'p mut ::airlock::Plugin,
            }
            impl<'p> Client<'p> {
                #[doc(hidden)]
                pub fn __new(plugin: &'p mut ::airlock::Plugin) -> Self {
                    Self { plugin }
                }
                #(#methods)*
            }
        });
    }
    Ok(out)
}

pub(super) fn interface_path(g: &Generator<'_>, id: InterfaceId) -> TokenStream {
    let segments = g.module_paths[&id].iter().map(|s| names::raw_ident(s));
    quote!(#(#segments)::*)
}

/// Everything at the bindings root: the wire structs, the imports trait and
/// dispatcher, the client, and the runner glue.
pub fn root_items(g: &Generator<'_>) -> Result<TokenStream> {
    let mut wire = TokenStream::new();
    for f in &g.imports {
        wire.extend(wire_structs(g, 'I', f)?);
    }
    for f in &g.exports {
        wire.extend(wire_structs(g, 'E', f)?);
    }
    let imports = imports_trait(g)?;
    let client = client(g)?;
    let glue = runner_glue(g)?;
    let export_names = g.exports.iter().map(|f| qualified_name(g, f));
    let import_names = g.imports.iter().map(|f| qualified_name(g, f));
    Ok(quote! {
        /// The world's exports in wire order (`interface#function` for interface exports).
        pub const EXPORTS: &[&str] = &[#(#export_names),*];
        /// The world's imports the host implements, in wire order.
        pub const IMPORTS: &[&str] = &[#(#import_names),*];

        #[doc(hidden)]
        #[allow(clippy::all, dead_code, non_camel_case_types)]
        pub mod __airlock_fns {
            #wire
        }
        #imports
        #client
        #glue
    })
}

pub(super) fn qualified_name(g: &Generator<'_>, f: &WireFunction<'_>) -> String {
    match f.interface {
        Some(id) => format!("{}#{}", instance_name(g, id), f.func.name),
        None => f.func.name.clone(),
    }
}

pub(super) fn instance_name(g: &Generator<'_>, id: InterfaceId) -> String {
    g.resolve
        .id_of(id)
        .unwrap_or_else(|| g.resolve.interfaces[id].name.clone().unwrap_or_default())
}
