//! Typed bindings for the three design worlds, and loading plugins from a directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

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

/// Starts the component at `path` as a filter, else a tool, else an exporter.
/// `Ok(None)` when it fits none of the worlds. Only an exporter is granted a
/// folder: `export_dir`, read-write, at `/out`.
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
    let mismatch = |e: airlock::Error| match e {
        airlock::Error::WorldMismatch { .. } => {
            tracing::debug!(plugin = %name, "{e}");
            Ok(())
        }
        e => Err(e),
    };
    let plugin = match filter::Filter::start(launcher, config.clone()) {
        Ok(p) => Loaded::Filter(p),
        Err(e) => {
            mismatch(e)?;
            match tool::Tool::start(launcher, config.clone()) {
                Ok(p) => Loaded::Tool(p),
                Err(e) => {
                    mismatch(e)?;
                    let policy = config
                        .get_policy()
                        .clone()
                        .preopen(export_dir, "/out", true);
                    match exporter::Exporter::start(launcher, config.policy(policy)) {
                        Ok(p) => Loaded::Exporter(p),
                        Err(e) => {
                            mismatch(e)?;
                            return Ok(None);
                        }
                    }
                }
            }
        }
    };
    tracing::info!(plugin = %name, world = plugin.world(), "loaded {}", path.display());
    Ok(Some(LoadedPlugin {
        name,
        path: path.to_path_buf(),
        plugin,
    }))
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
