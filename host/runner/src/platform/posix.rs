//! The runner's platform interface on POSIX systems other than Linux
//! (macOS): no sealed memory files, no parent-death signal.

use std::os::fd::BorrowedFd;

pub(super) fn die_with_parent() {}

pub(super) fn check_sealed(_fd: BorrowedFd<'_>) -> Result<(), String> {
    Err("sealed memory files are Linux's: this system's host sends an artifact's bytes instead; refused".into())
}
