//! The files of a new project, per language: the stubbed source, the
//! build description, the manifest, the mock, the test cases, the README.

use std::path::PathBuf;

use anyhow::{Context, Result};
use heck::{ToSnakeCase, ToUpperCamelCase};
use wit_parser::{Handle, Resolve, Type, TypeDefKind};

use super::values::{self, Lang, default, lower_camel, rust_ident, script_ident};
use super::{Export, Request, mock_script, toml_string};
use crate::check::World;

/// Every file of the project but its WIT, as (path in the project, text).
pub fn files(
    req: &Request<'_>,
    world: &World,
    exports: &[Export<'_>],
) -> Result<Vec<(PathBuf, String)>> {
    let r = &world.resolve;
    let full = world.name();
    let unversioned = full
        .split_once('@')
        .map_or(full.as_str(), |(w, _)| w)
        .to_string();
    let mut files = vec![
        (
            "airlock.toml".into(),
            format!(
                "# What {name} is and what it asks of the host.\nname = \"{name}\"\nversion = \"0.1.0\"\nworld = \"{full}\"\n",
                name = req.name
            ),
        ),
        ("mock.toml".into(), mock_script(world)),
        (".gitignore".into(), "/target\n".into()),
    ];
    let mut untested = Vec::new();
    for e in exports {
        match test_case(r, e) {
            Some(case) => files.push((format!("tests/{}.toml", file_stem(&e.wire)).into(), case)),
            None => untested.push(e.wire.clone()),
        }
    }
    match req.lang {
        Lang::Rust => {
            let sdk = match req.guest_sdk {
                Some(p) => p.to_path_buf(),
                None => default_sdk()?,
            };
            let sdk = sdk.canonicalize().with_context(|| {
                format!(
                    "the guest SDK is not at {}; pass --guest-sdk DIR",
                    sdk.display()
                )
            })?;
            files.push(("Cargo.toml".into(), cargo_toml(req.name, &sdk)));
            files.push((
                "src/lib.rs".into(),
                rust_source(r, req.name, &unversioned, exports),
            ));
        }
        Lang::Js => {
            files.push(("package.json".into(), package_json(req.name)));
            files.push((
                "src/plugin.js".into(),
                js_source(r, req.name, &full, exports),
            ));
        }
        Lang::Python => files.push(("app.py".into(), python_source(r, req.name, &full, exports))),
        Lang::Wave | Lang::Mock => unreachable!("not a project language"),
    }
    files.push(("README.md".into(), readme(req, &full, exports, &untested)));
    Ok(files)
}

/// The guest SDK of the checkout this `airlock` was built from.
fn default_sdk() -> Result<PathBuf> {
    let sdk = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../guest-sdk"));
    anyhow::ensure!(
        sdk.join("Cargo.toml").is_file(),
        "no guest SDK beside this airlock (it was built elsewhere); pass --guest-sdk DIR"
    );
    Ok(sdk)
}

/// `run` for a world's own export, `api-run` for `ns:pkg/api@v#run`.
fn file_stem(wire: &str) -> String {
    match wire.split_once('#') {
        Some((interface, function)) => {
            let interface = interface.split('@').next().unwrap_or(interface);
            let interface = interface.rsplit(['/', ':']).next().unwrap_or(interface);
            format!("{interface}-{function}")
        }
        None => wire.to_string(),
    }
}

/// A test case calling `e` with default arguments and expecting the stub's
/// default result; `None` when an argument has no default (a handle).
fn test_case(r: &Resolve, e: &Export<'_>) -> Option<String> {
    let args = e
        .func
        .params
        .iter()
        .map(|p| default(r, &p.ty, Lang::Wave).map(|v| toml_string(&v)))
        .collect::<Option<Vec<_>>>()?;
    let expect = match &e.func.result {
        Some(t) => default(r, t, Lang::Wave)?,
        None => String::new(),
    };
    Some(format!(
        "# `airlock test` calls `{wire}` with these WAVE arguments, the imports\n\
         # answered by mock.toml, and expects this result (WAVE). Change both as the\n\
         # plugin grows; add files for more cases.\nexport = {export}\nargs = [{args}]\nexpect = {expect}\nmock = \"../mock.toml\"\n",
        wire = e.wire,
        export = toml_string(&e.wire),
        args = args.join(", "),
        expect = toml_string(&expect),
    ))
}

fn cargo_toml(name: &str, sdk: &std::path::Path) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\nairlock-guest = {{ path = {sdk:?} }}\n\n\
         [profile.release]\nopt-level = \"s\"\nstrip = true\n\n# A project of its own, not part of an enclosing workspace.\n[workspace]\n",
        sdk = sdk.display().to_string()
    )
}

fn package_json(name: &str) -> String {
    format!(
        "{{\n  \"name\": \"{name}\",\n  \"version\": \"0.1.0\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"scripts\": {{ \"test\": \"airlock test\" }}\n}}\n"
    )
}

