//! Default values of WIT types, spelled in each language a new project can
//! be written in, and in WAVE (what the project's test expects back and
//! what its mock answers). One walk over the type, one spelling per
//! language, so the stub's answer and the test's expectation agree.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId, TypeOwner};

/// Where a value is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Js,
    Python,
    Wave,
    /// WAVE with a handle as the number 1: a mock host's answer.
    Mock,
}

/// The default value of `ty` in `lang`, or `None` when it has none (a bare
/// resource handle: only the host makes those).
pub fn default(resolve: &Resolve, ty: &Type, lang: Lang) -> Option<String> {
    value(resolve, ty, lang, true)
}

/// [`default`]; `top` when `ty` is a function's whole result, the only place
/// JS and Python spell a `result` as its ok value.
fn value(resolve: &Resolve, ty: &Type, lang: Lang, top: bool) -> Option<String> {
    use Lang::*;
    let zero = |rust: &str, js: &str| match lang {
        Rust => rust.to_string(),
        Js => js.to_string(),
        Python | Wave | Mock => "0".to_string(),
    };
    Some(match ty {
        Type::Bool => match lang {
            Python => "False".into(),
            _ => "false".into(),
        },
        Type::U64 | Type::S64 => zero("0", "0n"),
        Type::U8 | Type::U16 | Type::U32 | Type::S8 | Type::S16 | Type::S32 => zero("0", "0"),
        Type::F32 | Type::F64 => match lang {
            Wave | Mock => "0".into(),
            _ => "0.0".into(),
        },
        Type::Char => match lang {
            Js | Python => "\"a\"".into(),
            Rust | Wave | Mock => "'a'".into(),
        },
        Type::String => match lang {
            Rust => "String::new()".into(),
            Js | Python | Wave | Mock => "\"\"".into(),
        },
        Type::ErrorContext => return None,
        Type::Id(id) => return named(resolve, *id, lang, top),
    })
}

