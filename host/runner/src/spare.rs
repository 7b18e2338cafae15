//! Spare runners: forked by the zygote ahead of need, so that a start
//! costs neither the zygote's wake-up nor a fork nor the namespaces.
//!
//! Asked for one ([`crate::zygote::REQUEST_SPARE`]), the zygote waits
//! [`SPARE_DELAY`] (serving requests meanwhile), then makes a
//! `SOCK_SEQPACKET` pair, forks (`CLONE_PARENT`, so the spare is the
//! host's child like any runner) and sends the host the spare's pid, its
//! pidfd and one end of the pair, the *link*; it keeps nothing of the
//! spare. The spare, named `airlock-spare` from birth, closes the zygote's
//! control socket (the namespaces' descriptors go when it enters them; the
//! standard streams stay, stderr the zygote's until a runner's replaces
//! it), takes a parent-death signal, enters its namespaces as a runner
//! without network grants would (`lockdown::enter_namespaces`, shared
//! empty network namespace included) and waits on the link. The host sends on the link
//! what it would send the zygote for a fork, the plugin's name and the
//! runner's descriptors; the spare puts them in place
//! (`fork::become_runner`) and goes on as any forked runner, its
//! namespaces already entered ([`take_entered`]). A link that hangs up
//! (the host dropped the spare, or ended) ends the spare.
//!
//! A spare holds nothing of any plugin until its request: it is the
//! zygote's state plus its own empty namespaces.

use std::os::fd::OwnedFd;
use std::sync::Mutex;

use airlock_protocol::SandboxLayers;
use rustix::net::{AddressFamily, SocketFlags, SocketType, socketpair};

use crate::fork::{Forked, become_runner, die_with_host, fork_runner, receive_request};

/// How long after it is asked for the zygote forks a spare: long enough
/// for the start that used the last one to get its first calls answered
/// before the fork and the spare's namespaces compete with it for the CPU
/// (on a 2-core machine, they made those calls take 60–120 µs instead of
/// a few). Requests that come meanwhile are served by forks.
pub const SPARE_DELAY: std::time::Duration = std::time::Duration::from_millis(5);

/// The name a spare carries (`/proc/<pid>/comm`) until it becomes a runner.
pub const SPARE_NAME: &str = "airlock-spare";

/// The layers a spare entered before its request, for the runner it became.
static ENTERED: Mutex<Option<SandboxLayers>> = Mutex::new(None);

pub(crate) enum Spare {
    /// In the spare: its end of the link.
    Child(OwnedFd),
    /// In the zygote: the spare, and the host's end of its link.
    Parent {
        pid: i32,
        pidfd: OwnedFd,
        link: OwnedFd,
    },
}

/// Forks a spare (in the zygote, single-threaded).
pub(crate) fn fork_spare() -> Result<Spare, i32> {
    let (host_end, spare_end) = socketpair(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        None,
    )
    .map_err(|e| e.raw_os_error())?;
    // Named from its first instant (a fork copies the name), so that no
    // look at the host's children sees it under the zygote's name.
    let own = rustix::thread::name().ok();
    if let Ok(name) = std::ffi::CString::new(SPARE_NAME) {
        let _ = rustix::thread::set_name(&name);
    }
    let forked = fork_runner();
    if let Some(own) = &own
        && !matches!(forked, Ok(Forked::Child))
    {
        let _ = rustix::thread::set_name(own);
    }
    match forked? {
        Forked::Child => {
            drop(host_end);
            Ok(Spare::Child(spare_end))
        }
        Forked::Parent { pid, pidfd } => Ok(Spare::Parent {
            pid,
            pidfd,
            link: host_end,
        }),
    }
}

/// In a spare: closes the zygote's control socket (`control_fd`), takes
/// a parent-death signal (ending now if its parent is not `host_pid`), enters
/// the namespaces, waits for its request and returns as a runner with its
/// descriptors in place (`runner_fd` the socket); exits when the link
/// hangs up first.
pub(crate) fn serve_as_spare(
    link: OwnedFd,
    control_fd: i32,
    runner_fd: i32,
    host_pid: Option<u32>,
) {
    // The zygote's control socket above all: a zygote that ends must hang
    // up on the host, whatever its spares do.
    // SAFETY: no object of this process owns the zygote's control socket
    // any more (the zygote's loop forgot it).
    unsafe { libc::close(control_fd) };
    // A spare may wait long, stopped even: it dies with the host's thread
    // that started the zygote (its parent), and at once if that is gone.
    die_with_host(host_pid);
    let mut layers = SandboxLayers::default();
    crate::lockdown::enter_namespaces(&mut layers, false);
    *ENTERED.lock().unwrap_or_else(|e| e.into_inner()) = Some(layers);
    let (name, fds) = loop {
        match receive_request(&link) {
            Ok(Some((name, fds))) if fds.len() >= 2 => break (name, fds),
            Err(rustix::io::Errno::INTR) => continue,
            // Hung up, or a request that is not one: no runner.
            _ => std::process::exit(0),
        }
    };
    crate::began::mark();
    // `become_runner` places a descriptor on every number from 2 up to the
    // runner's last and closes all above: the link is replaced or closed.
    std::mem::forget(link);
    become_runner(&String::from_utf8_lossy(&name), fds, runner_fd);
}

/// Testing only: makes this process serve as a runner made from a spare
/// would (its namespaces entered, as `layers` say), without forking one.
#[doc(hidden)]
pub fn pretend_spare(layers: SandboxLayers) {
    *ENTERED.lock().unwrap_or_else(|e| e.into_inner()) = Some(layers);
}

/// The namespaces this runner entered as a spare, once: `None` in a runner
/// that was not one.
pub(crate) fn take_entered() -> Option<SandboxLayers> {
    ENTERED.lock().unwrap_or_else(|e| e.into_inner()).take()
}
