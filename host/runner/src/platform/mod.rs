//! What the runner needs from its operating system besides the lock-down
//! (`lockdown/`) and its backend (`backend/`), behind one small interface,
//! one module per system: a compile child that dies with its runner, and
//! sealed artifacts. With those two and the module list in `lib.rs`, the
//! only place in the runner that names a system.

use std::os::fd::BorrowedFd;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(target_os = "linux"))]
mod posix;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(not(target_os = "linux"))]
use posix as os;

/// Makes the calling process (a compile child) die when its parent does,
/// where the system can; elsewhere the runner's deadline kills it.
pub(crate) fn die_with_parent() {
    os::die_with_parent();
}

/// Checks that `fd` is a memory file that can no longer change — written,
/// grown, shrunk or have its seals lifted — before an artifact in it is
/// trusted. The error names what is missing; a system without sealed
/// memory files refuses every such artifact (its host sends the bytes).
pub fn check_sealed(fd: BorrowedFd<'_>) -> Result<(), String> {
    os::check_sealed(fd)
}