fn named(resolve: &Resolve, id: TypeId, lang: Lang, top: bool) -> Option<String> {
    use Lang::*;
    let def = &resolve.types[id];
    let path = || type_path(resolve, id, lang);
    Some(match &def.kind {
        TypeDefKind::Type(t) => return value(resolve, t, lang, top),
        TypeDefKind::List(Type::U8) => match lang {
            Rust => "Vec::new()".into(),
            Js => "new Uint8Array()".into(),
            Python => "b\"\"".into(),
            Wave | Mock => "[]".into(),
        },
        TypeDefKind::List(_) => match lang {
            Rust => "Vec::new()".into(),
            _ => "[]".into(),
        },
        TypeDefKind::Option(inner) => match lang {
            Rust => "None".into(),
            // jco spells the outer of nested options with tags.
            Js if is_option(resolve, inner) => "{ tag: \"none\" }".into(),
            Js => "undefined".into(),
            Python => "None".into(),
            Wave | Mock => "none".into(),
        },
        TypeDefKind::Tuple(t) => {
            let items = t
                .types
                .iter()
                .map(|t| value(resolve, t, lang, false))
                .collect::<Option<Vec<_>>>()?;
            match lang {
                Js => format!("[{}]", items.join(", ")),
                Python | Rust if items.len() == 1 => format!("({},)", items[0]),
                _ => format!("({})", items.join(", ")),
            }
        }
        TypeDefKind::Record(r) => {
            let fields = r
                .fields
                .iter()
                .filter_map(|f| {
                    let v = match value(resolve, &f.ty, lang, false) {
                        Some(v) => v,
                        None => return Some(None),
                    };
                    // WAVE leaves out a record's `none` fields.
                    if matches!(lang, Wave | Mock) && v == "none" {
                        return None;
                    }
                    Some(Some(match lang {
                        Rust => format!("{}: {v}", rust_ident(&f.name)),
                        Js => format!("{}: {v}", lower_camel(&f.name)),
                        Python => format!("{}={v}", python_field(&f.name)),
                        Wave | Mock => format!("{}: {v}", wave_name(&f.name)),
                    }))
                })
                .collect::<Option<Vec<_>>>()?;
            match lang {
                Rust => format!("{} {{ {} }}", path(), fields.join(", ")),
                Js | Wave | Mock => format!("{{{}}}", fields.join(", ")),
                Python => format!("{}({})", path(), fields.join(", ")),
            }
        }
        TypeDefKind::Enum(e) => {
            let case = &e.cases.first()?.name;
            match lang {
                Rust => format!("{}::{}", path(), case.to_upper_camel_case()),
                Js => format!("\"{case}\""),
                Python => format!("{}.{}", path(), case.to_shouty_snake_case()),
                Wave | Mock => wave_name(case),
            }
        }
        TypeDefKind::Flags(_) => match lang {
            Rust => format!("{}::empty()", path()),
            Js => "{}".into(),
            Python => format!("{}(0)", path()),
            Wave | Mock => "{}".into(),
        },
        TypeDefKind::Variant(v) => {
            // The first case whose payload has a default.
            v.cases.iter().find_map(|c| {
                let payload = match &c.ty {
                    Some(t) => Some(value(resolve, t, lang, false)?),
                    None => None,
                };
                let camel = c.name.to_upper_camel_case();
                Some(match (lang, payload) {
                    (Rust, Some(p)) => format!("{}::{camel}({p})", path()),
                    (Rust, None) => format!("{}::{camel}", path()),
                    (Js, Some(p)) => format!("{{ tag: \"{}\", val: {p} }}", c.name),
                    (Js, None) => format!("{{ tag: \"{}\" }}", c.name),
                    (Python, Some(p)) => format!("{}_{}({p})", path(), python_case(&camel)),
                    (Python, None) => format!("{}_{}()", path(), python_case(&camel)),
                    (Wave | Mock, Some(p)) => format!("{}({p})", wave_name(&c.name)),
                    (Wave | Mock, None) => wave_name(&c.name),
                })
            })?
        }
        TypeDefKind::Result(r) => {
            // Ok with a default if it has one, else Err with one.
            let side = |t: &Option<Type>| match t {
                Some(t) => value(resolve, t, lang, false).map(Some),
                None => Some(None),
            };
            if let Some(ok) = side(&r.ok) {
                match (lang, ok) {
                    (Rust, Some(v)) => format!("Ok({v})"),
                    (Rust, None) => "Ok(())".into(),
                    (Wave | Mock, Some(v)) => format!("ok({v})"),
                    (Wave | Mock, None) => "ok".into(),
                    // JS and Python return the ok value itself.
                    (Js, v) if top => v.unwrap_or_else(|| "undefined".into()),
                    (Python, v) if top => v.unwrap_or_else(|| "None".into()),
                    (Js, v) => format!(
                        "{{ tag: \"ok\", val: {} }}",
                        v.unwrap_or("undefined".into())
                    ),
                    (Python, v) => {
                        format!("componentize_py_types.Ok({})", v.unwrap_or("None".into()))
                    }
                }
            } else {
                let err = side(&r.err)?;
                match (lang, err) {
                    (Rust, Some(v)) => format!("Err({v})"),
                    (Rust, None) => "Err(())".into(),
                    (Wave | Mock, Some(v)) => format!("err({v})"),
                    (Wave | Mock, None) => "err".into(),
                    (Js, v) if top => {
                        format!("(() => {{ throw {} }})()", v.unwrap_or("undefined".into()))
                    }
                    (Python, v) if top => format!("_raise(Err({}))", v.unwrap_or("None".into())),
                    (Js, v) => format!(
                        "{{ tag: \"err\", val: {} }}",
                        v.unwrap_or("undefined".into())
                    ),
                    (Python, v) => {
                        format!("componentize_py_types.Err({})", v.unwrap_or("None".into()))
                    }
                }
            }
        }
        // A handle is made by its owner, never by default.
        // A handle is made by its owner: in a mock's answer it is a number.
        TypeDefKind::Handle(Handle::Own(_)) if lang == Mock => "1".into(),
        TypeDefKind::Handle(Handle::Own(_) | Handle::Borrow(_)) | TypeDefKind::Resource => {
            return None;
        }
        _ => return None,
    })
}

/// A variant case's class suffix as componentize-py spells it: `_` after
/// a Python keyword (`V_None_`).
fn python_case(camel: &str) -> String {
    const KEYWORDS: [&str; 3] = ["None", "True", "False"];
    if KEYWORDS.contains(&camel) {
        format!("{camel}_")
    } else {
        camel.to_string()
    }
}

/// A WIT name in WAVE: kebab-case, `%` before a keyword.
fn wave_name(name: &str) -> String {
    const KEYWORDS: [&str; 8] = ["true", "false", "inf", "nan", "some", "none", "ok", "err"];
    if KEYWORDS.contains(&name) {
        format!("%{name}")
    } else {
        name.to_string()
    }
}

pub fn lower_camel(name: &str) -> String {
    let camel = name.to_upper_camel_case();
    let mut chars = camel.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => camel,
    }
}

/// A WIT name as wit-bindgen spells it in Rust: snake case, a keyword
/// followed by `_` (`type_`, `in_`, `self_`).
pub fn rust_ident(name: &str) -> String {
    const KEYWORDS: [&str; 51] = [
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_snake_case()
    }
}

/// True when `ty` is an option (through aliases).
fn is_option(resolve: &Resolve, ty: &Type) -> bool {
    match ty {
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Option(_) => true,
            TypeDefKind::Type(t) => is_option(resolve, t),
            _ => false,
        },
        _ => false,
    }
}

/// Python's keywords: componentize-py puts `_` after them.
const PYTHON_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// A record field as componentize-py names it.
fn python_field(name: &str) -> String {
    let ident = name.to_snake_case();
    if PYTHON_KEYWORDS.contains(&ident.as_str()) {
        format!("{ident}_")
    } else {
        ident
    }
}

