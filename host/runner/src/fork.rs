//! Forking a runner from the (single-threaded) zygote and putting the
//! descriptors it was sent where an exec'd runner finds them; shared by
//! the zygote's forks and its spares.

use std::io::IoSliceMut;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use airlock_protocol::PREOPEN_FD_BASE;
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, recvmsg};

/// Descriptors one request may carry: the socket, stderr and the rest.
pub const MAX_REQUEST_FDS: usize = 64;

/// The longest plugin name a request carries (it only names the process).
pub const MAX_REQUEST_NAME: usize = 255;

/// One request: its bytes and descriptors (at most [`MAX_REQUEST_FDS`],
/// none when it carried more); `None` once the host hung up.
pub(crate) fn receive_request(
    control: &OwnedFd,
) -> rustix::io::Result<Option<(Vec<u8>, Vec<OwnedFd>)>> {
    let mut name = [0u8; MAX_REQUEST_NAME + 1];
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
        // Too many descriptors: refused, as fewer than two.
        fds.clear();
    }
    Ok(Some((name[..received.bytes].to_vec(), fds)))
}

/// Takes a parent-death signal and exits at once unless this process's
/// parent is `host_pid` (the host it serves is already gone). The pid may
/// be 1: an application as a container's entry point.
pub(crate) fn die_with_host(host_pid: Option<u32>) {
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let parent = rustix::process::getppid().map(|p| p.as_raw_nonzero().get() as u32);
    if parent.is_none() || parent != host_pid {
        std::process::exit(0);
    }
}

pub(crate) enum Forked {
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
pub(crate) fn fork_runner() -> Result<Forked, i32> {
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
pub(crate) fn become_runner(name: &str, fds: Vec<OwnedFd>, runner_fd: RawFd) {
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
