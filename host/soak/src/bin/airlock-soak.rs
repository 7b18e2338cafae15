//! `airlock-soak [--calls N] ...`: the soak behind `cargo xtask soak`; see
//! `airlock_soak::soak`. This binary is also the runner of its plugins.

use std::process::ExitCode;
use std::time::Duration;

use airlock_soak::soak::{self, SoakOptions};
use anyhow::{Context, Result, bail};

const USAGE: &str =
    "usage: airlock-soak [--calls N] [--plugins N] [--trap-every N] [--deadline-every N]
                    [--deadline-ms N] [--tolerance PERCENT] [--inject fd|memfd|memory]

  --calls N           plugin calls in all (default 1000000)
  --plugins N         roundtrip plugins, each its own runner (default 8)
  --trap-every N      one trapping call every N calls (default 10000)
  --deadline-every N  one call into its deadline every N calls (default 50000)
  --deadline-ms N     the plugins' call deadline (default 300)
  --tolerance PERCENT growth after warm-up that fails the soak (default 5)
  --inject LEAK       make the host leak on purpose, to see the soak fail";

fn parse() -> Result<SoakOptions> {
    let mut options = SoakOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--calls" => options.calls = value()?.parse().context("--calls")?,
            "--plugins" => options.plugins = value()?.parse().context("--plugins")?,
            "--trap-every" => options.trap_every = value()?.parse().context("--trap-every")?,
            "--deadline-every" => {
                options.deadline_every = value()?.parse().context("--deadline-every")?
            }
            "--deadline-ms" => {
                options.deadline = Duration::from_millis(value()?.parse().context("--deadline-ms")?)
            }
            "--tolerance" => {
                options.tolerance = value()?.parse::<f64>().context("--tolerance")? / 100.0
            }
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
    airlock::serve_runner_if_requested(&[&airlock_testkit::roundtrip::RunnerGlue]);
    let report = match parse().and_then(|options| soak::run(&options)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {}", airlock::PluginText::escape(&format!("{e:#}")));
            return ExitCode::FAILURE;
        }
    };
    for line in &report.lines {
        println!("{line}");
    }
    if report.grew.is_empty() {
        return ExitCode::SUCCESS;
    }
    for grew in &report.grew {
        println!("soak: FAILED: {grew}");
    }
    ExitCode::FAILURE
}
