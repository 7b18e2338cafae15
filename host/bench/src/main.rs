//! `cargo xtask bench`: Airlock measured side by side, in one run and
//! interleaved, with a raw pipe echo between two processes and with the same
//! typed call made in process through wasmtime, and the same cases for a
//! Rust, a JavaScript and a Python guest. Writes every figure and the goals
//! (P1–P10) as JSON, prints the tables and draws a latency chart.
//!
//! This binary is also its own plugin runner and its own echo child.
//!
//! # Layout
//!
//! - [`cases`]: the measured cases, in the order they run.
//! - [`goals`]: the goals in one table, each with its threshold.
//! - [`report`]: the tables, the JSON and the chart's glue.
//! - [`measure`]: interleaved rounds of batches, summarised by percentiles.
//! - [`echo`]: the raw pipe echo between two processes, the baseline.
//! - [`extism`]: Extism as a peer, in its own process.
//! - [`languages`]: the same cases for a Rust, a JavaScript and a Python guest.
//! - [`alive`]: many idle plugins at once, their RSS and PSS.
//! - [`breakdown`]: where cached starts went, point by point.
//! - [`chart`]: the latency-versus-payload chart, as SVG.

mod alive;
mod breakdown;
mod cases;
mod chart;
mod echo;
mod extism;
mod goals;
mod languages;
mod measure;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use airlock_testkit::filter;
use airlock_testkit::roundtrip;
use anyhow::{Context, Result, bail};

use crate::cases::Plan;

const USAGE: &str =
    "usage: airlock-bench [--quick] [--only SECTION,…] [--json FILE] [--chart FILE] [--extism PEER PLUGIN.wasm]
sections: latency, image, starts, memory, throughput, languages (default: all)";

struct Args {
    quick: bool,
    json: PathBuf,
    chart: PathBuf,
    /// The Extism peer binary and its plugin, when Extism is compared too.
    extism: Option<(PathBuf, PathBuf)>,
    /// Only these sections (`--only`), for a quick look at one of them; the
    /// goals that need the others are then missing.
    only: Option<Vec<String>>,
}

fn parse_args() -> Result<Args> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let mut args = Args {
        quick: false,
        json: target.join("airlock-bench.json"),
        chart: target.join("airlock-bench.svg"),
        extism: None,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--json" => {
                args.json = it
                    .next()
                    .context(format!("--json needs a file\n{USAGE}"))?
                    .into()
            }
            "--chart" => {
                args.chart = it
                    .next()
                    .context(format!("--chart needs a file\n{USAGE}"))?
                    .into()
            }
            "--extism" => {
                let peer = it
                    .next()
                    .context(format!("--extism needs the peer binary\n{USAGE}"))?;
                let plugin = it
                    .next()
                    .context(format!("--extism needs the plugin too\n{USAGE}"))?;
                args.extism = Some((peer.into(), plugin.into()));
            }
            "--only" => {
                let sections: Vec<String> = it
                    .next()
                    .context(format!("--only needs a list of sections\n{USAGE}"))?
                    .split(',')
                    .map(str::to_string)
                    .collect();
                if let Some(bad) = sections
                    .iter()
                    .find(|s| !cases::SECTIONS.contains(&s.as_str()))
                {
                    bail!("--only: no section {bad:?}\n{USAGE}");
                }
                args.only = Some(sections);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    airlock::serve_runner_if_requested(&[&roundtrip::RunnerGlue, &filter::RunnerGlue]);
    if std::env::args().nth(1).as_deref() == Some(echo::ECHO_ARG) {
        echo::serve();
    }
    match parse_args().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let mut plan = if args.quick {
        Plan::quick()
    } else {
        Plan::full()
    };
    plan.only = args.only.clone();
    let machine = report::announce(args.quick);
    let measured = cases::measure(&plan, args.extism.as_ref())?;
    let goals = goals::score(&measured);
    report::write(args, machine, measured, goals)
}
