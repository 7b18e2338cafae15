//! The typed client: one method per export, and the world's client struct.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::quote;

use super::{fns_path, has_user_imports, interface_path, many_params, struct_names};
use crate::types::{self, Pass};
use crate::{Generator, WireFunction, names};

/// A typed client method for export `f`, written in a module `depth` levels deep
/// where `self.plugin` is a `Plugin` or `&mut Plugin`.
pub(super) fn client_method(
    g: &Generator<'_>,
    f: &WireFunction<'_>,
    depth: usize,
) -> Result<TokenStream> {
    let fns = fns_path(depth);
    let prefix = types::root_prefix(depth);
    let (args_ref, _, _, ret) = struct_names('E', f);
    let method = names::function(&f.func.name);
    let wit_name = &f.func.name;
    let index = f.index;
    let doc = types::docs(&f.func.docs);
    let mut params = Vec::new();
    let mut fields = Vec::new();
    let mut given = Vec::new();
    for p in &f.func.params {
        let name = names::snake(&p.name);
        if types::pass(g, &p.ty) == Pass::Give {
            // Taken by value, lent to the argument struct, handed over once
            // the call succeeded.
            let ty = types::owned(g, &p.ty, depth)?;
            params.push(quote!(#name: #ty));
            fields.push(quote!(#name: &#name,));
            given.push(name);
            continue;
        }
        let ty = types::param(g, &p.ty, depth)?;
        params.push(quote!(#name: #ty));
        fields.push(quote!(#name,));
    }
    let hand_over = if given.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            if result.is_ok() {
                #(::airlock::PluginResource::given(#given);)*
            }
        }
    };
    let (generics, host_param, dispatch) = if has_user_imports(g) {
        (
            {
                let t = g.imports_trait();
                quote!(<'a, H: #prefix #t + ?Sized>)
            },
            quote!(host: &mut H,),
            quote!(&mut #prefix __Dispatch(host)),
        )
    } else {
        (
            quote!(<'a>),
            TokenStream::new(),
            quote!(&mut ::airlock::__private::NoImports),
        )
    };
    let (ret_ty, ret_wire, unwrap) = match &f.func.result {
        Some(t) => (
            types::owned(g, t, depth)?,
            quote!(#fns::#ret),
            quote!(.map(|ret| ret.0)),
        ),
        None => (quote!(()), quote!(()), TokenStream::new()),
    };
    let call = quote!(self.plugin.call::<_, #ret_wire>(#index, #wit_name, &args, #dispatch));
    let call = if given.is_empty() {
        quote!(#call #unwrap)
    } else {
        quote! {
            let result = #call;
            #hand_over
            result #unwrap
        }
    };
    // Clippy counts `self` and the host: WIT functions may take any number of parameters.
    let allow = many_params(params.len() + 2);
    Ok(quote! {
        #doc
        #allow
        pub fn #method #generics(&mut self, #host_param #(#params),*) -> ::airlock::Result<#ret_ty> {
            let args = #fns::#args_ref { #(#fields)* __marker: ::std::marker::PhantomData };
            #call
        }
    })
}

pub(super) fn client(g: &Generator<'_>) -> Result<TokenStream> {
    let world = &g.resolve.worlds[g.world];
    let name = names::camel(&world.name);
    let doc = format!(
        " A running instance of a plugin for world `{}`, in its own runner process.",
        g.world_name()
    );
    let methods = g
        .exports
        .iter()
        .filter(|f| f.interface.is_none())
        .map(|f| client_method(g, f, 0))
        .collect::<Result<Vec<_>>>()?;
    let accessors = g
        .exported_interfaces
        .iter()
        .filter(|id| g.exports.iter().any(|f| f.interface == Some(**id)))
        .map(|id| {
            let path = interface_path(g, *id);
            let accessor = names::snake(
                g.resolve.interfaces[*id]
                    .name
                    .as_deref()
                    .unwrap_or("interface"),
            );
            let doc = format!(
                " Calls into the exported interface `{}`.",
                g.resolve.interfaces[*id].name.as_deref().unwrap_or("")
            );
            quote! {
                #[doc = #doc]
                pub fn #accessor(&mut self) -> #path::Client<'_> {
                    #path::Client::__new(&mut self.plugin)
                }
            }
        });
    Ok(quote! {
        #[doc = #doc]
        pub struct #name {
            plugin: ::airlock::Plugin,
        }

        impl #name {
            /// The world this client speaks.
            pub const WORLD: ::airlock::WorldRef = ::airlock::WorldRef { name: WORLD_NAME, hash: WORLD_HASH };

            /// Starts a runner for the plugin described by `config` and loads it.
            pub fn start(launcher: &::airlock::Launcher, config: ::airlock::PluginConfig) -> ::airlock::Result<Self> {
                Ok(Self { plugin: ::airlock::Plugin::start(launcher, config, Self::WORLD)? })
            }

            /// Wraps a plugin already started for this world, such as one
            /// taken from a [`::airlock::WarmPool`].
            pub fn from_plugin(plugin: ::airlock::Plugin) -> ::airlock::Result<Self> {
                if plugin.world().hash != WORLD_HASH {
                    return Err(::airlock::Error::WorldMismatch {
                        plugin: plugin.name().to_string(),
                        world: WORLD_NAME.into(),
                        detail: ::std::format!("it was started for world `{}`", plugin.world().name).into(),
                    });
                }
                Ok(Self { plugin })
            }

            /// The untyped plugin handle: name, cancellation, progress, lifecycle.
            pub fn plugin(&self) -> &::airlock::Plugin {
                &self.plugin
            }

            pub fn plugin_mut(&mut self) -> &mut ::airlock::Plugin {
                &mut self.plugin
            }

            #(#accessors)*
            #(#methods)*
        }

        impl ::airlock::Client for #name {
            fn start(launcher: &::airlock::Launcher, config: ::airlock::PluginConfig) -> ::airlock::Result<Self> {
                Self::start(launcher, config)
            }

            fn plugin(&self) -> &::airlock::Plugin {
                &self.plugin
            }

            fn plugin_mut(&mut self) -> &mut ::airlock::Plugin {
                &mut self.plugin
            }
        }

        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!(#name)).field("plugin", &self.plugin).finish()
            }
        }
    })
}
