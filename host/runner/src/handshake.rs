//! The handshake: checking the host's `Hello`, taking the shared rings it
//! offers, and telling the host why a plugin cannot start.

use std::sync::Arc;

use std::os::fd::{AsFd, BorrowedFd};

use airlock_protocol::{FrameError, FromRunner, Hello, InitFailure, PROTOCOL_VERSION};

use crate::glue::{HostConnection, WorldGlue};

/// Why serving stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("host connection failed: {0}")]
    Frame(#[from] FrameError),
    #[error("protocol violation by the host: {0}")]
    Protocol(String),
    #[error("the plugin could not be started: {0}")]
    Init(InitFailure),
}

/// Largest Hello frame: it carries the component's bytes.
pub(crate) const MAX_HELLO_LEN: u32 = airlock_protocol::MAX_CODE_FRAME_LEN;

/// Maps the shared rings from descriptor `fd` (closing it: the mapping is
/// what counts) and makes this side's reader and writer, woken by `wake`.
pub(crate) fn take_rings(
    fd: i32,
    socket: i32,
    wake: airlock_protocol::Wake,
) -> std::io::Result<(
    airlock_protocol::ring::RingReader,
    airlock_protocol::ring::RingWriter,
)> {
    use airlock_protocol::ring::{self, Direction, SharedRings};
    use std::os::fd::{FromRawFd, OwnedFd};
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
    Ok((input, output))
}

/// Tells the host why the plugin cannot start, and returns the error to exit with.
pub(crate) fn init_failed(host: &mut HostConnection, failure: InitFailure) -> ServeError {
    match host.send(&FromRunner::InitFailed(failure.clone()), &[]) {
        Ok(()) => ServeError::Init(failure),
        Err(e) => e.into(),
    }
}

pub(crate) fn check_hello<'w>(
    hello: &Hello,
    worlds: &[&'w dyn WorldGlue],
) -> Result<&'w dyn WorldGlue, InitFailure> {
    if hello.protocol != PROTOCOL_VERSION {
        return Err(InitFailure::ProtocolMismatch {
            host: hello.protocol,
            runner: PROTOCOL_VERSION,
        });
    }
    let Some(glue) = worlds.iter().find(|w| w.world_name() == hello.world) else {
        let known = worlds.iter().map(|w| w.world_name().to_string()).collect();
        return Err(InitFailure::UnknownWorld {
            world: hello.world.clone(),
            known,
        });
    };
    if glue.world_hash() != hello.world_hash {
        return Err(InitFailure::WorldMismatch(format!(
            "the host and this runner were built from different versions of world `{}`",
            hello.world
        )));
    }
    Ok(*glue)
}
