//! `airlock-big-start`: how fast a big `airlock:design/filter` plugin (a
//! JS or Python one, 12–37 MB) starts from the artifact cache, and what 50
//! idle runners of it cost, with every sandbox layer on (P10).
//!
//! For each `NAME=COMPONENT.wasm`, once with the artifact's bytes sent
//! through the rings (as before sealed memfds) and once mapped, it fills a
//! fresh cache once, then
//! measures a cached start to its first answered `describe`, and then
//! keeps `--plugins` runners alive and idle and reads their RSS and PSS.
//! This binary is also its own plugin runner.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use airlock::{ArtifactCache, Launcher, Layer, PluginConfig, Policy};
use airlock_testkit::filter::{self, Filter};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

const USAGE: &str = "usage: airlock-big-start [--plugins N] [--starts N] [--mapped-only] [--json FILE] NAME=COMPONENT.wasm…";

fn main() -> Result<()> {
    airlock::serve_runner_if_requested(&[&filter::RunnerGlue]);
    let mut plugins = 50;
    let mut starts = 15;
    let mut json_out = None;
    let mut modes = vec![false, true];
    let mut subjects = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |what: &str| -> Result<usize> {
            args.next()
                .and_then(|n| n.parse().ok())
                .with_context(|| format!("{what} needs a number; {USAGE}"))
        };
        match arg.as_str() {
            "--plugins" => plugins = number("--plugins")?,
            "--starts" => starts = number("--starts")?,
            "--mapped-only" => modes = vec![true],
            "--json" => json_out = Some(PathBuf::from(args.next().context(USAGE)?)),
            subject => match subject.split_once('=') {
                Some((name, path)) => subjects.push((name.to_string(), PathBuf::from(path))),
                None => bail!("unexpected argument {subject:?}; {USAGE}"),
            },
        }
    }
    if subjects.is_empty() {
        bail!("{USAGE}");
    }
    let mut results = serde_json::Map::new();
    for (name, path) in &subjects {
        let component =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        for &mapped in &modes {
            let figures = measure(name, &component, plugins, starts, mapped)?;
            let label = format!("{name} {}", if mapped { "mapped" } else { "copied" });
            println!("{label}: {}", serde_json::to_string_pretty(&figures)?);
            results.insert(label, figures);
        }
    }
    if let Some(out) = json_out {
        std::fs::write(&out, serde_json::to_string_pretty(&Value::Object(results))?)
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(())
}

/// Every layer the machine offers must be on, or the figures mean nothing.
fn policy() -> Policy {
    Policy::default()
        .deadline(Duration::from_secs(60))
        .require([
            Layer::Seccomp,
            Layer::Landlock,
            Layer::NoNewPrivs,
            Layer::NotDumpable,
            Layer::ParentDeathSignal,
            Layer::CapabilitiesDropped,
            Layer::Rlimits,
            Layer::UserNamespace,
            Layer::NetworkNamespace,
            Layer::IpcNamespace,
            Layer::UtsNamespace,
            Layer::MountNamespace,
        ])
}

/// With `mapped` false, the cache sends the artifact's bytes through the
/// rings as before sealed memfds: the "before" figures, in the same run.
fn measure(
    name: &str,
    component: &[u8],
    plugins: usize,
    starts: usize,
    mapped: bool,
) -> Result<Value> {
    let dir = std::env::temp_dir().join(format!("airlock-big-start-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cache = ArtifactCache::open(&dir)?;
    if !mapped {
        cache = cache.sending_bytes_for_comparison();
    }
    let launcher = Launcher::current_exe()?.with_cache(cache);
    // One copy of the component, shared by every plugin, as a host would.
    let shared: std::sync::Arc<[u8]> = component.into();
    let config = || PluginConfig::new(name, shared.clone()).policy(policy());

    eprintln!("{name}: compiling {} bytes once…", component.len());
    let compiled = Instant::now();
    let mut first = Filter::start(&launcher, config())?;
    first.describe()?;
    let compile_ms = compiled.elapsed().as_secs_f64() * 1e3;
    let artifact_bytes = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "artifact"))
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum::<u64>();

    // `first` stays alive, as a host's plugin would: the sealed memfd is then
    // already made and every later start maps it.
    let (mut samples, mut ready) = (Vec::new(), Vec::new());
    for _ in 0..starts {
        let started = Instant::now();
        let mut plugin = Filter::start(&launcher, config())?;
        ready.push(started.elapsed().as_secs_f64() * 1e3);
        plugin.describe()?;
        samples.push(started.elapsed().as_secs_f64() * 1e3);
        assert!(plugin.plugin().started_from_cache());
    }
    samples.sort_by(f64::total_cmp);
    ready.sort_by(f64::total_cmp);
    let stats = launcher.cache().expect("a cache").stats();

    eprintln!("{name}: {plugins} idle plugins…");
    let available_before = meminfo("MemAvailable:");
    let mut alive = Vec::new();
    for _ in 0..plugins {
        let mut plugin = Filter::start(&launcher, config())?;
        plugin.describe()?;
        alive.push(plugin);
    }
    std::thread::sleep(Duration::from_millis(300));
    let (mut rss, mut pss) = (Vec::new(), Vec::new());
    for plugin in &alive {
        let pid = plugin.plugin().pid().context("a live runner")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        rss.push(kib(&status, "VmRSS:") / 1024.0);
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
        pss.push(kib(&rollup, "Pss:") / 1024.0);
    }
    let available_after = meminfo("MemAvailable:");
    drop(alive);
    drop(first);
    let _ = std::fs::remove_dir_all(&dir);
    rss.sort_by(f64::total_cmp);
    pss.sort_by(f64::total_cmp);
    Ok(json!({
        "component_bytes": component.len(),
        "artifact_bytes": artifact_bytes,
        "first_start_compile_ms": round(compile_ms),
        "cached_start_to_first_call_ms": {
            "min": round(samples[0]),
            "median": round(samples[samples.len() / 2]),
            "max": round(samples[samples.len() - 1]),
        },
        "cached_start_to_ready_ms_median": round(ready[ready.len() / 2]),
        "cached_starts_mapped": stats.mapped,
        "cache_hits": stats.hits,
        "idle_plugins": plugins,
        "idle_rss_mib_median": round(rss[rss.len() / 2]),
        "idle_pss_mib_median": round(pss[pss.len() / 2]),
        "idle_pss_mib_total": round(pss.iter().sum()),
        "mem_available_drop_mib": round((available_before - available_after) / 1024.0),
    }))
}

fn kib(text: &str, field: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| {
            l[field.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0.0)
}

fn meminfo(field: &str) -> f64 {
    kib(
        &std::fs::read_to_string("/proc/meminfo").unwrap_or_default(),
        field,
    )
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
