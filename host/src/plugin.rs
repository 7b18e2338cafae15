//! One plugin instance: its runner process and the call loop that talks to it.
//!
//! Architecture invariant: every frame from the runner is treated as hostile.
//! Frames are size-capped before allocation and decoded without panicking,
//! every wait has a deadline, and a runner that breaks the protocol, misses its
//! deadline or dies is killed and reported with a typed [`Error`]; the next
//! call starts a fresh runner.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use std::collections::VecDeque;
use std::os::fd::OwnedFd;

use airlock_protocol::{MAX_CODE_LEN, RunnerPolicy, SandboxLayers};
use airlock_runner::exported::ResourceOwner;

use crate::cache::EntryKey;
use crate::error::{Error, Result};
use crate::launcher::Launcher;
use crate::manifest::Manifest;
use crate::metrics::PluginMetrics;
use crate::plugin_log::PluginLog;
use crate::text::PluginText;

mod admission;
mod call;
mod config;
mod connection;
mod handles;
mod import_volume;
mod launch;
mod supervise;

pub use config::{PluginConfig, WorldRef};
pub(crate) use handles::lock;
pub use handles::{AbortHandle, CancelHandle, PluginState};

use admission::{check_cache_not_granted, open_preopens, review_manifest, verify_layers};
use config::ManifestSource;
use connection::{RecvError, Runner, describe};
use handles::AbortShared;

/// One plugin instance in its own runner process. Generated clients wrap it.
pub struct Plugin {
    config: PluginConfig,
    world: WorldRef,
    launcher: Launcher,
    runner: Option<Runner>,
    seq: u64,
    cancel: Arc<AtomicBool>,
    /// What the plugin says (log, progress, output), escaped and bounded per call.
    log: PluginLog,
    args: Vec<u8>,
    import_result: Vec<u8>,
    runners_started: u64,
    /// What the runner is sent; computed once at start.
    wire: RunnerPolicy,
    /// The preopened directories, opened by the host, inherited by each runner.
    preopens: Vec<OwnedFd>,
    layers: Option<SandboxLayers>,
    /// When runners were restarted, within the policy's window.
    restarts: VecDeque<Instant>,
    last_failure: Option<PluginText>,
    gave_up: Option<PluginText>,
    denials: Vec<(PluginText, PluginText)>,
    /// This plugin's name in the launcher's artifact cache, computed on first use.
    cache_entry: Option<EntryKey>,
    /// Whether the current (or last) runner loaded a cached artifact.
    started_from_cache: bool,
    /// The cache entry's sealed memfd, kept for restarts and shared by all plugins of it.
    sealed: Option<Arc<crate::sealed::SealedArtifact>>,
    metrics: PluginMetrics,
    abort: Arc<AbortShared>,
    /// The runner was killed by an abort: its restart is not a failure.
    aborted_runner: bool,
    /// The current instance, as the maker of the objects it exported to the
    /// host; replaced whenever the instance ends.
    resources: Arc<ResourceOwner>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.config.name)
            .field("world", &self.world.name)
            .field("pid", &self.pid())
            .finish_non_exhaustive()
    }
}

