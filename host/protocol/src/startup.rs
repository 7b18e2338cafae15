//! When a runner reached each step of its start, reported in
//! [`FromRunner::Ready`](crate::FromRunner::Ready) so that the host can say
//! where a start's time went.
//!
//! Every mark is a reading of `CLOCK_MONOTONIC` in nanoseconds, the clock
//! the host reads too (the runner enters no time namespace), so runner and
//! host marks fall on one time line. A runner is hostile: the host uses the
//! marks for nothing but this report, and drops them unless they are in
//! order and inside its own window of the start.

use serde::{Deserialize, Serialize};

/// The runner's steps, in the order it takes them; 0 for a step not taken
/// (a runner without lock-down enters no namespaces).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerMarks {
    /// The runner's own code began: the fork returned in the child, or the
    /// exec'd program's `main` ran.
    pub began: u64,
    /// The `Hello` (and the code it carries) was read.
    pub hello: u64,
    /// User, mount, IPC, UTS and network namespaces entered.
    pub namespaces: u64,
    /// The WASI context was built, the rings mapped.
    pub wasi: u64,
    /// Landlock restricts the process.
    pub landlock: u64,
    /// The engine was made.
    pub engine: u64,
    /// The code was loaded: an artifact mapped, or a component compiled.
    pub loaded: u64,
    /// The component was instantiated and its start functions ran.
    pub instantiated: u64,
    /// wasmtime-wasi's tokio runtime and its threads exist.
    pub tokio: u64,
    /// rlimits, capabilities, `no_new_privs` and seccomp are on; `Ready` is next.
    pub locked: u64,
}

impl RunnerMarks {
    /// The steps by name, in order.
    pub fn steps(&self) -> [(&'static str, u64); 10] {
        [
            ("began", self.began),
            ("hello", self.hello),
            ("namespaces", self.namespaces),
            ("wasi", self.wasi),
            ("landlock", self.landlock),
            ("engine", self.engine),
            ("loaded", self.loaded),
            ("instantiated", self.instantiated),
            ("tokio", self.tokio),
            ("locked", self.locked),
        ]
    }
}

/// The machine's monotonic clock now, in nanoseconds (`CLOCK_MONOTONIC`
/// on POSIX systems).
pub fn monotonic_now() -> u64 {
    crate::platform::monotonic_now()
}
