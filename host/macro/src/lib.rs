//! `airlock::bindgen!`: a thin procedural macro over the `airlock-bindgen` library.
//!
//! ```text
//! mod filter {
//!     airlock::bindgen!({ path: "wit/design", world: "filter" });
//! }
//! ```
//!
//! `path` is relative to the invoking crate's `CARGO_MANIFEST_DIR` and may be a
//! list (`["wit/a", "wit/b"]`, the world is looked up in the last one);
//! `world` may be omitted when the package has a single world.

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token, braced, bracketed};

struct Input {
    paths: Vec<LitStr>,
    world: Option<LitStr>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let body;
        braced!(body in input);
        let mut paths = Vec::new();
        let mut world = None;
        while !body.is_empty() {
            let key: syn::Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            match key.to_string().as_str() {
                "path" => {
                    if body.peek(syn::token::Bracket) {
                        let list;
                        bracketed!(list in body);
                        paths.extend(list.parse_terminated(|p| p.parse::<LitStr>(), Token![,])?);
                    } else {
                        paths.push(body.parse()?);
                    }
                }
                "world" => world = Some(body.parse()?),
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{other}`; expected `path` or `world`"),
                    ));
                }
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        if paths.is_empty() {
            paths.push(LitStr::new("wit", proc_macro2::Span::call_site()));
        }
        Ok(Input { paths, world })
    }
}

/// Generates typed Airlock bindings for a WIT world; see the crate docs.
#[proc_macro]
pub fn bindgen(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let span = input.paths[0].span();
    let opts = airlock_bindgen::Opts {
        paths: input.paths.iter().map(|p| root.join(p.value())).collect(),
        world: input.world.as_ref().map(LitStr::value),
    };
    match airlock_bindgen::generate(&opts) {
        Ok(generated) => {
            let tokens = generated.tokens;
            // Make the build depend on every WIT file read.
            let files = generated
                .files
                .iter()
                .filter_map(|f| f.canonicalize().ok())
                .map(|f| {
                    let f = f.display().to_string();
                    quote!(
                        const _: &[u8] = include_bytes!(#f);
                    )
                });
            quote!(#(#files)* #tokens).into()
        }
        Err(err) => {
            let mut msg = err.to_string();
            for cause in err.chain().skip(1) {
                msg.push_str(&format!("\n\ncaused by:\n  {cause}"));
            }
            syn::Error::new(span, msg).to_compile_error().into()
        }
    }
}
