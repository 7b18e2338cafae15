//! Target `wave`: the arguments of `airlock call`, parsed as WAVE values
//! against the parameter types of a real component's export, as the
//! dynamic glue does before the call (`wasm_wave::from_str::<Val>`).
//!
//! The types are those of the `airlock:test/roundtrip` world (every WIT
//! value type): a component is made from its WIT once, with stub bodies,
//! and compiled so that wasmtime gives the types exactly as a plugin's.
//!
//! Input: one byte choosing the export, then its arguments as UTF-8 text
//! separated by NUL bytes (which command-line arguments cannot hold).
//!
//! Checked: no panic; every argument that parses prints as WAVE, and what it
//! prints parses back to the same value (printed the same again).

use std::path::Path;
use std::sync::OnceLock;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Type, Val, wasm_wave};
use wasmtime::{Config, Engine};

/// An export that `airlock call` can call: its name and parameter types.
struct Export {
    name: String,
    params: Vec<Type>,
}

pub fn wave(data: &[u8]) {
    let Some((&choice, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let exports = exports();
    let export = &exports[usize::from(choice) % exports.len()];
    let args: Vec<&str> = text.split('\0').collect();
    if args.len() != export.params.len() {
        return;
    }
    for (ty, arg) in export.params.iter().zip(args) {
        let Ok(value) = wasm_wave::from_str::<Val>(ty, arg) else {
            continue;
        };
        let printed = wasm_wave::to_string(&value).unwrap_or_else(|e| {
            panic!("a parsed argument of `{}` does not print: {e}", export.name)
        });
        let again = wasm_wave::from_str::<Val>(ty, &printed).unwrap_or_else(|e| {
            panic!("`{printed}` (printed from {arg:?}) does not parse back: {e}")
        });
        let reprinted = wasm_wave::to_string(&again).expect("a value that printed once prints");
        assert_eq!(
            reprinted, printed,
            "{arg:?} changed through its own WAVE form"
        );
    }
}

/// The input that calls `export` (`name` or `interface#name`) with `args`,
/// for seeds.
pub fn input(export: &str, args: &[&str]) -> Vec<u8> {
    let index = exports()
        .iter()
        .position(|e| e.name == export)
        .unwrap_or_else(|| panic!("the roundtrip world has no plain export `{export}`"));
    let mut out = vec![u8::try_from(index).expect("fewer than 256 exports")];
    out.extend_from_slice(args.join("\0").as_bytes());
    out
}

/// The exports of the roundtrip world whose parameters all have WAVE forms.
fn exports() -> &'static [Export] {
    static EXPORTS: OnceLock<Vec<Export>> = OnceLock::new();
    EXPORTS.get_or_init(|| {
        let engine =
            Engine::new(Config::new().wasm_component_model(true)).expect("a default engine");
        let component = Component::new(&engine, roundtrip_component())
            .expect("the stub roundtrip component compiles");
        let mut exports = Vec::new();
        for (name, item) in component.component_type().exports(&engine) {
            match item.ty {
                ComponentItem::ComponentFunc(func) => push(&mut exports, name.to_string(), &func),
                ComponentItem::ComponentInstance(instance) => {
                    for (function, item) in instance.exports(&engine) {
                        if let ComponentItem::ComponentFunc(func) = item.ty {
                            push(&mut exports, format!("{name}#{function}"), &func);
                        }
                    }
                }
                _ => {}
            }
        }
        assert!(exports.len() > 10, "the roundtrip world has its exports");
        exports
    })
}

fn push(exports: &mut Vec<Export>, name: String, func: &wasmtime::component::types::ComponentFunc) {
    let params: Vec<Type> = func.params().map(|(_, ty)| ty).collect();
    if params.iter().all(has_wave_form) {
        exports.push(Export { name, params });
    }
}

/// Whether `airlock call` takes a value of `ty` (it refuses handles and the
/// like before parsing anything).
fn has_wave_form(ty: &Type) -> bool {
    match ty {
        Type::Own(_)
        | Type::Borrow(_)
        | Type::Future(_)
        | Type::Stream(_)
        | Type::ErrorContext
        | Type::Map(_)
        | Type::FixedLengthList(_) => false,
        Type::List(l) => has_wave_form(&l.ty()),
        Type::Option(o) => has_wave_form(&o.ty()),
        Type::Record(r) => r.fields().all(|f| has_wave_form(&f.ty)),
        Type::Tuple(t) => t.types().all(|t| has_wave_form(&t)),
        Type::Variant(v) => v.cases().all(|c| c.ty.as_ref().is_none_or(has_wave_form)),
        Type::Result(r) => r.ok().iter().chain(r.err().iter()).all(has_wave_form),
        _ => true,
    }
}

/// A component of the roundtrip world with stub bodies, made from its WIT.
fn roundtrip_component() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut resolve = wit_parser::Resolve::default();
    resolve
        .push_path(root.join("wit/airlock"))
        .expect("the airlock WIT parses");
    let (package, _) = resolve
        .push_path(root.join("host/testkit/wit"))
        .expect("the test WIT parses");
    let world = resolve
        .select_world(&[package], Some("roundtrip"))
        .expect("the roundtrip world exists");
    let mut module =
        wit_component::dummy_module(&resolve, world, wit_parser::ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("metadata embeds");
    wit_component::ComponentEncoder::default()
        .module(&module)
        .expect("the stub module is a module")
        .validate(true)
        .encode()
        .expect("the stub component encodes")
}
