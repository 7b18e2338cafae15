//! Rust names for WIT names: kebab-case to snake or camel case, keywords escaped.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "g", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe",
    "unsized", "use", "virtual", "where", "while", "yield", "abstract", "become",
];

/// `snake_case`, the name of a function, field or module.
pub fn snake(name: &str) -> Ident {
    raw_ident(&name.to_snake_case())
}

/// The Rust name of a WIT function: `[method]layer.info` → `layer_info`,
/// `[static]layer.open` → `layer_open`, `[constructor]layer` → `layer_new`,
/// `[resource-drop]layer` → `drop_layer`; plain names as they are.
pub fn function(name: &str) -> Ident {
    let plain = if let Some(rest) = name
        .strip_prefix("[method]")
        .or_else(|| name.strip_prefix("[static]"))
    {
        rest.replace('.', "-")
    } else if let Some(resource) = name.strip_prefix("[constructor]") {
        format!("{resource}-new")
    } else if let Some(resource) = name.strip_prefix("[resource-drop]") {
        format!("drop-{resource}")
    } else {
        name.to_string()
    };
    snake(&plain)
}

/// The module name for a WIT package, namespace or interface.
pub fn module(name: &str) -> String {
    name.to_snake_case()
}

/// `UpperCamelCase`, the name of a type or variant case.
pub fn camel(name: &str) -> Ident {
    raw_ident(&name.to_upper_camel_case())
}

/// `SHOUTY_SNAKE`, the name of a flag constant.
pub fn shouty(name: &str) -> Ident {
    raw_ident(&name.to_shouty_snake_case())
}

/// An identifier, as a raw identifier when it is a Rust keyword.
pub fn raw_ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        if matches!(name, "self" | "Self" | "super" | "crate") {
            Ident::new(&format!("{name}_"), Span::call_site())
        } else {
            Ident::new_raw(name, Span::call_site())
        }
    } else {
        Ident::new(name, Span::call_site())
    }
}
