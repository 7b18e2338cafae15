//! The typed client: one method per export, and the world's client struct.
//!
//! Clients are generic over `::airlock::Invoke`, the role that calls an
//! export, with the subprocess `Plugin` as the default: export methods work
//! over any invoker (the in-process baseline, say); starting, the pool and
//! the `Plugin` accessors only over `Plugin`.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::quote;

use super::{fns_path, has_user_imports, interface_path, many_params, struct_names};
use crate::types::{self, Pass};
use crate::{Generator, WireFunction, names};

/// What a client method and its `Exports` trait method share: the name,
/// the parameters, the result type.
struct Signature {
    doc: TokenStream,
    allow: TokenStream,
    method: proc_macro2::Ident,
    /// `name: Type` for each WIT parameter.
    params: Vec<TokenStream>,
    /// Each WIT parameter's name.
    args: Vec<proc_macro2::Ident>,
    ret_ty: TokenStream,
}

/// `lifetime` is what borrowed parameters borrow with: `'a`, or nothing.
fn signature(
    g: &Generator<'_>,
    f: &WireFunction<'_>,
    depth: usize,
    lifetime: &TokenStream,
) -> Result<Signature> {
    let mut params = Vec::new();
    let mut args = Vec::new();
    for p in &f.func.params {
        let name = names::snake(&p.name);
        let ty = if types::pass(g, &p.ty) == Pass::Give {
            types::owned(g, &p.ty, depth)?
        } else {
            types::param(g, &p.ty, depth, lifetime)?
        };
        params.push(quote!(#name: #ty));
        args.push(name);
    }
    let ret_ty = match &f.func.result {
        Some(t) => types::owned(g, t, depth)?,
        None => quote!(()),
    };
    Ok(Signature {
        doc: types::docs(&f.func.docs),
        // Clippy counts `self` and the host: WIT functions may take any number of parameters.
        allow: many_params(params.len() + 2),
        method: names::function(&f.func.name),
        params,
        args,
        ret_ty,
    })
}

/// A typed client method for export `f`, written in a module `depth` levels
/// deep where `invoker` is an `&mut I` of the client's `I: Invoke`.
pub(super) fn client_method(
    g: &Generator<'_>,
    f: &WireFunction<'_>,
    depth: usize,
    invoker: &TokenStream,
) -> Result<TokenStream> {
    let fns = fns_path(depth);
    let prefix = types::root_prefix(depth);
    let (args_ref, _, _, ret) = struct_names('E', f);
    let Signature {
        doc,
        allow,
        method,
        params,
        args,
        ret_ty,
    } = signature(g, f, depth, &quote!('a))?;
    let wit_name = &f.func.name;
    let index = f.index;
    let mut fields = Vec::new();
    let mut given = Vec::new();
    for (p, name) in f.func.params.iter().zip(&args) {
        if types::pass(g, &p.ty) == Pass::Give {
            // Taken by value, lent to the argument struct, handed over once
            // the call succeeded.
            fields.push(quote!(#name: &#name,));
            given.push(name);
        } else {
            fields.push(quote!(#name,));
        }
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
    let (ret_wire, unwrap) = match &f.func.result {
        Some(_) => (quote!(#fns::#ret), quote!(.map(|ret| ret.0))),
        None => (quote!(()), TokenStream::new()),
    };
    let call = quote!(::airlock::Invoke::call::<_, #ret_wire>(#invoker, #index, #wit_name, &args, #dispatch));
    let call = if given.is_empty() {
        quote!(#call #unwrap)
    } else {
        quote! {
            let result = #call;
            #hand_over
            result #unwrap
        }
    };
    Ok(quote! {
        #doc
        #allow
        pub fn #method #generics(&mut self, #host_param #(#params),*) -> ::airlock::Result<#ret_ty> {
            let args = #fns::#args_ref { #(#fields)* __marker: ::std::marker::PhantomData };
            #call
        }
    })
}

/// The world's own exports as a trait, `<World>Exports`: implemented by the
/// client over any invoker, and by whatever a host puts in a plugin's place
/// (an adapter for another version of the world, a fake in its tests).
/// Object-safe, so a host can hold `Box<dyn FilterExports>`: the imports
/// arrive as `&mut dyn <World>Imports`.
fn exports_trait(g: &Generator<'_>, client: &proc_macro2::Ident) -> Result<TokenStream> {
    let world = &g.resolve.worlds[g.world].name;
    let name = names::camel(&format!("{world}-exports"));
    let host = if has_user_imports(g) {
        let t = g.imports_trait();
        (quote!(host: &mut dyn #t,), quote!(host,))
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let (host_param, host_arg) = host;
    let mut decls = Vec::new();
    let mut impls = Vec::new();
    for f in g.exports.iter().filter(|f| f.interface.is_none()) {
        let Signature {
            doc,
            allow,
            method,
            params,
            args,
            ret_ty,
        } = signature(g, f, 0, &TokenStream::new())?;
        decls.push(quote! {
            #doc
            #allow
            fn #method(&mut self, #host_param #(#params),*) -> ::airlock::Result<#ret_ty>;
        });
        impls.push(quote! {
            #allow
            fn #method(&mut self, #host_param #(#params),*) -> ::airlock::Result<#ret_ty> {
                #client::#method(self, #host_arg #(#args),*)
            }
        });
    }
    let doc = format!(
        " The exports of world `{}` (its own functions; exported interfaces have their \
         own clients), as a trait.\n\n Implemented by [`{client}`] over any invoker; \
         implement it to serve another version of the world through the same code, or \
         to stand in for a plugin in tests. Object-safe: hold a `Box<dyn {name}>`.",
        g.world_name()
    );
    Ok(quote! {
        #[doc = #doc]
        pub trait #name {
            #(#decls)*
        }

        impl<I: ::airlock::Invoke> #name for #client<I> {
            #(#impls)*
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
        .map(|f| client_method(g, f, 0, &quote!(&mut self.plugin)))
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
                pub fn #accessor(&mut self) -> #path::Client<'_, I> {
                    #path::Client::__new(&mut self.plugin)
                }
            }
        });
    let exports = exports_trait(g, &name)?;
    Ok(quote! {
        #exports

        #[doc = #doc]
        ///
        /// Its export methods call through any [`::airlock::Invoke`]; the
        /// default, [`::airlock::Plugin`], is the sandboxed runner process.
        pub struct #name<I = ::airlock::Plugin> {
            plugin: I,
        }

        impl<I: ::airlock::Invoke> #name<I> {
            /// Calls the plugin's exports through `invoker`, such as the
            /// in-process baseline [`::airlock::InProcess`]. Unlike
            /// [`Self::from_plugin`], nothing checks that it runs this world.
            pub fn from_invoker(invoker: I) -> Self {
                Self { plugin: invoker }
            }

            /// What this client calls its exports through.
            pub fn invoker(&mut self) -> &mut I {
                &mut self.plugin
            }

            #(#accessors)*
            #(#methods)*
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

        impl<I: ::std::fmt::Debug> ::std::fmt::Debug for #name<I> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!(#name)).field("plugin", &self.plugin).finish()
            }
        }
    })
}

/// The client of an exported interface, borrowed from the world's client.
pub(super) fn interface_client(methods: Vec<TokenStream>) -> TokenStream {
    quote! {
        /// Typed calls into this exported interface of the plugin.
        pub struct Client<'p, I: ::airlock::Invoke = ::airlock::Plugin> {
            plugin: &'p mut I,
        }
        impl<'p, I: ::airlock::Invoke> Client<'p, I> {
            #[doc(hidden)]
            pub fn __new(plugin: &'p mut I) -> Self {
                Self { plugin }
            }
            #(#methods)*
        }
    }
}
