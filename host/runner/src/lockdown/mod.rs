//! The OS lock-down of a runner process, in three steps that follow the
//! runner's life, one contract with one module per system:
//!
//! 1. [`enter_namespaces`], right after the handshake while the process still
//!    has a single thread (user namespaces demand it): on Linux, new user,
//!    mount, IPC, UTS and — unless the policy grants network addresses —
//!    network namespaces. Only the Linux backend asks for it.
//! 2. [`restrict_paths`], after the preopened directories are open and before
//!    compiling (still single-threaded, so every later thread inherits it):
//!    Landlock on Linux, allowing only the preopens; on macOS, the Seatbelt
//!    profile is made here from the preopens' real paths, to be entered in
//!    step 3.
//! 3. [`lock_down`], after the component is compiled and instantiated and every
//!    helper thread has started, before any call into untrusted code: rlimits
//!    everywhere; on Linux capabilities dropped, `no_new_privs`, not
//!    dumpable, parent-death signal, and last the seccomp-bpf allow-list on
//!    every thread (TSYNC), which kills the process on any other system call
//!    and forbids new executable mappings; on macOS, last, the Seatbelt
//!    profile; on Windows, the process mitigation policies, and a check
//!    from inside of the Job object and token the host started it with.
//!
//! The debugging policy (`RunnerPolicy::debugger`) relaxes step 3 only: the
//! runner stays dumpable, so that a debugger of the same user may attach, and
//! seccomp also allows `restart_syscall`, which a thread stopped by the
//! debugger in a timed sleep makes when it resumes (docs/debugging.md).
//!
//! Each layer that cannot be switched on is reported in
//! [`SandboxLayers::notes`]; the host decides whether that is acceptable.
//! This module tree is the only place in the runner's lock-down that names
//! an operating system (`docs/platforms.md`).

use airlock_protocol::{RunnerPolicy, SandboxLayers};

use crate::platform::Dir;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod other;
#[cfg(unix)]
mod rlimits;
#[cfg(target_os = "linux")]
mod seccomp;
#[cfg(windows)]
mod windows;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(target_os = "macos")]
use macos as os;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
use other as os;
#[cfg(windows)]
use windows as os;

/// What step 2 made for step 3 (macOS's profile; nothing on Linux).
pub struct Prepared(os::Prepared);

/// Step 1: new namespaces, where the system has them. `network` keeps the
/// host's network namespace (the policy grants addresses).
pub fn enter_namespaces(layers: &mut SandboxLayers, network: bool) {
    os::enter_namespaces(layers, network);
}

/// Step 2: file access only beneath the preopened directories (read-only
/// or read-write), and no TCP connect beyond the granted ports.
pub fn restrict_paths(
    layers: &mut SandboxLayers,
    preopens: &[(Dir, bool)],
    policy: &RunnerPolicy,
) -> Prepared {
    Prepared(os::restrict_paths(layers, preopens, policy))
}

/// Step 3: everything else, the system-call confinement last. Call with
/// every helper thread started; after this, only what the policy allows
/// works.
pub fn lock_down(layers: &mut SandboxLayers, policy: &RunnerPolicy, prepared: Prepared) {
    os::lock_down(layers, policy, prepared.0);
    layers
        .notes
        .push("cgroup v2: not used (the memory cap is enforced inside wasmtime)".into());
}
