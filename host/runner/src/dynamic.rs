//! A world-agnostic glue for tools such as `airlock call`: any component,
//! its exports called by name with arguments and results as WAVE text
//! (the WebAssembly Value Encoding: `42`, `"text"`, `[1, 2]`, `{x: 1.5}`).
//!
//! The runner gives such a plugin WASI and the `airlock:plugin` services
//! under its policy, as to any plugin; every other import is forwarded to
//! the host as WAVE text (`dynamic_imports`), which answers it (a mock host)
//! or refuses it by name.

use wasmtime::Store;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::wasm_wave;
use wasmtime::component::{Component, Func, Instance, Linker, Val};

use crate::dynamic_imports;
pub use crate::dynamic_imports::{DYNAMIC_IMPORT, DYNAMIC_WIRE_IMPORT};
use crate::dynamic_wire::{self, ComponentShape, find_func};
pub use crate::dynamic_wire::{DYNAMIC_WIRE_CALL, WireReturn};

use crate::glue::{BoundExports, CallError, ExportTable, RunnerState, WorldGlue};
use crate::glue::{decode_args, encode_result};

/// The world name a dynamic plugin is started with.
pub const DYNAMIC_WORLD: &str = "airlock:dynamic";
/// Its stand-in world hash: the dynamic glue takes any component.
pub const DYNAMIC_WORLD_HASH: [u8; 32] = *b"airlock dynamic world, any shape";

/// Function 0 of the dynamic world: arguments `(export, [WAVE values])`,
/// result `Result<[WAVE values], message>`.
pub const DYNAMIC_CALL: u32 = 0;

/// The glue of [`DYNAMIC_WORLD`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DynamicGlue;

impl WorldGlue for DynamicGlue {
    fn world_name(&self) -> &'static str {
        DYNAMIC_WORLD
    }

    fn world_hash(&self) -> [u8; 32] {
        DYNAMIC_WORLD_HASH
    }

    fn accepts_any_component(&self) -> bool {
        true
    }

    fn link(&self, _linker: &mut Linker<RunnerState>) -> wasmtime::Result<()> {
        Ok(())
    }

    fn link_component(
        &self,
        linker: &mut Linker<RunnerState>,
        component: &Component,
    ) -> wasmtime::Result<()> {
        forward_foreign_imports(linker, component)
    }

    fn resolve_exports(&self, component: &Component) -> Result<Box<dyn ExportTable>, String> {
        let resources = dynamic_imports::foreign_resources(component, component.engine(), |name| {
            provided_by_runner(name).is_some()
        });
        Ok(Box::new(DynamicTable(ComponentShape::of(
            component,
            resources.len() as u32,
        ))))
    }
}

struct DynamicTable(ComponentShape);

impl ExportTable for DynamicTable {
    fn bind(
        &self,
        _store: &mut Store<RunnerState>,
        instance: &Instance,
    ) -> Result<Box<dyn BoundExports>, String> {
        Ok(Box::new(DynamicExports(*instance, self.0.clone())))
    }
}

struct DynamicExports(Instance, ComponentShape);

impl BoundExports for DynamicExports {
    fn call(
        &self,
        store: &mut Store<RunnerState>,
        func: u32,
        args: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), CallError> {
        if func == DYNAMIC_WIRE_CALL {
            let result = dynamic_wire::call(store, &self.0, &self.1, decode_args(args)?)?;
            return encode_result(&result, out);
        }
        if func != DYNAMIC_CALL {
            return Err(CallError::UnknownFunction(func));
        }
        let (export, args): (String, Vec<String>) = decode_args(args)?;
        let result = match self.prepare(store, &export, &args) {
            Ok((func, params, results)) => self.invoke(store, func, params, results)?,
            Err(message) => Err(message),
        };
        encode_result(&result, out)
    }
}

