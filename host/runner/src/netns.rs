//! The network namespace runners forked from one zygote share, made once
//! by the zygote instead of once per runner.
//!
//! A new network namespace costs the kernel 0.5–0.8 ms to make (loopback,
//! sysctl tables, every protocol's per-namespace state) and as much again
//! to tear down in a kernel worker after its last process exits, which
//! competes with the next start: it was the largest step of a forked start.
//! The zygote therefore makes one, empty (no interface but a loopback that
//! is down), owned by a user namespace `U0` of its own; each runner joins
//! it, then makes its own user namespace under `U0`, and its own mount,
//! IPC and UTS namespaces as before.
//!
//! Joining needs `CAP_SYS_ADMIN` in `U0`, which a process of the zygote's
//! user has by owning `U0` while it is still in the initial user
//! namespace; once a runner has made its own user namespace it holds no
//! capability in `U0` any more, so no runner can bring the loopback up,
//! add an interface or change anything else of the shared namespace.
//! Without a socket (seccomp allows `socket` only with a network grant)
//! and with Landlock's abstract-socket scope, runners cannot reach each
//! other through it either. A runner whose policy grants network addresses
//! stays in the host's network namespace, as before.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Mutex;

/// `U0` and the network namespace it owns: in the zygote after [`make`],
/// in a forked runner until [`take`].
static SHARED: Mutex<Option<(OwnedFd, OwnedFd)>> = Mutex::new(None);

/// In the zygote, before its first fork: makes `U0` and its network
/// namespace in a short-lived child and keeps a descriptor of each. On any
/// failure runners make their own network namespaces, as exec'd ones do.
pub(crate) fn make() {
    if let Ok(pair) = make_in_child() {
        *SHARED.lock().unwrap_or_else(|e| e.into_inner()) = Some(pair);
    }
}

/// The shared namespaces' descriptors, for a forked runner to keep in place.
pub(crate) fn raw_fds() -> Option<(RawFd, RawFd)> {
    let shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    shared.as_ref().map(|(u, n)| (u.as_raw_fd(), n.as_raw_fd()))
}

/// In a forked runner: the shared namespaces now sit at `user` and `net`
/// (the zygote's own descriptors are closed).
pub(crate) fn moved_to(user: RawFd, net: RawFd) {
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(old) = shared.take() {
        // Already closed by the runner's close_range.
        std::mem::forget(old);
    }
    // SAFETY: the runner dup2'ed the zygote's descriptors onto `user` and
    // `net` for this purpose; nothing else owns them.
    *shared = Some(unsafe { (OwnedFd::from_raw_fd(user), OwnedFd::from_raw_fd(net)) });
}

/// Takes the shared namespaces' descriptors (once); every runner takes them
/// before any plugin code runs, whether it joins them or not, so that none
/// keeps a way back into `U0`.
pub(crate) fn take() -> Option<(OwnedFd, OwnedFd)> {
    SHARED.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Joins `U0` and then its network namespace; call single-threaded, before
/// making the runner's own user namespace.
pub(crate) fn join(user: &OwnedFd, net: &OwnedFd) -> std::io::Result<()> {
    for (fd, kind) in [(user, libc::CLONE_NEWUSER), (net, libc::CLONE_NEWNET)] {
        // SAFETY: setns on descriptors this process owns; single-threaded.
        if unsafe { libc::setns(fd.as_raw_fd(), kind) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn make_in_child() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let uid = rustix::process::getuid().as_raw();
    let gid = rustix::process::getgid().as_raw();
    let (ready_read, ready_write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    let (done_read, done_write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    // SAFETY: the zygote is single-threaded; the child only makes system
    // calls and exits with _exit.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if pid == 0 {
        drop((ready_read, done_write));
        // SAFETY: plain system calls in a single-threaded child.
        let ok = unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) } == 0;
        let _ = rustix::io::write(&ready_write, &[ok as u8]);
        // Lives until the zygote has opened its namespaces (or is gone).
        let _ = rustix::io::read(&done_read, &mut [0u8]);
        // SAFETY: ends the child without running the zygote's exit code.
        unsafe { libc::_exit(0) };
    }
    drop((ready_write, done_read));
    let result = (|| {
        let mut ok = [0u8];
        rustix::io::read(&ready_read, &mut ok)?;
        if ok[0] != 1 {
            return Err(std::io::Error::other("the helper could not unshare"));
        }
        let proc = format!("/proc/{pid}");
        std::fs::write(format!("{proc}/setgroups"), "deny")?;
        std::fs::write(format!("{proc}/uid_map"), format!("{uid} {uid} 1"))?;
        std::fs::write(format!("{proc}/gid_map"), format!("{gid} {gid} 1"))?;
        let user = std::fs::File::open(format!("{proc}/ns/user"))?;
        let net = std::fs::File::open(format!("{proc}/ns/net"))?;
        Ok((OwnedFd::from(user), OwnedFd::from(net)))
    })();
    drop(done_write);
    // SAFETY: reaps the child forked above.
    unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    result
}
