//! Functions across the wire: argument and result structs, the typed client,
//! the host traits and their dispatcher, and the runner glue.
//!
//! Every function gets four small structs in the hidden `__airlock_fns`
//! module: a borrowing `…ArgsRef` the caller serialises, an owned `…Args`
//! the callee deserialises, and the same pair for the result. Postcard encodes
//! a struct as its fields in order, so a pair agrees byte for byte.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use wit_parser as wit_types;
use wit_parser::InterfaceId;

use crate::types::{self, Pass};
use crate::{Generator, WireFunction, names};

fn fns_path(depth: usize) -> TokenStream {
    let prefix = types::root_prefix(depth);
    quote!(#prefix __airlock_fns)
}

fn struct_names(
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
fn has_user_imports(g: &Generator<'_>) -> bool {
    !g.imports.is_empty()
}

/// The wire structs of one function, placed in `__airlock_fns` (depth 1).
fn wire_structs(g: &Generator<'_>, prefix: char, f: &WireFunction<'_>) -> Result<TokenStream> {
    let (args_ref, args, ret_ref, ret) = struct_names(prefix, f);
    let mut ref_fields = Vec::new();
    let mut owned_fields = Vec::new();
    for p in &f.func.params {
        let name = names::snake(&p.name);
        let serde = types::serde_attr(g, &p.ty);
        let pty = types::param(g, &p.ty, 1)?;
        let oty = types::owned(g, &p.ty, 1)?;
        ref_fields.push(quote!(#serde pub #name: #pty,));
        owned_fields.push(quote!(#serde pub #name: #oty,));
    }
    let serde_crate = quote!(#[serde(crate = "::airlock::__private::serde")]);
    let mut out = quote! {
        #[derive(::airlock::__private::serde::Serialize)]
        #serde_crate
        pub struct #args_ref<'a> {
            #(#ref_fields)*
            #[serde(skip)]
            pub __marker: ::std::marker::PhantomData<&'a ()>,
        }
        #[derive(::airlock::__private::serde::Deserialize)]
        #serde_crate
        pub struct #args { #(#owned_fields)* }
    };
    if let Some(result) = &f.func.result {
        let serde = types::serde_attr(g, result);
        let oty = types::owned(g, result, 1)?;
        out.extend(quote! {
            #[derive(::airlock::__private::serde::Serialize)]
            #serde_crate
            pub struct #ret_ref<'a>(#serde pub &'a #oty);
            #[derive(::airlock::__private::serde::Deserialize)]
            #serde_crate
            pub struct #ret(#serde pub #oty);
        });
    }
    Ok(out)
}

/// A typed client method for export `f`, written in a module `depth` levels deep
/// where `self.plugin` is a `Plugin` or `&mut Plugin`.
fn client_method(g: &Generator<'_>, f: &WireFunction<'_>, depth: usize) -> Result<TokenStream> {
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

/// The host-trait method for import `f`.
fn trait_method(g: &Generator<'_>, f: &WireFunction<'_>, depth: usize) -> Result<TokenStream> {
    let method = names::function(&f.func.name);
    let doc = types::docs(&f.func.docs);
    let params = f
        .func
        .params
        .iter()
        .map(|p| {
            let name = names::snake(&p.name);
            let ty = types::owned(g, &p.ty, depth)?;
            Ok(quote!(#name: #ty))
        })
        .collect::<Result<Vec<_>>>()?;
    let ret = match &f.func.result {
        Some(t) => {
            let t = types::owned(g, t, depth)?;
            quote!(-> #t)
        }
        None => TokenStream::new(),
    };
    let allow = many_params(params.len() + 1);
    if crate::is_drop(&f.func) {
        // Hosts that keep nothing per handle need not care.
        return Ok(quote! {
            #doc
            fn #method(&mut self, #(#params),*) {
                let _ = handle;
            }
        });
    }
    Ok(quote! {
        #doc
        #allow
        fn #method(&mut self, #(#params),*) #ret;
    })
}

/// `#[allow(clippy::too_many_arguments)]` where clippy would otherwise warn in
/// the host application's crate about a signature the WIT decided.
fn many_params(count: usize) -> TokenStream {
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

fn interface_path(g: &Generator<'_>, id: InterfaceId) -> TokenStream {
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

fn imports_trait(g: &Generator<'_>) -> Result<TokenStream> {
    if !has_user_imports(g) {
        return Ok(TokenStream::new());
    }
    let host_traits: Vec<_> = g
        .imported_interfaces
        .iter()
        .filter(|id| g.imports.iter().any(|f| f.interface == Some(**id)))
        .map(|id| {
            let path = interface_path(g, *id);
            quote!(#path::Host)
        })
        .collect();
    let world_fns: Vec<_> = g.imports.iter().filter(|f| f.interface.is_none()).collect();
    let methods = world_fns
        .iter()
        .map(|f| trait_method(g, f, 0))
        .collect::<Result<Vec<_>>>()?;
    let supertraits = if host_traits.is_empty() {
        quote!()
    } else {
        quote!(: #(#host_traits)+*)
    };
    let blanket = if world_fns.is_empty() {
        {
            let t = g.imports_trait();
            quote!(impl<T: ?Sized #(+ #host_traits)*> #t for T {})
        }
    } else {
        TokenStream::new()
    };
    let fns = fns_path(0);
    let arms = g
        .imports
        .iter()
        .map(|f| {
            let (_, args, ret_ref, _) = struct_names('I', f);
            let index = f.index;
            let method = names::function(&f.func.name);
            let trait_path = match f.interface {
                Some(id) => {
                    let path = interface_path(g, id);
                    quote!(#path::Host)
                }
                None => {
                    let t = g.imports_trait();
                    quote!(#t)
                }
            };
            let args_list = f.func.params.iter().map(|p| {
                let n = names::snake(&p.name);
                quote!(a.#n)
            });
            let encode = if f.func.result.is_some() {
                quote!(::airlock::__private::encode_into(&#fns::#ret_ref(&r), out)?;)
            } else {
                quote!(let () = r; out.clear();)
            };
            quote! {
                #index => {
                    let a: #fns::#args = ::airlock::__private::decode(args)?;
                    let r = <H as #trait_path>::#method(self.0, #(#args_list),*);
                    #encode
                    Ok(())
                }
            }
        })
        .collect::<Vec<_>>();
    let imports_trait = g.imports_trait();
    Ok(quote! {
        /// Everything the host application implements for this world's imports.
        pub trait #imports_trait #supertraits {
            #(#methods)*
        }
        #blanket

        #[doc(hidden)]
        pub struct __Dispatch<'h, H: ?Sized>(pub &'h mut H);

        impl<H: #imports_trait + ?Sized> ::airlock::__private::ImportDispatch for __Dispatch<'_, H> {
            fn import_name(&self, func: u32) -> ::std::option::Option<&'static str> {
                IMPORTS.get(func as usize).copied()
            }
            fn dispatch(&mut self, func: u32, args: &[u8], out: &mut ::std::vec::Vec<u8>) -> ::std::result::Result<(), ::airlock::__private::DispatchError> {
                match func {
                    #(#arms)*
                    _ => Err(::airlock::__private::DispatchError::UnknownImport(func)),
                }
            }
        }
    })
}

fn client(g: &Generator<'_>) -> Result<TokenStream> {
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

fn runner_glue(g: &Generator<'_>) -> Result<TokenStream> {
    let rt = quote!(::airlock::__private::runner);
    let wt = quote!(::airlock::__private::wasmtime);
    let fns = fns_path(0);

    // Imports, grouped by the instance the component imports them from.
    let mut link = TokenStream::new();
    for id in &g.imported_interfaces {
        if g.is_framework(*id) {
            continue;
        }
        let funcs: Vec<_> = g
            .imports
            .iter()
            .filter(|f| f.interface == Some(*id))
            .collect();
        let instance = instance_name(g, *id);
        // Resources first (each with its destructor telling the host), then functions.
        let mut wraps = funcs
            .iter()
            .filter(|f| crate::is_drop(&f.func))
            .map(|f| resource_definition(g, f, &fns))
            .collect::<Result<Vec<_>>>()?;
        for f in funcs.iter().filter(|f| !crate::is_drop(&f.func)) {
            wraps.push(import_wrap(g, f, &fns)?);
        }
        link.extend(quote! {
            {
                #[allow(unused_mut, unused_variables)]
                let mut instance = linker.instance(#instance)?;
                #(#wraps)*
            }
        });
    }
    let world_fns: Vec<_> = g.imports.iter().filter(|f| f.interface.is_none()).collect();
    if !world_fns.is_empty() {
        let wraps = world_fns
            .iter()
            .map(|f| import_wrap(g, f, &fns))
            .collect::<Result<Vec<_>>>()?;
        link.extend(quote! {
            {
                let mut instance = linker.root();
                #(#wraps)*
            }
        });
    }

    // Exports: indices resolved once per component, typed functions per instance.
    let mut lookups = Vec::new();
    let mut index_fields = Vec::new();
    let mut index_names = Vec::new();
    let mut typed_fields = Vec::new();
    let mut binds = Vec::new();
    let mut arms = Vec::new();
    let mut iface_index = std::collections::HashMap::new();
    for f in &g.exports {
        let field = format_ident!("e{}", f.index);
        let wit_name = &f.func.name;
        let parent = match f.interface {
            Some(id) => {
                let var = format_ident!("i{}", id.index());
                if iface_index.insert(id, ()).is_none() {
                    let instance = instance_name(g, id);
                    lookups
                        .push(quote!(let #var = #rt::export_index(component, None, #instance)?;));
                }
                quote!(Some(&#var))
            }
            None => quote!(None),
        };
        lookups.push(quote!(let #field = #rt::export_index(component, #parent, #wit_name)?;));
        index_fields.push(quote!(#field: #wt::component::ComponentExportIndex,));
        index_names.push(quote!(#field,));
        let params = f
            .func
            .params
            .iter()
            .map(|p| types::owned(g, &p.ty, 0))
            .collect::<Result<Vec<_>>>()?;
        let results = match &f.func.result {
            Some(t) => {
                let t = types::owned(g, t, 0)?;
                quote!((#t,))
            }
            None => quote!(()),
        };
        typed_fields.push(quote!(#field: #wt::component::TypedFunc<(#(#params,)*), #results>,));
        binds.push(
            quote!(#field: #rt::typed_func(&mut *store, instance, &self.#field, #wit_name)?,),
        );
        let (_, args, ret_ref, _) = struct_names('E', f);
        let index = f.index;
        let arg_values = f.func.params.iter().map(|p| {
            let n = names::snake(&p.name);
            quote!(a.#n,)
        });
        let finish = if f.func.result.is_some() {
            quote! {
                let (r,) = self.#field.call(&mut *store, (#(#arg_values)*)).map_err(#rt::CallError::Wasm)?;
                #rt::encode_result(&#fns::#ret_ref(&r), out)
            }
        } else {
            quote! {
                self.#field.call(&mut *store, (#(#arg_values)*)).map_err(#rt::CallError::Wasm)?;
                out.clear();
                Ok(())
            }
        };
        arms.push(quote! {
            #index => {
                let a: #fns::#args = #rt::decode_args(args)?;
                #finish
            }
        });
    }

    Ok(quote! {
        /// The runner-side half of these bindings: pass it to
        /// `airlock::serve_runner_if_requested` in the binary that hosts runners.
        #[derive(Debug, Clone, Copy, Default)]
        pub struct RunnerGlue;

        impl #rt::WorldGlue for RunnerGlue {
            fn world_name(&self) -> &'static str {
                WORLD_NAME
            }

            fn world_hash(&self) -> [u8; 32] {
                WORLD_HASH
            }

            fn link(&self, linker: &mut #wt::component::Linker<#rt::RunnerState>) -> #wt::Result<()> {
                #link
                Ok(())
            }

            fn resolve_exports(&self, component: &#wt::component::Component) -> ::std::result::Result<::std::boxed::Box<dyn #rt::ExportTable>, ::std::string::String> {
                #(#lookups)*
                Ok(::std::boxed::Box::new(__ExportIndices { #(#index_names)* }))
            }
        }

        #[doc(hidden)]
        pub struct __ExportIndices {
            #(#index_fields)*
        }

        impl #rt::ExportTable for __ExportIndices {
            fn bind(
                &self,
                store: &mut #wt::Store<#rt::RunnerState>,
                instance: &#wt::component::Instance,
            ) -> ::std::result::Result<::std::boxed::Box<dyn #rt::BoundExports>, ::std::string::String> {
                Ok(::std::boxed::Box::new(__BoundExports { #(#binds)* }))
            }
        }

        #[doc(hidden)]
        pub struct __BoundExports {
            #(#typed_fields)*
        }

        impl #rt::BoundExports for __BoundExports {
            fn call(
                &self,
                store: &mut #wt::Store<#rt::RunnerState>,
                func: u32,
                args: &[u8],
                out: &mut ::std::vec::Vec<u8>,
            ) -> ::std::result::Result<(), #rt::CallError> {
                match func {
                    #(#arms)*
                    _ => Err(#rt::CallError::UnknownFunction(func)),
                }
            }
        }
    })
}

fn qualified_name(g: &Generator<'_>, f: &WireFunction<'_>) -> String {
    match f.interface {
        Some(id) => format!("{}#{}", instance_name(g, id), f.func.name),
        None => f.func.name.clone(),
    }
}

fn instance_name(g: &Generator<'_>, id: InterfaceId) -> String {
    g.resolve
        .id_of(id)
        .unwrap_or_else(|| g.resolve.interfaces[id].name.clone().unwrap_or_default())
}

/// `instance.resource(...)` for the resource whose drop function is `f`: a
/// host resource whose destructor counts the handle gone and tells the host.
fn resource_definition(
    g: &Generator<'_>,
    f: &WireFunction<'_>,
    fns: &TokenStream,
) -> Result<TokenStream> {
    let rt = quote!(::airlock::__private::runner);
    let wt = quote!(::airlock::__private::wasmtime);
    let (args_ref, _, _, _) = struct_names('I', f);
    let index = f.index;
    let wit_types::Type::Id(resource) = f.func.params[0].ty else {
        unreachable!("a drop function takes the resource's handle");
    };
    let name = g.resolve.types[resource].name.clone().unwrap_or_default();
    let tag = types::resource_tag_path(g, resource, 0)?;
    Ok(quote! {
        instance.resource(
            #name,
            #wt::component::ResourceType::host::<#tag>(),
            |mut cx: #wt::StoreContextMut<'_, #rt::RunnerState>, rep: u32| -> #wt::Result<()> {
                #rt::handle_dropped(#index, rep);
                let args = #fns::#args_ref {
                    handle: ::airlock::Handle::new(rep),
                    __marker: ::std::marker::PhantomData,
                };
                #rt::call_import::<_, ()>(&mut cx, #index, &args)
            },
        )?;
    })
}

/// `instance.func_wrap(...)` forwarding import `f` to the host over the wire.
fn import_wrap(g: &Generator<'_>, f: &WireFunction<'_>, fns: &TokenStream) -> Result<TokenStream> {
    let rt = quote!(::airlock::__private::runner);
    let wt = quote!(::airlock::__private::wasmtime);
    let (args_ref, _, _, ret) = struct_names('I', f);
    let wit_name = &f.func.name;
    let index = f.index;
    let names_: Vec<_> = f
        .func
        .params
        .iter()
        .map(|p| names::snake(&p.name))
        .collect();
    let tys = f
        .func
        .params
        .iter()
        .map(|p| types::owned(g, &p.ty, 0))
        .collect::<Result<Vec<_>>>()?;
    let fields = f.func.params.iter().map(|p| {
        let n = names::snake(&p.name);
        match types::pass(g, &p.ty) {
            Pass::Value => quote!(#n,),
            Pass::Slice => quote!(#n: &#n[..],),
            Pass::Ref | Pass::Give => quote!(#n: &#n,),
        }
    });
    let (ret_ty, body) = match &f.func.result {
        Some(t) => {
            let t = types::owned(g, t, 0)?;
            (
                quote!((#t,)),
                quote! {
                    let ret: #fns::#ret = #rt::call_import(&mut cx, #index, &args)?;
                    Ok((ret.0,))
                },
            )
        }
        None => (
            quote!(()),
            quote! {
                #rt::call_import::<_, ()>(&mut cx, #index, &args)?;
                Ok(())
            },
        ),
    };
    Ok(quote! {
        instance.func_wrap(
            #wit_name,
            |mut cx: #wt::StoreContextMut<'_, #rt::RunnerState>, (#(#names_,)*): (#(#tys,)*)| -> #wt::Result<#ret_ty> {
                let args = #fns::#args_ref { #(#fields)* __marker: ::std::marker::PhantomData };
                #body
            },
        )?;
    })
}
