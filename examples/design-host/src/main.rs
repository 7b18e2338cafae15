//! Demo: loads a sample document, runs every plugin in a directory over it, writes the results.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use airlock::{ArtifactCache, Launcher, PluginText};
use airlock_example_design_host::document::{Document, LayerKind};
use airlock_example_design_host::plugins::{
    self, AnyPlugin, ExporterPlugin, FilterPlugin, LoadedPlugin, ToolPlugin, exporter, filter,
    tool, v0_1,
};
use airlock_example_design_host::{export, export_check, recordings, render, transaction};
use anyhow::{Context, Result, bail};
use tracing_subscriber::EnvFilter;

const USAGE: &str =
    "usage: airlock-example-design-host --plugins DIR --out DIR [--cache DIR | --no-cache]
         [--recordings DIR] [--tool-param NAME=VALUE]...

  --plugins DIR     the plugins (*.wasm) to load
  --out DIR         where the PNGs go; the exporter is granted this folder at /out
  --cache DIR       compiled plugins (default: $XDG_CACHE_HOME/airlock or ~/.cache/airlock)
  --no-cache        compile every plugin at every start
  --recordings DIR  where failed calls are recorded, for `airlock replay` (default: OUT/recordings)
  --tool-param NAME=VALUE
                    a parameter for every tool: an integer, a number, true/false or text";

struct Args {
    plugins: PathBuf,
    out: PathBuf,
    cache: Option<PathBuf>,
    recordings: Option<PathBuf>,
    tool_params: Vec<tool::design::types::Param>,
}

fn parse_args() -> Result<Args> {
    let (mut plugins, mut out, mut recordings) = (None, None, None);
    let mut tool_params = Vec::new();
    let mut cache = ArtifactCache::default_dir();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--plugins") => plugins = args.next().map(PathBuf::from),
            Some("--out") => out = args.next().map(PathBuf::from),
            Some("--cache") => {
                cache = Some(
                    args.next()
                        .map(PathBuf::from)
                        .context(format!("--cache needs a directory\n{USAGE}"))?,
                )
            }
            Some("--no-cache") => cache = None,
            Some("--recordings") => recordings = args.next().map(PathBuf::from),
            Some("--tool-param") => {
                let param = args
                    .next()
                    .context(format!("--tool-param needs NAME=VALUE\n{USAGE}"))?;
                tool_params.push(recordings::parse_param(&param.to_string_lossy())?);
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => bail!("unexpected argument {arg:?}\n{USAGE}"),
        }
    }
    Ok(Args {
        plugins: plugins.context(format!("missing --plugins DIR\n{USAGE}"))?,
        out: out.context(format!("missing --out DIR\n{USAGE}"))?,
        cache,
        recordings,
        tool_params,
    })
}

