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

use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use airlock_protocol::PREOPEN_FD_BASE;
use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, recvmsg, sendmsg,
};

/// The second argument (after `RUNNER_ARG`) that makes a runner program a zygote.
pub const ZYGOTE_ARG: &str = "__airlock-zygote";

/// The descriptor on which a zygote finds its control socket.
pub const ZYGOTE_FD: RawFd = 4;

/// The first message of a zygote that is ready for requests.
pub const ZYGOTE_GREETING: &[u8] = b"airlock-zygote 1";

/// Descriptors one request may carry: the socket, stderr and the rest.
pub const MAX_REQUEST_FDS: usize = 64;

/// The longest plugin name a request carries (it only names the process).
pub const MAX_REQUEST_NAME: usize = 255;

/// A reply: the runner's pid (0 when none was made), then an errno (0 when one was).
pub const REPLY_LEN: usize = 8;

/// Serves fork requests on [`ZYGOTE_FD`] until the host hangs up, then
/// exits; returns only in a forked runner, with its socket on `runner_fd`
/// and its other descriptors in place.
pub fn run_zygote(runner_fd: RawFd, host_pid: Option<u32>, worlds: &[&dyn crate::glue::WorldGlue]) {
    // The zygote dies with the host thread that started it, which lives as
    // long as the host (see the host's `zygote` module); a host that is
    // already gone (the zygote was reparented) ends it here. The host names
    // its pid, which may be 1 (an application as a container's entry point).
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let parent = rustix::process::getppid().map(|p| p.as_raw_nonzero().get() as u32);
    if parent.is_none() || parent != host_pid {
        std::process::exit(0);
    }
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
    loop {
        let (name, fds) = match receive_request(&control) {
            Ok(Some(request)) => request,
            Ok(None) => std::process::exit(0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => {
                eprintln!("airlock zygote: control socket: {e}");
                std::process::exit(70);
            }
        };
        if fds.len() < 2 {
            reply(&control, 0, rustix::io::Errno::INVAL.raw_os_error(), None);
            continue;
        }
        match fork_runner() {
            Ok(Forked::Child) => {
                crate::began::mark();
                // Its descriptor number is about to be reused or closed by
                // `become_runner`: it must not be closed again on return.
                std::mem::forget(control);
                return become_runner(&name, fds, runner_fd);
            }
            Ok(Forked::Parent { pid, pidfd }) => reply(&control, pid, 0, Some(pidfd.as_fd())),
            Err(errno) => reply(&control, 0, errno, None),
        }
    }
}

/// One request: the plugin's name and the runner's descriptors; `None` once
/// the host hung up.
fn receive_request(control: &OwnedFd) -> rustix::io::Result<Option<(String, Vec<OwnedFd>)>> {
    let mut name = [0u8; MAX_REQUEST_NAME];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_REQUEST_FDS))];
    let mut ancillary = RecvAncillaryBuffer::new(&mut space);
    let received = recvmsg(
        control,
        &mut [IoSliceMut::new(&mut name)],
        &mut ancillary,
        RecvFlags::CMSG_CLOEXEC,
    )?;
    let mut fds = Vec::new();
    for message in ancillary.drain() {
        if let RecvAncillaryMessage::ScmRights(rights) = message {
            fds.extend(rights);
        }
    }
    if received.bytes == 0 && fds.is_empty() {
        return Ok(None);
    }
    if received.flags.contains(rustix::net::ReturnFlags::CTRUNC) {
        // Too many descriptors: refused below, as fewer than two.
        fds.clear();
    }
    let name = String::from_utf8_lossy(&name[..received.bytes]).into_owned();
    Ok(Some((name, fds)))
}

