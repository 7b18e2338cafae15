//! The four wire structs of each function, placed in `__airlock_fns`.

use anyhow::Result;
use proc_macro2::TokenStream;
use quote::quote;

use super::struct_names;
use crate::types;
use crate::{Generator, WireFunction, names};

/// The wire structs of one function, placed in `__airlock_fns` (depth 1).
pub(super) fn wire_structs(
    g: &Generator<'_>,
    prefix: char,
    f: &WireFunction<'_>,
) -> Result<TokenStream> {
    let (args_ref, args, ret_ref, ret) = struct_names(prefix, f);
    let mut ref_fields = Vec::new();
    let mut owned_fields = Vec::new();
    for p in &f.func.params {
        let name = names::snake(&p.name);
        let serde = types::serde_attr(g, &p.ty);
        let pty = types::param(g, &p.ty, 1, &quote!('a))?;
        ref_fields.push(quote!(#serde pub #name: #pty,));
        // An export's strings and bytes are decoded borrowed from the frame.
        if prefix == 'E' && types::borrows_from_frame(g, &p.ty) {
            let bty = types::runner_arg(g, &p.ty, 1, &quote!('a))?;
            owned_fields.push(quote!(#[serde(borrow)] pub #name: #bty,));
        } else {
            let oty = types::owned(g, &p.ty, 1)?;
            owned_fields.push(quote!(#serde pub #name: #oty,));
        }
    }
    // Exports' arguments may borrow from the frame they are decoded from.
    let (args_generics, args_marker) = if prefix == 'E' {
        (
            quote!(<'a>),
            quote!(#[serde(skip)] pub __marker: ::std::marker::PhantomData<&'a ()>,),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
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
        pub struct #args #args_generics { #(#owned_fields)* #args_marker }
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
