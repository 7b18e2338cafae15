//! What the runner's backend gives it, one module per system: on Linux
//! the zygote it may have been forked by, the spare it may have been, and
//! the zygote's shared network namespace; nothing elsewhere, where every
//! runner is an exec (`docs/platforms.md`).

use airlock_protocol::SandboxLayers;

use crate::glue::WorldGlue;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(not(target_os = "linux"))]
mod posix;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(not(target_os = "linux"))]
use posix as os;

/// Serves as the Linux backend's zygote on `socket_fd` when the process
/// was started as one (`RUNNER_ARG ZYGOTE_ARG HOST_PID`); returns in each
/// runner it forks, which then goes on as an exec'd one, and at once in any
/// other process. Only the Linux backend has a zygote.
pub(crate) fn serve_as_zygote_if_asked(socket_fd: i32, worlds: &[&dyn WorldGlue]) {
    os::serve_as_zygote_if_asked(socket_fd, worlds);
}

/// The layers of a spare runner that entered its namespaces before its
/// request came (Linux backend); `None` for any other runner.
pub(crate) fn spare_layers() -> Option<SandboxLayers> {
    os::spare_layers()
}

/// Closes this runner's way into its zygote's shared namespaces, if it had
/// one and has not joined them.
pub(crate) fn forget_zygote_namespaces() {
    os::forget_zygote_namespaces();
}
