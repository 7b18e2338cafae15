//! Where a runner start's time went: the host's steps and the runner's, on
//! one time line ([`Plugin::startup`](crate::Plugin::startup)).

use std::time::Duration;

use airlock_protocol::startup::{RunnerMarks, monotonic_now};

/// The host's marks of one start, `CLOCK_MONOTONIC` nanoseconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HostMarks {
    /// The start began (the spawn was asked for).
    pub(crate) requested: u64,
    /// The runner process exists: exec'd, or forked and its pid received.
    pub(crate) spawned: u64,
    /// The `Hello` and its code are written.
    pub(crate) sent: u64,
    /// `Ready` was read.
    pub(crate) ready: u64,
    /// The layers were checked against `/proc` and the policy.
    pub(crate) verified: u64,
}

impl HostMarks {
    pub(crate) fn begin() -> Self {
        Self {
            requested: monotonic_now(),
            ..Self::default()
        }
    }

    pub(crate) fn now() -> u64 {
        monotonic_now()
    }
}

/// One start of a runner, as points in time after the host asked for it,
/// in the order they happened.
///
/// The host's own points are always there. The runner's are there only when
/// they are in the order the runner takes its steps and fall between the
/// host's request and its reading of `Ready`: a runner is not trusted, and
/// its marks serve this report and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupTimeline {
    points: Vec<(&'static str, Duration)>,
    runner_marks: bool,
}

impl StartupTimeline {
    pub(crate) fn new(host: &HostMarks, runner: &RunnerMarks) -> Self {
        let mut marks: Vec<(&'static str, u64)> = vec![
            ("host: spawned", host.spawned),
            ("host: hello sent", host.sent),
            ("host: ready read", host.ready),
            ("host: layers verified", host.verified),
        ];
        let steps: Vec<(&'static str, u64)> = runner
            .steps()
            .into_iter()
            .filter(|(_, at)| *at != 0)
            .collect();
        let in_order = steps.windows(2).all(|w| w[0].1 <= w[1].1);
        let inside = steps
            .iter()
            .all(|(_, at)| (host.requested..=host.ready).contains(at));
        let runner_marks = !steps.is_empty() && in_order && inside;
        if runner_marks {
            marks.extend(steps.into_iter().map(|(name, at)| (runner_name(name), at)));
        }
        marks.retain(|(_, at)| *at >= host.requested);
        marks.sort_by_key(|(_, at)| *at);
        let points = marks
            .into_iter()
            .map(|(name, at)| (name, Duration::from_nanos(at - host.requested)))
            .collect();
        Self {
            points,
            runner_marks,
        }
    }

    /// Each point and how long after the host asked for the runner it came,
    /// earliest first.
    pub fn points(&self) -> &[(&'static str, Duration)] {
        &self.points
    }

    /// Each step: a point and the time since the point before it.
    pub fn steps(&self) -> Vec<(&'static str, Duration)> {
        let mut last = Duration::ZERO;
        self.points
            .iter()
            .map(|&(name, at)| {
                let step = at.saturating_sub(last);
                last = at;
                (name, step)
            })
            .collect()
    }

    /// From the request to the last point.
    pub fn total(&self) -> Duration {
        self.points.last().map_or(Duration::ZERO, |&(_, at)| at)
    }

    /// Whether the runner's own marks were usable and are among the points.
    pub fn has_runner_marks(&self) -> bool {
        self.runner_marks
    }
}

fn runner_name(step: &'static str) -> &'static str {
    match step {
        "began" => "runner: began",
        "hello" => "runner: hello read",
        "namespaces" => "runner: namespaces entered",
        "wasi" => "runner: wasi built",
        "landlock" => "runner: landlock on",
        "engine" => "runner: engine made",
        "loaded" => "runner: code loaded",
        "instantiated" => "runner: instantiated",
        "tokio" => "runner: tokio threads started",
        "locked" => "runner: locked down",
        _ => "runner: step",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> HostMarks {
        HostMarks {
            requested: 1_000,
            spawned: 2_000,
            sent: 3_000,
            ready: 9_000,
            verified: 9_500,
        }
    }

    fn runner() -> RunnerMarks {
        RunnerMarks {
            began: 1_500,
            hello: 3_500,
            namespaces: 4_000,
            wasi: 4_100,
            landlock: 4_200,
            engine: 4_300,
            loaded: 5_000,
            instantiated: 6_000,
            tokio: 7_000,
            locked: 8_000,
        }
    }

    #[test]
    fn host_and_runner_points_interleave_in_time_order() {
        let timeline = StartupTimeline::new(&host(), &runner());
        assert!(timeline.has_runner_marks());
        let names: Vec<_> = timeline.points().iter().map(|(n, _)| *n).collect();
        assert_eq!(names[0], "runner: began");
        assert_eq!(names[1], "host: spawned");
        assert_eq!(names[3], "runner: hello read");
        assert_eq!(*names.last().unwrap(), "host: layers verified");
        assert_eq!(timeline.total(), Duration::from_nanos(8_500));
        let steps = timeline.steps();
        assert_eq!(steps[0], ("runner: began", Duration::from_nanos(500)));
        let sum: Duration = steps.iter().map(|(_, d)| *d).sum();
        assert_eq!(sum, timeline.total());
    }

    #[test]
    fn runner_marks_out_of_order_or_outside_the_window_are_dropped() {
        let mut backwards = runner();
        backwards.loaded = 4_000;
        let mut early = runner();
        early.began = 10;
        let mut late = runner();
        late.locked = 9_001;
        for marks in [backwards, early, late, RunnerMarks::default()] {
            let timeline = StartupTimeline::new(&host(), &marks);
            assert!(!timeline.has_runner_marks(), "{marks:?}");
            assert_eq!(timeline.points().len(), 4);
            assert!(
                timeline
                    .points()
                    .iter()
                    .all(|(n, _)| n.starts_with("host:"))
            );
        }
    }

    #[test]
    fn steps_a_runner_skipped_are_left_out() {
        let mut marks = runner();
        marks.namespaces = 0;
        marks.landlock = 0;
        let timeline = StartupTimeline::new(&host(), &marks);
        assert!(timeline.has_runner_marks());
        assert_eq!(timeline.points().len(), 12);
    }
}
