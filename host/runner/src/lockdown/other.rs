//! Systems without a lock-down of their own here yet: the runner reports
//! every such layer off (rlimits where the system is POSIX), so a host
//! that requires one gets `Error::SandboxUnavailable`.

use airlock_protocol::{RunnerPolicy, SandboxLayers};

use crate::platform::Dir;

/// Nothing for step 3.
pub(super) struct Prepared;

pub(super) fn enter_namespaces(layers: &mut SandboxLayers, _network: bool) {
    layers.notes.push("namespaces: none on this system".into());
}

pub(super) fn restrict_paths(
    layers: &mut SandboxLayers,
    _preopens: &[(Dir, bool)],
    _policy: &RunnerPolicy,
) -> Prepared {
    layers
        .notes
        .push("file confinement: none on this system (WASI's preopens only)".into());
    Prepared
}

pub(super) fn lock_down(layers: &mut SandboxLayers, _policy: &RunnerPolicy, _: Prepared) {
    #[cfg(unix)]
    super::rlimits::set(layers);
    layers
        .notes
        .push("system-call confinement: none on this system".into());
}
