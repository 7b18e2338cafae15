//! One plugin instance: its runner process and the call loop that talks to it.
//!
//! Architecture invariant: every frame from the runner is treated as hostile.
//! Frames are size-capped before allocation and decoded without panicking,
//! every wait has a deadline, and a runner that breaks the protocol, misses its
//! deadline or dies is killed and reported with a typed [`Error`]; the next
//! call starts a fresh runner.

use std::sync::Arc;

use crate::resources::ResourceOwner;
use airlock_protocol::SandboxLayers;

use crate::error::Result;
use crate::launcher::Launcher;
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
mod peer;
mod record;
mod supervise;

pub use config::{PluginConfig, WorldRef};
pub(crate) use handles::lock;
pub use handles::{AbortHandle, CancelHandle, PluginState};

use admission::Admitted;
use call::CallState;
use connection::Runner;
use launch::ArtifactState;
use peer::Runners;
use record::CallRecorder;
use supervise::Supervision;

/// One plugin instance in its own runner process. Generated clients wrap it.
///
/// Its state in named parts: what it runs ([`PluginConfig`], the world),
/// where runners come from, what admission settled once, the live runner,
/// the supervision record across runners, and the per-call buffers.
pub struct Plugin {
    config: PluginConfig,
    world: WorldRef,
    /// Where runners come from: processes of a launcher, or threads.
    runners: Runners,
    /// What admission settled, once for every runner of this plugin.
    admitted: Admitted,
    /// The cached artifact runners start from, when there is one.
    artifact: ArtifactState,
    /// The live runner, if one is up.
    runner: Option<Runner>,
    /// Restarts, failures and aborts across runners.
    supervision: Supervision,
    /// What each call reuses: its sequence number, cancel flag and buffers.
    calls: CallState,
    /// What the plugin says (log, progress, output), escaped and bounded per call.
    log: PluginLog,
    denials: Vec<(PluginText, PluginText)>,
    metrics: PluginMetrics,
    /// The current instance, as the maker of the objects it exported to the
    /// host; replaced whenever the instance ends.
    resources: Arc<ResourceOwner>,
    /// The recording of each call, when the config asks for it.
    recorder: CallRecorder,
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
        Self::start_from(Runners::Processes(launcher.clone()), config, world)
    }

    /// Admits `config`, then starts its first runner from `runners`.
    fn start_from(runners: Runners, config: PluginConfig, world: WorldRef) -> Result<Self> {
        let (admitted, optional_refusals) = Admitted::admit(&config, world, runners.cache())?;
        let resources = ResourceOwner::new(&config.name);
        let log = PluginLog::new(config.policy.log_volume.0);
        let recorder = CallRecorder::new(&config, world.name);
        let mut plugin = Plugin {
            config,
            world,
            runners,
            admitted,
            artifact: ArtifactState::default(),
            runner: None,
            supervision: Supervision::default(),
            calls: CallState::default(),
            log,
            denials: Vec::new(),
            metrics: PluginMetrics::default(),
            resources,
            recorder,
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
        self.runner.as_ref().and_then(Runner::pid)
    }

    /// How many runner processes this plugin has started (1 + restarts).
    pub fn runners_started(&self) -> u64 {
        self.supervision.runners_started
    }

    /// Whether the current (or last) runner started from a cached artifact
    /// instead of compiling the component.
    pub fn started_from_cache(&self) -> bool {
        self.artifact.started_from_cache
    }

    pub fn config(&self) -> &PluginConfig {
        &self.config
    }

    /// Where the current (or last) runner's start went, step by step.
    pub fn startup(&self) -> Option<&crate::StartupTimeline> {
        self.supervision.startup.as_ref()
    }

    /// The sandbox layers the current (or last) runner reported active.
    pub fn sandbox_layers(&self) -> Option<&SandboxLayers> {
        self.supervision.layers.as_ref()
    }

    /// Capability refusals the runner reported (`(capability, reason)`), most recent last.
    pub fn denials(&self) -> &[(PluginText, PluginText)] {
        &self.denials
    }

    pub fn state(&self) -> PluginState {
        if let Some(reason) = &self.supervision.gave_up {
            return PluginState::Failed {
                reason: reason.clone(),
            };
        }
        match self.pid() {
            Some(pid) => PluginState::Running { pid },
            None => PluginState::Restarting {
                last_failure: self.supervision.last_failure.clone(),
            },
        }
    }

    /// Lets a plugin that was given up on start again, with a fresh restart budget.
    pub fn reset(&mut self) {
        self.supervision.gave_up = None;
        self.supervision.restarts.clear();
    }

    /// A handle that stops the current call at once by killing its runner.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            shared: self.supervision.abort.clone(),
        }
    }

    /// Takes the runner out, making sure no abort can signal it any more.
    fn take_runner(&mut self) -> Option<Runner> {
        let mut live = lock(&self.supervision.abort.live);
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
        CancelHandle(self.calls.cancel.clone())
    }

    /// Receives the guest's `progress.report` calls.
    /// The message is the plugin's own text: print it, and it is escaped.
    /// Reports past the call's `log-volume` are dropped (see [`Policy::log_volume`]).
    pub fn on_progress(&mut self, f: impl FnMut(f32, &PluginText) + Send + 'static) {
        self.log.progress = Some(Box::new(f));
    }

    /// The recording of the last call that ended, when the config records
    /// calls ([`PluginConfig::record_calls`]).
    pub fn last_recording(&self) -> Option<&crate::Recording> {
        self.recorder.last.as_ref()
    }

    /// [`Plugin::last_recording`], taken out.
    pub fn take_recording(&mut self) -> Option<crate::Recording> {
        self.recorder.last.take()
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