impl DynamicExports {
    /// Finds `export` and parses `args` against its parameter types.
    fn prepare(
        &self,
        store: &mut Store<RunnerState>,
        export: &str,
        args: &[String],
    ) -> Result<(Func, Vec<Val>, Vec<Val>), String> {
        let func = find_func(store, &self.0, export)?;
        let ty = func.ty(&*store);
        // Refused before the call: a resource made by the guest would have
        // no WAVE form to print, and no holder once the call returned.
        for t in ty.params().map(|(_, t)| t).chain(ty.results()) {
            if let Some(what) = without_wave_form(&t) {
                return Err(format!(
                    "`{export}` passes {what}, which has no WAVE form; `airlock call` calls functions that take and return plain values (a host written with `airlock::bindgen!` holds resources)"
                ));
            }
        }
        if ty.params().len() != args.len() {
            let expected: Vec<String> = ty
                .params()
                .map(|(name, ty)| format!("{name}: {}", wasm_wave::wasm::DisplayType(&ty)))
                .collect();
            return Err(format!(
                "`{export}` takes {} arguments ({}), not {}",
                expected.len(),
                expected.join(", "),
                args.len()
            ));
        }
        let params = ty
            .params()
            .zip(args)
            .map(|((name, ty), text)| {
                wasm_wave::from_str::<Val>(&ty, text).map_err(|e| {
                    format!(
                        "argument `{name}` is not a WAVE value of type {}: {e}",
                        wasm_wave::wasm::DisplayType(&ty)
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let results = vec![Val::Bool(false); ty.results().len()];
        Ok((func, params, results))
    }

    fn invoke(
        &self,
        store: &mut Store<RunnerState>,
        func: Func,
        params: Vec<Val>,
        mut results: Vec<Val>,
    ) -> Result<Result<Vec<String>, String>, CallError> {
        func.call(&mut *store, &params, &mut results)
            .map_err(CallError::Wasm)?;
        Ok(results
            .iter()
            .map(|v| {
                wasm_wave::to_string(v).map_err(|e| format!("the result has no WAVE form: {e}"))
            })
            .collect())
    }
}

/// The first part of `ty` WAVE cannot spell (a resource handle, a future,
/// a stream…), described; `None` when it is all plain values.
fn without_wave_form(ty: &wasmtime::component::Type) -> Option<String> {
    use wasmtime::component::Type as T;
    let first =
        |mut types: Box<dyn Iterator<Item = T> + '_>| types.find_map(|t| without_wave_form(&t));
    match ty {
        T::Own(_) => Some("an `own` resource handle".into()),
        T::Borrow(_) => Some("a `borrow` resource handle".into()),
        T::Future(_) => Some("a future".into()),
        T::Stream(_) => Some("a stream".into()),
        T::ErrorContext => Some("an error context".into()),
        T::Map(_) => Some("a map".into()),
        T::FixedLengthList(_) => Some("a fixed-length list".into()),
        T::List(l) => without_wave_form(&l.ty()),
        T::Option(o) => without_wave_form(&o.ty()),
        T::Record(r) => first(Box::new(r.fields().map(|f| f.ty))),
        T::Tuple(t) => first(Box::new(t.types())),
        T::Variant(v) => first(Box::new(v.cases().filter_map(|c| c.ty))),
        T::Result(r) => first(Box::new(r.ok().into_iter().chain(r.err()))),
        _ => None,
    }
}

/// Forwards every function the component imports from an interface the
/// runner does not provide to the host (see `dynamic_imports`), which
/// answers it or refuses it by name. (Wasmtime's
/// `define_unknown_imports_as_traps` matches names exactly, so it would also
/// shadow WASI interfaces the linker provides under a compatible version.)
fn forward_foreign_imports(
    linker: &mut Linker<RunnerState>,
    component: &Component,
) -> wasmtime::Result<()> {
    let engine = linker.engine().clone();
    let served = |name: &str| provided_by_runner(name).is_some();
    let resources = dynamic_imports::foreign_resources(component, &engine, served);
    let ty = component.component_type();
    for (name, import) in ty.imports(&engine) {
        if served(name) {
            continue;
        }
        match import.ty {
            ComponentItem::ComponentInstance(instance) => {
                dynamic_imports::forward_instance(linker, name, &instance, &resources)?
            }
            ComponentItem::ComponentFunc(_) => {
                dynamic_imports::forward_function(linker, name, &resources)?
            }
            // Types and resources cannot be stubbed; linking names them if missing.
            _ => {}
        }
    }
    Ok(())
}

/// What every runner links itself, under the policy: `Some(description)`
/// for WASI 0.2's cli, io, clocks, filesystem, random and sockets packages
/// (what `wasmtime_wasi::p2::add_to_linker_sync` defines; compatible 0.2
/// versions match) and Airlock's `airlock:plugin` services.
pub fn provided_by_runner(name: &str) -> Option<&'static str> {
    const WASI: [&str; 6] = [
        "wasi:cli/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:filesystem/",
        "wasi:random/",
        "wasi:sockets/",
    ];
    if WASI.iter().any(|p| name.starts_with(p)) && name.contains("@0.2.") {
        Some("WASI 0.2, under the policy")
    } else if name.starts_with("airlock:plugin/") {
        Some("Airlock's plugin services")
    } else {
        None
    }
}
