//! `airlock-chaos [--runs N] [--seed S] [--run K]`: the chaos run behind
//! `cargo xtask chaos`; see `airlock_soak::chaos`. This binary is also the
//! runner of the design host's plugins.

use std::process::ExitCode;
use std::time::Duration;

use airlock_example_design_host::plugins::{exporter, filter, tool, v0_1};
use airlock_soak::chaos::{self, ChaosOptions};
use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: airlock-chaos [--runs N] [--seed S] [--run K] [--deadline-ms N]
                     [--plugins DIR] [--plugin NAME] [--inject skip-rollback|fd]

  --runs N         runs in the session (default 1000)
  --seed S         the session's seed (default: from the clock; printed)
  --run K          replay only run K of the session with seed S
  --deadline-ms N  the plugins' call deadline: how long a stopped runner holds a call (default 250)
  --plugins DIR    the built plugins (default: $AIRLOCK_PLUGIN_DIR or target/plugins)
  --plugin NAME    attack only this one (grid, grid_v0_1, svg_export, layers_v0_1, invert, blur)
  --inject FAULT   break the host on purpose, to see the session fail";

fn parse() -> Result<ChaosOptions> {
    let mut options = ChaosOptions {
        runs: 1000,
        seed: airlock_soak::rng::fresh_seed(),
        only: None,
        deadline: Duration::from_millis(250),
        plugin_dir: airlock_testkit::plugin_dir(),
        plugin: None,
        inject: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--runs" => options.runs = value()?.parse().context("--runs")?,
            "--seed" => options.seed = value()?.parse().context("--seed")?,
            "--run" => options.only = Some(value()?.parse().context("--run")?),
            "--deadline-ms" => {
                options.deadline = Duration::from_millis(value()?.parse().context("--deadline-ms")?)
            }
            "--plugins" => options.plugin_dir = value()?.into(),
            "--plugin" => options.plugin = Some(value()?),
            "--inject" => options.inject = Some(value()?.parse()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    airlock::serve_runner_if_requested(&[
        &filter::RunnerGlue,
        &tool::RunnerGlue,
        &exporter::RunnerGlue,
        &v0_1::filter::RunnerGlue,
        &v0_1::tool::RunnerGlue,
        &v0_1::exporter::RunnerGlue,
    ]);
    // A temp folder of its own, so that whatever appears in it is this host's.
    let temp = std::env::temp_dir().join(format!("airlock-chaos-tmp-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&temp) {
        eprintln!("error: failed to create {}: {e}", temp.display());
        return ExitCode::FAILURE;
    }
    // SAFETY: no other thread exists yet to read the environment.
    unsafe { std::env::set_var("TMPDIR", &temp) };
    let code = session();
    let _ = std::fs::remove_dir_all(&temp);
    code
}

fn session() -> ExitCode {
    let options = match parse() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {}", airlock::PluginText::escape(&format!("{e:#}")));
            return ExitCode::from(2);
        }
    };
    let seed = options.seed;
    println!("chaos: seed {seed}");
    let report = match chaos::run(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {}", airlock::PluginText::escape(&format!("{e:#}")));
            return ExitCode::FAILURE;
        }
    };
    for line in report.lines(seed) {
        println!("{line}");
    }
    if report.problems.is_empty() {
        return ExitCode::SUCCESS;
    }
    for p in report.problems.iter().take(20) {
        println!(
            "chaos: FAILED run {} ({:?}; replay: cargo xtask chaos --seed {seed} --run {}): {}",
            p.run,
            p.kind,
            p.run,
            // Details quote what plugins returned.
            airlock::PluginText::escape(&p.detail)
        );
    }
    if report.problems.len() > 20 {
        println!("chaos: … and {} more", report.problems.len() - 20);
    }
    ExitCode::FAILURE
}
