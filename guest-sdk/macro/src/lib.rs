//! `airlock_guest::generate!`: `wit_bindgen::generate!` with the guest SDK as
//! its runtime, plus a custom section `airlock:world` naming the world and
//! its version (`airlock:design/filter@0.1.0`). Hosts read the stamp to refuse
//! a plugin built for another version of their world, with a message naming
//! both, before anything is compiled. An `airlock.toml` beside the plugin's
//! `Cargo.toml` is embedded too, as the custom section `airlock:manifest`.

use std::path::PathBuf;

use proc_macro::TokenStream;
use proc_macro2::{Delimiter, Literal, TokenTree};
use quote::quote;
use wit_parser::Resolve;

#[proc_macro]
pub fn generate(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let body = match input.clone().into_iter().next() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g.stream(),
        _ => return error("expected `{ path: …, world: \"…\" }`"),
    };
    let (paths, inline, world) = options(&body);
    let stamp = match world_name(&paths, inline.as_deref(), world.as_deref()) {
        Ok(name) => name,
        Err(e) => return error(&e),
    };
    // NUL-terminated: the linker concatenates sections of one name (two
    // crates of one plugin may both call `generate!`); readers take the
    // first record.
    let stamp = format!("{stamp}\0");
    let bytes = Literal::byte_string(stamp.as_bytes());
    let len = stamp.len();
    let manifest = match embedded_manifest() {
        Ok(tokens) => tokens,
        Err(e) => return error(&e),
    };
    quote! {
        #manifest

        ::airlock_guest::__private::wit_bindgen::generate!({
            runtime_path: "::airlock_guest::__private::wit_bindgen::rt",
            bitflags_path: "::airlock_guest::__private::wit_bindgen::rt::bitflags",
            generate_all,
            #body
        });

        /// The world this plugin was built for, read by the host before it
        /// compiles anything.
        #[doc(hidden)]
        #[used]
        #[unsafe(link_section = "airlock:world")]
        static __AIRLOCK_WORLD_STAMP: [u8; #len] = *#bytes;
    }
    .into()
}

/// `airlock.toml` beside the plugin's Cargo.toml, embedded as a custom
/// section `airlock:manifest` (and tracked, so editing it rebuilds the plugin).
fn embedded_manifest() -> Result<proc_macro2::TokenStream, String> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let path = root.join("airlock.toml");
    if !path.is_file() {
        return Ok(quote!());
    }
    let mut text =
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.push(0);
    let bytes = Literal::byte_string(&text);
    let len = text.len();
    let tracked = path.display().to_string();
    Ok(quote! {
        /// The plugin's manifest, read by the host when none lies beside the component.
        #[doc(hidden)]
        #[used]
        #[unsafe(link_section = "airlock:manifest")]
        static __AIRLOCK_MANIFEST: [u8; #len] = *#bytes;
        const _: &[u8] = include_bytes!(#tracked);
    })
}

fn error(message: &str) -> TokenStream {
    let message = format!("airlock_guest::generate!: {message}");
    quote!(::core::compile_error!(#message);).into()
}

/// The `path` (a string or a list of strings), `inline` and `world` options;
/// the rest is wit-bindgen's to read.
fn options(body: &proc_macro2::TokenStream) -> (Vec<String>, Option<String>, Option<String>) {
    let tokens: Vec<TokenTree> = body.clone().into_iter().collect();
    let mut paths = Vec::new();
    let mut inline = None;
    let mut world = None;
    for (i, token) in tokens.iter().enumerate() {
        let TokenTree::Ident(key) = token else {
            continue;
        };
        if !matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':') {
            continue;
        }
        match (key.to_string().as_str(), tokens.get(i + 2)) {
            ("path", Some(TokenTree::Literal(l))) => paths.extend(string(l)),
            ("path", Some(TokenTree::Group(g))) if g.delimiter() == Delimiter::Bracket => {
                for t in g.stream() {
                    if let TokenTree::Literal(l) = t {
                        paths.extend(string(&l));
                    }
                }
            }
            ("inline", Some(TokenTree::Literal(l))) => inline = string(l),
            ("world", Some(TokenTree::Literal(l))) => world = string(l),
            _ => {}
        }
    }
    if paths.is_empty() && inline.is_none() {
        paths.push("wit".into());
    }
    (paths, inline, world)
}

/// The value of a string literal, plain or raw, escapes resolved.
fn string(literal: &Literal) -> Option<String> {
    syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into())
        .ok()
        .map(|l| l.value())
}

/// `namespace:package/world@version` of the selected world.
fn world_name(
    paths: &[String],
    inline: Option<&str>,
    world: Option<&str>,
) -> Result<String, String> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let mut resolve = Resolve::default();
    let mut packages = Vec::new();
    // As wit-bindgen does: inline WIT without a `path` may still use the
    // packages of the crate's `wit/` directory, when it has one.
    let default = [String::from("wit")];
    let paths = match paths {
        [] if inline.is_some() && root.join("wit").exists() => &default[..],
        paths => paths,
    };
    for path in paths {
        let (package, _) = resolve
            .push_path(root.join(path))
            .map_err(|e| format!("cannot read the WIT at `{path}`: {e:#}"))?;
        packages.push(package);
    }
    if let Some(text) = inline {
        let package = resolve
            .push_str("inline.wit", text)
            .map_err(|e| format!("cannot parse the inline WIT: {e:#}"))?;
        packages.push(package);
    }
    let id = resolve
        .select_world(&packages[packages.len() - 1..], world)
        .map_err(|e| format!("{e:#}"))?;
    let w = &resolve.worlds[id];
    let Some(package) = w.package else {
        return Ok(w.name.clone());
    };
    let name = &resolve.packages[package].name;
    Ok(match &name.version {
        Some(v) => format!("{}:{}/{}@{v}", name.namespace, name.name, w.name),
        None => format!("{}:{}/{}", name.namespace, name.name, w.name),
    })
}
