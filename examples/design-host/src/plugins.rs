//! Typed bindings for the design worlds at every version this host serves,
//! and loading plugins from a directory.
//!
//! The current bindings (`airlock:design@0.2.0`) are `filter`, `tool` and
//! `exporter`; [`v0_1`] holds those of 0.1.0 and the conversions that let
//! 0.1.0 plugins run against the same document. A plugin's stamp picks the
//! bindings at load time (see [`SERVED`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use airlock::PluginText;
use anyhow::{Context, Result, bail};

mod clients;
pub mod v0_1;

pub use clients::{
    Exporter, ExporterPlugin, Filter, FilterPlugin, Legacy, Runs, Started, Tool, ToolPlugin,
};

pub mod filter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/filter" });
}
pub mod tool {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/tool" });
}
pub mod exporter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/exporter" });
}

/// A started plugin of any world this host serves, by the kind of world its
/// component fits (each kind at every version, see [`SERVED`]).
pub enum AnyPlugin {
    Filter(FilterPlugin),
    Tool(ToolPlugin),
    Exporter(ExporterPlugin),
}

impl AnyPlugin {
    /// The full name and version of the world whose bindings drive the plugin.
    pub fn world_name(&self) -> &'static str {
        match self {
            AnyPlugin::Filter(p) => p.world_name,
            AnyPlugin::Tool(p) => p.world_name,
            AnyPlugin::Exporter(p) => p.world_name,
        }
    }

    /// The world without its package: `tool@0.1.0`.
    pub fn world(&self) -> &'static str {
        let name = self.world_name();
        name.rsplit_once('/').map_or(name, |(_, world)| world)
    }

    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        match self {
            AnyPlugin::Filter(p) => p.plugin_mut(),
            AnyPlugin::Tool(p) => p.plugin_mut(),
            AnyPlugin::Exporter(p) => p.plugin_mut(),
        }
    }
}

/// A plugin loaded from a file of the plugin directory: its name, where it
/// came from, and the started plugin.
pub struct LoadedPlugin {
    pub name: String,
    pub path: PathBuf,
    pub plugin: AnyPlugin,
}

/// Starts a plugin's runner in one world, given its config and the export
/// folder (which only exporters are granted).
type Start = fn(&airlock::Launcher, airlock::PluginConfig, &Path) -> airlock::Result<AnyPlugin>;

/// Every world this host serves, newest version first, and how to start a
/// plugin in it. The runner glue of each is registered in `main.rs`.
pub const SERVED: [(&str, Start); 6] = [
    (filter::WORLD_NAME, |launcher, config, _| {
        let plugin = filter::Filter::start(launcher, config)?;
        Ok(AnyPlugin::Filter(Started {
            world_name: filter::WORLD_NAME,
            exports: Box::new(plugin),
        }))
    }),
    (tool::WORLD_NAME, |launcher, config, _| {
        let plugin = tool::Tool::start(launcher, config)?;
        Ok(AnyPlugin::Tool(Started {
            world_name: tool::WORLD_NAME,
            exports: Box::new(plugin),
        }))
    }),
    (exporter::WORLD_NAME, |launcher, config, out| {
        let plugin = exporter::Exporter::start(launcher, grant_export_dir(config, out))?;
        Ok(AnyPlugin::Exporter(Started {
            world_name: exporter::WORLD_NAME,
            exports: Box::new(plugin),
        }))
    }),
    (v0_1::filter::WORLD_NAME, |launcher, config, _| {
        let plugin = v0_1::filter::Filter::start(launcher, config)?;
        Ok(AnyPlugin::Filter(Started {
            world_name: v0_1::filter::WORLD_NAME,
            exports: Box::new(Legacy(plugin)),
        }))
    }),
    (v0_1::tool::WORLD_NAME, |launcher, config, _| {
        let plugin = v0_1::tool::Tool::start(launcher, config)?;
        Ok(AnyPlugin::Tool(Started {
            world_name: v0_1::tool::WORLD_NAME,
            exports: Box::new(Legacy(plugin)),
        }))
    }),
    (v0_1::exporter::WORLD_NAME, |launcher, config, out| {
        let plugin = v0_1::exporter::Exporter::start(launcher, grant_export_dir(config, out))?;
        Ok(AnyPlugin::Exporter(Started {
            world_name: v0_1::exporter::WORLD_NAME,
            exports: Box::new(Legacy(plugin)),
        }))
    }),
];

