//! The Linux side of the host's platform interface.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use airlock_protocol::Stream;

use rustix::fs::{MemfdFlags, Mode, OFlags, ResolveFlags, SealFlags};
use rustix::io::Errno;

use crate::Layer;

pub(crate) use crate::forked_runner::ForkedRunner;
pub(crate) use crate::zygote::Zygotes;

/// seccomp's allow-list, and `no_new_privs`, which it needs.
pub(super) const CONFINEMENT: &[Layer] = &[Layer::Seccomp, Layer::NoNewPrivs];

/// Linux's layers (`lockdown/linux.rs` in the runner).
pub(super) const LAYERS: &[Layer] = &[
    Layer::Seccomp,
    Layer::Landlock,
    Layer::NoNewPrivs,
    Layer::NotDumpable,
    Layer::ParentDeathSignal,
    Layer::CapabilitiesDropped,
    Layer::Rlimits,
    Layer::UserNamespace,
    Layer::NetworkNamespace,
    Layer::IpcNamespace,
    Layer::UtsNamespace,
    Layer::MountNamespace,
    Layer::Cgroup,
];

pub(super) fn zygotes(program: &Path) -> Option<Zygotes> {
    Some(Zygotes::new(program.to_path_buf()))
}

pub(super) fn fork_runner(
    zygote: &Zygotes,
    plugin: &str,
    network: bool,
    inherit: &[super::Inherit<'_>],
) -> Option<io::Result<(ForkedRunner, Stream, super::StderrSource)>> {
    let made = super::unix::runner_socket_pair()
        .and_then(|pair| Ok((pair, airlock_protocol::cloexec_pipe()?)));
    let ((host_end, runner_end), (stderr_read, stderr_write)) = match made {
        Ok(made) => made,
        Err(e) => return Some(Err(e)),
    };
    let forked = zygote.spawn(
        plugin,
        network,
        runner_end.as_fd(),
        stderr_write.as_fd(),
        inherit,
    )?;
    Some(forked.map(|runner| {
        let stderr: super::StderrSource = Box::new(std::fs::File::from(stderr_read));
        (runner, host_end, stderr)
    }))
}

pub(super) fn forked_killer(runner: &ForkedRunner) -> super::Killer {
    super::unix::Killer(runner.id())
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