/// The Rust type of `ty` in the guest's bindings (wit-bindgen's names).
fn rust_type(r: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "i8".into(),
        Type::S16 => "i16".into(),
        Type::S32 => "i32".into(),
        Type::S64 => "i64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "String".into(),
        Type::ErrorContext => "ErrorContext".into(),
        Type::Id(id) => {
            let def = &r.types[*id];
            if def.name.is_some() {
                return values::type_path(r, *id, Lang::Rust);
            }
            let side = |t: &Option<Type>| t.as_ref().map_or("()".into(), |t| rust_type(r, t));
            match &def.kind {
                TypeDefKind::List(t) => format!("Vec<{}>", rust_type(r, t)),
                TypeDefKind::Option(t) => format!("Option<{}>", rust_type(r, t)),
                TypeDefKind::Result(res) => {
                    format!("Result<{}, {}>", side(&res.ok), side(&res.err))
                }
                TypeDefKind::Tuple(t) => {
                    let items: Vec<_> = t.types.iter().map(|t| rust_type(r, t)).collect();
                    match items.as_slice() {
                        [one] => format!("({one},)"),
                        _ => format!("({})", items.join(", ")),
                    }
                }
                TypeDefKind::Handle(Handle::Own(res)) => rust_type(r, &Type::Id(*res)),
                TypeDefKind::Handle(Handle::Borrow(res)) => {
                    format!("&{}", rust_type(r, &Type::Id(*res)))
                }
                TypeDefKind::Type(t) => rust_type(r, t),
                _ => "()".into(),
            }
        }
    }
}

/// A stub's body: the default of the result, or a `todo!` when it has none.
fn body(r: &Resolve, f: &wit_parser::Function, lang: Lang, name: &str) -> String {
    match &f.result {
        None => match lang {
            Lang::Rust => String::new(),
            Lang::Js => "return".into(),
            _ => "return None".into(),
        },
        Some(t) => match (default(r, t, lang), lang) {
            (Some(v), Lang::Rust) => v,
            (Some(v), _) => format!("return {v}"),
            (None, Lang::Rust) => format!("todo!(\"implement `{name}`\")"),
            (None, Lang::Js) => format!("throw new Error(\"implement `{name}`\")"),
            (None, _) => format!("raise NotImplementedError(\"implement `{name}`\")"),
        },
    }
}

fn rust_source(r: &Resolve, name: &str, world: &str, exports: &[Export<'_>]) -> String {
    let mut out = format!(
        "//! {name}: a plugin for `{world}`. Each export returns a default value;\n\
         //! replace it with what the plugin does (`airlock test` runs tests/*.toml).\n\n\
         airlock_guest::generate!({{ path: [\"wit\"], world: \"{world}\" }});\n\nstruct Plugin;\n"
    );
    let mut groups: Vec<(Option<&str>, Vec<&Export<'_>>)> = Vec::new();
    for e in exports {
        match groups.iter_mut().find(|(i, _)| *i == e.interface) {
            Some((_, list)) => list.push(e),
            None => groups.push((e.interface, vec![e])),
        }
    }
    for (interface, list) in groups {
        let guest = match interface {
            None => "Guest".to_string(),
            Some(_) => {
                let wire = list[0].wire.split('#').next().unwrap_or_default();
                format!("{}::Guest", export_module(wire))
            }
        };
        out.push_str(&format!(
            "\n#[allow(unused_variables)]\nimpl {guest} for Plugin {{\n"
        ));
        for e in list {
            let params: Vec<_> = e
                .func
                .params
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        rust_ident(&p.name.to_snake_case()),
                        rust_type(r, &p.ty)
                    )
                })
                .collect();
            let ret = e
                .func
                .result
                .as_ref()
                .map(|t| format!(" -> {}", rust_type(r, t)))
                .unwrap_or_default();
            let body = body(r, e.func, Lang::Rust, &e.wire);
            let body = if body.is_empty() {
                String::new()
            } else {
                format!("        {body}\n")
            };
            out.push_str(&format!(
                "    fn {}({}){ret} {{\n{body}    }}\n",
                rust_ident(&e.func.name),
                params.join(", "),
            ));
        }
        out.push_str("}\n");
    }
    out.push_str("\nexport!(Plugin);\n");
    out
}

/// `exports::ns::pkg::iface` for an exported interface `ns:pkg/iface@v`.
fn export_module(wire: &str) -> String {
    let unversioned = wire.split('@').next().unwrap_or(wire);
    let parts: Vec<String> = unversioned
        .split([':', '/'])
        .map(|p| p.to_snake_case())
        .collect();
    format!("exports::{}", parts.join("::"))
}

