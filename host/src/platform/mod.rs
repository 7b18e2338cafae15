//! What the host needs from its operating system besides the channel's
//! own (`airlock_protocol`'s platform module), behind one small interface,
//! one module per system. With the module list in `lib.rs`, the only place
//! in the host that names a system (`docs/platforms.md`).
//!
//! - `unix`: what every POSIX system shares: a runner exec'd with exactly
//!   its descriptors, the rings, exit signals, private files and folders,
//!   preopens as descriptors, granted files (`granted_unix.rs`) and sealed
//!   artifacts (`sealed.rs`, sealed on Linux only).
//! - `linux`, `posix`: the zygote and its forked runners, memfd seals and
//!   `openat2` (Linux), or none of them (other POSIX systems).
//! - `no_zygote`: the zygote's types without values, where there is none.
//! - `windows`: a runner started confined (`airlock-platform`'s
//!   `windows_process`) and reached by a named pipe; no zygote, rings,
//!   preopens, granted folders or sealed artifacts yet.

use std::fs::{DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;
use std::process::ExitStatus;

use airlock_protocol::{Stream, Wake};

use crate::granted_file::GrantedFileError;

#[cfg(unix)]
mod granted_unix;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(target_os = "linux"))]
mod no_zygote;
#[cfg(all(unix, not(target_os = "linux")))]
mod posix;
#[cfg(unix)]
mod sealed;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(all(unix, not(target_os = "linux")))]
use posix as os;
#[cfg(unix)]
use unix as family;
#[cfg(windows)]
use windows as os;
#[cfg(windows)]
use windows as family;

/// The layers that confine a runner's system calls here, which
/// [`crate::Layer::DEFAULT_REQUIRED`] requires.
pub(crate) const CONFINEMENT: &[crate::Layer] = os::CONFINEMENT;

/// Every layer a runner can have on this system; a report of any other
/// is dropped.
pub(crate) const LAYERS: &[crate::Layer] = os::LAYERS;

/// The Linux backend's zygote, and a runner it forked (held by its pidfd);
/// types without values where the system has no such backend.
pub(crate) use os::{ForkedRunner, Zygotes};

/// A runner started by an exec (POSIX) or by `CreateProcess` (Windows);
/// an artifact in a sealed memory file; what identifies a cache file's
/// contents without reading them; the shared rings offered to a runner and
/// its two ends once taken (types without values where there are none).
pub(crate) use family::{
    ExecRunner, FileIdentity, RingOffer, RingReader, RingWriter, SealedArtifact,
};

/// What a runner inherits: a descriptor (POSIX) or a handle (Windows).
#[cfg(unix)]
pub(crate) type Inherit<'a> = std::os::fd::BorrowedFd<'a>;
/// What a runner inherits: a descriptor (POSIX) or a handle (Windows).
#[cfg(windows)]
pub(crate) type Inherit<'a> = std::os::windows::io::BorrowedHandle<'a>;

/// A preopened folder as the host opened it for a runner.
#[cfg(unix)]
pub(crate) type OwnedDir = std::os::fd::OwnedFd;
/// A preopened folder as the host opened it for a runner.
#[cfg(windows)]
pub(crate) type OwnedDir = std::os::windows::io::OwnedHandle;

/// What a runner's stderr is read from.
pub(crate) type StderrSource = Box<dyn Read + Send>;

/// The zygote for `program`, where the system has one (never started
/// before its first use).
pub(crate) fn zygotes(program: &Path) -> Option<Zygotes> {
    os::zygotes(program)
}

