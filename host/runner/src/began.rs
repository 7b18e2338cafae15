//! When this runner's own code began, for the first of its start-up marks
//! ([`airlock_protocol::startup::RunnerMarks::began`]).

use std::sync::atomic::{AtomicU64, Ordering};

static BEGAN: AtomicU64 = AtomicU64::new(0);

/// Notes that the runner began now: in a forked child as the fork returns,
/// in an exec'd runner first thing in its entry point.
pub(crate) fn mark() {
    BEGAN.store(
        airlock_protocol::startup::monotonic_now(),
        Ordering::Relaxed,
    );
}

/// When the runner began, or `now` when nothing marked it (a runner loop
/// on a thread of the host, in tests).
pub(crate) fn began_or(now: u64) -> u64 {
    match BEGAN.load(Ordering::Relaxed) {
        0 => now,
        began => began,
    }
}
