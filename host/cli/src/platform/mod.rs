//! What the CLI needs of its system, one module per system: Ctrl-C for
//! `airlock dev`, the default SIGPIPE of a Unix tool, and whether two
//! paths are the same file.

use std::path::Path;
use std::sync::atomic::AtomicBool;

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
use unix as os;
#[cfg(windows)]
use windows as os;

/// Sets `stop` on the first Ctrl-C (or SIGTERM); a second one ends the
/// process at once, as usual.
pub(crate) fn catch_stop(stop: &'static AtomicBool) {
    os::catch_stop(stop);
}

/// Ends quietly when the reader of stdout goes away (`airlock inspect … |
/// head`), as Unix tools do (Rust ignores SIGPIPE); nothing where there
/// are no signals.
pub(crate) fn quiet_broken_pipe() {
    os::quiet_broken_pipe();
}

/// Whether `a` and `b` name the same file (through any link).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    os::same_file(a, b)
}
