//! Where a start's time goes: the points of many runner starts'
//! [`StartupTimeline`]s, each at its median time after the host asked for
//! the runner, in that order, with the time from the point before.

use airlock::StartupTimeline;
use serde_json::{Value, json};

/// One point: its name, its median time after the request, and the step
/// from the point before it (a difference of medians), in µs.
pub struct Point {
    pub name: &'static str,
    pub at_us: f64,
    pub step_us: f64,
}

/// The median point of each name across `timelines`, in time order; points
/// missing from some timelines (a runner's marks that were dropped) are
/// taken over the timelines that have them.
pub fn breakdown(timelines: &[StartupTimeline]) -> Vec<Point> {
    let mut names: Vec<&'static str> = Vec::new();
    for timeline in timelines {
        for (name, _) in timeline.points() {
            if !names.contains(name) {
                names.push(name);
            }
        }
    }
    let mut points: Vec<Point> = names
        .into_iter()
        .map(|name| {
            let mut at: Vec<f64> = timelines
                .iter()
                .flat_map(|t| t.points().iter().filter(|(n, _)| *n == name))
                .map(|(_, d)| d.as_secs_f64() * 1e6)
                .collect();
            at.sort_by(f64::total_cmp);
            Point {
                name,
                at_us: at[at.len() / 2],
                step_us: 0.0,
            }
        })
        .collect();
    points.sort_by(|a, b| a.at_us.total_cmp(&b.at_us));
    let mut last = 0.0;
    for point in &mut points {
        point.step_us = point.at_us - last;
        last = point.at_us;
    }
    points
}

pub fn print(title: &str, points: &[Point]) {
    println!();
    println!("{title:<34} {:>12} {:>12}", "at (median)", "step");
    for p in points {
        println!("{:<34} {:>10.0}µs {:>10.0}µs", p.name, p.at_us, p.step_us);
    }
}

pub fn to_json(points: &[Point]) -> Value {
    Value::Array(
        points
            .iter()
            .map(|p| json!({"point": p.name, "at_us": p.at_us.round(), "step_us": p.step_us.round()}))
            .collect(),
    )
}
