//! The zygote: a runner template that forks one runner per request.
//!
//! The host execs its runner program once, as `RUNNER_ARG ZYGOTE_ARG PID`, with
//! a `SOCK_SEQPACKET` control socket on [`ZYGOTE_FD`] and nothing else. The
//! zygote stays single-threaded and never sees a plugin: it greets the host,
//! then for each request (a plugin name, and the runner's descriptors by
//! `SCM_RIGHTS`) forks with `clone3(CLONE_PARENT | CLONE_PIDFD)`, so that
//! the runner is the *host's* child, and answers with the pid and the pidfd.
//! The child puts its descriptors where an exec'd runner finds them (socket
//! on 3, stderr on 2, the rest from 4), closes every other one (the control
//! socket above all) and runs the ordinary runner path from the `Hello` on.
//! Before its first fork the zygote makes the engine and linkers runners
//! would all make alike (`prepared`) and the empty network namespace they
//! share (`netns`). It exits when the host hangs up.
//!
//! Asked for a *spare* instead, it forks a runner ahead of need that enters
//! its namespaces at once and then waits for the host's request on a link
//! of its own, which the zygote hands to the host with the spare's pid and
//! pidfd (see `spare`): a start that takes a spare skips both the zygote's
//! wake-up and the fork.

use std::io::IoSlice;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use crate::fork::{Forked, become_runner, die_with_host, fork_runner, receive_request};
use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags, sendmsg};

/// The second argument (after `RUNNER_ARG`) that makes a runner program a zygote.
pub const ZYGOTE_ARG: &str = "__airlock-zygote";

/// The descriptor on which a zygote finds its control socket.
pub const ZYGOTE_FD: RawFd = 4;

/// The first message of a zygote that is ready for requests.
pub const ZYGOTE_GREETING: &[u8] = b"airlock-zygote 2";

/// The first byte of a request for a runner forked now: the plugin's name
/// follows, the runner's descriptors ride along.
pub const REQUEST_FORK: u8 = b'F';

/// A request (one byte, no descriptor) for a spare runner.
pub const REQUEST_SPARE: u8 = b'S';

pub use crate::fork::{MAX_REQUEST_FDS, MAX_REQUEST_NAME};

/// A message from the zygote: its kind ([`MESSAGE_RUNNER`] or
/// [`MESSAGE_SPARE`]), the pid of the process made (0 when none was), then
/// an errno (0 when one was made), each a little-endian `i32`.
pub const MESSAGE_LEN: usize = 12;

/// The answer to [`REQUEST_FORK`]; the runner's pidfd rides along.
pub const MESSAGE_RUNNER: i32 = 1;

/// The answer to [`REQUEST_SPARE`]; the spare's pidfd and the host's end of
/// its link ride along, in that order.
pub const MESSAGE_SPARE: i32 = 2;

