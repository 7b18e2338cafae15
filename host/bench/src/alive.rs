//! Idle plugin processes, many alive at once: their RSS and PSS from /proc.

use std::time::{Duration, Instant};

use airlock::{Launcher, PluginConfig};
use airlock_testkit::roundtrip::Roundtrip;
use anyhow::Result;
use serde_json::{Value, json};

use crate::measure::{median, round};

/// Resident memory of idle plugin processes, with many alive at once.
pub fn alive(count: usize, cached: &Launcher, config: &dyn Fn() -> PluginConfig) -> Result<Value> {
    let available_before = meminfo("MemAvailable:");
    let started = Instant::now();
    let mut plugins = Vec::new();
    for i in 0..count {
        match Roundtrip::start(cached, config()) {
            Ok(p) => plugins.push(p),
            Err(e) => {
                eprintln!("  plugin {i} did not start: {e}");
                break;
            }
        }
        if (i + 1) % 50 == 0 {
            eprintln!("  {} started", i + 1);
        }
    }
    let start_all = started.elapsed();
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
