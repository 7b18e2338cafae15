//! The goals: each a ratio or a figure of one run against its target.

use crate::cases::Measured;
use crate::languages::Goal;

/// Every goal this run measured, in order.
pub fn goals(measured: &Measured) -> Vec<Goal> {
    let Measured {
        latency,
        starts,
        memory,
        throughput,
        language_goals,
        ..
    } = measured;
    let us = |name: &str| latency[name].median_us();
    let ms = |name: &str| starts[name].median_us() / 1000.0;
    // A pipe round trip is bimodal here: with or without a cross-CPU wake-up
    // of tens of µs, and a whole run can stay in the slow mode. The baselines
    // therefore use the pipe at its best (its fastest sample), against
    // Airlock's median: the stricter comparison. The small-message baseline
    // is the faster of the 16 B and 1 KiB echoes.
    let raw_best = |name: &str| latency[name].min_us();
    let raw_small = raw_best("raw pipe echo 16 B").min(raw_best("raw pipe echo 1 KiB"));
    let mut goals = vec![
        (
            "P1",
            "no-op call / raw small echo (best)",
            us("airlock no-op") / raw_small,
            "<=",
            1.0,
        ),
        (
            "P2",
            "nested guest->host call / raw small echo (best)",
            us("airlock nested call") / raw_small,
            "<=",
            1.5,
        ),
        (
            "P3",
            "1 MiB round trip / (raw 1 MiB echo (best) + in-process 1 MiB)",
            us("airlock echo 1 MiB")
                / (raw_best("raw pipe echo 1 MiB") + us("in-process echo 1 MiB")),
            "<=",
            1.0,
        ),
        (
            "P4",
            "cold start, cached artifact / bare spawn + echo",
            ms("airlock, cached artifact") / ms("bare spawn + echo"),
            "<=",
            2.0,
        ),
        (
            "P4_warm_pool",
            "start from a warm pool / bare spawn + echo",
            ms("airlock, warm pool") / ms("bare spawn + echo"),
            "<=",
            0.2,
        ),
        (
            "P5",
            "idle plugin RSS, MiB (median)",
            memory["rss_mib_median"].as_f64().unwrap_or(f64::NAN),
            "<=",
            10.0,
        ),
        (
            "P5_alive",
            "plugins alive at once",
            memory["alive"].as_f64().unwrap_or(0.0),
            ">=",
            200.0,
        ),
        (
            "P6",
            "calls/s, many plugins / raw echo calls/s",
            throughput["airlock_calls_per_sec"].as_f64().unwrap_or(0.0)
                / throughput["raw_echo_calls_per_sec"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
            ">=",
            0.8,
        ),
    ];
    if let (Some(extism_noop), Some(extism_mib)) = (
        latency.get("extism no-op"),
        latency.get("extism echo 1 MiB"),
    ) {
        goals.push((
            "P7",
            "no-op call / Extism no-op call (in process)",
            us("airlock no-op") / extism_noop.median_us(),
            "<=",
            1.0,
        ));
        goals.push((
            "P8",
            "1 MiB round trip / Extism 1 MiB echo (in process)",
            us("airlock echo 1 MiB") / extism_mib.median_us(),
            "<=",
            1.0,
        ));
    }
    goals.extend(language_goals.iter().copied());
    goals
}
