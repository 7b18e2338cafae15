//! The dynamic world's replay mode: an export called with arguments in the
//! wire's encoding (the bytes a world's generated bindings sent when the
//! call was recorded), its imports forwarded the same way, and the clocks
//! and random the recording holds handed back to the guest.

use airlock_protocol::observed::Observations;
use serde::{Deserialize, Serialize};
use wasmtime::AsContextMut;
use wasmtime::Store;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Func, Instance, Type, Val};

use crate::dynamic_imports::{from_wire, to_wire};
use crate::glue::{CallError, RunnerState};
use crate::observe::Finished;

/// Function 1 of the dynamic world: arguments `(export, the arguments'
/// encoding, the observations to hand back)`, result
/// `Result<WireReturn, message>`.
pub const DYNAMIC_WIRE_CALL: u32 = 1;

/// What a replayed call returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireReturn {
    /// The results in the wire's encoding, as the recorded call's were.
    pub encoded: Vec<u8>,
    /// The same as WAVE, to show.
    pub wave: Vec<String>,
    /// Which of the recorded clock readings or random bytes the guest read
    /// past the end of, if any: then it read more than when recorded.
    pub ran_out: Option<String>,
}

/// Calls `export` with `args` (its parameters' encoding) on `instance`.
/// `Ok(Err(_))` says why the call could not be made.
pub(crate) fn call(
    store: &mut Store<RunnerState>,
    instance: &Instance,
    shape: &ComponentShape,
    (export, args, observed): (String, Vec<u8>, Observations),
) -> Result<Result<WireReturn, String>, CallError> {
    let (func, params) = match prepare(store, instance, shape, &export, &args) {
        Ok(prepared) => prepared,
        Err(message) => return Ok(Err(message)),
    };
    let types: Vec<Type> = func.ty(&*store).results().collect();
    let mut results = vec![Val::Bool(false); types.len()];
    if let Some(observer) = &store.data().host.observer {
        observer.replay(observed);
    }
    store.data_mut().host.wire_imports = true;
    let called = func.call(&mut *store, &params, &mut results);
    store.data_mut().host.wire_imports = false;
    let ran_out = match store.data().host.observer.as_ref().map(|o| o.finish()) {
        Some(Finished::Replayed { ran_out }) => ran_out.map(str::to_string),
        _ => None,
    };
    if let (Err(_), Some(what)) = (&called, &ran_out) {
        // Said before the failure, which carries no result to hold it.
        let note = format!("the plugin read more {what} than the recorded call did");
        let _ = store.data_mut().host.warn(note);
    }
    called.map_err(CallError::Wasm)?;
    let (wire, wave) = to_wire(&results, types, &mut store.as_context_mut())
        .map_err(|e| CallError::Encode(e.to_string()))?;
    Ok(Ok(WireReturn {
        encoded: wire,
        wave,
        ran_out,
    }))
}

/// Finds `export` and decodes its arguments.
fn prepare(
    store: &mut Store<RunnerState>,
    instance: &Instance,
    shape: &ComponentShape,
    export: &str,
    args: &[u8],
) -> Result<(Func, Vec<Val>), String> {
    let func = find(store, instance, shape, export)?;
    let types: Vec<Type> = func.ty(&*store).params().map(|(_, t)| t).collect();
    let params = from_wire(args, &types, shape.resource_count, &mut store.as_context_mut())
        .map_err(|e| {
            format!("the recorded arguments do not fit the plugin's `{export}` (its parameters changed?): {e}")
        })?;
    Ok((func, params))
}

/// `export` as the dynamic world finds it, or else the one function of
/// that name in an exported interface (a recording names an interface's
/// function as the generated client does, without its interface).
fn find(
    store: &mut Store<RunnerState>,
    instance: &Instance,
    shape: &ComponentShape,
    export: &str,
) -> Result<Func, String> {
    let direct = find_func(store, instance, export);
    if direct.is_ok() || export.contains('#') {
        return direct;
    }
    let mut found = shape
        .interface_functions
        .iter()
        .filter(|(_, function)| function == export)
        .map(|(interface, function)| format!("{interface}#{function}"));
    match (found.next(), found.next()) {
        (Some(full), None) => find_func(store, instance, &full),
        (Some(a), Some(b)) => Err(format!(
            "the plugin exports `{export}` in more than one interface (`{a}`, `{b}`…)"
        )),
        (None, _) => direct,
    }
}

/// What a replay needs to know of the component beyond its instance.
#[derive(Debug, Clone, Default)]
pub(crate) struct ComponentShape {
    /// How many host resource types the dynamic world made for its imports.
    pub(crate) resource_count: u32,
    /// `(interface, function)` of each function of each exported interface.
    pub(crate) interface_functions: Vec<(String, String)>,
}

impl ComponentShape {
    pub(crate) fn of(component: &Component, resource_count: u32) -> Self {
        let engine = component.engine();
        let mut interface_functions = Vec::new();
        for (interface, export) in component.component_type().exports(engine) {
            if let ComponentItem::ComponentInstance(instance) = export.ty {
                for (function, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(_) = item.ty {
                        interface_functions.push((interface.to_string(), function.to_string()));
                    }
                }
            }
        }
        Self {
            resource_count,
            interface_functions,
        }
    }
}

/// `name` at the top level, or `interface#name` inside an exported interface.
pub(crate) fn find_func(
    store: &mut Store<RunnerState>,
    instance: &Instance,
    export: &str,
) -> Result<Func, String> {
    let (parent, name) = match export.rsplit_once('#') {
        Some((interface, name)) => {
            let index = instance
                .get_export_index(&mut *store, None, interface)
                .ok_or_else(|| format!("the plugin exports no interface `{interface}`"))?;
            (Some(index), name)
        }
        None => (None, export),
    };
    let index = instance
        .get_export_index(&mut *store, parent.as_ref(), name)
        .ok_or_else(|| format!("the plugin exports no function `{export}`"))?;
    instance
        .get_func(&mut *store, index)
        .ok_or_else(|| format!("`{export}` is not a function"))
}
