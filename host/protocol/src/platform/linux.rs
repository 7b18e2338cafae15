//! Linux: the rings' file is a sealed memfd, and a parked side sleeps on a
//! futex on the header word it waits for; the control socket is silent
//! after start-up, so any event on it means the peer closed it.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::{MemfdFlags, SealFlags};
use rustix::io::Errno;
use rustix::thread::futex;

use super::Parked;

pub(super) fn shared_file(len: usize) -> io::Result<OwnedFd> {
    let fd = rustix::fs::memfd_create(
        "airlock-rings",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )?;
    rustix::fs::ftruncate(&fd, len as u64)?;
    // The runner must not be able to shrink it under the host (a SIGBUS).
    rustix::fs::fcntl_add_seals(&fd, SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)?;
    Ok(fd)
}

pub(super) fn park(
    word: &AtomicU32,
    seen: u32,
    alive: BorrowedFd<'_>,
    slice: Duration,
) -> io::Result<Parked> {
    let timeout = futex::Timespec::try_from(slice).expect("a short slice fits");
    match futex::wait(word, futex::Flags::empty(), seen, Some(&timeout)) {
        Ok(()) | Err(Errno::AGAIN | Errno::INTR | Errno::TIMEDOUT) => {}
        Err(e) => return Err(e.into()),
    }
    let mut fds = [PollFd::new(&alive, PollFlags::IN)];
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    Ok(match rustix::event::poll(&mut fds, Some(&zero)) {
        Ok(n) if n > 0 => Parked::PeerGone,
        _ => Parked::Again,
    })
}

pub(super) fn unpark(word: &AtomicU32) {
    let _ = futex::wake(word, futex::Flags::empty(), 1);
}