/// Forks a runner for `plugin` from `zygote` with `inherit` from
/// descriptor 4 on; `None` when the zygote cannot (the caller execs).
pub(crate) fn fork_runner(
    zygote: &Zygotes,
    plugin: &str,
    network: bool,
    inherit: &[Inherit<'_>],
) -> Option<io::Result<(ForkedRunner, Stream, StderrSource)>> {
    os::fork_runner(zygote, plugin, network, inherit)
}

/// Starts `program` as a runner for `plugin` with exactly `inherit` (from
/// descriptor 4 on, POSIX), its stderr piped back, and the host's end of
/// its control channel; `memory` is the policy's guest memory cap.
pub(crate) fn exec_runner(
    program: &Path,
    plugin: &str,
    memory: u64,
    inherit: &[Inherit<'_>],
) -> io::Result<(ExecRunner, Stream, StderrSource)> {
    family::exec_runner(program, plugin, memory, inherit)
}

/// Clears each layer a runner claimed that the system does not confirm
/// of process `pid` (`/proc/<pid>/status` on Linux).
pub(crate) fn verify_layers(pid: u32, layers: &mut airlock_protocol::SandboxLayers) {
    family::verify_layers(pid, layers)
}

/// What the host itself confirms of an exec'd runner's layers (its Job
/// object, on Windows), overriding the runner's own report.
pub(crate) fn confirm_exec_layers(
    runner: &ExecRunner,
    layers: &mut airlock_protocol::SandboxLayers,
) {
    family::confirm_exec_layers(runner, layers)
}

/// Both ends of a channel within this process (a runner on a thread).
pub(crate) fn stream_pair() -> io::Result<(Stream, Stream)> {
    Stream::pair()
}

/// Hangs up `stream` both ways, so that the peer's next read ends.
pub(crate) fn hang_up(stream: &Stream) {
    family::hang_up(stream)
}

/// The signal that ended a process, where the system has signals.
pub(crate) fn exit_signal(status: &ExitStatus) -> Option<i32> {
    family::exit_signal(status)
}

/// The signal seccomp kills a process with, where there is one.
pub(crate) const SECCOMP_SIGNAL: Option<i32> = family::SECCOMP_SIGNAL;

/// How an abort kills a runner: its pid where a child's pid cannot be
/// reused before it is reaped (POSIX), a handle to its process elsewhere
/// (a Windows runner could refuse a kill by pid).
pub(crate) use family::Killer;

/// The killer of an exec'd runner (`None` if none could be made: the
/// runner then ends at its deadline).
pub(crate) fn exec_killer(runner: &ExecRunner) -> Option<Killer> {
    family::exec_killer(runner)
}

/// The killer of a runner the zygote forked.
pub(crate) fn forked_killer(runner: &ForkedRunner) -> Killer {
    os::forked_killer(runner)
}

/// Shared rings to offer a runner, and what it inherits to map them;
/// an error where the system has none (frames stay on the channel).
pub(crate) fn offer_rings(wake: Wake) -> io::Result<RingOffer> {
    family::offer_rings(wake)
}

/// What the runner inherits to map `offer`.
pub(crate) fn ring_inherit(offer: &RingOffer) -> Inherit<'_> {
    family::ring_inherit(offer)
}

/// This side's ends of the rings of `offer`, which the runner took;
/// `stream` is the channel, watched for the runner hanging up.
pub(crate) fn take_rings(
    offer: &RingOffer,
    stream: &Stream,
) -> io::Result<(RingReader, RingWriter)> {
    family::take_rings(offer, stream)
}

/// What a runner inherits to map `artifact`.
pub(crate) fn artifact_inherit(artifact: &SealedArtifact) -> Inherit<'_> {
    family::artifact_inherit(artifact)
}

/// Opens the folder at `path` to preopen for a runner.
pub(crate) fn open_dir(path: &Path) -> io::Result<OwnedDir> {
    family::open_dir(path)
}

/// What a runner inherits for the preopened folder `dir`.
pub(crate) fn dir_inherit(dir: &OwnedDir) -> Inherit<'_> {
    family::dir_inherit(dir)
}

/// Opens `path` for reading without blocking on it (a FIFO planted under
/// the name would otherwise hang the host), not as a controlling terminal.
pub(crate) fn open_without_blocking(path: &Path) -> io::Result<File> {
    family::open_without_blocking(path)
}

/// Makes files that `options` creates readable by this user only.
pub(crate) fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    family::private_file(options)
}

/// Makes folders that `builder` creates this user's only.
pub(crate) fn private_dir(builder: &mut DirBuilder) -> &mut DirBuilder {
    family::private_dir(builder)
}

/// Refuses a file other users can read or write (`path` for the advice).
pub(crate) fn check_private(meta: &Metadata, path: &Path) -> Result<(), String> {
    family::check_private(meta, path)
}

/// Whether [`check_private`] can tell a key file only this user reads: an
/// error saying why not where it cannot yet.
pub(crate) fn private_keys_checked() -> Result<(), String> {
    family::private_keys_checked()
}

/// Advice for a spawn that failed with OS error `code`, when a process or
/// descriptor limit is the likely cause.
pub(crate) fn spawn_limit_hint(code: i32) -> Option<String> {
    family::spawn_limit_hint(code)
}

/// Opens `name` (relative, inside `folder`) for reading, following no
/// symbolic link on the way, and only if it is a regular file with one
/// link. `folder` itself is the host's own path and is resolved as usual.
/// What a plugin leaves behind is hostile input: see [`GrantedFileError`].
pub fn open_granted_file(
    folder: impl AsRef<Path>,
    name: impl AsRef<Path>,
) -> Result<File, GrantedFileError> {
    family::open_granted_file(folder.as_ref(), name.as_ref())
}

/// A new memory file that can be sealed against writing, growing,
/// shrinking and further seal changes; `ErrorKind::Unsupported` where the
/// system has none (the artifact cache then sends bytes).
#[cfg(unix)]
pub(crate) fn sealable_memory_file(name: &str) -> io::Result<std::os::fd::OwnedFd> {
    os::sealable_memory_file(name)
}

/// Seals `fd` (from [`sealable_memory_file`]) against every change.
#[cfg(unix)]
pub(crate) fn seal(fd: std::os::fd::BorrowedFd<'_>) -> io::Result<()> {
    os::seal(fd)
}

/// Opens `name` beneath the directory `dir` with `flags`, following no
/// symbolic or magic link, in one call; `Errno::NOSYS` where the system
/// (or kernel) cannot, so that the caller walks the name itself.
#[cfg(unix)]
pub(crate) fn open_beneath(
    dir: std::os::fd::BorrowedFd<'_>,
    name: &Path,
    flags: rustix::fs::OFlags,
) -> Result<std::os::fd::OwnedFd, rustix::io::Errno> {
    os::open_beneath(dir, name, flags)
}
