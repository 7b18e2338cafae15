//! The goals, in one table: P1 … P10, each a ratio or a figure of one run
//! held against its threshold. [`GOALS`] says what each measures and its
//! target; [`value`] computes it from the run, or says it is missing.

use std::fmt;

use serde_json::Value;

use crate::cases::Measured;

/// How a goal's value is held against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    AtMost,
    Below,
    AtLeast,
}

impl fmt::Display for Cmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cmp::AtMost => "<=",
            Cmp::Below => "<",
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

/// Every goal, in the order the report prints them. Each Airlock figure is
/// its median over the interleaved rounds; what it is divided by says its
/// own statistic.
pub const GOALS: [Goal; 19] = [
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
        0.9,
    ),
    goal(
        "P3_median",
        "1 MiB round trip / (raw 1 MiB echo (median) + in-process 1 MiB)",
        Cmp::AtMost,
        0.9,
    ),
    goal(
        "P4",
        "start, cached artifact / bare spawn + echo",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P4_warm_pool",
        "start from a warm pool / bare spawn + echo",
        Cmp::AtMost,
        0.05,
    ),
    goal(
        "P5_alive",
        "idle plugins alive at once",
        Cmp::AtLeast,
        1000.0,
    ),
    goal(
        "P5_pss",
        "idle plugin PSS, MiB (median, all alive)",
        Cmp::AtMost,
        1.5,
    ),
    goal(
        "P5_start_s",
        "seconds to start all the idle plugins",
        Cmp::Below,
        5.0,
    ),
    goal(
        "P6",
        "calls/s, many plugins / raw echo calls/s",
        Cmp::AtLeast,
        0.8,
    ),
    // P7 and P8 need the Extism peer (`--extism`); without it they are missing.
    goal(
        "P7",
        "no-op call / Extism no-op (steady best block)",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P7_interleaved",
        "no-op call / Extism no-op (interleaved, median)",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P8",
        "1 MiB round trip / Extism 1 MiB echo (steady best block)",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P8_interleaved",
        "1 MiB round trip / Extism 1 MiB echo (interleaved, median)",
        Cmp::AtMost,
        1.0,
    ),
    goal(
        "P9",
        "no-op call / in-process typed no-op (median)",
        Cmp::AtMost,
        4.0,
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

/// A goal with its value in one run; `None` when the run lacks a figure it
/// needs (the goal is then missing, and not met).
#[derive(Debug)]
pub struct Scored {
    pub goal: &'static Goal,
    pub value: Option<f64>,
}

impl Scored {
    pub fn met(&self) -> bool {
        self.value.is_some_and(|value| match self.goal.cmp {
            Cmp::AtMost => value <= self.goal.target,
            Cmp::Below => value < self.goal.target,
            Cmp::AtLeast => value >= self.goal.target,
        })
    }

    /// The target as the report shows it: `<= 1.5`.
    pub fn target(&self) -> String {
        format!("{} {}", self.goal.cmp, self.goal.target)
    }
}

/// Every goal, measured or missing, in the order of [`GOALS`].
pub fn score(measured: &Measured) -> Vec<Scored> {
    GOALS
        .iter()
        .map(|goal| Scored {
            goal,
            value: value(goal.key, measured),
        })
        .collect()
}

/// The value of the goal `key` in this run; `None` when the run lacks a
/// figure it needs (P7 and P8 without an Extism peer, a case that did not
/// run) or the figures give no finite number.
pub fn value(key: &str, measured: &Measured) -> Option<f64> {
    let Measured {
        extism_steady,
        latency,
        starts,
        memory,
        throughput,
        languages,
        ..
    } = measured;
    let us = |name: &str| Some(latency.get(name)?.median_us());
    let ms = |name: &str| Some(starts.get(name)?.median_us() / 1000.0);
    // A pipe round trip is bimodal here: with or without a cross-CPU wake-up
    // of tens of µs, and a whole run can stay in the slow mode. The baselines
    // therefore use the pipe at its best (its fastest sample), against
    // Airlock's median: the stricter comparison. The small-message baseline
    // is the faster of the 16 B and 1 KiB echoes. P3_median holds the 1 MiB
    // round trip against the pipe's median too.
    let raw_best = |name: &str| Some(latency.get(name)?.min_us());
    let raw_small = || Some(raw_best("raw pipe echo 16 B")?.min(raw_best("raw pipe echo 1 KiB")?));
    // Extism at its steady best: its fastest block, alone in its process.
    let steady_best = |name: &str| Some(extism_steady.get(name)?.best_us());
    let number = |v: &Value| v.as_f64();
    let value = match key {
        "P1" => us("airlock no-op")? / raw_small()?,
        "P2" => us("airlock nested call")? / raw_small()?,
        "P3" => {
            us("airlock echo 1 MiB")?
                / (raw_best("raw pipe echo 1 MiB")? + us("in-process echo 1 MiB")?)
        }
        "P3_median" => {
            us("airlock echo 1 MiB")? / (us("raw pipe echo 1 MiB")? + us("in-process echo 1 MiB")?)
        }
        "P4" => ms("airlock, cached artifact")? / ms("bare spawn + echo")?,
        "P4_warm_pool" => ms("airlock, warm pool")? / ms("bare spawn + echo")?,
        "P5_alive" => number(&memory["alive"])?,
        "P5_pss" => number(&memory["pss_mib_median"])?,
        "P5_start_s" => number(&memory["seconds_to_start_all"])?,
        "P6" => {
            number(&throughput["airlock_calls_per_sec"])?
                / number(&throughput["raw_echo_calls_per_sec"])?
        }
        "P7" => us("airlock no-op")? / steady_best("extism no-op")?,
        "P7_interleaved" => us("airlock no-op")? / us("extism no-op")?,
        "P8" => us("airlock echo 1 MiB")? / steady_best("extism echo 1 MiB")?,
        "P8_interleaved" => us("airlock echo 1 MiB")? / us("extism echo 1 MiB")?,
        "P9" => us("airlock no-op")? / us("in-process no-op")?,
        "P10_js_start" => number(&languages["js"]["cached_start_ms"]["median"])?,
        "P10_js_pss" => number(&languages["js"]["memory"]["pss_mib_median"])?,
        "P10_python_start" => number(&languages["python"]["cached_start_ms"]["median"])?,
        "P10_python_pss" => number(&languages["python"]["memory"]["pss_mib_median"])?,
        other => panic!("goal {other} is in GOALS but has no value"),
    };
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::extism::{Steady, SteadyCase};
    use crate::measure::{Figures, Summary};

    fn summary(us: &[f64]) -> Summary {
        Summary::of(
            us.iter()
                .map(|&u| Duration::from_secs_f64(u / 1e6))
                .collect(),
        )
    }

    fn figures(cases: &[(&str, &[f64])]) -> Figures {
        Figures(
            cases
                .iter()
                .map(|&(n, us)| (n.to_string(), summary(us)))
                .collect(),
        )
    }

    /// A run whose medians and bests differ everywhere, so that a goal
    /// reading the wrong statistic gets another value.
    fn run() -> Measured {
        Measured {
            extism_steady: Steady(vec![
                SteadyCase {
                    name: "extism no-op".into(),
                    calls_per_block: 2000,
                    blocks: summary(&[8.0, 9.0, 30.0]),
                },
                SteadyCase {
                    name: "extism echo 1 MiB".into(),
                    calls_per_block: 10,
                    blocks: summary(&[1600.0, 1800.0, 4000.0]),
                },
            ]),
            latency: figures(&[
                ("raw pipe echo 16 B", &[10.0, 40.0, 50.0]),
                ("raw pipe echo 1 KiB", &[12.0, 45.0, 55.0]),
                ("airlock no-op", &[1.0, 2.0, 9.0]),
                ("airlock nested call", &[2.0, 3.0, 9.0]),
                ("in-process no-op", &[0.25, 0.5, 1.0]),
                ("extism no-op", &[20.0, 30.0, 50.0]),
                ("extism echo 1 MiB", &[1500.0, 2400.0, 3000.0]),
                ("raw pipe echo 1 MiB", &[500.0, 1000.0, 3000.0]),
                ("in-process echo 1 MiB", &[100.0, 200.0, 400.0]),
                ("airlock echo 1 MiB", &[600.0, 900.0, 2000.0]),
            ]),
            image: Figures(Vec::new()),
            starts: figures(&[
                ("bare spawn + echo", &[1000.0, 2000.0, 5000.0]),
                ("airlock, cached artifact", &[1000.0, 1800.0, 3000.0]),
                ("airlock, warm pool", &[50.0, 80.0, 300.0]),
            ]),
            start_steps: Vec::new(),
            memory: json!({
                "alive": 1000,
                "rss_mib_median": 9.5,
                "pss_mib_median": 1.2,
                "seconds_to_start_all": 4.2,
            }),
            throughput: json!({"airlock_calls_per_sec": 300.0, "raw_echo_calls_per_sec": 150.0}),
            languages: json!({}),
        }
    }

    fn value_of(key: &str, measured: &Measured) -> f64 {
        value(key, measured).unwrap_or_else(|| panic!("{key} missing"))
    }

    fn assert_near(key: &str, got: f64, want: f64) {
        assert!((got - want).abs() < 1e-9, "{key}: {got}, want {want}");
    }

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
            value: Some(value),
        };
        assert!(at("P1", 1.0).met() && !at("P1", 1.01).met());
        assert!(at("P5_alive", 1000.0).met() && !at("P5_alive", 999.0).met());
        assert!(at("P5_start_s", 4.99).met() && !at("P5_start_s", 5.0).met());
        assert_eq!(at("P2", 0.0).target(), "<= 1.5");
        assert_eq!(at("P5_alive", 0.0).target(), ">= 1000");
        assert_eq!(at("P5_start_s", 0.0).target(), "< 5");
    }

    #[test]
    fn p3_uses_the_pipes_best_and_p3_median_its_median() {
        let run = run();
        // Airlock's median 900 µs against the pipe's best 500 or median 1000,
        // plus the in-process median 200.
        assert_near("P3", value_of("P3", &run), 900.0 / (500.0 + 200.0));
        assert_near(
            "P3_median",
            value_of("P3_median", &run),
            900.0 / (1000.0 + 200.0),
        );
    }

    #[test]
    fn p7_and_p8_use_extisms_best_block_and_their_interleaved_rows_its_median() {
        let run = run();
        assert_near("P7", value_of("P7", &run), 2.0 / 8.0);
        assert_near(
            "P7_interleaved",
            value_of("P7_interleaved", &run),
            2.0 / 30.0,
        );
        assert_near("P8", value_of("P8", &run), 900.0 / 1600.0);
        assert_near(
            "P8_interleaved",
            value_of("P8_interleaved", &run),
            900.0 / 2400.0,
        );
    }

    #[test]
    fn the_other_goals_read_the_medians_and_the_alive_figures() {
        let run = run();
        assert_near("P1", value_of("P1", &run), 2.0 / 10.0);
        assert_near("P4", value_of("P4", &run), 1.8 / 2.0);
        assert_near("P4_warm_pool", value_of("P4_warm_pool", &run), 0.08 / 2.0);
        assert_near("P9", value_of("P9", &run), 2.0 / 0.5);
        assert_near("P5_alive", value_of("P5_alive", &run), 1000.0);
        assert_near("P5_pss", value_of("P5_pss", &run), 1.2);
        assert_near("P5_start_s", value_of("P5_start_s", &run), 4.2);
        assert_near("P6", value_of("P6", &run), 2.0);
    }

    #[test]
    fn a_goal_without_its_figures_is_missing_and_not_met() {
        let mut run = run();
        run.extism_steady = Steady(Vec::new());
        run.latency
            .0
            .retain(|(name, _)| !name.starts_with("extism"));
        run.memory = json!({"alive": 1000, "pss_mib_median": null});
        // A case with no samples gives no number either.
        run.starts
            .0
            .push(("airlock, warm pool".into(), summary(&[])));
        run.starts.0.swap_remove(2);
        let scored = score(&run);
        assert_eq!(scored.len(), GOALS.len(), "every goal is reported");
        let missing: Vec<&str> = scored
            .iter()
            .filter(|s| s.value.is_none())
            .map(|s| s.goal.key)
            .collect();
        assert_eq!(
            missing,
            [
                "P4_warm_pool",
                "P5_pss",
                "P5_start_s",
                "P7",
                "P7_interleaved",
                "P8",
                "P8_interleaved",
                "P10_js_start",
                "P10_js_pss",
                "P10_python_start",
                "P10_python_pss",
            ]
        );
        assert!(
            scored
                .iter()
                .filter(|s| s.value.is_none())
                .all(|s| !s.met())
        );
        // An at-least goal is not met by a missing figure either.
        run.memory = json!({});
        assert!(
            !score(&run)
                .iter()
                .find(|s| s.goal.key == "P5_alive")
                .unwrap()
                .met()
        );
    }
}