impl Plugin {
    /// Starts a runner for `config` that speaks `world`, and waits until the
    /// component is compiled and instantiated.
    pub fn start(launcher: &Launcher, config: PluginConfig, world: WorldRef) -> Result<Self> {
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
        // Stamp and embedded manifest, in one pass over the component.
        let sections = airlock_runner::stamp::sections(&config.component);
        Manifest::refuse_oversized(&sections, &config.name)?;
        if world.name != crate::dynamic::DYNAMIC.name
            && let Some(stamp) = &sections.stamp
            && let Err(detail) = airlock_runner::stamp::check_stamp(stamp, world.name)
        {
            return Err(Error::WorldMismatch {
                plugin: config.name.clone(),
                world: world.name.to_string().into(),
                detail: detail.into(),
            });
        }
        let manifest = match &config.manifest {
            ManifestSource::Given(m) => Some(m.clone()),
            ManifestSource::Embedded => sections
                .manifest
                .as_deref()
                .map(|text| Manifest::from_section(text, &config.name))
                .transpose()?
                .map(Arc::new),
            ManifestSource::Ignored => None,
        };
        let optional_refusals = match &manifest {
            Some(manifest) => review_manifest(&config, manifest, world)?,
            None => Vec::new(),
        };
        if let Some(cache) = launcher.cache() {
            check_cache_not_granted(&config, cache.dir())?;
        }
        let preopens = open_preopens(&config)?;
        let resources = ResourceOwner::new(&config.name);
        let config_log_volume = config.policy.log_volume.0;
        let mut plugin = Plugin {
            wire,
            preopens,
            layers: None,
            restarts: VecDeque::new(),
            last_failure: None,
            gave_up: None,
            denials: Vec::new(),
            config,
            world,
            launcher: launcher.clone(),
            runner: None,
            seq: 0,
            cancel: Arc::new(AtomicBool::new(false)),
            log: PluginLog::new(config_log_volume),
            args: Vec::new(),
            import_result: Vec::new(),
            runners_started: 0,
            cache_entry: None,
            started_from_cache: false,
            sealed: None,
            metrics: PluginMetrics::default(),
            abort: Arc::default(),
            aborted_runner: false,
            resources,
        };
        for (capability, reason) in optional_refusals {
            plugin.denied(capability, reason);
        }
        plugin.ensure_runner()?;
        Ok(plugin)
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn world(&self) -> WorldRef {
        self.world
    }

    /// The runner's process id, while one is running.
    pub fn pid(&self) -> Option<u32> {
        self.runner.as_ref().map(|r| r.child.id())
    }

    /// How many runner processes this plugin has started (1 + restarts).
    pub fn runners_started(&self) -> u64 {
        self.runners_started
    }

    /// Whether the current (or last) runner started from a cached artifact
    /// instead of compiling the component.
    pub fn started_from_cache(&self) -> bool {
        self.started_from_cache
    }

    pub fn config(&self) -> &PluginConfig {
        &self.config
    }

    /// The sandbox layers the current (or last) runner reported active.
    pub fn sandbox_layers(&self) -> Option<&SandboxLayers> {
        self.layers.as_ref()
    }

    /// Capability refusals the runner reported (`(capability, reason)`), most recent last.
    pub fn denials(&self) -> &[(PluginText, PluginText)] {
        &self.denials
    }

    pub fn state(&self) -> PluginState {
        if let Some(reason) = &self.gave_up {
            return PluginState::Failed {
                reason: reason.clone(),
            };
        }
        match self.pid() {
            Some(pid) => PluginState::Running { pid },
            None => PluginState::Restarting {
                last_failure: self.last_failure.clone(),
            },
        }
    }

    /// Lets a plugin that was given up on start again, with a fresh restart budget.
    pub fn reset(&mut self) {
        self.gave_up = None;
        self.restarts.clear();
    }

    /// A handle that stops the current call at once by killing its runner.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            shared: self.abort.clone(),
        }
    }

    /// Takes the runner out, making sure no abort can signal it any more.
    fn take_runner(&mut self) -> Option<Runner> {
        let mut live = lock(&self.abort.live);
        *live = None;
        drop(live);
        if self.runner.is_some() {
            self.instance_ended();
        }
        self.runner.take()
    }

    /// The plugin's instance is gone (its runner, or a trap that makes the
    /// runner instantiate afresh): so is every object it exported.
    fn instance_ended(&mut self) {
        self.resources.end();
        self.resources = ResourceOwner::new(&self.config.name);
    }

    /// A handle that asks the current call to stop early.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.cancel.clone())
    }

    /// Receives the guest's `progress.report` calls.
    /// The message is the plugin's own text: print it, and it is escaped.
    /// Reports past the call's `log-volume` are dropped (see [`Policy::log_volume`]).
    pub fn on_progress(&mut self, f: impl FnMut(f32, &PluginText) + Send + 'static) {
        self.log.progress = Some(Box::new(f));
    }

    /// What this plugin's calls have done so far.
    pub fn metrics(&self) -> &PluginMetrics {
        &self.metrics
    }

    fn output(&mut self, stream: airlock_protocol::OutputStream, dropped: u64) {
        let Some(runner) = &self.runner else { return };
        self.log
            .output(&self.config.name, stream, runner.reader.payload(), dropped);
    }

    fn denied(&mut self, capability: String, reason: String) {
        let (capability, reason) = (PluginText::new(capability), PluginText::new(reason));
        self.log.denied(&self.config.name, &capability, &reason);
        if self.denials.len() == 64 {
            self.denials.remove(0);
        }
        self.denials.push((capability, reason));
    }
}
