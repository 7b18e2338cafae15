//! Typed bindings for the three design worlds, and loading plugins from a directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub mod filter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/filter" });
}
pub mod tool {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/tool" });
}
pub mod exporter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/exporter" });
}

/// A started plugin, by the world its component fits.
pub enum Loaded {
    Filter(filter::Filter),
    Tool(tool::Tool),
    Exporter(exporter::Exporter),
}

impl Loaded {
    pub fn world(&self) -> &'static str {
        match self {
            Loaded::Filter(_) => "filter",
            Loaded::Tool(_) => "tool",
            Loaded::Exporter(_) => "exporter",
        }
    }

    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        match self {
            Loaded::Filter(p) => p.plugin_mut(),
            Loaded::Tool(p) => p.plugin_mut(),
            Loaded::Exporter(p) => p.plugin_mut(),
        }
    }
}

pub struct LoadedPlugin {
    pub name: String,
    pub path: PathBuf,
    pub plugin: Loaded,
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

/// Starts the component at `path` in the world its stamp names (a plugin
/// built without the guest SDK's stamp is tried as a filter, a tool, then an
/// exporter). `Ok(None)` when it fits none of the worlds. Only an exporter is
/// granted a folder: `export_dir`, read-write, at `/out`; a manifest that asks
/// for more is refused with a message saying what and why.
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
    let config = airlock::PluginConfig::from_file(name.clone(), path)?.call_deadline(deadline);
    let exporter_config = || {
        let policy = config
            .get_policy()
            .clone()
            .preopen(export_dir, "/out", true);
        config.clone().policy(policy)
    };
    let stamped = airlock::world_stamp(config.component());
    let world = stamped.as_deref().map(|s| s.split('@').next().unwrap_or(s));
    let plugin = match world {
        Some("airlock:design/filter") => Loaded::Filter(filter::Filter::start(launcher, config)?),
        Some("airlock:design/tool") => Loaded::Tool(tool::Tool::start(launcher, config)?),
        Some("airlock:design/exporter") => {
            Loaded::Exporter(exporter::Exporter::start(launcher, exporter_config())?)
        }
        Some(other) => bail!("it was built for world {other}, which this host does not serve"),
        None => match try_each_world(launcher, &config, exporter_config)? {
            Some(plugin) => plugin,
            None => return Ok(None),
        },
    };
    tracing::info!(plugin = %name, world = plugin.world(), "loaded {}", path.display());
    Ok(Some(LoadedPlugin {
        name,
        path: path.to_path_buf(),
        plugin,
    }))
}

/// For components without a stamp: the first world whose runner accepts it.
fn try_each_world(
    launcher: &airlock::Launcher,
    config: &airlock::PluginConfig,
    exporter_config: impl Fn() -> airlock::PluginConfig,
) -> Result<Option<Loaded>> {
    let mismatch = |e: airlock::Error| match e {
        airlock::Error::WorldMismatch { .. } => {
            tracing::debug!(plugin = %config.name(), "{e}");
            Ok(())
        }
        e => Err(e),
    };
    match filter::Filter::start(launcher, config.clone()) {
        Ok(p) => return Ok(Some(Loaded::Filter(p))),
        Err(e) => mismatch(e)?,
    }
    match tool::Tool::start(launcher, config.clone()) {
        Ok(p) => return Ok(Some(Loaded::Tool(p))),
        Err(e) => mismatch(e)?,
    }
    match exporter::Exporter::start(launcher, exporter_config()) {
        Ok(p) => Ok(Some(Loaded::Exporter(p))),
        Err(e) => {
            mismatch(e)?;
            Ok(None)
        }
    }
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
                path.display()
            ),
            Err(e) => tracing::warn!("skipping {}: {e:#}", path.display()),
        }
    }
    Ok(loaded)
}
