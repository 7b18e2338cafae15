//! What a plugin is started with: its component, manifest and [`Policy`],
//! and the world its bindings speak.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use airlock_protocol::WorldHash;

use crate::bounded_read::{MAX_COMPONENT_FILE_LEN, read_bounded};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::policy::Policy;

/// A world's identity, as generated bindings declare it.
#[derive(Debug, Clone, Copy)]
pub struct WorldRef {
    pub name: &'static str,
    pub hash: WorldHash,
}

impl WorldRef {
    /// Whether a plugin of this world may be any component, its types
    /// checked at call time (the dynamic world): then its stamp and its
    /// manifest's world are not checked against this one.
    pub fn accepts_any_component(&self) -> bool {
        self.hash == airlock_runner::dynamic::DYNAMIC_WORLD_HASH
    }
}

/// What to run, and under which [`Policy`].
#[derive(Debug, Clone)]
pub struct PluginConfig {
    pub(super) name: String,
    pub(super) component: Arc<[u8]>,
    /// The component's BLAKE3 digest (its cache entry's name), computed once
    /// for the config and its clones.
    pub(super) digest: Arc<std::sync::OnceLock<blake3::Hash>>,
    pub(super) policy: Policy,
    pub(super) manifest: ManifestSource,
    /// The bound of each call's recording, when calls are recorded.
    pub(super) record: Option<u64>,
}

/// Which manifest a plugin is started with.
#[derive(Debug, Clone)]
pub(super) enum ManifestSource {
    /// The one the component carries, if any.
    Embedded,
    Given(Arc<Manifest>),
    /// None at all, not even the component's own: see [`PluginConfig::ignore_manifest`].
    Ignored,
}

impl PluginConfig {
    /// A plugin called `name` (used in logs and errors) from component bytes,
    /// under the default policy.
    pub fn new(name: impl Into<String>, component: impl Into<Arc<[u8]>>) -> Self {
        Self {
            name: name.into(),
            component: component.into(),
            digest: Arc::default(),
            policy: Policy::default(),
            manifest: ManifestSource::Embedded,
            record: None,
        }
    }

    /// Reads the component from a file (of at most [`MAX_COMPONENT_FILE_LEN`]
    /// bytes, checked before reading), and its manifest from beside it (same
    /// name, `.toml`) when there is one; otherwise the manifest the component
    /// carries, if any, is used when the plugin starts.
    pub fn from_file(name: impl Into<String>, path: impl AsRef<Path>) -> Result<Self> {
        let name = name.into();
        let path = path.as_ref();
        let bytes =
            read_bounded(path, MAX_COMPONENT_FILE_LEN).map_err(|source| Error::ReadComponent {
                plugin: name.clone(),
                path: path.display().to_string().into(),
                source,
            })?;
        Self::new(name, bytes).manifest_beside(path)
    }

    /// Takes the manifest beside the component at `path` (`plugin.wasm` →
    /// `plugin.toml`), if there is one: it wins over the one the component
    /// carries. [`PluginConfig::from_file`] does this itself.
    pub fn manifest_beside(self, path: impl AsRef<Path>) -> Result<Self> {
        Ok(match Manifest::beside(path.as_ref())? {
            Some(manifest) => self.manifest(manifest),
            None => self,
        })
    }

    /// Sets the plugin's manifest: what it asks for, reviewed against the
    /// policy when the plugin starts.
    pub fn manifest(mut self, manifest: Manifest) -> Self {
        self.manifest = ManifestSource::Given(Arc::new(manifest));
        self
    }

    /// Starts the plugin without reviewing any manifest, not even the one
    /// the component carries: for tools that only compile a plugin (its
    /// requests are for running it), never for running plugins.
    pub fn ignore_manifest(mut self) -> Self {
        self.manifest = ManifestSource::Ignored;
        self
    }

    /// The manifest given or read from beside the component (not the
    /// embedded one, which is read when the plugin starts).
    pub fn get_manifest(&self) -> Option<&Manifest> {
        match &self.manifest {
            ManifestSource::Given(m) => Some(m),
            ManifestSource::Embedded | ManifestSource::Ignored => None,
        }
    }

    /// Replaces the whole policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    pub fn get_policy(&self) -> &Policy {
        &self.policy
    }

    /// How long one call may run; the runner interrupts the guest at this point.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.policy.deadline = deadline;
        self
    }

    /// How much longer than the deadline the host waits before killing the runner.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.policy.grace = grace;
        self
    }

    /// How long compiling and instantiating may take.
    pub fn startup(mut self, timeout: Duration) -> Self {
        self.policy.startup = timeout;
        self
    }

    /// How long compiling the component may take ([`Policy::compile_deadline`]).
    pub fn compile_deadline(mut self, deadline: Duration) -> Self {
        self.policy.compile_deadline = deadline;
        self
    }

    /// The largest frame accepted from or sent to the runner.
    pub fn max_frame(mut self, bytes: u32) -> Self {
        self.policy.max_frame = crate::policy::ByteSize(bytes.into());
        self
    }

    /// Records every call: its arguments, each import call and answer, the
    /// clock readings and random bytes the guest took, its output and its
    /// outcome, up to `max_bytes` per call ([`crate::DEFAULT_RECORDING_BYTES`]
    /// is a fair bound); [`Plugin::last_recording`](crate::Plugin::last_recording)
    /// hands out the last call's, which `airlock replay` runs again with no
    /// host. While recording, `wasi:random/insecure-seed` is a fixed value.
    /// Each call then copies what crosses the boundary once more.
    pub fn record_calls(mut self, max_bytes: u64) -> Self {
        self.record = Some(max_bytes);
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The component's BLAKE3 digest, hashed on first use.
    pub(crate) fn component_digest(&self) -> blake3::Hash {
        *self.digest.get_or_init(|| blake3::hash(&self.component))
    }

    /// The component's bytes.
    pub fn component(&self) -> &[u8] {
        &self.component
    }
}
