//! Plugins of any world, called by export name with WAVE-encoded values:
//! what `airlock call` runs on. Slower and less checked than generated
//! bindings (values are parsed and printed as text, types checked at call
//! time), and just as sandboxed.

use airlock_runner::dynamic::{DYNAMIC_CALL, DYNAMIC_IMPORT, DYNAMIC_WORLD, DYNAMIC_WORLD_HASH};

pub use airlock_runner::dynamic::{DynamicGlue, provided_by_runner};

use crate::dispatch::{DispatchError, ImportDispatch};
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
/// services work under the policy as for any plugin; any other import is
/// answered by the [`DynamicImports`] given to [`DynamicPlugin::call_with`]
/// (a [`Mock`](crate::mock::Mock), say), or refused by name.
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
        self.call_with(export, args, &mut NoDynamicImports)
    }

    /// [`DynamicPlugin::call`], answering the plugin's imports through `imports`.
    pub fn call_with(
        &mut self,
        export: &str,
        args: &[String],
        imports: &mut dyn DynamicImports,
    ) -> Result<std::result::Result<Vec<String>, String>> {
        let mut dispatch = Dispatch(imports);
        self.plugin
            .call(DYNAMIC_CALL, export, &(export, args), &mut dispatch)
    }

    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    pub fn plugin_mut(&mut self) -> &mut Plugin {
        &mut self.plugin
    }
}

/// A pool of dynamic plugins: `PluginPool<DynamicPlugin>` (what `airlock dev`
/// serves and hot-reloads).
impl crate::Client for DynamicPlugin {
    fn start(launcher: &Launcher, config: PluginConfig) -> Result<Self> {
        DynamicPlugin::start(launcher, config)
    }

    fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    fn plugin_mut(&mut self) -> &mut Plugin {
        &mut self.plugin
    }
}

/// Answers the imports of a [`DynamicPlugin`], as WAVE text: what a mock
/// host implements.
///
/// `import` is the full name (`airlock:design/document@0.2.0#layers`,
/// `…#[method]layer.info`); a handle is its number in WAVE, and a handle the
/// guest dropped arrives as a call of `…#[resource-drop]layer` with it.
pub trait DynamicImports {
    /// `Ok(Some(value))` for a function that returns a value, `Ok(None)` (or
    /// `Some("()")`) for one that returns nothing, `Err(why)` to fail the
    /// call: the guest then traps with `why`.
    fn call(
        &mut self,
        import: &str,
        args: &[String],
    ) -> std::result::Result<Option<String>, String>;
}

/// Refuses every import: what [`DynamicPlugin::call`] answers with.
#[derive(Debug, Default)]
pub struct NoDynamicImports;

impl DynamicImports for NoDynamicImports {
    fn call(&mut self, _: &str, _: &[String]) -> std::result::Result<Option<String>, String> {
        Err("it is not provided to dynamically called plugins (a host answers it through `DynamicPlugin::call_with`, the CLI with `--mock FILE`)".into())
    }
}

/// [`DynamicImports`] behind the wire's import dispatch.
struct Dispatch<'a>(&'a mut dyn DynamicImports);

impl ImportDispatch for Dispatch<'_> {
    fn dispatch(
        &mut self,
        func: u32,
        args: &[u8],
        out: &mut Vec<u8>,
    ) -> std::result::Result<(), DispatchError> {
        if func != DYNAMIC_IMPORT {
            return Err(DispatchError::UnknownImport(func));
        }
        let (import, args): (String, Vec<String>) = airlock_protocol::decode(args)?;
        let answer = self.0.call(&import, &args);
        // Encoding strings and options into a buffer cannot fail.
        airlock_protocol::encode_into(&answer, out)?;
        Ok(())
    }

    fn import_name(&self, _func: u32) -> Option<&'static str> {
        Some("a dynamic import")
    }
}
