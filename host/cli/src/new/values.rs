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
}

/// The default value of `ty` in `lang`, or `None` when it has none (a bare
/// resource handle: only the host makes those).
pub fn default(resolve: &Resolve, ty: &Type, lang: Lang) -> Option<String> {
    use Lang::*;
    let zero = |rust: &str, js: &str| match lang {
        Rust => rust.to_string(),
        Js => js.to_string(),
        Python | Wave => "0".to_string(),
    };
    Some(match ty {
        Type::Bool => match lang {
            Python => "False".into(),
            _ => "false".into(),
        },
        Type::U64 | Type::S64 => zero("0", "0n"),
        Type::U8 | Type::U16 | Type::U32 | Type::S8 | Type::S16 | Type::S32 => zero("0", "0"),
        Type::F32 | Type::F64 => match lang {
            Wave => "0".into(),
            _ => "0.0".into(),
        },
        Type::Char => match lang {
            Js | Python => "\"a\"".into(),
            Rust | Wave => "'a'".into(),
        },
        Type::String => match lang {
            Rust => "String::new()".into(),
            Js | Python | Wave => "\"\"".into(),
        },
        Type::ErrorContext => return None,
        Type::Id(id) => return named(resolve, *id, lang),
    })
}

fn named(resolve: &Resolve, id: TypeId, lang: Lang) -> Option<String> {
    use Lang::*;
    let def = &resolve.types[id];
    let name = def.name.clone().unwrap_or_default();
    let path = || type_path(resolve, id, lang);
    Some(match &def.kind {
        TypeDefKind::Type(t) => return default(resolve, t, lang),
        TypeDefKind::List(Type::U8) => match lang {
            Rust => "Vec::new()".into(),
            Js => "new Uint8Array()".into(),
            Python => "b\"\"".into(),
            Wave => "[]".into(),
        },
        TypeDefKind::List(_) => match lang {
            Rust => "Vec::new()".into(),
            _ => "[]".into(),
        },
        TypeDefKind::Option(_) => match lang {
            Rust => "None".into(),
            Js => "undefined".into(),
            Python => "None".into(),
            Wave => "none".into(),
        },
        TypeDefKind::Tuple(t) => {
            let items = t
                .types
                .iter()
                .map(|t| default(resolve, t, lang))
                .collect::<Option<Vec<_>>>()?;
            match lang {
                Js => format!("[{}]", items.join(", ")),
                Python if items.len() == 1 => format!("({},)", items[0]),
                _ => format!("({})", items.join(", ")),
            }
        }
        TypeDefKind::Record(r) => {
            let fields = r
                .fields
                .iter()
                .map(|f| {
                    let v = default(resolve, &f.ty, lang)?;
                    Some(match lang {
                        Rust => format!("{}: {v}", rust_ident(&f.name.to_snake_case())),
                        Js => format!("{}: {v}", lower_camel(&f.name)),
                        Python => format!("{}={v}", f.name.to_snake_case()),
                        Wave => format!("{}: {v}", wave_name(&f.name)),
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            match lang {
                Rust => format!("{} {{ {} }}", path(), fields.join(", ")),
                Js | Wave => format!("{{{}}}", fields.join(", ")),
                Python => format!("{}({})", path(), fields.join(", ")),
            }
        }
        TypeDefKind::Enum(e) => {
            let case = &e.cases.first()?.name;
            match lang {
                Rust => format!("{}::{}", path(), case.to_upper_camel_case()),
                Js => format!("\"{case}\""),
                Python => format!("{}.{}", path(), case.to_shouty_snake_case()),
                Wave => wave_name(case),
            }
        }
        TypeDefKind::Flags(_) => match lang {
            Rust => format!("{}::empty()", path()),
            Js => "{}".into(),
            Python => format!("{}(0)", path()),
            Wave => "{}".into(),
        },
        TypeDefKind::Variant(v) => {
            // The first case whose payload has a default.
            v.cases.iter().find_map(|c| {
                let payload = match &c.ty {
                    Some(t) => Some(default(resolve, t, lang)?),
                    None => None,
                };
                let camel = c.name.to_upper_camel_case();
                Some(match (lang, payload) {
                    (Rust, Some(p)) => format!("{}::{camel}({p})", path()),
                    (Rust, None) => format!("{}::{camel}", path()),
                    (Js, Some(p)) => format!("{{ tag: \"{}\", val: {p} }}", c.name),
                    (Js, None) => format!("{{ tag: \"{}\" }}", c.name),
                    (Python, Some(p)) => format!("{}_{camel}({p})", path()),
                    (Python, None) => format!("{}_{camel}()", path()),
                    (Wave, Some(p)) => format!("{}({p})", wave_name(&c.name)),
                    (Wave, None) => wave_name(&c.name),
                })
            })?
        }
        TypeDefKind::Result(r) => {
            // Ok with a default if it has one, else Err with one.
            let side = |t: &Option<Type>| match t {
                Some(t) => default(resolve, t, lang).map(Some),
                None => Some(None),
            };
            if let Some(ok) = side(&r.ok) {
                match (lang, ok) {
                    (Rust, Some(v)) => format!("Ok({v})"),
                    (Rust, None) => "Ok(())".into(),
                    (Wave, Some(v)) => format!("ok({v})"),
                    (Wave, None) => "ok".into(),
                    // JS and Python return the ok value itself.
                    (Js, v) => v.unwrap_or_else(|| "undefined".into()),
                    (Python, v) => v.unwrap_or_else(|| "None".into()),
                }
            } else {
                let err = side(&r.err)?;
                match (lang, err) {
                    (Rust, Some(v)) => format!("Err({v})"),
                    (Rust, None) => "Err(())".into(),
                    (Wave, Some(v)) => format!("err({v})"),
                    (Wave, None) => "err".into(),
                    (Js, v) => format!("(() => {{ throw {} }})()", v.unwrap_or("undefined".into())),
                    (Python, v) => format!("_raise(Err({}))", v.unwrap_or("None".into())),
                }
            }
        }
        // A handle is made by its owner, never by default.
        TypeDefKind::Handle(Handle::Own(_) | Handle::Borrow(_)) | TypeDefKind::Resource => {
            let _ = name;
            return None;
        }
        _ => return None,
    })
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

/// `name`, raw if it is a Rust keyword.
pub fn rust_ident(name: &str) -> String {
    const KEYWORDS: [&str; 12] = [
        "type", "fn", "impl", "struct", "enum", "match", "move", "ref", "self", "use", "mod",
        "loop",
    ];
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
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
    match lang {
        Lang::Rust => {
            let mut path = Vec::new();
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
            "wit_world.imports.{}.{name}",
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
