//! The Linux side of the host's platform interface.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{MemfdFlags, Mode, OFlags, ResolveFlags, SealFlags};
use rustix::io::Errno;

use crate::Layer;

pub(crate) use crate::forked_runner::ForkedRunner;
pub(crate) use crate::zygote::Zygotes;

/// seccomp's allow-list, and `no_new_privs`, which it needs.
pub(super) const CONFINEMENT: &[Layer] = &[Layer::Seccomp, Layer::NoNewPrivs];

pub(super) fn zygotes(program: &Path) -> Option<Zygotes> {
    Some(Zygotes::new(program.to_path_buf()))
}

pub(super) fn sealable_memory_file(name: &str) -> io::Result<OwnedFd> {
    Ok(rustix::fs::memfd_create(
        name,
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )?)
}

pub(super) fn seal(fd: BorrowedFd<'_>) -> io::Result<()> {
    rustix::fs::fcntl_add_seals(
        fd,
        SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL,
    )?;
    Ok(())
}

pub(super) fn open_beneath(
    dir: BorrowedFd<'_>,
    name: &Path,
    flags: OFlags,
) -> Result<OwnedFd, Errno> {
    let how = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    match rustix::fs::openat2(dir, name, flags, Mode::empty(), how) {
        // Kernels before 5.6, or a seccomp profile that hides it.
        Err(Errno::PERM) => Err(Errno::NOSYS),
        other => other,
    }
}
