//! Starting a runner: spawn it, send the component or its cached artifact,
//! and wait for `Ready`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use airlock_protocol::{
    Code, FrameReader, FrameWriter, FromRunner, Hello, InitFailure, MAX_CODE_FRAME_LEN,
    PREOPEN_FD_BASE, PROTOCOL_VERSION, SandboxLayers, ToRunner,
};
use airlock_runner::artifact_fingerprint;

use super::admission::verify_layers;
use super::connection::{RecvError, Runner, describe};
use super::{Plugin, lock};
use crate::cache::{ArtifactCache, Cached, EntryKey};
use crate::error::{Error, Result, TimeLimit};
use crate::platform::{Inherit, RingOffer, SealedArtifact};
use crate::startup::{HostMarks, StartupTimeline};
use crate::text::PluginText;

/// The compiled artifact runners of a plugin start from.
#[derive(Default)]
pub(super) struct ArtifactState {
    /// This plugin's name in the launcher's artifact cache, computed on first use.
    pub(super) cache_entry: Option<EntryKey>,
    /// The cache entry's sealed memfd, kept for restarts and shared by all plugins of it.
    pub(super) sealed: Option<Arc<SealedArtifact>>,
    /// Whether the current (or last) runner loaded a cached artifact.
    pub(super) started_from_cache: bool,
}

/// How one runner start ended, short of an error.
pub(super) enum Launched {
    Ready,
    StaleArtifact,
}

impl Plugin {
    pub(super) fn ensure_runner(&mut self) -> Result<()> {
        if self.runner.is_some() {
            return Ok(());
        }
        if self.supervision.runners_started > 0 {
            self.before_restart()?;
        }
        match self.launch(true) {
            Ok(Launched::Ready) => Ok(()),
            // The cached artifact was made by another engine: it is gone from
            // the cache now; compile from the component once.
            Ok(Launched::StaleArtifact) => self.launch_uncached(),
            // A runner that died or broke the protocol while loading a cached
            // artifact may have been hurt by the artifact itself: drop the
            // entry and compile afresh, once. (Traps and failed
            // instantiation are the plugin's own; they would recur.)
            Err(e @ (Error::Crashed { .. } | Error::Protocol { .. }))
                if self.artifact.started_from_cache
                    && !self.supervision.abort.requested.load(Ordering::Acquire) =>
            {
                if let (Some(cache), Some(entry)) = (
                    self.runners.cache_handle(),
                    self.artifact.cache_entry.as_ref(),
                ) {
                    cache.reject(entry, &format!("a runner started from it failed: {e}"));
                }
                self.launch_uncached()
            }
            Err(e) => Err(e),
        }
    }

    pub(super) fn launch_uncached(&mut self) -> Result<()> {
        match self.launch(false)? {
            Launched::Ready => Ok(()),
            Launched::StaleArtifact => unreachable!("no artifact was sent"),
        }
    }

    /// Starts one runner and waits for `Ready`, sending the cached artifact
    /// when `use_cache` and the launcher's cache holds a valid one.
    pub(super) fn launch(&mut self, use_cache: bool) -> Result<Launched> {
        // Reports what was dropped since the last call (a health check, an
        // earlier start) and gives the start-up the whole volume.
        self.log.finish(&self.config.name);
        let cache = self.runners.cache_handle();
        let entry = cache.as_ref().map(|_| self.cache_entry());
        let artifact = match (&cache, &entry) {
            (Some(cache), Some(entry)) if use_cache => cache.load_sealed(entry),
            _ => None,
        };
        if let Some(Cached::Sealed(sealed)) = &artifact {
            self.artifact.sealed = Some(sealed.clone());
        }
        let deadline = Instant::now() + self.config.policy.startup;
        let mut marks = HostMarks::begin();
        let code = self.spawn_runner(artifact, cache.is_some(), deadline, &mut marks)?;
        let caching = cache.as_deref().zip(entry.as_ref());
        self.await_ready(code, caching, deadline, marks)
    }

    /// This plugin's name in the launcher's artifact cache, computed once.
    fn cache_entry(&mut self) -> EntryKey {
        *self.artifact.cache_entry.get_or_insert_with(|| {
            EntryKey::new(
                &self.config.component_digest(),
                &artifact_fingerprint(&self.admitted.wire),
            )
        })
    }

