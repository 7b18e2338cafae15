//! The goals, in one table: P1 … P8 and P10 (the bench has no P9), each a
//! ratio or a figure of one run held against its threshold. [`GOALS`] says
//! what each measures and its target; [`value`] computes it from the run.

use std::fmt;

use serde_json::Value;

use crate::cases::Measured;

/// How a goal's value is held against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    AtMost,
    AtLeast,
}

impl fmt::Display for Cmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cmp::AtMost => "<=",
            Cmp::AtLeast => ">=",
        })
    }
}

/// One goal: the key it has in the JSON, what it measures, and its target.
#[derive(Debug)]
pub struct Goal {
    pub key: &'static str,
    pub what: &'static str,
    pub cmp: Cmp,
    pub target: f64,
}

const fn goal(key: &'static str, what: &'static str, cmp: Cmp, target: f64) -> Goal {
    Goal {
        key,
        what,
        cmp,
        target,
    }
}

/// Every goal, in the order the report prints them.
pub const GOALS: [Goal; 14] = [
    goal("P1", "no-op call / raw small echo (best)", Cmp::AtMost, 1.0),
    goal(
        "P2",
        "nested guest->host call / raw small echo (best)",
        Cmp::AtMost,
        1.5,
    ),
    goal(
        "P3",
        "1 MiB round trip / (raw 1 MiB echo (best) + in-process 1 MiB)",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P4",
        "cold start, cached artifact / bare spawn + echo",
        Cmp::AtMost,
        2.0,
    ),
    goal(
        "P4_warm_pool",
        "start from a warm pool / bare spawn + echo",
        Cmp::AtMost,
        0.2,
    ),
    goal("P5", "idle plugin RSS, MiB (median)", Cmp::AtMost, 10.0),
    goal("P5_alive", "plugins alive at once", Cmp::AtLeast, 200.0),
    goal(
        "P6",
        "calls/s, many plugins / raw echo calls/s",
        Cmp::AtLeast,
        0.8,
    ),
    // P7 and P8 only when Extism is compared (`--extism`).
    goal(
        "P7",
        "no-op call / Extism no-op call (in process)",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P8",
        "1 MiB round trip / Extism 1 MiB echo (in process)",
        Cmp::AtMost,
        1.0,
    ),
    // P10: the big guests (JS and Python), from the languages section.
    goal(
        "P10_js_start",
        "js: cached start to first answered call, ms (median)",
        Cmp::AtMost,
        25.0,
    ),
    goal(
        "P10_js_pss",
        "js: idle PSS with 50 alive, MiB (median)",
        Cmp::AtMost,
        5.0,
    ),
    goal(
        "P10_python_start",
        "python: cached start to first answered call, ms (median)",
        Cmp::AtMost,
        25.0,
    ),
    goal(
        "P10_python_pss",
        "python: idle PSS with 50 alive, MiB (median)",
        Cmp::AtMost,
        5.0,
    ),
];

/// A goal with its value in one run.
#[derive(Debug)]
pub struct Scored {
    pub goal: &'static Goal,
    pub value: f64,
}

impl Scored {
    pub fn met(&self) -> bool {
        match self.goal.cmp {
            Cmp::AtMost => self.value <= self.goal.target,
            Cmp::AtLeast => self.value >= self.goal.target,
        }
    }

    /// The target as the report shows it: `<= 1.5`.
    pub fn target(&self) -> String {
        format!("{} {}", self.goal.cmp, self.goal.target)
    }
}

/// Every goal this run measured, in the order of [`GOALS`].
pub fn score(measured: &Measured) -> Vec<Scored> {
    GOALS
        .iter()
        .filter_map(|goal| {
            Some(Scored {
                goal,
                value: value(goal.key, measured)?,
            })
        })
        .collect()
}

/// The value of the goal `key` in this run; `None` when the run did not
/// measure it (P7 and P8 without an Extism peer).
pub fn value(key: &str, measured: &Measured) -> Option<f64> {
    let Measured {
        latency,
        starts,
        memory,
        throughput,
        languages,
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
    let raw_small = || raw_best("raw pipe echo 16 B").min(raw_best("raw pipe echo 1 KiB"));
    let number = |v: &Value, or: f64| v.as_f64().unwrap_or(or);
    Some(match key {
        "P1" => us("airlock no-op") / raw_small(),
        "P2" => us("airlock nested call") / raw_small(),
        "P3" => {
            us("airlock echo 1 MiB")
                / (raw_best("raw pipe echo 1 MiB") + us("in-process echo 1 MiB"))
        }
        "P4" => ms("airlock, cached artifact") / ms("bare spawn + echo"),
        "P4_warm_pool" => ms("airlock, warm pool") / ms("bare spawn + echo"),
        "P5" => number(&memory["rss_mib_median"], f64::NAN),
        "P5_alive" => number(&memory["alive"], 0.0),
        "P6" => {
            number(&throughput["airlock_calls_per_sec"], 0.0)
                / number(&throughput["raw_echo_calls_per_sec"], f64::NAN)
        }
        "P7" => us("airlock no-op") / latency.get("extism no-op")?.median_us(),
        "P8" => us("airlock echo 1 MiB") / latency.get("extism echo 1 MiB")?.median_us(),
        "P10_js_start" => number(&languages["js"]["cached_start_ms"]["median"], f64::NAN),
        "P10_js_pss" => number(&languages["js"]["memory"]["pss_mib_median"], f64::NAN),
        "P10_python_start" => number(&languages["python"]["cached_start_ms"]["median"], f64::NAN),
        "P10_python_pss" => number(&languages["python"]["memory"]["pss_mib_median"], f64::NAN),
        other => panic!("goal {other} is in GOALS but has no value"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_goal_has_a_distinct_key_and_a_finite_target() {
        for (i, goal) in GOALS.iter().enumerate() {
            assert!(goal.target.is_finite(), "{}", goal.key);
            assert!(
                GOALS[..i].iter().all(|g| g.key != goal.key),
                "{} twice",
                goal.key
            );
        }
    }

    #[test]
    fn a_goal_is_met_on_the_right_side_of_its_target() {
        let at = |key: &str, value: f64| Scored {
            goal: GOALS.iter().find(|g| g.key == key).unwrap(),
            value,
        };
        assert!(at("P1", 1.0).met() && !at("P1", 1.01).met());
        assert!(at("P5_alive", 200.0).met() && !at("P5_alive", 199.0).met());
        assert_eq!(at("P2", 0.0).target(), "<= 1.5");
        assert_eq!(at("P5_alive", 0.0).target(), ">= 200");
    }
}
