//! Admission: what is checked before any runner starts (the manifest
//! against the policy, the preopens, the cache) and after (the layers).

use std::path::Path;

use std::os::fd::OwnedFd;

use airlock_protocol::SandboxLayers;

use super::*;
use crate::error::{Error, Result};
use crate::manifest::Manifest;

/// Checks a manifest against the world being started and the policy: a
/// required request that is not granted is an error; optional ones come back
/// as `(capability, reason)` denials.
pub(super) fn review_manifest(
    config: &PluginConfig,
    manifest: &Manifest,
    world: WorldRef,
) -> Result<Vec<(String, String)>> {
    if world.name != crate::dynamic::DYNAMIC.name
        && let Err(detail) = airlock_runner::stamp::check_stamp(&manifest.world, world.name)
    {
        return Err(Error::WorldMismatch {
            plugin: config.name.clone(),
            world: world.name.to_string().into(),
            detail: format!("its manifest says: {detail}").into(),
        });
    }
    let review = manifest.review(&config.policy);
    let explain = |request: &crate::manifest::Request| {
        format!(
            "`{}` asks for it ({}), and the host's policy does not grant it; to grant it, add to the policy: {}",
            manifest.name,
            request.reason,
            request.capability.how_to_grant()
        )
    };
    if let Some(request) = review.refused_required().next() {
        return Err(Error::Denied {
            plugin: config.name.clone(),
            capability: request.capability.to_string().into(),
            reason: explain(request).into(),
        });
    }
    Ok(review
        .refused
        .iter()
        .map(|r| {
            (
                r.capability.to_string(),
                format!("optional; {}", explain(r)),
            )
        })
        .collect())
}

/// Checks the layers a runner reported against `/proc/<pid>/status`
/// (Seccomp, NoNewPrivs, CapEff), clearing any the kernel does not confirm.
/// Where there is no `/proc` (not Linux), the report stands as sent.
pub(super) fn verify_layers(pid: u32, layers: &mut SandboxLayers) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return;
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    let checks = [
        (&mut layers.seccomp, "Seccomp", "2"),
        (&mut layers.no_new_privs, "NoNewPrivs", "1"),
        (
            &mut layers.capabilities_dropped,
            "CapEff",
            "0000000000000000",
        ),
    ];
    for (claimed, name, expected) in checks {
        let seen = field(name);
        if *claimed && seen != Some(expected) {
            *claimed = false;
            layers.notes.push(format!(
                "the runner claimed {name} {expected}, /proc/{pid}/status says {seen:?}"
            ));
        }
    }
}

/// Opens each preopened directory of the policy (read-only descriptors; the
/// runner reopens them through `/proc/self/fd` with the granted access).
/// A plugin that could read the cache's key could forge artifacts for every
/// other plugin; one that could write entries could at least evict them.
pub(super) fn check_cache_not_granted(config: &PluginConfig, cache: &Path) -> Result<()> {
    let Ok(cache) = cache.canonicalize() else {
        return Ok(());
    };
    for preopen in &config.policy.preopens {
        let Ok(granted) = preopen.host.canonicalize() else {
            continue; // reported when it is opened
        };
        if cache.starts_with(&granted) || granted.starts_with(&cache) {
            return Err(Error::Policy {
                detail: format!(
                    "plugin `{}`: preopened directory {} overlaps the artifact cache at {}; \
                     a plugin must not reach the cache's key or entries",
                    config.name,
                    preopen.host.display(),
                    cache.display()
                ),
            });
        }
    }
    Ok(())
}

pub(super) fn open_preopens(config: &PluginConfig) -> Result<Vec<OwnedFd>> {
    use rustix::fs::{Mode, OFlags};
    config
        .policy
        .preopens
        .iter()
        .map(|p| {
            rustix::fs::open(
                &p.host,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| Error::Policy {
                detail: format!(
                    "plugin `{}`: preopened directory {} (for {}) cannot be opened: {e}",
                    config.name,
                    p.host.display(),
                    p.guest
                ),
            })
        })
        .collect()
}