/// Only an exporter is granted a folder: `dir`, read-write, at `/out`.
fn grant_export_dir(config: airlock::PluginConfig, dir: &Path) -> airlock::PluginConfig {
    let policy = config.get_policy().clone().preopen(dir, "/out", true);
    config.policy(policy)
}

/// Every `*.wasm` file in `dir`, sorted by name.
pub fn wasm_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading plugin directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

/// Starts the component at `path` (with the manifest beside it, if any), as
/// [`start`] does. The plugin's name is the file's, with `-` for `_`.
pub fn load(
    launcher: &airlock::Launcher,
    path: &Path,
    deadline: Duration,
    export_dir: &Path,
) -> Result<Option<LoadedPlugin>> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("plugin")
        .replace('_', "-");
    // Every call recorded: a failed one is written out for `airlock replay`.
    let config = airlock::PluginConfig::from_file(name.clone(), path)?
        .deadline(deadline)
        .record_calls(airlock::DEFAULT_RECORDING_BYTES);
    let Some(plugin) = start(launcher, config, export_dir)? else {
        return Ok(None);
    };
    tracing::info!(plugin = %PluginText::escape(&name), world = plugin.world(), "loaded {}", shown(path));
    Ok(Some(LoadedPlugin {
        name,
        path: path.to_path_buf(),
        plugin,
    }))
}

/// Starts a plugin with the bindings of the world and version its stamp
/// names: the first of [`SERVED`] the stamp is compatible with under semver
/// (a plugin built for 0.1.0 gets the 0.1.0 bindings, one for 0.2.0 the
/// current ones). A stamp no served world fits is refused, naming the
/// plugin's version and every version served of its world. A component
/// without the guest SDK's stamp is tried in each world in turn; `Ok(None)`
/// when it fits none. Only an exporter is granted a folder: `export_dir`,
/// read-write, at `/out`; a manifest that asks for more is refused with a
/// message saying what and why.
pub fn start(
    launcher: &airlock::Launcher,
    config: airlock::PluginConfig,
    export_dir: &Path,
) -> Result<Option<AnyPlugin>> {
    let Some(stamp) = airlock::world_stamp(config.component()) else {
        return try_each_world(launcher, config, export_dir);
    };
    let served = SERVED
        .iter()
        .find(|(world, _)| airlock::check_stamp(&stamp, world).is_ok());
    match served {
        Some((_, start)) => Ok(Some(start(launcher, config, export_dir)?)),
        None => bail!("{}", PluginText::escape(&refusal(&stamp))),
    }
}

/// Why no served world fits `stamp`.
fn refusal(stamp: &str) -> String {
    let world = stamp.split_once('@').map_or(stamp, |(world, _)| world);
    let versions: Vec<&str> = SERVED
        .iter()
        .map(|(served, _)| *served)
        .filter(|served| {
            served
                .split_once('@')
                .is_some_and(|(name, _)| name == world)
        })
        .collect();
    if versions.is_empty() {
        format!("it was built for world {stamp}, which this host does not serve")
    } else {
        format!(
            "the plugin was built for {stamp}; this host serves {}",
            versions.join(" and ")
        )
    }
}

/// For components without a stamp: the first world whose runner accepts it.
fn try_each_world(
    launcher: &airlock::Launcher,
    config: airlock::PluginConfig,
    export_dir: &Path,
) -> Result<Option<AnyPlugin>> {
    for (_, start) in SERVED {
        match start(launcher, config.clone(), export_dir) {
            Ok(plugin) => return Ok(Some(plugin)),
            Err(e @ airlock::Error::WorldMismatch { .. }) => {
                tracing::debug!(plugin = %PluginText::escape(config.name()), "{e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// Loads every plugin in `dir`; components that fit no world or fail to start
/// are skipped with a warning.
pub fn load_dir(
    launcher: &airlock::Launcher,
    dir: &Path,
    deadline: Duration,
    export_dir: &Path,
) -> Result<Vec<LoadedPlugin>> {
    let mut loaded = Vec::new();
    for path in wasm_files(dir)? {
        match load(launcher, &path, deadline, export_dir) {
            Ok(Some(p)) => loaded.push(p),
            Ok(None) => tracing::warn!(
                "skipping {}: it fits none of the filter, tool or exporter worlds",
                shown(&path)
            ),
            // The error quotes the plugin's stamp, escaped.
            Err(e) => tracing::warn!("skipping {}: {e:#}", shown(&path)),
        }
    }
    Ok(loaded)
}

/// A path as a log shows it: a plugin's file name is the plugin's choice.
fn shown(path: &Path) -> PluginText {
    PluginText::new(path.display().to_string())
}
