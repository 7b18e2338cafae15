//! rlimits, which every POSIX system has: no core dumps, a bound on
//! descriptors and on the size of any file the runner writes.

use airlock_protocol::SandboxLayers;
use rustix::process::{Resource, Rlimit, setrlimit};

/// Sets RLIMIT_CORE 0, RLIMIT_NOFILE 256 and RLIMIT_FSIZE 1 GiB, hard and
/// soft; [`SandboxLayers::rlimits`] only when every one held.
pub(super) fn set(layers: &mut SandboxLayers) {
    let limit = |n: u64| Rlimit {
        current: Some(n),
        maximum: Some(n),
    };
    let rlimits = [
        (Resource::Core, 0, "RLIMIT_CORE"),
        (Resource::Nofile, 256, "RLIMIT_NOFILE"),
        (Resource::Fsize, 1 << 30, "RLIMIT_FSIZE"),
    ];
    layers.rlimits = true;
    for (resource, value, name) in rlimits {
        if let Err(e) = setrlimit(resource, limit(value)) {
            layers.rlimits = false;
            layers.notes.push(format!("{name}: {e}"));
        }
    }
    layers.notes.push(
        "RLIMIT_NPROC: not set (it counts every process of the user, host included); the lock-down forbids creating processes instead (seccomp, Seatbelt)"
            .into(),
    );
}