fn js_source(r: &Resolve, name: &str, world: &str, exports: &[Export<'_>]) -> String {
    let mut out = format!(
        "// {name}: a plugin for `{world}`. Each export returns a default value;\n\
         // replace it with what the plugin does (`airlock test` runs tests/*.toml).\n"
    );
    let mut interfaces: Vec<(&str, Vec<String>)> = Vec::new();
    for e in exports {
        let params: Vec<_> = e
            .func
            .params
            .iter()
            .map(|p| script_ident(&p.name, Lang::Js))
            .collect();
        let f = format!(
            "{}({}) {{\n  {};\n}}",
            lower_camel(&e.func.name),
            params.join(", "),
            body(r, e.func, Lang::Js, &e.wire)
        );
        let exported = lower_camel(&e.func.name);
        let local = script_ident(&e.func.name, Lang::Js);
        match e.interface {
            // A reserved word cannot name a function: export it under the name.
            None if local != exported => {
                let f = f.replacen(&exported, &local, 1);
                out.push_str(&format!(
                    "\nfunction {f}\nexport {{ {local} as {exported} }};\n"
                ))
            }
            None => out.push_str(&format!("\nexport function {f}\n")),
            Some(i) => match interfaces.iter_mut().find(|(n, _)| *n == i) {
                Some((_, fs)) => fs.push(f),
                None => interfaces.push((i, vec![f])),
            },
        }
    }
    for (i, fs) in interfaces {
        let fs: Vec<_> = fs
            .iter()
            .map(|f| format!("  {}", f.replace('\n', "\n  ")))
            .collect();
        out.push_str(&format!(
            "\nexport const {} = {{\n{},\n}};\n",
            lower_camel(i),
            fs.join(",\n")
        ));
    }
    out
}

fn python_source(r: &Resolve, name: &str, world: &str, exports: &[Export<'_>]) -> String {
    let mut classes: Vec<(Option<&str>, Vec<String>)> = Vec::new();
    for e in exports {
        let mut params = vec!["self".to_string()];
        params.extend(
            e.func
                .params
                .iter()
                .map(|p| script_ident(&p.name, Lang::Python)),
        );
        let f = format!(
            "    def {}({}):\n        {}\n",
            e.func.name.to_snake_case(),
            params.join(", "),
            body(r, e.func, Lang::Python, &e.wire)
        );
        match classes.iter_mut().find(|(i, _)| *i == e.interface) {
            Some((_, fs)) => fs.push(f),
            None => classes.push((e.interface, vec![f])),
        }
    }
    let mut code = String::new();
    for (interface, fs) in classes {
        let class = match interface {
            None => "class WitWorld(wit_world.WitWorld):".to_string(),
            Some(i) => {
                let c = i.to_upper_camel_case();
                format!("class {c}(wit_world.exports.{c}):")
            }
        };
        code.push_str(&format!("\n\n{class}\n{}", fs.join("\n")));
    }
    // The modules the code names: `wit_world.imports.types.Image` needs
    // `import wit_world.imports.types`; `wit_world.exports.Shapes` (a class)
    // needs `import wit_world.exports`.
    let code_ref = code.as_str();
    let mut imports: Vec<String> = ["wit_world.imports.", "wit_world.exports."]
        .into_iter()
        .flat_map(|prefix| {
            code_ref.match_indices(prefix).map(move |(at, _)| {
                let rest = &code_ref[at + prefix.len()..];
                let module: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if module.chars().next().is_some_and(char::is_lowercase) {
                    format!("import {prefix}{module}")
                } else {
                    format!("import {}", prefix.trim_end_matches('.'))
                }
            })
        })
        .collect();
    if code.contains("componentize_py_types.") {
        imports.push("import componentize_py_types".into());
    }
    imports.sort();
    imports.dedup();
    let helper = if code.contains("_raise(") {
        "\n\ndef _raise(error):\n    raise error\n"
    } else {
        ""
    };
    format!(
        "\"\"\"{name}: a plugin for `{world}`. Each export returns a default value;\nreplace it with what the plugin does (`airlock test` runs tests/*.toml).\"\"\"\n\n\
         import wit_world\n{}{}from componentize_py_types import Err  # raise Err(value) to return an error\n{helper}{code}",
        imports.join("\n"),
        if imports.is_empty() { "" } else { "\n" },
    )
}

fn readme(req: &Request<'_>, world: &str, exports: &[Export<'_>], untested: &[String]) -> String {
    let (lang, source) = match req.lang {
        Lang::Rust => ("Rust", "src/lib.rs"),
        Lang::Js => ("JavaScript", "src/plugin.js"),
        _ => ("Python", "app.py"),
    };
    let names: Vec<_> = exports.iter().map(|e| format!("`{}`", e.wire)).collect();
    let mut text = format!(
        "# {name}\n\nA {lang} plugin for `{world}`, made by `airlock new`. Its exports ({}) are\n\
         stubs in `{source}` that return default values: write what the plugin does there.\n\n\
         - `airlock test` builds the plugin and runs each case in `tests/` against the\n  \
         pretend host of `mock.toml` (edit its answers to the document you want).\n\
         - `airlock dev` does it again whenever a source changes and hot-reloads the\n  \
         plugin it serves; a line `EXPORT(ARGS)` on its stdin calls that plugin.\n\
         - `airlock call target/{name}.wasm EXPORT ARGS… --mock mock.toml --transcript`\n  \
         calls one export and prints every import call the plugin made.\n\
         - `airlock.toml` is the manifest a host reviews: add what the plugin asks for.\n",
        names.join(", "),
        name = req.name,
    );
    if !untested.is_empty() {
        text.push_str(&format!(
            "\nNo test was written for {}: an argument is a handle, which only a host makes.\n",
            untested.join(", ")
        ));
    }
    text
}