fn reply(control: &OwnedFd, pid: i32, errno: i32, pidfd: Option<BorrowedFd<'_>>) {
    let mut bytes = [0u8; REPLY_LEN];
    bytes[..4].copy_from_slice(&pid.to_le_bytes());
    bytes[4..].copy_from_slice(&errno.to_le_bytes());
    let rights = pidfd.map(|fd| [fd]);
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut ancillary = SendAncillaryBuffer::new(&mut space);
    if let Some(rights) = &rights {
        ancillary.push(SendAncillaryMessage::ScmRights(rights));
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

enum Forked {
    Child,
    Parent { pid: i32, pidfd: OwnedFd },
}

/// `struct clone_args` of `clone3(2)`, up to `cgroup` (size version 2).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// Forks this (single-threaded) process; the child's parent is the
/// zygote's parent, the host.
fn fork_runner() -> Result<Forked, i32> {
    let mut pidfd: libc::c_int = -1;
    let args = CloneArgs {
        flags: (libc::CLONE_PARENT | libc::CLONE_PIDFD) as u64,
        pidfd: &mut pidfd as *mut libc::c_int as u64,
        // With CLONE_PARENT the kernel gives the child the zygote's own exit
        // signal (SIGCHLD): the host is told of its exit as of any child's.
        exit_signal: 0,
        ..CloneArgs::default()
    };
    // SAFETY: clone3 without CLONE_VM and without a stack is a fork; this
    // process has one thread, so the child may go on running ordinary code.
    let pid = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &args as *const CloneArgs,
            std::mem::size_of::<CloneArgs>(),
        )
    };
    match pid {
        0 => Ok(Forked::Child),
        pid if pid > 0 => Ok(Forked::Parent {
            pid: pid as i32,
            // SAFETY: CLONE_PIDFD stored a new descriptor this process owns.
            pidfd: unsafe { OwnedFd::from_raw_fd(pidfd) },
        }),
        _ => Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EAGAIN)),
    }
}

/// In the forked child: descriptors into place, everything else closed,
/// the process named after the plugin.
fn become_runner(name: &str, fds: Vec<OwnedFd>, runner_fd: RawFd) {
    // (source, target): the socket, stderr, then the preopens, rings and
    // artifact in the order the host sent them.
    let mut moves: Vec<(RawFd, RawFd)> = vec![
        (fds[0].as_raw_fd(), runner_fd),
        (fds[1].as_raw_fd(), libc::STDERR_FILENO),
    ];
    for (i, fd) in fds[2..].iter().enumerate() {
        moves.push((fd.as_raw_fd(), PREOPEN_FD_BASE + i as RawFd));
    }
    let mut first_free = PREOPEN_FD_BASE + (fds.len() - 2) as RawFd;
    // The shared network namespace and its owner, right after those.
    let shared = crate::netns::raw_fds();
    if let Some((user, net)) = shared {
        moves.push((user, first_free));
        moves.push((net, first_free + 1));
        first_free += 2;
    }
    if place_descriptors(&moves, first_free).is_err() {
        std::process::exit(71);
    }
    std::mem::forget(fds);
    if shared.is_some() {
        crate::netns::moved_to(first_free - 2, first_free - 1);
    }
    // Everything at or above the first free descriptor: the received
    // originals, the copies and the zygote's control socket.
    // SAFETY: no object of this process owns any of these descriptors now.
    if unsafe { libc::syscall(libc::SYS_close_range, first_free as u32, u32::MAX, 0) } != 0 {
        std::process::exit(71);
    }
    let mut comm = [0u8; 16];
    let short = &name.as_bytes()[..name.len().min(15)];
    comm[..short.len()].copy_from_slice(short);
    if let Ok(comm) = std::ffi::CStr::from_bytes_until_nul(&comm) {
        let _ = rustix::thread::set_name(comm);
    }
}

/// Moves each source onto its target, copying every source above all
/// targets first so that placing one cannot overwrite another still to be
/// placed.
fn place_descriptors(moves: &[(RawFd, RawFd)], above: RawFd) -> std::io::Result<()> {
    let mut copies = Vec::with_capacity(moves.len());
    for (source, _) in moves {
        // SAFETY: plain descriptor calls on descriptors this process holds.
        let copy = unsafe { libc::fcntl(*source, libc::F_DUPFD_CLOEXEC, above) };
        if copy < 0 {
            return Err(std::io::Error::last_os_error());
        }
        copies.push(copy);
    }
    for (copy, (_, target)) in copies.iter().zip(moves) {
        // SAFETY: as above; dup2 clears close-on-exec on the target.
        if unsafe { libc::dup2(*copy, *target) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
