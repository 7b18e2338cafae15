//! [`Layer`]: a sandbox layer a host can require, by the name the policy
//! file and the docs use, and whether a runner's report has it on. Which
//! layers a system has is in `docs/platforms.md`.

use std::fmt;

use airlock_protocol::SandboxLayers;
use serde::{Deserialize, Serialize};

/// A sandbox layer a host can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Seccomp,
    Landlock,
    NoNewPrivs,
    NotDumpable,
    ParentDeathSignal,
    CapabilitiesDropped,
    Rlimits,
    UserNamespace,
    NetworkNamespace,
    IpcNamespace,
    UtsNamespace,
    MountNamespace,
    Cgroup,
    Seatbelt,
    Job,
    LowIntegrity,
    Mitigations,
}

impl Layer {
    pub const ALL: [Layer; 17] = [
        Layer::Seccomp,
        Layer::Landlock,
        Layer::NoNewPrivs,
        Layer::NotDumpable,
        Layer::ParentDeathSignal,
        Layer::CapabilitiesDropped,
        Layer::Rlimits,
        Layer::UserNamespace,
        Layer::NetworkNamespace,
        Layer::IpcNamespace,
        Layer::UtsNamespace,
        Layer::MountNamespace,
        Layer::Cgroup,
        Layer::Seatbelt,
        Layer::Job,
        Layer::LowIntegrity,
        Layer::Mitigations,
    ];

    /// What [`Policy::default`] requires: this system's system-call
    /// confinement (seccomp and `no_new_privs` on Linux, Seatbelt on macOS).
    pub const DEFAULT_REQUIRED: &[Layer] = crate::platform::CONFINEMENT;

    /// Whether `layers` (as a runner reported them) has this one on.
    pub fn is_active(self, layers: &SandboxLayers) -> bool {
        match self {
            Layer::Seccomp => layers.seccomp,
            Layer::Landlock => layers.landlock_abi > 0,
            Layer::NoNewPrivs => layers.no_new_privs,
            Layer::NotDumpable => layers.not_dumpable,
            Layer::ParentDeathSignal => layers.parent_death_signal,
            Layer::CapabilitiesDropped => layers.capabilities_dropped,
            Layer::Rlimits => layers.rlimits,
            Layer::UserNamespace => layers.user_namespace,
            Layer::NetworkNamespace => layers.network_namespace,
            Layer::IpcNamespace => layers.ipc_namespace,
            Layer::UtsNamespace => layers.uts_namespace,
            Layer::MountNamespace => layers.mount_namespace,
            Layer::Cgroup => layers.cgroup,
            Layer::Seatbelt => layers.seatbelt,
            Layer::Job => layers.job,
            Layer::LowIntegrity => layers.low_integrity,
            Layer::Mitigations => layers.mitigations,
        }
    }

    /// Turns this layer off in `layers`.
    pub(crate) fn clear(self, layers: &mut SandboxLayers) {
        let flag = match self {
            Layer::Landlock => {
                layers.landlock_abi = 0;
                return;
            }
            Layer::Seccomp => &mut layers.seccomp,
            Layer::NoNewPrivs => &mut layers.no_new_privs,
            Layer::NotDumpable => &mut layers.not_dumpable,
            Layer::ParentDeathSignal => &mut layers.parent_death_signal,
            Layer::CapabilitiesDropped => &mut layers.capabilities_dropped,
            Layer::Rlimits => &mut layers.rlimits,
            Layer::UserNamespace => &mut layers.user_namespace,
            Layer::NetworkNamespace => &mut layers.network_namespace,
            Layer::IpcNamespace => &mut layers.ipc_namespace,
            Layer::UtsNamespace => &mut layers.uts_namespace,
            Layer::MountNamespace => &mut layers.mount_namespace,
            Layer::Cgroup => &mut layers.cgroup,
            Layer::Seatbelt => &mut layers.seatbelt,
            Layer::Job => &mut layers.job,
            Layer::LowIntegrity => &mut layers.low_integrity,
            Layer::Mitigations => &mut layers.mitigations,
        };
        *flag = false;
    }

    /// The active layers, by name.
    pub fn active(layers: &SandboxLayers) -> Vec<Layer> {
        Layer::ALL
            .into_iter()
            .filter(|l| l.is_active(layers))
            .collect()
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Seccomp => "seccomp",
            Layer::Landlock => "landlock",
            Layer::NoNewPrivs => "no-new-privs",
            Layer::NotDumpable => "not-dumpable",
            Layer::ParentDeathSignal => "parent-death-signal",
            Layer::CapabilitiesDropped => "capabilities-dropped",
            Layer::Rlimits => "rlimits",
            Layer::UserNamespace => "user-namespace",
            Layer::NetworkNamespace => "network-namespace",
            Layer::IpcNamespace => "ipc-namespace",
            Layer::UtsNamespace => "uts-namespace",
            Layer::MountNamespace => "mount-namespace",
            Layer::Cgroup => "cgroup",
            Layer::Seatbelt => "seatbelt",
            Layer::Job => "job",
            Layer::LowIntegrity => "low-integrity",
            Layer::Mitigations => "mitigations",
        })
    }
}
