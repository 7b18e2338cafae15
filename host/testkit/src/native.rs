//! Native attacks, made with raw system calls from inside a locked-down runner
//! (the test runner's `after_lock_down` hook), for plugins named
//! `native:<attack>`: Linux's system calls (`platform/native_unix.rs`);
//! none on Windows yet.
//!
//! Each attack prints one line to stderr and exits: `refused: <errno>` when the
//! kernel said no, `ESCAPED: <what>` when the call worked. A seccomp kill
//! (SIGSYS) prints nothing. The host reads the outcome from the runner's exit.

pub use crate::platform::{ARTIFACT_ATTACKS, ATTACKS, attack};
