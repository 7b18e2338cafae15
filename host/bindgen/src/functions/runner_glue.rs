//! The runner glue: linking the world's imports to calls over the wire, and
//! resolving, binding and calling its exports inside the runner.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use wit_parser as wit_types;

use super::{fns_path, instance_name, struct_names};
use crate::types::{self, Pass};
use crate::{Generator, WireFunction, names};

pub(super) fn runner_glue(g: &Generator<'_>) -> Result<TokenStream> {
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
            .map(|p| types::runner_arg(g, &p.ty, 0, &quote!('static)))
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
                #rt::return_result(&mut *store, &#fns::#ret_ref(&r), out)
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
