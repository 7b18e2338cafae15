//! The host's platform interface on POSIX systems other than Linux
//! (macOS): no zygote, no sealed memory files, no `openat2`.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;
use std::process::ExitStatus;

use rustix::fs::OFlags;
use rustix::io::Errno;

use crate::Layer;

/// macOS's Seatbelt profile. Other Unixes have no confinement of their own
/// here, so by default no plugin starts there (`Error::SandboxUnavailable`)
/// until the host requires less.
pub(super) const CONFINEMENT: &[Layer] = &[Layer::Seatbelt];

/// No zygote here: the type has no values.
#[derive(Debug)]
pub(crate) enum Zygotes {}

impl Zygotes {
    pub(crate) fn off_reason(&self) -> Option<String> {
        match *self {}
    }

    pub(crate) fn warm_up(&self) {
        match *self {}
    }

    pub(crate) fn spawn(
        &self,
        _plugin: &str,
        _network: bool,
        _socket: BorrowedFd<'_>,
        _stderr: BorrowedFd<'_>,
        _extra: &[BorrowedFd<'_>],
    ) -> Option<io::Result<ForkedRunner>> {
        match *self {}
    }
}

/// No forked runners here: the type has no values.
#[derive(Debug)]
pub(crate) enum ForkedRunner {}

impl ForkedRunner {
    pub(crate) fn id(&self) -> u32 {
        match *self {}
    }

    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        match *self {}
    }

    pub(crate) fn kill(&mut self) -> io::Result<()> {
        match *self {}
    }

    pub(crate) fn wait(&mut self) -> io::Result<ExitStatus> {
        match *self {}
    }
}

pub(super) fn zygotes(_program: &Path) -> Option<Zygotes> {
    None
}

pub(super) fn fork_runner(
    zygote: &Zygotes,
    _plugin: &str,
    _network: bool,
    _inherit: &[super::Inherit<'_>],
) -> Option<io::Result<(ForkedRunner, airlock_protocol::Stream, super::StderrSource)>> {
    match *zygote {}
}

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
