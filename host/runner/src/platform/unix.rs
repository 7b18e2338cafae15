//! What every POSIX system gives a runner process: its socket at
//! [`RUNNER_FD`](super::RUNNER_FD), the preopened folders as descriptors from
//! [`PREOPEN_FD_BASE`], the shared rings the host offers on the socket,
//! the compile child, and mapped artifacts.

use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;

use airlock_protocol::{InitFailure, PREOPEN_FD_BASE, Wake};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::{CompileLimits, Dir, HostStreams, RUNNER_FD};

pub(super) fn host_stream(_runner_arg: &str) -> Result<UnixStream, String> {
    // SAFETY: the host starts runners with their end of a socket pair dup'ed
    // to RUNNER_FD, and nothing else in this process owns that descriptor.
    Ok(unsafe { UnixStream::from_raw_fd(RUNNER_FD) })
}

pub(super) fn connect_to_host(runner_arg: &str) -> Result<HostStreams, String> {
    let socket = host_stream(runner_arg)?;
    let input = socket
        .try_clone()
        .map_err(|e| format!("descriptor {RUNNER_FD} is not a usable socket: {e}"))?;
    Ok(HostStreams {
        input: Box::new(airlock_protocol::SpinningReader::new(
            input,
            airlock_protocol::SPIN,
        )),
        output: Box::new(socket),
        socket_fd: Some(RUNNER_FD),
    })
}

pub(super) fn preopen(index: usize) -> Result<Dir, InitFailure> {
    // SAFETY: the host placed one open directory per grant from
    // PREOPEN_FD_BASE on; they stay open for the whole process.
    Ok(unsafe { BorrowedFd::borrow_raw(PREOPEN_FD_BASE + index as i32) })
}

pub(super) fn preopen_path(index: usize) -> Result<String, InitFailure> {
    let fd = PREOPEN_FD_BASE + index as i32;
    // Linux names every descriptor under /proc; other POSIX systems under /dev/fd.
    Ok(if cfg!(target_os = "linux") {
        format!("/proc/self/fd/{fd}")
    } else {
        format!("/dev/fd/{fd}")
    })
}

#[allow(clippy::type_complexity, reason = "one pair of boxed streams")]
pub(super) fn take_rings(
    rings_fd: Option<i32>,
    socket_fd: Option<i32>,
    wake: Wake,
) -> Option<std::io::Result<(Box<dyn Read + Send>, Box<dyn Write + Send>)>> {
    let (fd, socket) = (rings_fd?, socket_fd?);
    Some(rings(fd, socket, wake))
}

/// Maps the shared rings from descriptor `fd` (closing it: the mapping is
/// what counts) and makes this side's reader and writer, woken by `wake`.
#[allow(clippy::type_complexity, reason = "one pair of boxed streams")]
fn rings(
    fd: i32,
    socket: i32,
    wake: Wake,
) -> std::io::Result<(Box<dyn Read + Send>, Box<dyn Write + Send>)> {
    use airlock_protocol::ring::{self, Direction, SharedRings};
    // SAFETY: the host placed the rings' memfd at `fd` for this process and
    // nothing else owns it; `socket` stays open for the life of the process.
    let file = unsafe { OwnedFd::from_raw_fd(fd) };
    let rings = Arc::new(SharedRings::map(file.as_fd(), wake)?);
    drop(file);
    // SAFETY: `socket` is the host connection, open for the life of the
    // process; the borrow only lives while the rings are set up.
    let socket = unsafe { BorrowedFd::borrow_raw(socket) };
    let input = ring::reader(
        rings.clone(),
        Direction::ToRunner,
        socket.try_clone_to_owned()?,
    );
    let output = ring::writer(rings, Direction::FromRunner, socket.try_clone_to_owned()?);
    Ok((Box::new(input), Box::new(output)))
}

pub(super) fn data_in_use() -> Option<u64> {
    super::compile_child::data_in_use()
}

pub(super) fn precompile_isolated(
    engine: &Engine,
    bytes: &[u8],
    limits: CompileLimits,
) -> Result<Vec<u8>, InitFailure> {
    super::compile_child::precompile_isolated(engine, bytes, limits)
}

pub(super) fn load_mapped(engine: &Engine, fd: i32) -> Result<(Component, bool), InitFailure> {
    let loaded = super::mapped::load(engine, fd)?;
    Ok((loaded.component, loaded.mapped))
}
