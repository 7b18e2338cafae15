//! The design host's plugins the chaos run attacks, and one call of each
//! the way the design host makes it: a tool inside a transaction, a filter
//! on the raster layer (all or nothing), an exporter rendering or saving
//! into its granted folder.

use std::path::Path;
use std::time::Duration;

use airlock::{Launcher, PluginConfig};
use airlock_example_design_host::document::{Document, LayerKind};
use airlock_example_design_host::plugins::{self, AnyPlugin, filter};
use airlock_example_design_host::{export, transaction};
use anyhow::{Context, Result, bail};

/// The plugins, by the name of their component in the plugin folder.
pub const COMPONENTS: [&str; 6] = [
    "grid",
    "grid_v0_1",
    "svg_export",
    "layers_v0_1",
    "invert",
    "blur",
];

/// One call a chaos run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `run` of a tool, with its default parameters, in a transaction.
    Tool,
    /// `apply` of a filter to the raster layer; committed only on success.
    Filter,
    /// `render` of an exporter: bytes back, nothing written.
    Render,
    /// `save` of an exporter: a file written into its folder.
    Save,
}

/// How a call ended.
#[derive(Debug)]
pub enum Outcome {
    /// The plugin answered with a success (and a saved file was where it said).
    Done,
    /// The plugin answered with its own error.
    Refused(String),
    /// The call failed.
    Failed(airlock::Error),
}

/// A started plugin and the calls it takes.
pub struct Subject {
    pub name: &'static str,
    pub plugin: AnyPlugin,
    pub ops: Vec<Op>,
    /// A filter's default parameters, from its `describe`.
    pub filter_params: Vec<filter::design::types::Param>,
}

impl Subject {
    pub fn pid(&mut self) -> Option<u32> {
        self.plugin.plugin_mut().pid()
    }

    pub fn plugin_mut(&mut self) -> &mut airlock::Plugin {
        self.plugin.plugin_mut()
    }
}

/// Starts every plugin of [`COMPONENTS`] from `plugin_dir`, exporters granted
/// `export_dir`, with the call deadline `deadline` and a restart budget no
/// chaos run can use up (a host that kills its runners on purpose).
pub fn start_all(
    launcher: &Launcher,
    plugin_dir: &Path,
    export_dir: &Path,
    deadline: Duration,
) -> Result<Vec<Subject>> {
    let mut subjects = Vec::new();
    for name in COMPONENTS {
        let path = plugin_dir.join(format!("{name}.wasm"));
        let config = PluginConfig::from_file(name.replace('_', "-"), &path)
            .with_context(|| format!("failed to read {}", path.display()))?
            .deadline(deadline);
        let policy =
            config
                .get_policy()
                .clone()
                .restarts(u32::MAX, Duration::from_secs(1), Duration::ZERO);
        let config = config.policy(policy);
        let Some(mut plugin) = plugins::start(launcher, config, export_dir)? else {
            bail!("{name} fits none of the design worlds");
        };
        let filter_params = match &mut plugin {
            AnyPlugin::Filter(f) => f.exports.describe()?.defaults,
            _ => Vec::new(),
        };
        let ops = match &plugin {
            AnyPlugin::Tool(_) => vec![Op::Tool],
            AnyPlugin::Filter(_) => vec![Op::Filter],
            AnyPlugin::Exporter(_) => vec![Op::Render, Op::Save],
        };
        subjects.push(Subject {
            name,
            plugin,
            ops,
            filter_params,
        });
    }
    Ok(subjects)
}

/// The file a save writes, and the extension of every exporter here.
pub fn file_name(subject: &Subject) -> String {
    let extension = if subject.name == "svg_export" {
        "svg"
    } else {
        "txt"
    };
    format!("document.{extension}")
}

/// Makes `op`'s call on `doc`, committing what the design host would commit.
/// With `skip_rollback` a failed tool call commits too (to show the chaos
/// run notices).
pub fn call(
    subject: &mut Subject,
    op: Op,
    doc: &mut Document,
    export_dir: &Path,
    skip_rollback: bool,
) -> Outcome {
    let file_name = file_name(subject);
    match (&mut subject.plugin, op) {
        (AnyPlugin::Tool(t), Op::Tool) => {
            let result = if skip_rollback {
                let mut tx = transaction::Transaction::begin(doc);
                let result = t.exports.run(&mut tx, &[]);
                *doc = tx.document().clone();
                result
            } else {
                transaction::run(doc, |tx| t.exports.run(tx, &[]))
            };
            match result {
                Ok(Ok(_)) => Outcome::Done,
                Ok(Err(e)) => Outcome::Refused(format!("{e:?}")),
                Err(e) => Outcome::Failed(e),
            }
        }
        (AnyPlugin::Filter(f), Op::Filter) => apply_filter(f, &subject.filter_params, doc),
        (AnyPlugin::Exporter(x), Op::Render) => {
            let mut tx = transaction::Transaction::begin(doc);
            match x.exports.render(&mut tx) {
                Ok(Ok(bytes)) if !bytes.is_empty() => Outcome::Done,
                Ok(Ok(_)) => Outcome::Refused("rendered nothing".into()),
                Ok(Err(e)) => Outcome::Refused(e),
                Err(e) => Outcome::Failed(e),
            }
        }
        (AnyPlugin::Exporter(x), Op::Save) => {
            let mut tx = transaction::Transaction::begin(doc);
            match export::save(x, &mut tx, export_dir, &file_name) {
                Ok(Ok(written)) => {
                    let path = export_dir.join(&file_name);
                    let on_disk = std::fs::metadata(&path).map(|m| m.len());
                    // The consumer takes the file away: the folder is empty again.
                    let _ = std::fs::remove_file(&path);
                    match on_disk {
                        Ok(len) if len == written => Outcome::Done,
                        other => Outcome::Refused(format!(
                            "said it wrote {written} bytes; on disk: {other:?}"
                        )),
                    }
                }
                Ok(Err(e)) => Outcome::Refused(e),
                Err(e) => Outcome::Failed(e),
            }
        }
        (_, op) => Outcome::Refused(format!("{} does not take {op:?}", subject.name)),
    }
}

/// The filter over the raster layer; the document changes only if it
/// answered with an image of the same size.
fn apply_filter(
    f: &mut plugins::FilterPlugin,
    params: &[filter::design::types::Param],
    doc: &mut Document,
) -> Outcome {
    let Some(layer) = doc
        .layers
        .iter_mut()
        .find(|l| matches!(l.kind, LayerKind::Raster { .. }))
    else {
        return Outcome::Refused("no raster layer".into());
    };
    let LayerKind::Raster {
        width,
        height,
        rgba,
    } = &mut layer.kind
    else {
        unreachable!("found as raster")
    };
    let image = filter::design::types::Image {
        width: *width,
        height: *height,
        pixels: rgba.clone(),
    };
    match f.exports.apply(&image, params) {
        Ok(Ok(out)) if out.pixels.len() == rgba.len() => {
            *rgba = out.pixels;
            Outcome::Done
        }
        Ok(Ok(out)) => Outcome::Refused(format!("{} bytes back", out.pixels.len())),
        Ok(Err(e)) => Outcome::Refused(format!("{e:?}")),
        Err(e) => Outcome::Failed(e),
    }
}
