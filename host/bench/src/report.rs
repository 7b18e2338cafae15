//! The report: the tables and the goals on stdout, every figure as JSON,
//! and the latency chart.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::Args;
use crate::cases::Measured;
use crate::extism::{Steady, WARMUP_BLOCKS};
use crate::goals::{GOALS, Goal, Scored};
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
        extism_steady,
        latency,
        image,
        starts,
        start_steps,
        memory,
        throughput,
        languages,
    } = measured;
    print_tables(&latency, &image, &starts, &memory, &throughput);
    for (title, points) in &start_steps {
        crate::breakdown::print(title, points);
    }
    print_steady(&extism_steady);
    languages::print_table(&languages);
    let mut report = serde_json::Map::new();
    let json_goals = print_goals(&goals, &mut report);
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
    report.insert(
        "start_steps_us".into(),
        Value::Object(
            start_steps
                .iter()
                .map(|(title, points)| (title.to_string(), crate::breakdown::to_json(points)))
                .collect(),
        ),
    );
    report.insert("extism_steady_us".into(), extism_steady.to_json());
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
    println!();
    if latency.0.is_empty() {
        // `--only` without the latency section: nothing to draw.
        println!("wrote {}", args.json.display());
        return Ok(());
    }
    chart::draw(&args.chart, &latency)
        .with_context(|| format!("drawing {}", args.chart.display()))?;
    println!("wrote {} and {}", args.json.display(), args.chart.display());
    Ok(())
}

/// Prints the goals' table; each goal's JSON, and its value at `report[key]`.
fn print_goals(
    goals: &[Scored],
    report: &mut serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    let key_width = GOALS.iter().map(|g| g.key.len()).max().unwrap_or(0);
    let what_width = GOALS.iter().map(|g| g.what.len()).max().unwrap_or(0);
    println!();
    println!(
        "{:<key_width$} {:<what_width$} {:>10} {:>9}  met",
        "goal", "what", "value", "target"
    );
    let mut json_goals = serde_json::Map::new();
    for scored in goals {
        let Goal {
            key,
            what,
            cmp,
            target: number,
        } = *scored.goal;
        let (met, target) = (scored.met(), scored.target());
        let shown = scored.value.map_or("missing".into(), |v| format!("{v:.3}"));
        println!(
            "{key:<key_width$} {what:<what_width$} {shown:>10} {target:>9}  {}",
            if met { "yes" } else { "NO" }
        );
        let value = scored.value.map(round);
        report.insert(key.into(), json!(value));
        json_goals.insert(
            key.into(),
            json!({
                "what": what,
                "value": value,
                "cmp": cmp.to_string(),
                "target": number,
                "goal": target,
                "met": met,
            }),
        );
    }
    json_goals
}

/// Prints Extism at its steady best, if it was measured.
fn print_steady(steady: &Steady) {
    if steady.0.is_empty() {
        return;
    }
    println!();
    println!(
        "{:<34} {:>12} {:>12} {:>12}  blocks (after {WARMUP_BLOCKS} dropped)",
        "extism alone, per call", "best block", "median", "p90"
    );
    for case in &steady.0 {
        let s = &case.blocks;
        println!(
            "{:<34} {:>10.2}µs {:>10.2}µs {:>10.2}µs  {} x {} calls",
            case.name,
            s.min_us(),
            s.median_us(),
            s.p90_us(),
            s.len(),
            case.calls_per_block
        );
    }
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
