//! The report: the tables and the goals on stdout, every figure as JSON,
//! and the latency chart.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::Args;
use crate::cases::Measured;
use crate::goals::{Goal, Scored};
use crate::languages;
use crate::measure::{Figures, round};
use crate::{alive, chart};

/// Says on stderr what is measured on which machine; returns the machine.
pub fn announce(quick: bool) -> Value {
    let machine = machine();
    eprintln!(
        "airlock bench{} on {} ({} CPUs, Linux {})",
        if quick { " --quick" } else { "" },
        machine["cpu"].as_str().unwrap_or("?"),
        machine["cpus"],
        machine["kernel"].as_str().unwrap_or("?")
    );
    machine
}

/// Prints the tables and the goals, writes the JSON and draws the chart.
pub fn write(args: &Args, machine: Value, measured: Measured, goals: Vec<Scored>) -> Result<()> {
    let Measured {
        latency,
        image,
        starts,
        memory,
        throughput,
        languages,
        ..
    } = measured;
    print_tables(&latency, &image, &starts, &memory, &throughput);
    languages::print_table(&languages);
    println!();
    println!(
        "{:<14} {:<62} {:>10} {:>8}  met",
        "goal", "what", "value", "target"
    );
    let mut json_goals = serde_json::Map::new();
    let mut report = serde_json::Map::new();
    for scored in goals {
        let Goal { key, what, .. } = *scored.goal;
        let (value, met, target) = (scored.value, scored.met(), scored.target());
        println!(
            "{key:<14} {what:<62} {value:>10.3} {target:>8}  {}",
            if met { "yes" } else { "NO" }
        );
        report.insert(key.into(), json!(round(value)));
        json_goals.insert(
            key.into(),
            json!({"what": what, "value": round(value), "goal": target, "met": met}),
        );
    }
    report.insert("goals".into(), Value::Object(json_goals));
    report.insert("machine".into(), machine);
    report.insert("quick".into(), json!(args.quick));
    report.insert(
        "latency_us".into(),
        Value::Object(
            latency
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect(),
        ),
    );
    report.insert(
        "image_ms".into(),
        Value::Object(
            image
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json_ms()))
                .collect(),
        ),
    );
    report.insert(
        "start_ms".into(),
        Value::Object(
            starts
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json_ms()))
                .collect(),
        ),
    );
    report.insert("memory".into(), memory);
    report.insert("throughput".into(), throughput);
    report.insert("languages".into(), languages);

    if let Some(dir) = args.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        &args.json,
        serde_json::to_string_pretty(&Value::Object(report))? + "\n",
    )
    .with_context(|| format!("writing {}", args.json.display()))?;
    chart::draw(&args.chart, &latency)
        .with_context(|| format!("drawing {}", args.chart.display()))?;
    println!();
    println!("wrote {} and {}", args.json.display(), args.chart.display());
    Ok(())
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    json!({
        "cpu": cpu,
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "kernel": kernel.trim(),
        "mem_total_mib": (alive::meminfo("MemTotal:") / 1024.0).round(),
    })
}

fn print_tables(
    latency: &Figures,
    image: &Figures,
    starts: &Figures,
    memory: &Value,
    throughput: &Value,
) {
    println!();
    println!(
        "{:<34} {:>12} {:>12} {:>12} {:>12}",
        "latency per call", "median", "min", "p10", "p90"
    );
    for (name, s) in latency.iter() {
        println!(
            "{:<34} {:>10.2}µs {:>10.2}µs {:>10.2}µs {:>10.2}µs",
            name,
            s.median_us(),
            s.min_us(),
            s.p10_us(),
            s.p90_us()
        );
    }
    println!();
    for (name, s) in image.iter().chain(starts.iter()) {
        println!(
            "{:<34} {:>10.3}ms {:>10.3}ms {:>10.3}ms {:>10.3}ms",
            name,
            s.median_us() / 1e3,
            s.min_us() / 1e3,
            s.p10_us() / 1e3,
            s.p90_us() / 1e3
        );
    }
    println!();
    println!(
        "{} plugins alive of {}: RSS median {} MiB (max {}), PSS median {} MiB, {} MiB in total; started in {} s",
        memory["alive"],
        memory["plugins_started"],
        memory["rss_mib_median"],
        memory["rss_mib_max"],
        memory["pss_mib_median"],
        memory["pss_mib_total"],
        memory["seconds_to_start_all"]
    );
    println!(
        "{} threads: airlock {} calls/s, raw pipe echo {} calls/s",
        throughput["threads"],
        throughput["airlock_calls_per_sec"],
        throughput["raw_echo_calls_per_sec"]
    );
}