    /// Spawns a runner, makes it the live one and sends it `Hello` with the
    /// component or `artifact`; returns what code it was sent.
    fn spawn_runner(
        &mut self,
        artifact: Option<Cached>,
        caching: bool,
        deadline: Instant,
        marks: &mut HostMarks,
    ) -> Result<Code> {
        let name = self.config.name.clone();
        let rings_offer = self.offer_rings();
        let mut fds: Vec<Inherit<'_>> = self
            .admitted
            .preopens
            .iter()
            .map(crate::platform::dir_inherit)
            .collect();
        // The shared rings go to the runner as the descriptor after the preopens.
        let rings_fd = rings_offer.as_ref().map(|offer| {
            fds.push(crate::platform::ring_inherit(offer));
            PREOPEN_FD_BASE + fds.len() as i32 - 1
        });
        // A sealed artifact goes as the descriptor after that: mapped, not sent.
        let code = Cached::code(artifact.as_ref(), caching, &mut fds);
        let (peer, socket) = self
            .runners
            .spawn(
                &name,
                !self.admitted.wire.network.is_empty(),
                self.admitted.wire.max_memory_bytes,
                &fds,
            )
            .map_err(|source| Error::Spawn {
                plugin: name.clone(),
                source,
            })?;
        marks.spawned = HostMarks::now();
        self.supervision.runners_started += 1;
        // From here on an abort reaches this runner, even during start-up.
        *lock(&self.supervision.abort.live) = peer.killer();
        self.artifact.started_from_cache = artifact.is_some();
        // The artifact frame may be larger than any call's frame; allowed
        // during start-up only.
        let startup_frame = match code {
            Code::Component {
                want_artifact: true,
            } => self.admitted.wire.max_frame.max(MAX_CODE_FRAME_LEN),
            _ => self.admitted.wire.max_frame,
        };
        let mut runner = Runner {
            peer,
            socket,
            reader: FrameReader::new(startup_frame),
            writer: FrameWriter::new(),
            rings: None,
            rings_offer,
        };
        let hello = ToRunner::Hello(Hello {
            protocol: PROTOCOL_VERSION,
            world: self.world.name.to_string(),
            world_hash: self.world.hash,
            plugin: name,
            policy: self.admitted.wire.clone(),
            code,
            rings_fd,
            ring_wake: self.runners.ring_wake(),
            backend: self.runners.backend(),
            recording: self.config.record.is_some(),
        });
        let payload = Cached::payload(artifact.as_ref(), &self.config.component);
        let sent = runner.send(&hello, payload, deadline);
        marks.sent = HostMarks::now();
        drop(artifact);
        self.runner = Some(runner);
        match sent {
            Ok(()) => Ok(code),
            Err(e) => Err(self.send_failed(e, "the component", self.config.policy.startup)),
        }
    }

    /// Shared rings to offer the next runner, where it can take them.
    fn offer_rings(&self) -> Option<RingOffer> {
        if !self.runners.take_descriptors() {
            return None;
        }
        match crate::platform::offer_rings(self.runners.ring_wake()) {
            Ok(offer) => Some(offer),
            Err(e) => {
                tracing::debug!(plugin = %PluginText::escape(&self.config.name), "no shared rings, frames stay on the socket: {e}");
                None
            }
        }
    }

