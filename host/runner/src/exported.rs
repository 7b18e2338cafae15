//! Resources a plugin exports (a WIT `resource` in an exported interface),
//! the runner's half: the host holds them by number, the runner keeps the
//! real handles.
//!
//! A resource the guest hands out is a wasmtime [`ResourceAny`] kept in its
//! instance's table ([`crate::instance_resources`]) under a number that is
//! never reused in the process; the wire carries that number. On the host the
//! number becomes a [`PluginResource`] tied to the instance it came from (the
//! host crate's `resources` module): dropping it queues a release that
//! travels with the plugin's next call (the guest's destructor runs then,
//! inside that call's deadline), and once the instance ends every handle from
//! it refuses to be sent, so a stale handle fails with an error instead of
//! reaching another object.

use wasmtime::component::ResourceAny;

use crate::glue::{CallError, RunnerState};
use crate::instance_resources::InstanceResources;

pub use crate::plugin_resource::{ExportedResource, PluginResource};

/// Destroys the objects the host released (running the guest's destructors,
/// under the current call's deadline and fuel). Numbers the table does not
/// hold (already given back to the guest) are ignored.
pub(crate) fn release_pending(
    store: &mut wasmtime::Store<RunnerState>,
    tables: &InstanceResources,
) -> Result<(), CallError> {
    let pending = std::mem::take(&mut tables.exported.borrow_mut().pending);
    for id in pending {
        // Not borrowed across the destructor: it runs guest code.
        let Some(resource) = tables.exported.borrow_mut().held.remove(&id) else {
            continue;
        };
        resource.resource_drop(&mut *store).map_err(|e| {
            CallError::Wasm(e.context(format!("destroying resource #{id}, which the host dropped")))
        })?;
    }
    Ok(())
}

mod abi {
    use wasmtime::component::__internal::InterfaceType;

    use super::{ExportedResource, PluginResource, ResourceAny};
    use crate::instance_resources::with_current;

    fn resource<T: ExportedResource>(
        handle: &PluginResource<T>,
        ty: InterfaceType,
    ) -> wasmtime::Result<ResourceAny> {
        let own = matches!(ty, InterfaceType::Own(_));
        with_current(|t| t.lookup(handle.id(), own, T::NAME))
    }

    fn held<T: ExportedResource>(resource: ResourceAny) -> wasmtime::Result<PluginResource<T>> {
        if !resource.owned() {
            wasmtime::bail!("a plugin cannot hand the host a borrowed `{}`", T::NAME);
        }
        let id = with_current(|t| t.hold(resource, T::NAME))?;
        Ok(PluginResource::new(id, None))
    }

    crate::canonical_abi::canonical_abi_via!(PluginResource<T: ExportedResource>, ResourceAny, resource, held);
}
