//! Idle plugin processes, many alive at once: their RSS and PSS from
//! /proc, and the host's descriptors and threads per plugin.

use std::time::{Duration, Instant};

use airlock::{Launcher, PluginConfig};
use airlock_testkit::roundtrip::Roundtrip;
use anyhow::Result;
use serde_json::{Value, json};

use crate::measure::{median, round};

/// Threads that start plugins at once: one per core of these machines.
const STARTERS: usize = 2;

/// Resident memory of idle plugin processes, with many alive at once.
pub fn alive(count: usize, cached: &Launcher, config: &dyn Fn() -> PluginConfig) -> Result<Value> {
    raise_descriptor_limit();
    let (fds_before, threads_before) = (own_count("fd"), own_count("task"));
    let available_before = meminfo("MemAvailable:");
    let started = Instant::now();
    let configs: Vec<PluginConfig> = (0..count).map(|_| config()).collect();
    let mut plugins = Vec::new();
    std::thread::scope(|scope| {
        let mut chunks = Vec::new();
        let per = count.div_ceil(STARTERS).max(1);
        for (n, share) in configs.chunks(per).enumerate() {
            chunks.push(scope.spawn(move || {
                let mut mine = Vec::new();
                for (i, config) in share.iter().enumerate() {
                    match Roundtrip::start(cached, config.clone()) {
                        Ok(p) => mine.push(p),
                        Err(e) => {
                            eprintln!("  plugin {} did not start: {e}", n * per + i);
                            break;
                        }
                    }
                    if (i + 1) % 250 == 0 {
                        eprintln!("  {} started by starter {n}", i + 1);
                    }
                }
                mine
            }));
        }
        for chunk in chunks {
            plugins.extend(chunk.join().expect("a starter thread"));
        }
    });
    let start_all = started.elapsed();
    let per_plugin = |after: f64, before: f64| (after - before) / plugins.len().max(1) as f64;
    let host_fds = per_plugin(own_count("fd"), fds_before);
    let host_threads = per_plugin(own_count("task"), threads_before);
    let mut alive = 0;
    let (mut rss, mut pss) = (Vec::new(), Vec::new());
    for p in &mut plugins {
        if p.plugin_mut().health_check(Duration::from_secs(5)).is_ok() {
            alive += 1;
        }
        if let Some(pid) = p.plugin().pid() {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            rss.push(kib_field(&status, "VmRSS:") / 1024.0);
            let rollup =
                std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
            pss.push(kib_field(&rollup, "Pss:") / 1024.0);
        }
    }
    let available_after = meminfo("MemAvailable:");
    drop(plugins);
    let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    Ok(json!({
        "plugins_started": count,
        "host_fds_per_plugin": round(host_fds),
        "host_threads_per_plugin": round(host_threads),
        "alive": alive,
        "seconds_to_start_all": round(start_all.as_secs_f64()),
        "rss_mib_median": round(median(&rss)),
        "rss_mib_max": round(max(&rss)),
        "pss_mib_median": round(median(&pss)),
        "pss_mib_total": round(pss.iter().sum()),
        "mem_available_drop_mib": round((available_before - available_after) / 1024.0),
    }))
}

pub fn kib_field(text: &str, field: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

pub fn meminfo(field: &str) -> f64 {
    kib_field(
        &std::fs::read_to_string("/proc/meminfo").unwrap_or_default(),
        field,
    )
}

/// Entries of this process's `/proc/self/{dir}`: its descriptors or threads.
fn own_count(dir: &str) -> f64 {
    std::fs::read_dir(format!("/proc/self/{dir}")).map_or(f64::NAN, |d| d.count() as f64)
}

/// The soft descriptor limit up to the hard one: the host holds a few
/// descriptors per plugin, and the usual soft limit of 1,024 is too few
/// for a thousand.
fn raise_descriptor_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = rustix::process::Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    if let Err(e) = setrlimit(Resource::Nofile, raised) {
        eprintln!("  cannot raise the descriptor limit: {e}");
    }
}