/// Serves fork requests on [`ZYGOTE_FD`] until the host hangs up, then
/// exits; returns only in a forked runner, with its socket on `runner_fd`
/// and its other descriptors in place.
pub fn run_zygote(runner_fd: RawFd, host_pid: Option<u32>, worlds: &[&dyn crate::glue::WorldGlue]) {
    // The zygote dies with the host thread that started it, which lives as
    // long as the host (see the host's `zygote` module); a host that is
    // already gone (the zygote was reparented) ends it here.
    die_with_host(host_pid);
    // Only the control socket and the standard streams are the zygote's:
    // anything else the host had open without close-on-exec (a socket
    // activation's descriptors, a library's files) is closed at once.
    // SAFETY: plain close calls on descriptors nothing in this process uses.
    unsafe {
        for fd in 3..ZYGOTE_FD {
            libc::close(fd);
        }
        libc::syscall(libc::SYS_close_range, ZYGOTE_FD + 1, u32::MAX, 0);
    }
    // The engine and linkers every runner would make alike, and the network
    // namespace they share; still one thread.
    crate::prepared::prepare(worlds);
    crate::netns::make();
    // SAFETY: the host starts a zygote with its control socket on ZYGOTE_FD,
    // and nothing else in this process owns that descriptor.
    let control = unsafe { OwnedFd::from_raw_fd(ZYGOTE_FD) };
    if sendmsg(
        &control,
        &[IoSlice::new(ZYGOTE_GREETING)],
        &mut SendAncillaryBuffer::default(),
        SendFlags::empty(),
    )
    .is_err()
    {
        eprintln!("airlock zygote: descriptor {ZYGOTE_FD} is not a usable control socket");
        std::process::exit(70);
    }
    // When the spare asked for is to be forked (see `spare::SPARE_DELAY`).
    let mut spare_due: Option<std::time::Instant> = None;
    loop {
        if let Some(due) = spare_due
            && wait_for_request(&control, due)
        {
            spare_due = None;
            match crate::spare::fork_spare() {
                Ok(crate::spare::Spare::Child(link)) => {
                    // Closed by the spare itself, at once.
                    std::mem::forget(control);
                    return crate::spare::serve_as_spare(link, ZYGOTE_FD, runner_fd, host_pid);
                }
                Ok(crate::spare::Spare::Parent { pid, pidfd, link }) => send(
                    &control,
                    [MESSAGE_SPARE, pid, 0],
                    &[pidfd.as_fd(), link.as_fd()],
                ),
                Err(errno) => send(&control, [MESSAGE_SPARE, 0, errno], &[]),
            }
            continue;
        }
        let (bytes, fds) = match receive_request(&control) {
            Ok(Some(request)) => request,
            Ok(None) => std::process::exit(0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => {
                eprintln!("airlock zygote: control socket: {e}");
                std::process::exit(70);
            }
        };
        match bytes.split_first() {
            Some((&REQUEST_SPARE, [])) if fds.is_empty() => {
                spare_due.get_or_insert(std::time::Instant::now() + crate::spare::SPARE_DELAY);
            }
            Some((&REQUEST_FORK, name)) if fds.len() >= 2 => match fork_runner() {
                Ok(Forked::Child) => {
                    crate::began::mark();
                    // Its descriptor number is about to be reused or closed by
                    // `become_runner`: it must not be closed again on return.
                    std::mem::forget(control);
                    return become_runner(&String::from_utf8_lossy(name), fds, runner_fd);
                }
                Ok(Forked::Parent { pid, pidfd }) => {
                    send(&control, [MESSAGE_RUNNER, pid, 0], &[pidfd.as_fd()])
                }
                Err(errno) => send(&control, [MESSAGE_RUNNER, 0, errno], &[]),
            },
            Some((&REQUEST_SPARE, _)) => send(
                &control,
                [MESSAGE_SPARE, 0, rustix::io::Errno::INVAL.raw_os_error()],
                &[],
            ),
            _ => send(
                &control,
                [MESSAGE_RUNNER, 0, rustix::io::Errno::INVAL.raw_os_error()],
                &[],
            ),
        }
    }
}

/// Waits for a request until `due`; true when `due` came first.
fn wait_for_request(control: &OwnedFd, due: std::time::Instant) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    loop {
        let left = due.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return true;
        }
        let timeout = Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: left.subsec_nanos() as i64,
        };
        let mut fds = [PollFd::new(control, PollFlags::IN)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            // A request, a hang-up or an error: the receive tells which.
            _ => return false,
        }
    }
}

/// Sends the host one message ([`MESSAGE_LEN`]) with `fds`.
fn send(control: &OwnedFd, words: [i32; 3], fds: &[BorrowedFd<'_>]) {
    let mut bytes = [0u8; MESSAGE_LEN];
    for (chunk, word) in bytes.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
    let mut ancillary = SendAncillaryBuffer::new(&mut space);
    if !fds.is_empty() {
        ancillary.push(SendAncillaryMessage::ScmRights(fds));
    }
    if let Err(e) = sendmsg(
        control,
        &[IoSlice::new(&bytes)],
        &mut ancillary,
        SendFlags::NOSIGNAL,
    ) {
        // The host is gone; the runner (if any) sees its socket hang up.
        eprintln!("airlock zygote: cannot answer the host: {e}");
        std::process::exit(0);
    }
}
