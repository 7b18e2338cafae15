//! The host's platform interface on POSIX systems other than Linux
//! (macOS): no zygote, no sealed memory files, no `openat2`.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::OFlags;
use rustix::io::Errno;

use crate::Layer;

/// macOS's Seatbelt profile. Other Unixes have no confinement of their own
/// here, so by default no plugin starts there (`Error::SandboxUnavailable`)
/// until the host requires less.
pub(super) const CONFINEMENT: &[Layer] = &[Layer::Seatbelt];

/// Seatbelt and rlimits on macOS; rlimits on other Unixes.
pub(super) const LAYERS: &[Layer] = if cfg!(target_vendor = "apple") {
    &[Layer::Seatbelt, Layer::Rlimits]
} else {
    &[Layer::Rlimits]
};

pub(crate) use super::no_zygote::{ForkedRunner, Zygotes};
pub(super) use super::no_zygote::{fork_runner, forked_killer, zygotes};

pub(super) fn sealable_memory_file(_name: &str) -> io::Result<OwnedFd> {
    // macOS's memory objects cannot be sealed against a runner's writes.
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no sealable memory files on this system",
    ))
}

pub(super) fn seal(_fd: BorrowedFd<'_>) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no sealable memory files on this system",
    ))
}

pub(super) fn open_beneath(
    _dir: BorrowedFd<'_>,
    _name: &Path,
    _flags: OFlags,
) -> Result<OwnedFd, Errno> {
    Err(Errno::NOSYS)
}
