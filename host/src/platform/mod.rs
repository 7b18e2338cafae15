//! What the host needs from its operating system besides the rings
//! (`airlock_protocol`'s platform module), behind one small interface, one
//! module per system: the Linux backend's zygote and the runners it forks,
//! sealed memory files for compiled artifacts, and opening a name beneath a
//! folder without following links. With the module list in `lib.rs`, the
//! only place in the host that names a system (`docs/platforms.md`).

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::OFlags;
use rustix::io::Errno;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(target_os = "linux"))]
mod posix;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(not(target_os = "linux"))]
use posix as os;

/// The layers that confine a runner's system calls here, which
/// [`crate::Layer::DEFAULT_REQUIRED`] requires.
pub(crate) const CONFINEMENT: &[crate::Layer] = os::CONFINEMENT;

/// The Linux backend's zygote, and a runner it forked (held by its pidfd);
/// types without values where the system has no such backend.
pub(crate) use os::{ForkedRunner, Zygotes};

/// The zygote for `program`, where the system has one (never started
/// before its first use).
pub(crate) fn zygotes(program: &Path) -> Option<Zygotes> {
    os::zygotes(program)
}

/// A new memory file that can be sealed against writing, growing,
/// shrinking and further seal changes; `ErrorKind::Unsupported` where the
/// system has none (the artifact cache then sends bytes).
pub(crate) fn sealable_memory_file(name: &str) -> io::Result<OwnedFd> {
    os::sealable_memory_file(name)
}

/// Seals `fd` (from [`sealable_memory_file`]) against every change.
pub(crate) fn seal(fd: BorrowedFd<'_>) -> io::Result<()> {
    os::seal(fd)
}

/// Opens `name` beneath the directory `dir` with `flags`, following no
/// symbolic or magic link, in one call; `Errno::NOSYS` where the system
/// (or kernel) cannot, so that the caller walks the name itself.
pub(crate) fn open_beneath(
    dir: BorrowedFd<'_>,
    name: &Path,
    flags: OFlags,
) -> Result<OwnedFd, Errno> {
    os::open_beneath(dir, name, flags)
}
