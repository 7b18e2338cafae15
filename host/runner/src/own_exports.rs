//! Imports of the plugin's own exported interfaces. When a world exports an
//! interface whose types its imports use (`airlock:test/values` in the
//! roundtrip world), WIT makes the world import that interface too, for the
//! types. Rust guests import only the types; componentize-py (and other
//! toolchains that bind whole interfaces) imports the functions as well,
//! though nothing calls them. The host never serves those, so the runner
//! defines each as a trap naming it, and such a component links.

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};

use crate::RunnerState;

/// Defines, as traps, the functions `component` imports from interfaces it
/// also exports, unless `linker` defines them already.
pub(crate) fn stub_imports_of_own_exports(
    linker: &mut Linker<RunnerState>,
    component: &Component,
) -> wasmtime::Result<()> {
    let engine = linker.engine().clone();
    let ty = component.component_type();
    let exported: Vec<String> = ty
        .exports(&engine)
        .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentInstance(_)))
        .map(|(name, _)| name.to_string())
        .collect();
    for (name, import) in ty.imports(&engine) {
        let ComponentItem::ComponentInstance(instance) = import.ty else {
            continue;
        };
        if !exported.iter().any(|e| e == name) {
            continue;
        }
        let mut stubs = linker.instance(name)?;
        for (function, export) in instance.exports(&engine) {
            if let ComponentItem::ComponentFunc(_) = export.ty {
                let full = format!("{name}#{function}");
                // An error here means the world's glue defines it: keep that one.
                let _ = stubs.func_new(function, move |_, _, _, _| {
                    wasmtime::bail!(
                        "the plugin called `{full}`, a function of an interface it exports, as an import; the host serves no such import"
                    )
                });
            }
        }
    }
    Ok(())
}
