//! Timing: interleaved rounds of batches, summarised by percentiles.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

/// Per-call times of one case, one sample per round.
#[derive(Debug, Clone)]
pub struct Summary {
    sorted: Vec<Duration>,
}

impl Summary {
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self { sorted: samples }
    }

    fn percentile_us(&self, p: f64) -> f64 {
        if self.sorted.is_empty() {
            return f64::NAN;
        }
        let i = ((self.sorted.len() - 1) as f64 * p).round() as usize;
        self.sorted[i].as_secs_f64() * 1e6
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn min_us(&self) -> f64 {
        self.percentile_us(0.0)
    }

    pub fn median_us(&self) -> f64 {
        self.percentile_us(0.5)
    }

    pub fn p10_us(&self) -> f64 {
        self.percentile_us(0.1)
    }

    pub fn p90_us(&self) -> f64 {
        self.percentile_us(0.9)
    }

    pub fn to_json(&self) -> Value {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        json!({"min": r(self.min_us()), "median": r(self.median_us()), "p10": r(self.p10_us()), "p90": r(self.p90_us()), "samples": self.sorted.len()})
    }

    pub fn to_json_ms(&self) -> Value {
        let r = |x: f64| (x / 1e3 * 1000.0).round() / 1000.0;
        json!({"median": r(self.median_us()), "p10": r(self.p10_us()), "p90": r(self.p90_us()), "samples": self.sorted.len()})
    }
}

/// How a case is run.
pub enum Run {
    /// One call, timed here.
    Local(Box<dyn FnMut() -> Result<()>>),
    /// A batch of this many calls timed by another process (the Extism
    /// peer), which returns the time per call.
    Remote(Box<dyn FnMut(usize) -> Result<Duration>>),
}

/// A case run here.
pub fn local(call: impl FnMut() -> Result<()> + 'static) -> Run {
    Run::Local(Box::new(call))
}

/// A named case, how many calls make one timed batch, and how to run it.
pub type Case = (String, usize, Run);

/// Runs every case's batch in turn, `rounds` times (plus one warm-up round
/// that is not kept), so that all cases see the same machine conditions.
/// Each sample is a batch's time divided by its calls.
pub fn interleave(cases: &mut [Case], rounds: usize) -> Result<Vec<(String, Summary)>> {
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for round in 0..=rounds {
        for (i, (name, batch, run)) in cases.iter_mut().enumerate() {
            let per_call = match run {
                Run::Local(call) => {
                    let started = Instant::now();
                    for _ in 0..*batch {
                        call().with_context(|| format!("case `{name}`"))?;
                    }
                    started.elapsed() / *batch as u32
                }
                Run::Remote(batch_of) => {
                    batch_of(*batch).with_context(|| format!("case `{name}`"))?
                }
            };
            if round > 0 {
                samples[i].push(per_call);
            }
        }
    }
    Ok(cases
        .iter()
        .zip(samples)
        .map(|((name, _, _), s)| (name.clone(), Summary::of(s)))
        .collect())
}

/// `x` to three decimals, as every figure is reported.
pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Named summaries, in the order measured.
pub struct Figures(pub Vec<(String, Summary)>);

impl Figures {
    pub fn get(&self, name: &str) -> Option<&Summary> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, Summary)> {
        self.0.iter()
    }
}

impl std::ops::Index<&str> for Figures {
    type Output = Summary;
    fn index(&self, name: &str) -> &Summary {
        &self
            .0
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no figure named {name}"))
            .1
    }
}
