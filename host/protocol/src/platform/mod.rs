//! What the shared rings need from the operating system, behind one small
//! contract, one module per system: a shared file the peer can map but not
//! resize under us, and a way for a waiting side to sleep until its peer
//! moves a header word ([`Wake`]).
//!
//! - `linux`: a sealed memfd, and futex wake-ups.
//! - `posix`: an unlinked `shm_open` object (macOS only: other Unixes let
//!   the peer resize one), and wake-ups as one byte on the control socket,
//!   which any POSIX system has.
//!
//! - `windows`: the control channel as an overlapped named pipe; no rings
//!   yet (runners stay on the channel).
//!
//! - `backend`: which [`Backend`] starts and reaches runners.
//! - `channel`: the control channel's contract ([`Channel`]), and
//!   [`Stream`], the type of its ends on this system.
//!
//! Linux has both kinds of wake-up and both backends: [`Backend::Posix`]
//! there is how the host tests on Linux what macOS runs. This is the only
//! place in the crate that names an operating system.

#[cfg(unix)]
use std::io;
#[cfg(unix)]
use std::os::fd::{BorrowedFd, OwnedFd};
#[cfg(unix)]
use std::sync::atomic::AtomicU32;
#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
use rustix::net::SendFlags;
use serde::{Deserialize, Serialize};

mod backend;
mod channel;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(unix)]
mod posix;
#[cfg(windows)]
mod windows;

pub use backend::Backend;
pub use channel::Channel;

/// One end of a control channel on this system: a Unix stream socket.
#[cfg(unix)]
pub type Stream = std::os::unix::net::UnixStream;
/// One end of a control channel on this system: an overlapped named pipe.
#[cfg(windows)]
pub type Stream = windows::Pipe;

/// A monotonic clock in nanoseconds that every process on the machine
/// reads the same, so a runner's start-up marks compare with the host's.
pub fn monotonic_now() -> u64 {
    #[cfg(unix)]
    return posix::monotonic_now();
    #[cfg(windows)]
    return windows::monotonic_now();
}

/// How a side parked on the rings is woken by its peer. The host picks it
/// and tells the runner in the [`crate::Hello`]; both sides use the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Wake {
    /// A futex on the header word itself (Linux): a wake costs one system
    /// call and nothing crosses the socket, which stays silent until the
    /// peer closes it.
    Futex,
    /// One byte on the control socket (any POSIX system): the parked side
    /// polls its end of the socket, reads the bytes away and looks again;
    /// end of file means the peer is gone.
    Socket,
}

impl Wake {
    /// The fastest kind this system has (Windows has no rings yet, so none
    /// is used there).
    pub const NATIVE: Wake = if cfg!(target_os = "linux") {
        Wake::Futex
    } else {
        Wake::Socket
    };

    /// Whether this system can use this kind.
    pub fn available(self) -> bool {
        match self {
            Wake::Futex => cfg!(target_os = "linux"),
            Wake::Socket => cfg!(unix),
        }
    }

    /// The kind's name, as `AIRLOCK_RING_WAKE` and the docs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Wake::Futex => "futex",
            Wake::Socket => "socket",
        }
    }

    /// The kind named `name`, if there is one by that name.
    pub fn from_name(name: &str) -> Option<Wake> {
        [Wake::Futex, Wake::Socket]
            .into_iter()
            .find(|w| w.name() == name)
    }
}

#[cfg(unix)]
/// What ended a park.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parked {
    /// Woken, or the slice passed: look again.
    Again,
    /// The peer closed its end of the socket.
    PeerGone,
}

#[cfg(unix)]
/// A new shared file of `len` bytes that the peer cannot shrink or grow;
/// an error where the system has none (the host then stays on the socket).
pub(crate) fn shared_file(len: usize) -> io::Result<OwnedFd> {
    #[cfg(target_os = "linux")]
    return linux::shared_file(len);
    #[cfg(target_vendor = "apple")]
    return posix::shared_file(len);
    #[cfg(not(any(target_os = "linux", target_vendor = "apple")))]
    return Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("no shared file of {len} bytes that a runner cannot resize on this system"),
    ));
}

#[cfg(unix)]
/// Makes a send on `socket` to a closed peer fail with `EPIPE` instead of
/// raising SIGPIPE, on systems where that is a property of the socket
/// (macOS); elsewhere every send says so itself ([`nonblocking_send`]).
pub fn quiet_socket(socket: BorrowedFd<'_>) -> io::Result<()> {
    #[cfg(target_vendor = "apple")]
    rustix::net::sockopt::set_socket_nosigpipe(socket, true)?;
    let _ = socket;
    Ok(())
}

#[cfg(unix)]
/// A pipe whose ends are closed on exec: atomically where the system can
/// say so when it makes one; macOS cannot, and then each end is marked
/// straight after (a runner or host forking on another thread between the
/// two is the race Airlock's own forks never make: they are single-threaded
/// or exec at once with an explicit descriptor list).
pub fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    #[cfg(not(target_vendor = "apple"))]
    return Ok(rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?);
    #[cfg(target_vendor = "apple")]
    {
        let (read, write) = rustix::pipe::pipe()?;
        for end in [&read, &write] {
            rustix::io::fcntl_setfd(end, rustix::io::FdFlags::CLOEXEC)?;
        }
        Ok((read, write))
    }
}

#[cfg(unix)]
/// Sleeps for at most `slice` unless `word` no longer holds `seen` or the
/// peer wakes this side; `alive` is this side's end of the control socket.
pub(crate) fn park(
    wake: Wake,
    word: &AtomicU32,
    seen: u32,
    alive: BorrowedFd<'_>,
    slice: Duration,
) -> io::Result<Parked> {
    match wake {
        #[cfg(target_os = "linux")]
        Wake::Futex => linux::park(word, seen, alive, slice),
        #[cfg(not(target_os = "linux"))]
        Wake::Futex => {
            let _ = (word, seen, alive, slice);
            Err(unavailable(wake))
        }
        Wake::Socket => posix::park(alive, slice),
    }
}

#[cfg(unix)]
/// Wakes the peer parked on `word`; `alive` is this side's end of the socket.
pub(crate) fn unpark(wake: Wake, word: &AtomicU32, alive: BorrowedFd<'_>) {
    match wake {
        #[cfg(target_os = "linux")]
        Wake::Futex => linux::unpark(word),
        #[cfg(not(target_os = "linux"))]
        Wake::Futex => {}
        Wake::Socket => posix::unpark(alive),
    }
    let _ = (word, alive);
}

#[cfg(unix)]
/// Flags for a send that never blocks and, where the system can say so per
/// call, never raises SIGPIPE at a closed peer (macOS cannot: there the
/// socket says so, [`quiet_socket`]).
pub(crate) fn nonblocking_send() -> SendFlags {
    #[cfg(not(target_vendor = "apple"))]
    return SendFlags::DONTWAIT | SendFlags::NOSIGNAL;
    #[cfg(target_vendor = "apple")]
    return SendFlags::DONTWAIT;
}

#[cfg(unix)]
/// The error for a kind of wake-up this system does not have.
pub(crate) fn unavailable(wake: Wake) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "ring wake-ups by {} are not available on this system",
            wake.name()
        ),
    )
}

#[cfg(all(test, unix))]
mod tests;
