//! Admission: what is checked before any runner starts (the component's
//! size and stamp, its manifest against the policy, the preopens, the
//! cache) and after each start (the sandbox layers the runner reports).

use std::path::Path;
use std::sync::Arc;

use airlock_protocol::{MAX_CODE_LEN, RunnerPolicy, SandboxLayers};

use super::config::ManifestSource;
use super::{PluginConfig, WorldRef};
use crate::cache::ArtifactCache;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::manifest::Manifest;
use crate::platform::OwnedDir;

/// What admitting a plugin settles once for all its runners.
pub(super) struct Admitted {
    /// What the runner is sent.
    pub(super) wire: RunnerPolicy,
    /// The preopened directories, opened by the host, inherited by each runner.
    pub(super) preopens: Vec<OwnedDir>,
}

/// Optional requests of the manifest the policy refused, as `(capability, reason)`.
pub(super) type Refusals = Vec<(String, String)>;

impl Admitted {
    /// Checks `config` for `world` before any runner starts: the component's
    /// size, its stamp, its manifest against the policy, and that no preopen
    /// reaches `cache`; then opens the preopens.
    pub(super) fn admit(
        config: &PluginConfig,
        world: WorldRef,
        cache: Option<&ArtifactCache>,
    ) -> Result<(Self, Refusals)> {
        let wire = config.policy.to_wire(&config.name)?;
        if config.component.len() > MAX_CODE_LEN as usize {
            return Err(Error::Compile {
                plugin: config.name.clone(),
                detail: format!(
                    "the component is {} bytes; a runner takes at most {MAX_CODE_LEN}",
                    config.component.len()
                )
                .into(),
            });
        }
        let refusals = match read_manifest(config, world)? {
            Some(manifest) => review_manifest(config, &manifest, world)?,
            None => Vec::new(),
        };
        if let Some(cache) = cache {
            check_cache_not_granted(config, cache.dir())?;
        }
        let preopens = open_preopens(config)?;
        Ok((Self { wire, preopens }, refusals))
    }
}

/// Checks the component's stamp against `world` and finds the manifest to
/// review: the one given, else the one embedded (read in the same pass).
fn read_manifest(config: &PluginConfig, world: WorldRef) -> Result<Option<Arc<Manifest>>> {
    let sections = airlock_runner::stamp::sections(&config.component);
    Manifest::refuse_oversized(&sections, &config.name)?;
    if !world.accepts_any_component()
        && let Some(stamp) = &sections.stamp
        && let Err(detail) = airlock_runner::stamp::check_stamp(stamp, world.name)
    {
        return Err(Error::WorldMismatch {
            plugin: config.name.clone(),
            world: world.name.to_string().into(),
            detail: detail.into(),
        });
    }
    Ok(match &config.manifest {
        ManifestSource::Given(m) => Some(m.clone()),
        ManifestSource::Embedded => sections
            .manifest
            .as_deref()
            .map(|text| Manifest::from_section(text, &config.name))
            .transpose()?
            .map(Arc::new),
        ManifestSource::Ignored => None,
    })
}

/// Checks a manifest against the world being started and the policy: a
/// required request that is not granted is an error; optional ones come back
/// as `(capability, reason)` denials.
fn review_manifest(
    config: &PluginConfig,
    manifest: &Manifest,
    world: WorldRef,
) -> Result<Vec<(String, String)>> {
    if !world.accepts_any_component()
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

/// Checks the layers a runner reported against what the system says of
/// process `pid`, clearing any it does not confirm (`/proc/<pid>/status`
/// on Linux) and any this system does not have.
pub(super) fn verify_layers(pid: u32, layers: &mut SandboxLayers) {
    // Another system's layer cannot be on here, whatever the runner says:
    // a policy that requires one must not be met by a claim.
    for layer in Layer::ALL {
        if layer.is_active(layers) && !crate::platform::LAYERS.contains(&layer) {
            layer.clear(layers);
            layers.notes.push(format!(
                "{layer}: not a layer of this system; the runner's claim was dropped"
            ));
        }
    }
    crate::platform::verify_layers(pid, layers);
}

/// Refuses a preopen that overlaps the launcher's artifact cache.
/// A plugin that could read the cache's key could forge artifacts for every
/// other plugin; one that could write entries could at least evict them.
fn check_cache_not_granted(config: &PluginConfig, cache: &Path) -> Result<()> {
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

/// Opens each preopened directory of the policy (read-only descriptors; the
/// runner reopens them through `/proc/self/fd` with the granted access).
fn open_preopens(config: &PluginConfig) -> Result<Vec<OwnedDir>> {
    config
        .policy
        .preopens
        .iter()
        .map(|p| {
            crate::platform::open_dir(&p.host).map_err(|e| Error::Policy {
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
