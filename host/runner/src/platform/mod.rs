//! What the runner needs from its operating system besides the lock-down
//! (`lockdown/`) and its backend (`backend/`), behind one small interface,
//! one module per system: the host connection a runner process starts
//! with, the preopened folders, the shared rings, a compile child under
//! limits of its own, and sealed artifacts. With those and the module list
//! in `lib.rs`, the only place in the runner that names a system.
//!
//! - `unix`: what every POSIX system shares: the socket at
//!   [`RUNNER_FD`], preopens from `PREOPEN_FD_BASE`, the rings.
//! - `compile_child`: the compile in a forked child (POSIX).
//! - `mapped`: an artifact in a sealed memfd (POSIX; sealed on Linux only).
//! - `linux`, `posix`: the parent-death signal and the seals check.
//! - `windows`: the host connection as a named pipe; no preopens, rings,
//!   compile child or mapped artifacts yet.

use std::io::{Read, Write};
use std::time::Duration;

use airlock_protocol::{InitFailure, Wake};
use wasmtime::Engine;
use wasmtime::component::Component;

#[cfg(unix)]
mod compile_child;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(unix)]
mod mapped;
#[cfg(all(unix, not(target_os = "linux")))]
mod posix;
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
use windows as family;

/// A preopened folder as the runner was given it, for the lock-down.
#[cfg(unix)]
pub type Dir = std::os::fd::BorrowedFd<'static>;
/// A preopened folder as the runner was given it, for the lock-down.
#[cfg(windows)]
pub type Dir = std::os::windows::io::BorrowedHandle<'static>;

/// The descriptor on which a runner finds its connection to the host, on
/// POSIX systems.
pub const RUNNER_FD: i32 = 3;

/// Both directions of a runner process's connection to its host.
pub(crate) struct HostStreams {
    pub input: Box<dyn Read + Send>,
    pub output: Box<dyn Write + Send>,
    /// The descriptor of the socket, where the rings can be offered on it.
    pub socket_fd: Option<i32>,
}

/// The connection a runner process was started with: the socket at
/// [`RUNNER_FD`] on POSIX systems, on Windows the named pipe the command
/// line names after `runner_arg`. The error says what is wrong with it.
pub(crate) fn connect_to_host(runner_arg: &str) -> Result<HostStreams, String> {
    family::connect_to_host(runner_arg)
}

/// The raw channel a runner process was started with (see
/// [`connect_to_host`]).
pub(crate) fn host_stream(runner_arg: &str) -> Result<airlock_protocol::Stream, String> {
    family::host_stream(runner_arg)
}

/// Preopened folder `index` of the policy, as the host placed it.
pub(crate) fn preopen(index: usize) -> Result<Dir, InitFailure> {
    family::preopen(index)
}

/// The path through which wasmtime-wasi opens preopened folder `index`
/// (the folder's descriptor, never its real path).
pub(crate) fn preopen_path(index: usize) -> Result<String, InitFailure> {
    family::preopen_path(index)
}

/// This side's reader and writer on the shared rings at descriptor
/// `rings_fd`, woken by `wake`, when the host offered them on the socket
/// `socket_fd`; `None` when nothing was offered or this system has none.
#[allow(clippy::type_complexity, reason = "one pair of boxed streams")]
pub(crate) fn take_rings(
    rings_fd: Option<i32>,
    socket_fd: Option<i32>,
    wake: Wake,
) -> Option<std::io::Result<(Box<dyn Read + Send>, Box<dyn Write + Send>)>> {
    family::take_rings(rings_fd, socket_fd, wake)
}

/// Limits of one isolated compile.
#[derive(Debug, Clone, Copy)]
pub struct CompileLimits {
    /// What the runner already holds ([`data_in_use`]); the child's limit
    /// is this plus `memory_bytes`.
    pub baseline_bytes: u64,
    /// The policy's memory cap: what compiling may add.
    pub memory_bytes: u64,
    pub deadline: Duration,
}

/// Data the runner holds before compiling, in bytes, or `None` where the
/// system cannot tell. Read it before the lock-down closes `/proc`.
pub(crate) fn data_in_use() -> Option<u64> {
    family::data_in_use()
}

/// Compiles `bytes` with `engine` under `limits` and returns the
/// serialized component: in a child process on POSIX systems (call with a
/// single thread), in the runner itself on Windows, whose Job object
/// bounds the whole process. See `compile_child`.
pub(crate) fn precompile_isolated(
    engine: &Engine,
    bytes: &[u8],
    limits: CompileLimits,
) -> Result<Vec<u8>, InitFailure> {
    family::precompile_isolated(engine, bytes, limits)
}

/// The component in the sealed memfd at descriptor `fd`, and whether
/// wasmtime maps it itself (rather than a copy).
pub(crate) fn load_mapped(engine: &Engine, fd: i32) -> Result<(Component, bool), InitFailure> {
    family::load_mapped(engine, fd)
}

/// Makes the calling process (a compile child) die when its parent does,
/// where the system can; elsewhere the runner's deadline kills it.
#[cfg(unix)]
pub(crate) fn die_with_parent() {
    os::die_with_parent();
}

/// Checks that `fd` is a memory file that can no longer change — written,
/// grown, shrunk or have its seals lifted — before an artifact in it is
/// trusted. The error names what is missing; a system without sealed
/// memory files refuses every such artifact (its host sends the bytes).
#[cfg(unix)]
pub fn check_sealed(fd: std::os::fd::BorrowedFd<'_>) -> Result<(), String> {
    os::check_sealed(fd)
}
