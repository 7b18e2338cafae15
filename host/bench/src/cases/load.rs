//! Many plugins at once: the resident memory of idle plugin processes, and
//! calls per second with one plugin per thread against raw echo pairs.

use std::time::{Duration, Instant};

use airlock::{Launcher, PluginConfig};
use airlock_testkit::battery::PingHost;
use airlock_testkit::roundtrip::Roundtrip;
use anyhow::Result;
use serde_json::{Value, json};

use super::Plan;
use crate::alive;
use crate::echo::EchoPipe;

/// Resident memory of idle plugin processes, with many alive at once.
pub(super) fn memory(
    plan: &Plan,
    cached: &Launcher,
    config: &dyn Fn() -> PluginConfig,
) -> Result<Value> {
    eprintln!("memory: starting {} plugins…", plan.plugins_alive);
    alive::alive(plan.plugins_alive, cached, config)
}

/// Calls per second with one plugin per thread on every core, against the
/// same number of raw echo pairs.
pub(super) fn throughput(
    plan: &Plan,
    cached: &Launcher,
    config: &dyn Fn() -> PluginConfig,
) -> Result<Value> {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pairs = cpus * 4;
    eprintln!(
        "throughput: {pairs} plugins vs {pairs} echo pairs, {:?} each, twice…",
        plan.throughput_for
    );
    let run_for = plan.throughput_for;
    let mut raw = Vec::new();
    let mut airlock = Vec::new();
    let mut plugins: Vec<Roundtrip> = (0..pairs)
        .map(|_| Roundtrip::start(cached, config()))
        .collect::<Result<_, _>>()?;
    for _ in 0..2 {
        let pipes: Vec<EchoPipe> = (0..pairs)
            .map(|_| EchoPipe::spawn())
            .collect::<Result<_>>()?;
        raw.push(count_calls(pipes, run_for, |p| p.echo(&[0; 16]))?);
        let moved = std::mem::take(&mut plugins);
        let (calls, back) =
            count_calls_keep(moved, run_for, |p| Ok(p.noop(&mut PingHost::default())?))?;
        plugins = back;
        airlock.push(calls);
    }
    let raw_rate = raw.iter().sum::<f64>() / raw.len() as f64;
    let airlock_rate = airlock.iter().sum::<f64>() / airlock.len() as f64;
    Ok(json!({
        "threads": pairs,
        "cpus": cpus,
        "seconds_per_run": run_for.as_secs_f64(),
        "raw_echo_calls_per_sec": raw_rate.round(),
        "airlock_calls_per_sec": airlock_rate.round(),
    }))
}

fn count_calls<T: Send>(
    items: Vec<T>,
    run_for: Duration,
    call: fn(&mut T) -> Result<()>,
) -> Result<f64> {
    Ok(count_calls_keep(items, run_for, call)?.0)
}

/// Runs `call` on every item, one thread each, for `run_for`; calls per second in total.
fn count_calls_keep<T: Send>(
    items: Vec<T>,
    run_for: Duration,
    call: fn(&mut T) -> Result<()>,
) -> Result<(f64, Vec<T>)> {
    let started = Instant::now();
    let results: Vec<Result<(u64, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .into_iter()
            .map(|mut item| {
                s.spawn(move || {
                    let mut calls = 0u64;
                    while started.elapsed() < run_for {
                        for _ in 0..16 {
                            call(&mut item)?;
                        }
                        calls += 16;
                    }
                    Ok((calls, item))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread panicked"))
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut total = 0;
    let mut back = Vec::new();
    for r in results {
        let (calls, item) = r?;
        total += calls;
        back.push(item);
    }
    Ok((total as f64 / elapsed, back))
}