    /// Waits for the live runner's `Ready`, storing the artifact it compiled
    /// on the way when `caching` asks for one.
    fn await_ready(
        &mut self,
        code: Code,
        caching: Option<(&ArtifactCache, &EntryKey)>,
        deadline: Instant,
        mut marks: HostMarks,
    ) -> Result<Launched> {
        let mut artifact_received = false;
        loop {
            let runner = self.runner.as_mut().expect("spawned");
            match runner.recv(deadline) {
                Ok(FromRunner::Ready {
                    world_hash,
                    layers,
                    rings,
                    mapped,
                    marks: runner_marks,
                }) if world_hash == self.world.hash => {
                    marks.ready = HostMarks::now();
                    if let (true, Some((cache, _))) = (mapped && code.is_artifact(), caching) {
                        cache.note_mapped();
                    }
                    let ready = self.on_ready(layers, rings);
                    marks.verified = HostMarks::now();
                    self.supervision.startup = Some(StartupTimeline::new(&marks, &runner_marks));
                    return ready;
                }
                Ok(FromRunner::Artifact)
                    if code
                        == (Code::Component {
                            want_artifact: true,
                        })
                        && !artifact_received =>
                {
                    artifact_received = true;
                    let Some((cache, entry)) = caching else {
                        unreachable!("an artifact is asked for only with a cache")
                    };
                    match cache.store(entry, runner.reader.payload()) {
                        Ok(sealed) => self.artifact.sealed = sealed,
                        Err(e) => {
                            tracing::warn!(plugin = %PluginText::escape(&self.config.name), "cannot store the compiled artifact: {e}")
                        }
                    }
                    // The artifact's buffer is as large as the code; calls need far less.
                    runner.reader.release_buffer();
                }
                Ok(FromRunner::InitFailed(InitFailure::StaleArtifact(why)))
                    if code.is_artifact() =>
                {
                    self.kill();
                    if let Some((cache, entry)) = caching {
                        cache.reject(entry, &format!("the runner could not load it: {why}"));
                    }
                    return Ok(Launched::StaleArtifact);
                }
                Ok(FromRunner::InitFailed(failure)) => {
                    self.kill();
                    return Err(self.init_error(failure));
                }
                Ok(FromRunner::Log { level, message }) => {
                    self.log.log(&self.config.name, level, &message)
                }
                Ok(FromRunner::Output { stream, dropped }) => self.output(stream, dropped),
                Ok(other) => {
                    return Err(
                        self.violation(format!("unexpected {} during start-up", describe(&other)))
                    );
                }
                Err(RecvError::Timeout) => {
                    self.fail("start-up timed out");
                    return Err(Error::Instantiate {
                        plugin: self.config.name.clone(),
                        detail: format!(
                            "start-up took longer than {:?}",
                            self.config.policy.startup
                        )
                        .into(),
                    });
                }
                Err(RecvError::Gone(why)) => return Err(self.runner_gone(why)),
                Err(RecvError::Violation(why)) => return Err(self.violation(why)),
            }
        }
    }

    /// The runner is ready: switch to the rings if it took them, and check
    /// the sandbox layers it reports against the kernel's view and the policy.
    fn on_ready(&mut self, mut layers: SandboxLayers, rings: bool) -> Result<Launched> {
        let runner = self.runner.as_mut().expect("spawned");
        runner.reader.set_max_frame(self.admitted.wire.max_frame);
        if rings {
            if let Err(e) = runner.take_rings() {
                return Err(self.violation(format!("bad Ready: {e}")));
            }
        } else {
            runner.rings_offer = None;
        }
        // Trust, but verify: what the kernel says about the runner
        // overrides what the runner says about itself.
        if let Some(pid) = self.pid() {
            verify_layers(pid, &mut layers);
        }
        self.runner
            .as_ref()
            .expect("spawned")
            .peer
            .confirm_layers(&mut layers);
        let missing: Vec<String> = self
            .config
            .policy
            .require
            .iter()
            .filter(|l| !l.is_active(&layers))
            .map(|l| l.to_string())
            .collect();
        let notes = layers.notes.join("; ");
        self.supervision.layers = Some(layers);
        if !missing.is_empty() {
            self.kill();
            return Err(Error::SandboxUnavailable {
                plugin: self.config.name.clone(),
                missing,
                notes: notes.into(),
            });
        }
        Ok(Launched::Ready)
    }

    pub(super) fn init_error(&self, failure: InitFailure) -> Error {
        let plugin = self.config.name.clone();
        let world = self.world.name.to_string();
        match failure {
            InitFailure::ProtocolMismatch { host, runner } => {
                Error::ProtocolMismatch { host, runner }
            }
            InitFailure::UnknownWorld { world, known } => Error::UnknownWorld {
                world: world.into(),
                known: known.join(", "),
            },
            InitFailure::WorldMismatch(detail) => Error::WorldMismatch {
                plugin,
                world: world.into(),
                detail: detail.into(),
            },
            InitFailure::Compile(detail) => Error::Compile {
                plugin,
                detail: detail.into(),
            },
            InitFailure::StaleArtifact(detail) => Error::Protocol {
                plugin,
                detail: format!("the runner reported a stale artifact it was never sent: {detail}")
                    .into(),
            },
            InitFailure::Instantiate(detail) => Error::Instantiate {
                plugin,
                detail: detail.into(),
            },
            InitFailure::OutOfMemory {
                limit_bytes,
                detail,
            } => Error::OutOfMemory {
                plugin,
                limit_bytes,
                detail: detail.into(),
            },
            InitFailure::DeadlineExceeded { deadline_ms } => Error::Timeout {
                plugin,
                limit: TimeLimit::Deadline(Duration::from_millis(deadline_ms)),
            },
            InitFailure::OutOfFuel { fuel } => Error::Timeout {
                plugin,
                limit: TimeLimit::Fuel(fuel),
            },
        }
    }
}
