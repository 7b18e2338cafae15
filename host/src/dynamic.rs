//! Plugins of any world, called by export name with WAVE-encoded values:
//! what `airlock call` runs on. Slower and less checked than generated
//! bindings (values are parsed and printed as text, types checked at call
//! time), and just as sandboxed.

use airlock_runner::dynamic::{DYNAMIC_CALL, DYNAMIC_WORLD, DYNAMIC_WORLD_HASH};

pub use airlock_runner::dynamic::{DynamicGlue, provided_by_runner};

use crate::dispatch::NoImports;
use crate::error::Result;
use crate::launcher::Launcher;
use crate::plugin::{Plugin, PluginConfig, WorldRef};

/// The world a [`DynamicPlugin`] is started with.
pub const DYNAMIC: WorldRef = WorldRef {
    name: DYNAMIC_WORLD,
    hash: DYNAMIC_WORLD_HASH,
};

/// A plugin whose world is not known when the host is compiled.
///
/// Its runner must serve [`DynamicGlue`] (pass `&airlock::DynamicGlue` to
/// [`crate::serve_runner_if_requested`]). WASI and the `airlock:plugin`
/// services work under the policy as for any plugin; any other import traps
/// when the guest calls it.
#[derive(Debug)]
pub struct DynamicPlugin {
    plugin: Plugin,
}

impl DynamicPlugin {
    pub fn start(launcher: &Launcher, config: PluginConfig) -> Result<Self> {
        Ok(Self {
            plugin: Plugin::start(launcher, config, DYNAMIC)?,
        })
    }

    /// Calls `export` (`name`, or `interface#name` for a function of an
    /// exported interface) with one WAVE value per parameter. `Ok(Err(_))`
    /// says why the call could not be made (no such export, a malformed
    /// argument); `Ok(Ok(results))` holds one WAVE value per result.
    pub fn call(
        &mut self,
        export: &str,
        args: &[String],
    ) -> Result<std::result::Result<Vec<String>, String>> {
        self.plugin
            .call(DYNAMIC_CALL, export, &(export, args), &mut NoImports)
    }

    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    pub fn plugin_mut(&mut self) -> &mut Plugin {
        &mut self.plugin
    }
}
