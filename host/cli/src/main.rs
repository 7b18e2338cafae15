//! `airlock`: inspect, check, package, call and precompile plugin components;
//! start and test plugin projects; replay recorded calls.
//!
//! Exit codes: 0 done; 1 the answer is no (`check`, `package`: the component
//! does not fit); 2 bad input (arguments, files, policy, a call the export cannot
//! take); 3 the plugin failed (trap, timeout, out of memory, crash, denial)
//! or the sandbox could not be set up.
//!
//! # Layout
//!
//! - [`component`]: a component's shape read without running it.
//! - [`check`]: whether a component fits a world.
//! - [`package`]: `airlock package`, the stamp and manifest written in.
//! - [`run`]: the commands that start runners, `call` and `compile`.
//! - [`new`]: `airlock new`, a plugin project for a world in Rust, JS or Python.
//! - [`project_test`]: `airlock test`, building a project and running its cases.
//! - [`dev`]: `airlock dev`, rebuilding a project as it changes and hot-reloading it.
//! - [`replay`]: `airlock replay`, a recorded call run again with no host.
//! - `platform`: what the CLI needs of its system (Ctrl-C, SIGPIPE, same file).

mod check;
mod component;
mod dev;
mod new;
mod package;
mod platform;
mod project_test;
mod replay;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::component::{Decoded, Item};