fn main() -> ExitCode {
    // Every world in `plugins::SERVED`, at each version.
    airlock::serve_runner_if_requested(&[
        &filter::RunnerGlue,
        &tool::RunnerGlue,
        &exporter::RunnerGlue,
        &v0_1::filter::RunnerGlue,
        &v0_1::tool::RunnerGlue,
        &v0_1::exporter::RunnerGlue,
    ]);
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match parse_args().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", PluginText::escape(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

#[derive(Default)]
struct Summary {
    ok: Vec<String>,
    failed: Vec<String>,
    /// Failed calls recorded, as the command that replays each.
    recorded: Vec<String>,
}

fn run(args: &Args) -> Result<()> {
    let hint = "build the plugins first with `cargo xtask build-plugins`";
    if !args.plugins.is_dir() {
        bail!(
            "plugin directory {} does not exist; {hint}",
            args.plugins.display()
        );
    }
    if plugins::wasm_files(&args.plugins)?.is_empty() {
        bail!(
            "plugin directory {} contains no *.wasm files; {hint}",
            args.plugins.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;

    let mut launcher =
        Launcher::current_exe().context("locating this executable to use as the plugin runner")?;
    if let Some(dir) = &args.cache {
        let cache = ArtifactCache::open(dir).context(
            "opening the artifact cache (choose another with --cache DIR, or --no-cache)",
        )?;
        launcher = launcher.with_cache(cache);
    }
    let mut loaded =
        plugins::load_dir(&launcher, &args.plugins, Duration::from_secs(30), &args.out)?;
    if loaded.is_empty() {
        bail!("no usable plugins in {}; {hint}", args.plugins.display());
    }
    for p in &mut loaded {
        let name = p.name.clone();
        p.plugin.plugin_mut().on_progress(move |fraction, msg| {
            tracing::debug!(plugin = %PluginText::escape(&name), "{:3.0}% {msg}", fraction * 100.0);
        });
    }

    let sample = Document::sample();
    let mut summary = Summary::default();
    write_png(&sample, &args.out.join("before.png"))?;

    // Each filter and tool on its own copy of the sample: one PNG per plugin.
    let recorded = args
        .recordings
        .clone()
        .unwrap_or_else(|| args.out.join("recordings"));
    for p in &mut loaded {
        let mut doc = sample.clone();
        let applied = match &mut p.plugin {
            AnyPlugin::Filter(f) => apply_filter(&p.name, f, &mut doc, &mut summary),
            AnyPlugin::Tool(t) => apply_tool(&p.name, t, &args.tool_params, &mut doc, &mut summary),
            AnyPlugin::Exporter(_) => continue,
        };
        if applied {
            write_png(&doc, &args.out.join(format!("after-{}.png", p.name)))?;
        } else if let Some(file) = recordings::save_failed(p.plugin.plugin_mut(), &recorded)? {
            summary.recorded.push(format!(
                "{}: `airlock replay {} --component {}`",
                p.name,
                file.display(),
                p.path.display()
            ));
        }
    }

    // Then all of them in turn on one document, which the exporters export.
    let mut doc = sample.clone();
    let mut quiet = Summary::default();
    for p in &mut loaded {
        match &mut p.plugin {
            AnyPlugin::Filter(f) => apply_filter(&p.name, f, &mut doc, &mut quiet),
            AnyPlugin::Tool(t) => apply_tool(&p.name, t, &args.tool_params, &mut doc, &mut quiet),
            AnyPlugin::Exporter(_) => continue,
        };
    }
    write_png(&doc, &args.out.join("after-all.png"))?;
    for p in &mut loaded {
        if let AnyPlugin::Exporter(x) = &mut p.plugin {
            run_exporter(p.name.clone(), x, &doc, &args.out, &mut summary)?;
        }
    }

    print_summary(&loaded, &summary);
    print_metrics(&mut loaded);
    if let Some(cache) = launcher.cache() {
        let stats = cache.stats();
        println!(
            "artifact cache {}: {} runners started from a verified artifact, {} compiled ({} stored, {} rejected)",
            cache.dir().display(),
            stats.hits,
            stats.misses + stats.rejected,
            stats.stored,
            stats.rejected
        );
    }
    Ok(())
}

fn write_png(doc: &Document, path: &Path) -> Result<()> {
    render::write_png(doc, path)?;
    println!("{}", shown(path));
    Ok(())
}

/// Runs a tool with `params` inside a transaction; true if it committed.
fn apply_tool(
    name: &str,
    t: &mut ToolPlugin,
    params: &[tool::design::types::Param],
    doc: &mut Document,
    summary: &mut Summary,
) -> bool {
    match transaction::run(doc, |tx| t.exports.run(tx, params)) {
        Ok(Ok(msg)) => {
            summary.ok.push(format!("{name}: {msg}"));
            true
        }
        Ok(Err(e)) => {
            summary.failed.push(format!("{name}: tool error {e:?}"));
            false
        }
        Err(e) => {
            summary.failed.push(format!("{name}: {e}"));
            false
        }
    }
}

/// Applies a filter with its default parameters to every raster layer. All or
/// nothing: the layers change only if the filter succeeded on every one of them.
fn apply_filter(
    name: &str,
    f: &mut FilterPlugin,
    doc: &mut Document,
    summary: &mut Summary,
) -> bool {
    let info = match f.exports.describe() {
        Ok(info) => info,
        Err(e) => {
            summary.failed.push(format!("{name}: {e}"));
            return false;
        }
    };
    let mut filtered = Vec::new();
    for (index, layer) in doc.layers.iter().enumerate() {
        let LayerKind::Raster {
            width,
            height,
            rgba,
        } = &layer.kind
        else {
            continue;
        };
        let image = filter::design::types::Image {
            width: *width,
            height: *height,
            pixels: rgba.clone(),
        };
        let failure = match f.exports.apply(&image, &info.defaults) {
            Ok(Ok(out))
                if out.width == *width
                    && out.height == *height
                    && out.pixels.len() == rgba.len() =>
            {
                filtered.push((index, out.pixels));
                continue;
            }
            Ok(Ok(out)) => format!(
                "returned a {}×{} image for the {width}×{height} layer \"{}\"",
                out.width, out.height, layer.name
            ),
            Ok(Err(e)) => format!("filter error {e:?}"),
            Err(e) => e.to_string(),
        };
        summary
            .failed
            .push(format!("{name}: {failure}; document left unchanged"));
        return false;
    }
    for (index, pixels) in filtered {
        let layer = &mut doc.layers[index];
        if let LayerKind::Raster { rgba, .. } = &mut layer.kind {
            *rgba = pixels;
        }
        summary.ok.push(format!(
            "{name}: filtered layer {} \"{}\"",
            layer.id, layer.name
        ));
    }
    true
}

fn run_exporter(
    name: String,
    x: &mut ExporterPlugin,
    doc: &Document,
    out: &Path,
    summary: &mut Summary,
) -> Result<()> {
    // Exporters only read: they get a transaction that is never committed.
    let mut tx = transaction::Transaction::begin(doc);
    let info = match x.exports.describe(&mut tx) {
        Ok(info) => info,
        Err(e) => {
            summary.failed.push(format!("{name}: {e}"));
            return Ok(());
        }
    };
    // The extension comes from the plugin: use it in a file name only if it
    // is a plain word.
    let extension = &info.extension;
    if extension.is_empty()
        || extension.len() > 16
        || !extension.chars().all(|c| c.is_ascii_alphanumeric())
    {
        summary
            .failed
            .push(format!("{name}: unusable file extension {extension:?}"));
        return Ok(());
    }
    // The plugin writes the file itself, into the only folder it was granted;
    // a failed save leaves no partial file there.
    let file_name = format!("document.{extension}");
    match export::save(x, &mut tx, out, &file_name) {
        Ok(Ok(written)) => {
            // Opened without following links: a planted link is refused.
            if let Err(refused) = export_check::check_export(out, &file_name, written) {
                summary
                    .failed
                    .push(format!("{name}: {file_name}: {refused}"));
                return Ok(());
            }
            println!("{}", shown(&out.join(&file_name)));
            summary.ok.push(format!(
                "{name}: wrote {} into its granted folder ({written} bytes)",
                info.format
            ));
        }
        Ok(Err(msg)) => summary.failed.push(format!("{name}: export failed: {msg}")),
        Err(e) => summary.failed.push(format!("{name}: {e}")),
    }
    Ok(())
}

/// One line of [`airlock::PluginMetrics`] per plugin.
fn print_metrics(loaded: &mut [LoadedPlugin]) {
    println!("metrics:");
    let width = loaded.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in loaded {
        let name = PluginText::escape(&p.name).to_string();
        println!("  {name:<width$} {}", p.plugin.plugin_mut().metrics());
    }
}

fn print_summary(loaded: &[LoadedPlugin], summary: &Summary) {
    let worlds: Vec<String> = loaded
        .iter()
        .map(|p| format!("{} ({})", p.name, p.plugin.world()))
        .collect();
    println!("plugins: {}", PluginText::escape(&worlds.join(", ")));
    for line in &summary.ok {
        println!("  ok     {}", PluginText::escape(line));
    }
    for line in &summary.failed {
        println!("  FAILED {}", PluginText::escape(line));
    }
    for line in &summary.recorded {
        println!("  recorded {}", PluginText::escape(line));
    }
}

/// A path as the terminal shows it: plugin names are part of file names.
fn shown(path: &Path) -> String {
    PluginText::escape(&path.display().to_string()).to_string()
}