/// A WIT name as a JS or Python identifier: `_` after a reserved word.
pub fn script_ident(name: &str, lang: Lang) -> String {
    const JS: [&str; 12] = [
        "in", "class", "var", "new", "delete", "function", "return", "default", "this", "with",
        "switch", "typeof",
    ];
    let (ident, reserved): (String, &[&str]) = match lang {
        Lang::Js => (lower_camel(name), &JS),
        _ => (name.to_snake_case(), &PYTHON_KEYWORDS),
    };
    // A Python parameter named `self` would shadow the method's own.
    if reserved.contains(&ident.as_str()) || (lang == Lang::Python && ident == "self") {
        format!("{ident}_")
    } else {
        ident
    }
}

/// The name an inline interface has in the world that declares it.
fn world_key_of(resolve: &Resolve, iface: wit_parser::InterfaceId) -> Option<String> {
    resolve.worlds.iter().find_map(|(_, w)| {
        w.imports
            .iter()
            .chain(&w.exports)
            .find_map(|(key, item)| match (key, item) {
                (wit_parser::WorldKey::Name(n), wit_parser::WorldItem::Interface { id, .. })
                    if *id == iface =>
                {
                    Some(n.clone())
                }
                _ => None,
            })
    })
}

/// True when `iface` is exported by some world of `resolve` (its types then
/// live under `exports` in the guest's bindings).
fn exported(resolve: &Resolve, iface: wit_parser::InterfaceId) -> bool {
    resolve.worlds.iter().any(|(_, w)| {
        w.exports
            .values()
            .any(|item| matches!(item, wit_parser::WorldItem::Interface { id, .. } if *id == iface))
    })
}

/// The path of named type `id` from the root of the bindings: Rust
/// (`airlock::design::types::Image`, `exports::…`), Python
/// (`wit_world.imports.types.Image`); JS and WAVE name no types.
pub fn type_path(resolve: &Resolve, id: TypeId, lang: Lang) -> String {
    let def = &resolve.types[id];
    let name = def
        .name
        .as_deref()
        .unwrap_or("anonymous")
        .to_upper_camel_case();
    let TypeOwner::Interface(iface) = def.owner else {
        return match lang {
            Lang::Python => format!("wit_world.{name}"),
            _ => name,
        };
    };
    let i = &resolve.interfaces[iface];
    let side = if exported(resolve, iface) {
        "exports"
    } else {
        "imports"
    };
    // An interface written inline in a world (`export other: interface {…}`)
    // is named by its key there, at the top of its side.
    if i.name.is_none() {
        let key = world_key_of(resolve, iface).unwrap_or_else(|| "interface".into());
        return match lang {
            Lang::Rust => format!("{side}::{}::{name}", key.to_snake_case()),
            _ => format!("wit_world.{side}.{}.{name}", key.to_snake_case()),
        };
    }
    match lang {
        Lang::Rust => {
            let mut path = Vec::new();
            if side == "exports" {
                path.push("exports".to_string());
            }
            if let Some(pkg) = i.package {
                let p = &resolve.packages[pkg].name;
                path.push(p.namespace.to_snake_case());
                path.push(p.name.to_snake_case());
            }
            path.push(i.name.as_deref().unwrap_or("interface").to_snake_case());
            path.push(name);
            path.join("::")
        }
        _ => format!(
            "wit_world.{side}.{}.{name}",
            i.name.as_deref().unwrap_or("interface").to_snake_case()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve() -> (Resolve, wit_parser::WorldId) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let loaded = airlock_bindgen::load(
            &[root.join("wit/airlock"), root.join("wit/design")],
            Some("airlock:design/filter"),
        )
        .unwrap();
        (loaded.resolve, loaded.world)
    }

    fn result_of(resolve: &Resolve, world: wit_parser::WorldId, export: &str) -> Type {
        resolve.worlds[world]
            .exports
            .iter()
            .find_map(|(k, item)| match item {
                wit_parser::WorldItem::Function(f) if resolve.name_world_key(k) == export => {
                    f.result
                }
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn the_filter_worlds_results_in_every_language() {
        let (r, w) = resolve();
        let info = result_of(&r, w, "describe");
        assert_eq!(
            default(&r, &info, Lang::Wave).unwrap(),
            r#"{name: "", description: "", defaults: []}"#
        );
        assert_eq!(
            default(&r, &info, Lang::Rust).unwrap(),
            "FilterInfo { name: String::new(), description: String::new(), defaults: Vec::new() }"
        );
        assert_eq!(
            default(&r, &info, Lang::Python).unwrap(),
            r#"wit_world.FilterInfo(name="", description="", defaults=[])"#
        );
        let apply = result_of(&r, w, "apply");
        assert_eq!(
            default(&r, &apply, Lang::Wave).unwrap(),
            "ok({width: 0, height: 0, pixels: []})"
        );
        assert_eq!(
            default(&r, &apply, Lang::Js).unwrap(),
            "{width: 0, height: 0, pixels: new Uint8Array()}"
        );
    }
}