#[derive(Parser)]
#[command(
    name = "airlock",
    version,
    about = "Inspect, check, package, call and precompile Airlock plugin components; start and test plugin projects"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show a component's world: imports, exports, version stamp, manifest.
    Inspect {
        component: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check that a component fits a WIT world, explaining any mismatch.
    Check {
        component: PathBuf,
        /// A WIT directory; repeat for dependencies, the world's own package last.
        #[arg(long = "wit", required = true)]
        wit: Vec<PathBuf>,
        /// The world, as `package:name/world` or `world`.
        #[arg(long)]
        world: String,
        #[command(flatten)]
        common: Common,
    },
    /// Call an export in the sandbox, with arguments and results in WAVE.
    Call {
        component: PathBuf,
        /// `name`, or `interface#name` for a function of an exported interface.
        export: String,
        /// One WAVE value per parameter: 42, -7, "text", [1, 2], {x: 1.5},
        /// some(3)… (put `--` before a value such as `-inf`).
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// Under the debugging policy (docs/debugging.md): print the
        /// runner's process id and wait for a debugger to attach before
        /// calling. Never for untrusted plugins.
        #[arg(long)]
        debug: bool,
        #[command(flatten)]
        mock: MockArgs,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Check that a component fits a world, then write it stamped for that
    /// world, with a manifest, so that hosts check the stamp and review the manifest.
    Package {
        component: PathBuf,
        /// A WIT directory; repeat for dependencies, the world's own package last.
        #[arg(long = "wit", required = true)]
        wit: Vec<PathBuf>,
        /// The world, as `package:name/world` or `world`.
        #[arg(long)]
        world: String,
        /// The manifest to embed (TOML, at most 64 KiB); without one, a manifest
        /// the component carries already is kept.
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        /// Where to write the packaged component.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Allow OUT to be COMPONENT itself (replaced atomically).
        #[arg(long)]
        in_place: bool,
    },
    /// Write a plugin project for a world that builds and passes its own test.
    New {
        /// The project's name: lowercase letters, digits and `-`.
        name: String,
        /// A WIT directory; repeat for dependencies, the world's own package last.
        #[arg(long = "wit", required = true)]
        wit: Vec<PathBuf>,
        /// The world, as `package:name/world` or `world`.
        #[arg(long)]
        world: String,
        /// The plugin's language.
        #[arg(long, value_enum)]
        lang: NewLang,
        /// Where to write it (default: ./NAME); must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The guest SDK a Rust project depends on (default: this checkout's).
        #[arg(long, value_name = "DIR")]
        guest_sdk: Option<PathBuf>,
    },
    /// Build a plugin project and run the cases in its tests/ folder.
    Test {
        /// The project (default: the current directory).
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Run a recorded call again on a component, with no host: its imports
    /// answered from the recording, its clocks and random replayed.
    Replay {
        /// The recording (a file a host wrote with `Recording::save`).
        recording: PathBuf,
        /// The plugin to run it on: the one recorded, or an edited build.
        #[arg(long, value_name = "FILE")]
        component: PathBuf,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Build a plugin project, serve it and run its cases; rebuild and
    /// hot-reload it whenever its sources change (a failed build keeps the
    /// version served). Each line on stdin calls it: `EXPORT(ARG, …)` in WAVE.
    Dev {
        /// The project (default: the current directory).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Stop after this many reloads (the first build is reload 1).
        #[arg(long, value_name = "N")]
        max_reloads: Option<u64>,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Compile components in the sandbox into the artifact cache.
    Compile {
        #[arg(required = true)]
        components: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        cache: CacheArgs,
    },
}

#[derive(Args)]
struct Common {
    /// The plugin's policy, in TOML (limits, grants); the defaults otherwise.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum NewLang {
    Rust,
    Js,
    Python,
}

#[derive(Args)]
struct MockArgs {
    /// Answer the plugin's imports from this script (TOML; see docs/cli.md),
    /// as a pretend host.
    #[arg(long, value_name = "FILE")]
    mock: Option<PathBuf>,
    /// Print every import call, its arguments and its answer, before the result.
    #[arg(long)]
    transcript: bool,
}

#[derive(Args)]
struct CacheArgs {
    /// The artifact cache (default: $XDG_CACHE_HOME/airlock or ~/.cache/airlock).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    cache: Option<PathBuf>,
    /// Compile in the sandbox every time, keeping nothing.
    #[arg(long)]
    no_cache: bool,
}

fn new_project(
    name: &str,
    wit: &[PathBuf],
    world: &str,
    lang: NewLang,
    dir: Option<&std::path::Path>,
    guest_sdk: Option<&std::path::Path>,
) -> Result<(), Failure> {
    use new::values::Lang;
    let lang = match lang {
        NewLang::Rust => Lang::Rust,
        NewLang::Js => Lang::Js,
        NewLang::Python => Lang::Python,
    };
    let dir = new::new(&new::Request {
        name,
        wit,
        world,
        lang,
        dir,
        guest_sdk,
    })?;
    println!("wrote {} for world {world}", shown(&dir));
    println!("next: cd {} && airlock test", shown(&dir));
    Ok(())
}

/// Why a command did not succeed, and so its exit code.
pub enum Failure {
    /// The command ran; the answer is no.
    No(String),
    /// Bad arguments or unreadable input.
    Input(anyhow::Error),
    /// The plugin or its sandbox failed.
    Plugin(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Input(e)
    }
}

fn main() -> ExitCode {
    // This binary is also the runner of the plugins it calls.
    airlock::serve_runner_if_requested(&[&airlock::DynamicGlue]);
    crate::platform::quiet_broken_pipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AIRLOCK_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { component, common } => inspect(&component, &common),
        Command::Check {
            component,
            wit,
            world,
            common,
        } => check(&component, &wit, &world, &common),
        Command::Call {
            component,
            export,
            args,
            debug,
            mock,
            common,
            cache,
        } => run::call(&component, &export, &args, debug, &mock, &common, &cache),
        Command::New {
            name,
            wit,
            world,
            lang,
            dir,
            guest_sdk,
        } => new_project(
            &name,
            &wit,
            &world,
            lang,
            dir.as_deref(),
            guest_sdk.as_deref(),
        ),
        Command::Test { dir, common, cache } => project_test::test(&dir, &common, &cache),
        Command::Dev {
            dir,
            max_reloads,
            common,
            cache,
        } => dev::dev(&dir, max_reloads, &common, &cache),
        Command::Package {
            component,
            wit,
            world,
            manifest,
            output,
            in_place,
        } => package::package(&package::Request {
            component: &component,
            wit: &wit,
            world: &world,
            manifest: manifest.as_deref(),
            output: &output,
            in_place,
            quiet: false,
        }),
        Command::Compile {
            components,
            common,
            cache,
        } => run::compile(&components, &common, &cache),
        Command::Replay {
            recording,
            component,
            common,
            cache,
        } => replay::replay(&recording, &component, &common, &cache),
    };
    // Every failure is escaped once more on its way out: a parser's message
    // (wasmparser's, toml's) may quote a component's bytes as they are.
    // Escaping is idempotent, so what is escaped already stays the same.
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::No(why)) => {
            // The host's own lines, each escaped.
            for line in why.lines() {
                eprintln!("{}", esc(line));
            }
            ExitCode::from(1)
        }
        Err(Failure::Input(e)) => {
            eprintln!("error: {}", esc(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(Failure::Plugin(e)) => {
            eprintln!("error: {}", esc(&format!("{e:#}")));
            ExitCode::from(3)
        }
    }
}

fn inspect(path: &std::path::Path, common: &Common) -> Result<(), Failure> {
    let component = Decoded::read(path)?;
    let policy = run::policy(common)?;
    println!(
        "component  {} ({} bytes, blake3 {})",
        shown(path),
        component.bytes.len(),
        &blake3::hash(&component.bytes).to_hex()[..16]
    );
    match component.stamp() {
        Some(world) if airlock::package::is_packaged(&component.bytes) => {
            println!("world      {} (packaged)", esc(&world))
        }
        Some(world) => println!("world      {} (stamped by the guest SDK)", esc(&world)),
        None => println!("world      not stamped (built without airlock-guest's stamp)"),
    }
    match manifest_of(path, &component)? {
        Some((manifest, origin)) => {
            println!(
                "manifest   {} {} ({}){}",
                esc(&manifest.name),
                esc(&manifest.version.to_string()),
                esc(&origin),
                manifest
                    .description
                    .as_deref()
                    .map(|d| format!(": {}", esc(d)))
                    .unwrap_or_default()
            );
            if manifest.capabilities.is_empty() {
                println!("  asks for nothing beyond its world");
            }
            for request in &manifest.capabilities {
                let verdict = match &policy {
                    None => "asks    ",
                    Some(p) if request.capability.granted_by(p) => "granted ",
                    Some(_) => "REFUSED ",
                };
                println!(
                    "  {verdict} {} ({}): {}",
                    esc(&request.capability.to_string()),
                    if request.required {
                        "required"
                    } else {
                        "optional"
                    },
                    esc(&request.reason)
                );
            }
        }
        None => println!(
            "manifest   none (none embedded, and {} does not exist)",
            esc(&airlock::Manifest::path_beside(path).display().to_string())
        ),
    }
    print_items("imports", &component.imports(), true);
    print_items("exports", &component.exports(), false);
    Ok(())
}

fn print_items(title: &str, items: &std::collections::BTreeMap<String, Item>, imports: bool) {
    println!("{title}");
    if items.is_empty() {
        println!("  (none)");
    }
    for (name, item) in items {
        match item {
            Item::Function(sig) => println!("  {}", sig.readable),
            Item::Interface(functions) => {
                let provider = imports
                    .then(|| component::provided_by_runner(name))
                    .flatten();
                match provider {
                    // Runner-provided interfaces are long and well known: names only.
                    Some(what) => println!("  {name}  ({what})"),
                    None if functions.is_empty() => println!("  {name}  (types only)"),
                    None => {
                        println!("  {name}");
                        for sig in functions.values() {
                            println!("    {}", sig.readable);
                        }
                    }
                }
            }
        }
    }
}

/// The manifest beside the component, else the one it carries, with where it came from.
fn manifest_of(
    path: &std::path::Path,
    component: &Decoded,
) -> Result<Option<(airlock::Manifest, String)>, Failure> {
    let input = |e: airlock::Error| Failure::Input(e.into());
    if let Some(m) = airlock::Manifest::beside(path).map_err(input)? {
        let origin = airlock::Manifest::path_beside(path).display().to_string();
        return Ok(Some((m, origin)));
    }
    Ok(
        airlock::Manifest::embedded(&component.bytes, &path.display().to_string())
            .map_err(input)?
            .map(|m| (m, "embedded".to_string())),
    )
}

fn check(
    path: &std::path::Path,
    wit: &[PathBuf],
    world: &str,
    common: &Common,
) -> Result<(), Failure> {
    let component = Decoded::read(path)?;
    let policy = run::policy(common)?;
    let world = check::World::load(wit, world)?;
    let mut report = check::check(&component, &world);
    let name = world.name();
    // The manifest must be for this world, and, under a policy, get what it requires.
    if let Some((manifest, origin)) = manifest_of(path, &component)? {
        if let Err(why) = airlock::check_stamp(&manifest.world, &name) {
            report.problems.push(format!(
                "its manifest ({}) says: {}",
                esc(&origin),
                esc(&why)
            ));
        }
        if let Some(policy) = &policy {
            for request in manifest.review(policy).refused_required() {
                report.problems.push(format!(
                    "its manifest requires {} ({}), which the policy does not grant",
                    esc(&request.capability.to_string()),
                    esc(&request.reason)
                ));
            }
        }
    }
    if let Some(stamp) = component.stamp()
        && stamp != name
    {
        println!("note: the component is stamped for {}", esc(&stamp));
    }
    if let Some(problem) = check::stamp_problem(&component, &name) {
        report.problems.insert(0, problem);
    }
    if !report.problems.is_empty() {
        return Err(Failure::No(check::explain(path, &name, &report.problems)));
    }
    println!("{} fits world {name}", shown(path));
    println!("  exports: {}", join_or_none(&report.exports_matched));
    println!(
        "  imports from the world: {}",
        join_or_none(&report.imports_from_world)
    );
    println!(
        "  imports from the runner: {}",
        join_or_none(&report.imports_from_runner)
    );
    if !report.extra_exports.is_empty() {
        println!(
            "  also exported, unused by the world: {}",
            report.extra_exports.join(", ")
        );
    }
    Ok(())
}

/// Text from the component, its manifest or its file name, escaped for the
/// terminal (see [`airlock::PluginText`]). Errors are escaped already.
pub fn esc(text: &str) -> airlock::text::Escaped<'_> {
    airlock::PluginText::escape(text)
}

/// A path as the terminal shows it: its file name came with the plugin.
pub fn shown(path: &std::path::Path) -> String {
    esc(&path.display().to_string()).to_string()
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
