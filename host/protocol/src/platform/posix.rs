//! Any POSIX system: the rings' file is a `shm_open` object, unlinked at
//! once so that only descriptors reach it, and a parked side sleeps in
//! `poll` on its end of the control socket until the peer sends a byte.
//! Any descriptor is a [`Channel`] end, read and written without blocking
//! past a deadline.
//!
//! macOS refuses to resize a shared memory object once it has a size, so a
//! runner cannot shrink the host's mapping under it; so the file is used
//! there only. Linux uses the sealed memfd of `linux` (an unsealed
//! `/dev/shm` file could be truncated by the peer), and other Unixes, whose
//! objects can be resized, get no shared file: runners stay on the socket.

use std::io::{self, IoSlice};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use rustix::net::{RecvFlags, SendAncillaryBuffer};

use super::Parked;
use super::channel::{Channel, remaining};

/// Bytes read away when a park ends: wake-ups pile up at most one per
/// publish while this side was asleep. One `recv` per park, so a peer that
/// floods the socket cannot keep this side from its deadline check.
const DRAIN: usize = 512;

#[cfg_attr(not(target_vendor = "apple"), allow(dead_code))]
pub(super) fn shared_file(len: usize) -> io::Result<OwnedFd> {
    use rustix::fs::Mode;
    use rustix::shm::OFlags;
    static MADE: AtomicU32 = AtomicU32::new(0);
    // macOS allows 31 bytes of name: keep it short.
    let mut attempts = 0;
    let fd = loop {
        let n = MADE.fetch_add(1, Ordering::Relaxed);
        let name = format!("/airlock-{:x}-{n:x}", std::process::id());
        match rustix::shm::open(
            name.as_str(),
            OFlags::CREATE | OFlags::EXCL | OFlags::RDWR,
            Mode::RUSR | Mode::WUSR,
        ) {
            Ok(fd) => {
                rustix::shm::unlink(name.as_str())?;
                break fd;
            }
            // Left behind by an earlier process with this id that died
            // between open and unlink: try the next name.
            Err(Errno::EXIST) if attempts < 16 => attempts += 1,
            Err(e) => return Err(e.into()),
        }
    };
    rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::CLOEXEC)?;
    rustix::fs::ftruncate(&fd, len as u64)?;
    Ok(fd)
}

pub(super) fn park(alive: BorrowedFd<'_>, slice: Duration) -> io::Result<Parked> {
    let timeout = Timespec {
        tv_sec: slice.as_secs() as _,
        tv_nsec: slice.subsec_nanos() as _,
    };
    let mut fds = [PollFd::new(&alive, PollFlags::IN)];
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(0) | Err(Errno::INTR) => return Ok(Parked::Again),
        Ok(_) => {}
        Err(e) => return Err(e.into()),
    }
    // Woken, or the peer hung up: read the wake-ups away to tell which.
    // Bytes left over (more than `DRAIN`) end the next park at once.
    let mut buf = [0u8; DRAIN];
    match rustix::net::recv(alive, &mut buf, RecvFlags::DONTWAIT) {
        Ok((0, _)) | Err(Errno::CONNRESET) => Ok(Parked::PeerGone),
        Ok(_) | Err(Errno::AGAIN | Errno::INTR) => Ok(Parked::Again),
        Err(e) => Err(e.into()),
    }
}

pub(super) fn unpark(alive: BorrowedFd<'_>) {
    // A full socket buffer already holds wake-ups the peer has not read; a
    // closed one means the peer is gone and will be noticed by its waits.
    let _ = rustix::net::send(alive, &[1], super::nonblocking_send());
}

/// Any descriptor is a channel end: a Unix stream socket (the control
/// channel), or a pipe in tests, which reads and writes as well.
impl<S: AsFd> Channel for S {
    fn try_read(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        loop {
            match rustix::net::recv(self, &mut *buf, RecvFlags::DONTWAIT) {
                Ok((n, _)) => return Ok(Some(n)),
                Err(Errno::AGAIN) => return Ok(None),
                Err(Errno::INTR) => {}
                // Not a socket: read if something is there.
                Err(Errno::NOTSOCK) => {
                    let mut fds = [PollFd::new(self, PollFlags::IN)];
                    let zero = Timespec {
                        tv_sec: 0,
                        tv_nsec: 0,
                    };
                    return match rustix::event::poll(&mut fds, Some(&zero)) {
                        Ok(0) | Err(Errno::INTR) => Ok(None),
                        Ok(_) => Ok(Some(rustix::io::read(self, &mut *buf)?)),
                        Err(e) => Err(e.into()),
                    };
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn read_by(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        loop {
            if let Some(deadline) = deadline {
                wait_for(self.as_fd(), PollFlags::IN, deadline)?;
            }
            match rustix::io::read(self, &mut *buf) {
                Ok(n) => return Ok(n),
                Err(Errno::INTR | Errno::AGAIN) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn write_by(&self, bufs: &[IoSlice<'_>], deadline: Instant) -> io::Result<usize> {
        let flags = super::nonblocking_send();
        loop {
            let sent = match bufs {
                [one] => rustix::net::send(self, one, flags),
                _ => rustix::net::sendmsg(self, bufs, &mut SendAncillaryBuffer::default(), flags),
            };
            match sent {
                Ok(n) => return Ok(n),
                Err(Errno::AGAIN) => wait_for(self.as_fd(), PollFlags::OUT, deadline)?,
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Waits until `fd` is ready for `events` (or closed), failing with
/// `TimedOut` at `deadline`.
fn wait_for(fd: BorrowedFd<'_>, events: PollFlags, deadline: Instant) -> io::Result<()> {
    loop {
        let left = remaining(deadline)?;
        let timeout = Timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as _,
        };
        let mut fds = [PollFd::new(&fd, events)];
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(0) | Err(Errno::INTR) => {}
            Ok(_) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
}

/// `CLOCK_MONOTONIC` now, in nanoseconds: the same clock in every process.
pub(super) fn monotonic_now() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}
