//! The host traits the application implements for the world's imports, and
//! the dispatcher that decodes an import call and invokes them.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::quote;

use super::{fns_path, has_user_imports, interface_path, many_params, struct_names};
use crate::types;
use crate::{Generator, WireFunction, names};

/// The host-trait method for import `f`.
pub(super) fn trait_method(
    g: &Generator<'_>,
    f: &WireFunction<'_>,
    depth: usize,
) -> Result<TokenStream> {
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

pub(super) fn imports_trait(g: &Generator<'_>) -> Result<TokenStream> {
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
