//! One plugin instance: its runner process and the call loop that talks to it.
//!
//! Architecture invariant: every frame from the runner is treated as hostile.
//! Frames are size-capped before allocation and decoded without panicking,
//! every wait has a deadline, and a runner that breaks the protocol, misses its
//! deadline or dies is killed and reported with a typed [`Error`]; the next
//! call starts a fresh runner.

use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use std::collections::VecDeque;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use crate::resources::{self, CallScope, ResourceOwner};
use airlock_protocol::{
    CallFailure, Code, DeadlineWriter, FrameError, FrameReader, FrameWriter, FromRunner, Hello,
    InitFailure, MAX_CODE_FRAME_LEN, MAX_CODE_LEN, PREOPEN_FD_BASE, PROTOCOL_VERSION, RunnerPolicy,
    SPIN, SandboxLayers, SpinningReader, ToRunner, WorldHash,
};
use airlock_runner::artifact_fingerprint;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bounded_read::{MAX_COMPONENT_FILE_LEN, read_bounded};
use crate::cache::{Cached, EntryKey};
use crate::dispatch::ImportDispatch;
use crate::error::{Error, Result, TimeLimit};
use crate::launcher::{Launcher, StderrTail};
use crate::manifest::Manifest;
use crate::metrics::PluginMetrics;
use crate::plugin_log::PluginLog;
use crate::policy::Policy;
use crate::text::PluginText;
use airlock_protocol::ring::{self, Direction, RingReader, RingWriter, SharedRings};

mod import_volume;

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
    name: String,
    component: Arc<[u8]>,
    /// The component's BLAKE3 digest (its cache entry's name), computed once
    /// for the config and its clones.
    digest: Arc<std::sync::OnceLock<blake3::Hash>>,
    policy: Policy,
    manifest: ManifestSource,
}

/// Which manifest a plugin is started with.
#[derive(Debug, Clone)]
enum ManifestSource {
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

/// Where a plugin's runner is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginState {
    /// A runner is up.
    Running { pid: u32 },
    /// The last runner stopped (a crash, a timeout, a protocol violation, or
    /// [`Plugin::kill`]); the next call starts another.
    Restarting { last_failure: Option<PluginText> },
    /// Too many restarts within the policy's window; calls fail with
    /// [`Error::GaveUp`] until [`Plugin::reset`].
    Failed { reason: PluginText },
}

/// Asks an in-flight call to stop; the guest sees it through `airlock:plugin/cancel`.
#[derive(Debug, Clone)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Stops an in-flight call at once, from any thread, by killing its runner:
/// the call fails with [`Error::Cancelled`] and the next call starts a fresh
/// runner (not counted against the restart budget). For a guest that checks
/// for cancellation, [`CancelHandle`] is the gentler way.
#[derive(Debug, Clone)]
pub struct AbortHandle {
    shared: Arc<AbortShared>,
}

#[derive(Debug, Default)]
struct AbortShared {
    /// The live runner's pid; cleared (under the lock) before the runner is
    /// reaped, so a kill never reaches a recycled pid.
    live: std::sync::Mutex<Option<u32>>,
    requested: AtomicBool,
}

pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AbortHandle {
    /// Kills the runner, if one is up; true if there was one.
    pub fn abort(&self) -> bool {
        let live = lock(&self.shared.live);
        match *live {
            Some(pid) => {
                self.shared.requested.store(true, Ordering::Release);
                // Our own child, not reaped yet: the pid cannot have been reused.
                let _ = rustix::process::kill_process(
                    rustix::process::Pid::from_raw(pid as i32).expect("a child's pid is positive"),
                    rustix::process::Signal::KILL,
                );
                true
            }
            None => false,
        }
    }
}

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

/// How one runner start ended, short of an error.
enum Launched {
    Ready,
    StaleArtifact,
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

/// A live runner process.
struct Runner {
    child: Child,
    socket: UnixStream,
    reader: FrameReader,
    writer: FrameWriter,
    stderr: StderrTail,
    /// The shared rings once the runner took them (after `Ready`): every
    /// frame then goes through them, and the socket stays silent.
    rings: Option<(RingReader, RingWriter)>,
    /// The rings' memfd until the runner has it.
    rings_offer: Option<(Arc<SharedRings>, OwnedFd)>,
}

/// Released object numbers per `Release` frame: at most 5 bytes each, so a
/// frame's header stays well under [`airlock_protocol::MAX_HEADER_LEN`].
const RELEASES_PER_FRAME: usize = 4096;

/// Arguments at least this long are encoded straight into the shared rings.
const DIRECT_ENCODING_FROM: usize = 64 << 10;

/// How waiting for a frame ended, when it did not produce one.
enum RecvError {
    Timeout,
    /// The runner closed the connection or the socket failed: it probably died.
    Gone(String),
    /// The runner sent bytes the protocol does not allow.
    Violation(String),
}

impl Runner {
    /// Sends one frame, giving up at `deadline` if the runner does not take it.
    fn send<M: Serialize>(
        &mut self,
        message: &M,
        payload: &[u8],
        deadline: Instant,
    ) -> std::result::Result<(), FrameError> {
        match &mut self.rings {
            Some((_, ring)) => {
                ring.set_deadline(Some(deadline));
                self.writer.write(ring, message, payload)
            }
            None => self.writer.write(
                &mut DeadlineWriter::new(&self.socket, deadline),
                message,
                payload,
            ),
        }
    }

    /// Sends `message` with `value` encoded straight into the rings.
    fn send_encoded<M: Serialize, T: Serialize>(
        &mut self,
        message: &M,
        value: &T,
        deadline: Instant,
    ) -> std::result::Result<(), FrameError> {
        match &mut self.rings {
            Some((_, ring)) => {
                ring.set_deadline(Some(deadline));
                self.writer.write_encoded(ring, message, value)
            }
            None => unreachable!("only called with rings"),
        }
    }

    /// Switches to the shared rings the runner accepted in its `Ready`.
    fn take_rings(&mut self) -> std::io::Result<()> {
        let (rings, _fd) = self
            .rings_offer
            .take()
            .ok_or_else(|| std::io::Error::other("the runner took rings it was never offered"))?;
        let input = ring::reader(
            rings.clone(),
            Direction::FromRunner,
            self.socket.as_fd().try_clone_to_owned()?,
        );
        let output = ring::writer(
            rings,
            Direction::ToRunner,
            self.socket.as_fd().try_clone_to_owned()?,
        );
        self.rings = Some((input, output));
        Ok(())
    }

    fn recv(&mut self, deadline: Instant) -> std::result::Result<FromRunner, RecvError> {
        let now = Instant::now();
        if now >= deadline {
            return Err(RecvError::Timeout);
        }
        if let Some((ring, _)) = &mut self.rings {
            ring.set_deadline(Some(deadline));
            return match self.reader.read(ring) {
                Ok(m) => Ok(m),
                Err(e) if e.is_timeout() => Err(RecvError::Timeout),
                Err(FrameError::Closed) => Err(RecvError::Gone("connection closed".into())),
                Err(FrameError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                    Err(RecvError::Violation(e.to_string()))
                }
                Err(FrameError::Io(e)) => Err(RecvError::Gone(e.to_string())),
                Err(e) => Err(RecvError::Violation(e.to_string())),
            };
        }
        // The deadline bounds the whole frame, however slowly its bytes come.
        match self
            .reader
            .read(&mut SpinningReader::new(&self.socket, SPIN).with_deadline(deadline))
        {
            Ok(m) => Ok(m),
            Err(e) if e.is_timeout() => Err(RecvError::Timeout),
            Err(FrameError::Closed) => Err(RecvError::Gone("connection closed".into())),
            Err(FrameError::Io(e)) => Err(RecvError::Gone(e.to_string())),
            Err(e) => Err(RecvError::Violation(e.to_string())),
        }
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

    /// Checks that the runner answers between calls, within `timeout`;
    /// returns the round-trip time. A runner that does not answer is killed.
    pub fn health_check(&mut self, timeout: Duration) -> Result<Duration> {
        self.ensure_runner()?;
        let nonce = self.seq.wrapping_add(0x5eed);
        let started = Instant::now();
        let deadline = started + timeout;
        let runner = self.runner.as_mut().expect("ensured");
        if let Err(e) = runner.send(&ToRunner::Ping { nonce }, &[], deadline) {
            return Err(self.send_failed(e, "a health check", timeout));
        }
        loop {
            let runner = self.runner.as_mut().expect("ensured");
            match runner.recv(deadline) {
                Ok(FromRunner::Pong { nonce: n }) if n == nonce => return Ok(started.elapsed()),
                Ok(FromRunner::Log { level, message }) => {
                    self.log.log(&self.config.name, level, &message)
                }
                Ok(FromRunner::Output { stream, dropped }) => self.output(stream, dropped),
                Ok(other) => {
                    return Err(self.violation(format!(
                        "unexpected {} in answer to a health check",
                        describe(&other)
                    )));
                }
                Err(RecvError::Timeout) => {
                    self.fail("did not answer a health check");
                    return Err(Error::Timeout {
                        plugin: self.config.name.clone(),
                        limit: TimeLimit::Deadline(timeout),
                    });
                }
                Err(RecvError::Gone(why)) => return Err(self.runner_gone(why)),
                Err(RecvError::Violation(why)) => return Err(self.violation(why)),
            }
        }
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

    fn ensure_runner(&mut self) -> Result<()> {
        if self.runner.is_some() {
            return Ok(());
        }
        if self.runners_started > 0 {
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
                if self.started_from_cache && !self.abort.requested.load(Ordering::Acquire) =>
            {
                if let (Some(cache), Some(entry)) =
                    (self.launcher.cache_handle(), self.cache_entry.as_ref())
                {
                    cache.reject(entry, &format!("a runner started from it failed: {e}"));
                }
                self.launch_uncached()
            }
            Err(e) => Err(e),
        }
    }

    fn launch_uncached(&mut self) -> Result<()> {
        match self.launch(false)? {
            Launched::Ready => Ok(()),
            Launched::StaleArtifact => unreachable!("no artifact was sent"),
        }
    }

    /// Starts one runner and waits for `Ready`, sending the cached artifact
    /// when `use_cache` and the launcher's cache holds a valid one.
    fn launch(&mut self, use_cache: bool) -> Result<Launched> {
        // Reports what was dropped since the last call (a health check, an
        // earlier start) and gives the start-up the whole volume.
        self.log.finish(&self.config.name);
        let name = self.config.name.clone();
        let cache = self.launcher.cache_handle();
        let entry = cache.as_ref().map(|_| {
            *self.cache_entry.get_or_insert_with(|| {
                EntryKey::new(
                    &self.config.component_digest(),
                    &artifact_fingerprint(&self.wire),
                )
            })
        });
        let artifact = match (&cache, &entry) {
            (Some(cache), Some(entry)) if use_cache => cache.load_sealed(entry),
            _ => None,
        };
        if let Some(Cached::Sealed(sealed)) = &artifact {
            self.sealed = Some(sealed.clone());
        }
        // The shared rings go to the runner as the descriptor after the preopens.
        let rings_offer = match SharedRings::create() {
            Ok((rings, fd)) => Some((Arc::new(rings), fd)),
            Err(e) => {
                tracing::debug!(plugin = %PluginText::escape(&name), "no shared rings, frames stay on the socket: {e}");
                None
            }
        };
        let mut fds: Vec<BorrowedFd<'_>> = self.preopens.iter().map(|fd| fd.as_fd()).collect();
        let rings_fd = rings_offer.as_ref().map(|(_, fd)| {
            fds.push(fd.as_fd());
            PREOPEN_FD_BASE + fds.len() as i32 - 1
        });
        // A sealed artifact goes as the descriptor after that: mapped, not sent.
        let code = Cached::code(artifact.as_ref(), cache.is_some(), &mut fds);
        let (child, socket, stderr) =
            self.launcher
                .spawn(&name, &fds)
                .map_err(|source| Error::Spawn {
                    plugin: name.clone(),
                    source,
                })?;
        self.runners_started += 1;
        // From here on an abort reaches this runner, even during start-up.
        *lock(&self.abort.live) = Some(child.id());
        self.started_from_cache = artifact.is_some();
        // The artifact frame may be larger than any call's frame; allowed
        // during start-up only.
        let startup_frame = match code {
            Code::Component {
                want_artifact: true,
            } => self.wire.max_frame.max(MAX_CODE_FRAME_LEN),
            _ => self.wire.max_frame,
        };
        let mut runner = Runner {
            child,
            socket,
            reader: FrameReader::new(startup_frame),
            writer: FrameWriter::new(),
            stderr,
            rings: None,
            rings_offer,
        };
        let hello = ToRunner::Hello(Hello {
            protocol: PROTOCOL_VERSION,
            world: self.world.name.to_string(),
            world_hash: self.world.hash,
            plugin: name.clone(),
            policy: self.wire.clone(),
            code,
            rings_fd,
        });
        let payload = Cached::payload(artifact.as_ref(), &self.config.component);
        let deadline = Instant::now() + self.config.policy.startup;
        let sent = runner.send(&hello, payload, deadline);
        drop(artifact);
        self.runner = Some(runner);
        if let Err(e) = sent {
            return Err(self.send_failed(e, "the component", self.config.policy.startup));
        }
        let mut artifact_received = false;
        loop {
            let runner = self.runner.as_mut().expect("set above");
            match runner.recv(deadline) {
                Ok(FromRunner::Ready {
                    world_hash,
                    mut layers,
                    rings,
                    mapped,
                }) if world_hash == self.world.hash => {
                    if let (true, Some(cache)) = (mapped && code.is_artifact(), &cache) {
                        cache.note_mapped();
                    }
                    runner.reader.set_max_frame(self.wire.max_frame);
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
                    let missing: Vec<String> = self
                        .config
                        .policy
                        .require
                        .iter()
                        .filter(|l| !l.is_active(&layers))
                        .map(|l| l.to_string())
                        .collect();
                    let notes = layers.notes.join("; ");
                    self.layers = Some(layers);
                    if !missing.is_empty() {
                        self.kill();
                        return Err(Error::SandboxUnavailable {
                            plugin: name,
                            missing,
                            notes: notes.into(),
                        });
                    }
                    return Ok(Launched::Ready);
                }
                Ok(FromRunner::Artifact)
                    if code
                        == (Code::Component {
                            want_artifact: true,
                        })
                        && !artifact_received =>
                {
                    artifact_received = true;
                    let (Some(cache), Some(entry)) = (&cache, &entry) else {
                        unreachable!("an artifact is asked for only with a cache")
                    };
                    match cache.store(entry, runner.reader.payload()) {
                        Ok(sealed) => self.sealed = sealed,
                        Err(e) => {
                            tracing::warn!(plugin = %PluginText::escape(&name), "cannot store the compiled artifact: {e}")
                        }
                    }
                    // The artifact's buffer is as large as the code; calls need far less.
                    runner.reader.release_buffer();
                }
                Ok(FromRunner::InitFailed(InitFailure::StaleArtifact(why)))
                    if code.is_artifact() =>
                {
                    self.kill();
                    if let (Some(cache), Some(entry)) = (&cache, &entry) {
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
                        plugin: name,
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

    fn bad_arguments(&self, function: &str, e: postcard::Error) -> Error {
        if let Some(detail) = resources::take_refusal() {
            return Error::StaleHandle {
                plugin: self.config.name.clone(),
                function: function.to_string(),
                detail,
            };
        }
        Error::BadArguments {
            plugin: self.config.name.clone(),
            function: function.to_string(),
            detail: e.to_string().into(),
        }
    }

    fn init_error(&self, failure: InitFailure) -> Error {
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

    /// Calls export `func` (named `function` in errors) with `args`, serving the
    /// runner's import calls through `imports` until the result arrives.
    ///
    /// Each call is a `tracing` span `call` (target `airlock::call`) with the
    /// plugin, the function, its duration in microseconds and its outcome,
    /// and is counted in [`Plugin::metrics`].
    pub fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        func: u32,
        function: &str,
        args: &A,
        imports: &mut dyn ImportDispatch,
    ) -> Result<R> {
        let span = tracing::debug_span!(
            target: "airlock::call",
            "call",
            plugin = %PluginText::escape(&self.config.name),
            function,
            duration_us = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let _entered = span.enter();
        // Aborted while no call was in flight: that runner is dead; this call
        // starts a fresh one.
        self.retire_aborted_runner();
        let started = Instant::now();
        // Handles in the arguments are checked against this instance, and
        // handles in the result are tied to it.
        let scope = CallScope::new(&self.resources);
        self.log.begin();
        let mut result = scope.run(|| self.call_inner(func, function, args, imports));
        self.log.finish(&self.config.name);
        // Killed during the call (perhaps just after it answered).
        if self.retire_aborted_runner() {
            // Whatever the dying runner looked like, the caller asked for it.
            if result.is_err() {
                result = Err(Error::Cancelled {
                    plugin: self.config.name.clone(),
                    function: function.to_string(),
                });
            }
        }
        let took = started.elapsed();
        self.metrics.latency.record(took);
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => {
                *self.metrics.errors.entry(e.kind()).or_default() += 1;
                e.kind()
            }
        };
        span.record("duration_us", took.as_micros() as u64);
        span.record("outcome", outcome);
        result
    }

    /// If an abort was requested, reaps its runner so that the next call
    /// starts a fresh one, not counted against the restart budget; true if
    /// there was one. (A plain load first: no atomic write on every call.)
    fn retire_aborted_runner(&mut self) -> bool {
        let requested = &self.abort.requested;
        if !(requested.load(Ordering::Acquire) && requested.swap(false, Ordering::AcqRel)) {
            return false;
        }
        self.kill();
        self.aborted_runner = true;
        self.last_failure = Some("aborted".into());
        true
    }

    /// What this plugin's calls have done so far.
    pub fn metrics(&self) -> &PluginMetrics {
        &self.metrics
    }

    fn call_inner<A: Serialize, R: DeserializeOwned>(
        &mut self,
        func: u32,
        function: &str,
        args: &A,
        imports: &mut dyn ImportDispatch,
    ) -> Result<R> {
        let len =
            airlock_protocol::encoded_len(args).map_err(|e| self.bad_arguments(function, e))?;
        // Bulk arguments are encoded straight into shared memory; small ones
        // into a buffer first (one copy into the ring beats many tiny writes).
        let direct = len >= DIRECT_ENCODING_FROM;
        if !direct {
            airlock_protocol::encode_into(args, &mut self.args)
                .map_err(|e| self.bad_arguments(function, e))?;
        }
        self.ensure_runner()?;
        // Starting the runner may have ended an instance (a stale cached
        // artifact, say): the result's handles belong to the one running now.
        resources::follow(&self.resources);
        self.cancel.store(false, Ordering::Release);
        self.seq += 1;
        let seq = self.seq;
        let call = ToRunner::Call { seq, func };
        let into_rings = direct && self.runner.as_ref().is_some_and(|r| r.rings.is_some());
        if direct && !into_rings {
            airlock_protocol::encode_into(args, &mut self.args)
                .map_err(|e| self.bad_arguments(function, e))?;
        }
        // One deadline for the whole call: sending, the guest's work, the
        // host's import calls, the result.
        // (Read now, not when the call began: starting a replacement runner
        // must not eat into the guest's time.)
        let deadline = Instant::now() + self.config.policy.deadline + self.config.policy.grace;
        let runner = self.runner.as_mut().expect("ensured");
        // Objects whose handles the host dropped: destroyed as the call
        // starts. (In pieces that fit a frame header.)
        let released = self.resources.take_released();
        for ids in released.chunks(RELEASES_PER_FRAME) {
            let release = ToRunner::Release { ids: ids.to_vec() };
            if let Err(e) = runner.send(&release, &[], deadline) {
                return Err(self.send_failed(e, "released handles", self.config.policy.deadline));
            }
            self.metrics.released += ids.len() as u64;
        }
        let sent = if into_rings {
            runner.send_encoded(&call, args, deadline)
        } else {
            let args = std::mem::take(&mut self.args);
            let sent = runner.send(&call, &args, deadline);
            self.args = args;
            sent
        };
        if let Err(e) = sent {
            return Err(self.send_failed(e, "the call", self.config.policy.deadline));
        }
        let mut volume = import_volume::ImportVolume::new(self.config.policy.import_volume.0);
        loop {
            let runner = self.runner.as_mut().expect("ensured");
            let message = match runner.recv(deadline) {
                Ok(m) => m,
                Err(RecvError::Timeout) => {
                    self.fail("killed at its deadline");
                    return Err(Error::Timeout {
                        plugin: self.config.name.clone(),
                        limit: TimeLimit::Deadline(self.config.policy.deadline),
                    });
                }
                Err(RecvError::Gone(why)) => return Err(self.runner_gone(why)),
                Err(RecvError::Violation(why)) => return Err(self.violation(why)),
            };
            match message {
                FromRunner::Return {
                    seq: s,
                    outcome,
                    cost,
                } if s == seq => {
                    self.metrics.peak_memory_bytes =
                        self.metrics.peak_memory_bytes.max(cost.memory_bytes);
                    self.metrics.fuel_used += cost.fuel_used;
                    return match outcome {
                        Ok(()) => match airlock_protocol::decode::<R>(runner.reader.payload()) {
                            Ok(value) => Ok(value),
                            Err(e) => Err(self.violation(format!(
                                "the result of `{function}` did not decode: {e}"
                            ))),
                        },
                        Err(failure) => Err(self.call_failure(function, failure)),
                    };
                }
                FromRunner::ImportCall { seq: s, func } => {
                    if let Err(over) = volume.charge(runner.reader.payload().len()) {
                        return Err(self.over_import_volume(over, func, imports));
                    }
                    let mut out = std::mem::take(&mut self.import_result);
                    out.clear();
                    let dispatched = imports.dispatch(func, runner.reader.payload(), &mut out);
                    let sent = match dispatched {
                        Ok(()) => runner.send(&ToRunner::ImportReturn { seq: s }, &out, deadline),
                        Err(e) => {
                            self.import_result = out;
                            return Err(self.violation(e.to_string()));
                        }
                    };
                    self.import_result = out;
                    if let Err(e) = sent {
                        let limit = self.config.policy.deadline;
                        return Err(self.send_failed(e, "an import result", limit));
                    }
                }
                FromRunner::CancelQuery => {
                    let cancelled = self.cancel.load(Ordering::Acquire);
                    if let Err(e) = runner.send(&ToRunner::CancelReply { cancelled }, &[], deadline)
                    {
                        let limit = self.config.policy.deadline;
                        return Err(self.send_failed(e, "a cancellation answer", limit));
                    }
                }
                FromRunner::Log { level, message } => {
                    self.log.log(&self.config.name, level, &message)
                }
                FromRunner::Output { stream, dropped } => self.output(stream, dropped),
                FromRunner::Denied { capability, reason } => self.denied(capability, reason),
                FromRunner::Progress { fraction, message } => {
                    self.log.progress(&self.config.name, fraction, message)
                }
                other => {
                    return Err(
                        self.violation(format!("unexpected {} during a call", describe(&other)))
                    );
                }
            }
        }
    }

    fn call_failure(&mut self, function: &str, failure: CallFailure) -> Error {
        let plugin = self.config.name.clone();
        // Every failure but a refusal of the arguments ends the instance
        // inside the runner; the next call gets a fresh one.
        if !matches!(
            failure,
            CallFailure::BadArguments(_) | CallFailure::UnknownFunction(_)
        ) {
            self.instance_ended();
        }
        match failure {
            CallFailure::Trap { message, backtrace } => Error::Trap {
                plugin,
                message: message.into(),
                backtrace: backtrace.map(PluginText::from),
            },
            CallFailure::DeadlineExceeded { .. } => Error::Timeout {
                plugin,
                limit: TimeLimit::Deadline(self.config.policy.deadline),
            },
            CallFailure::OutOfFuel { fuel } => Error::Timeout {
                plugin,
                limit: TimeLimit::Fuel(fuel),
            },
            CallFailure::OutOfMemory {
                limit_bytes,
                detail,
            } => Error::OutOfMemory {
                plugin,
                limit_bytes,
                detail: detail.into(),
            },
            CallFailure::BadArguments(detail) => Error::BadArguments {
                plugin,
                function: function.to_string(),
                detail: detail.into(),
            },
            CallFailure::UnknownFunction(f) => self.violation(format!(
                "the runner does not know export {f} (`{function}`)"
            )),
            CallFailure::Instantiate(detail) => Error::Instantiate {
                plugin,
                detail: detail.into(),
            },
        }
    }

    fn output(&mut self, stream: airlock_protocol::OutputStream, dropped: u64) {
        let Some(runner) = &self.runner else { return };
        self.log
            .output(&self.config.name, stream, runner.reader.payload(), dropped);
    }

    /// A send that failed: a runner that did not take the frame in time is
    /// killed and reported as a timeout against `limit`; otherwise it is gone.
    fn send_failed(&mut self, e: FrameError, what: &str, limit: Duration) -> Error {
        if e.is_timeout() {
            self.fail(&format!("did not take {what} in time"));
            return Error::Timeout {
                plugin: self.config.name.clone(),
                limit: TimeLimit::Deadline(limit),
            };
        }
        self.runner_gone(format!("failed to send {what}: {e}"))
    }

    /// Kills the runner for breaking the protocol.
    fn violation(&mut self, detail: String) -> Error {
        self.fail(&format!("protocol violation: {detail}"));
        Error::Protocol {
            plugin: self.config.name.clone(),
            detail: detail.into(),
        }
    }

    /// Reaps a runner whose connection broke and reports how it ended.
    fn runner_gone(&mut self, why: String) -> Error {
        let plugin = self.config.name.clone();
        let Some(mut runner) = self.take_runner() else {
            return Error::Crashed {
                plugin,
                status: why.into(),
                signal: None,
                stderr_tail: String::new().into(),
            };
        };
        let until = Instant::now() + Duration::from_millis(500);
        let status = loop {
            match runner.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(2)),
                _ => {
                    let _ = runner.child.kill();
                    break runner.child.wait().ok();
                }
            }
        };
        let signal = status.and_then(|s| s.signal());
        let status = match (status, signal) {
            (_, Some(sig)) => format!("killed by signal {sig}"),
            (Some(s), None) => match s.code() {
                Some(code) => format!("exit status {code}"),
                None => "unknown exit".into(),
            },
            (None, None) => format!("unknown ({why})"),
        };
        let stderr_tail = runner.stderr.finish();
        self.last_failure = Some(status.as_str().into());
        if signal == Some(libc::SIGSYS) {
            return Error::Denied {
                plugin,
                capability: "a system call".into(),
                reason: "the runner made a system call outside its seccomp allow-list and was killed (SIGSYS)".into(),
            };
        }
        Error::Crashed {
            plugin,
            status: status.into(),
            signal,
            stderr_tail: stderr_tail.into(),
        }
    }

    /// Kills the runner after a failure, remembering why for [`Plugin::state`].
    fn fail(&mut self, why: &str) {
        self.last_failure = Some(why.into());
        self.kill();
    }

    fn denied(&mut self, capability: String, reason: String) {
        let (capability, reason) = (PluginText::new(capability), PluginText::new(reason));
        self.log.denied(&self.config.name, &capability, &reason);
        if self.denials.len() == 64 {
            self.denials.remove(0);
        }
        self.denials.push((capability, reason));
    }

    /// Applies the restart budget and backoff before starting a replacement runner.
    fn before_restart(&mut self) -> Result<()> {
        if std::mem::take(&mut self.aborted_runner) {
            self.metrics.restarts += 1;
            return Ok(());
        }
        let policy = &self.config.policy;
        let last = || self.last_failure.clone().unwrap_or_else(|| "killed".into());
        if let Some(reason) = &self.gave_up {
            return Err(Error::GaveUp {
                plugin: self.config.name.clone(),
                restarts: self.restarts.len(),
                window: policy.restart_window,
                last: reason.clone(),
            });
        }
        let now = Instant::now();
        while self
            .restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) > policy.restart_window)
        {
            self.restarts.pop_front();
        }
        if self.restarts.len() >= policy.restarts as usize {
            let last = last();
            self.gave_up = Some(last.clone());
            tracing::error!(target: "airlock::plugin", plugin = %PluginText::escape(&self.config.name), restarts = self.restarts.len(), "giving up on the plugin: {last}");
            return Err(Error::GaveUp {
                plugin: self.config.name.clone(),
                restarts: self.restarts.len(),
                window: policy.restart_window,
                last,
            });
        }
        if !self.restarts.is_empty() {
            let factor = 1u32 << (self.restarts.len() - 1).min(5);
            let wait = (policy.backoff * factor).min(Duration::from_secs(2));
            std::thread::sleep(wait);
        }
        tracing::info!(target: "airlock::plugin", plugin = %PluginText::escape(&self.config.name), last_failure = ?self.last_failure, "restarting the runner");
        self.restarts.push_back(Instant::now());
        self.metrics.restarts += 1;
        Ok(())
    }

    /// Kills and reaps the runner, if any; the next call starts a new one.
    pub fn kill(&mut self) {
        if let Some(mut runner) = self.take_runner() {
            let _ = runner.child.kill();
            let _ = runner.child.wait();
        }
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        // Taking the runner ends its instance and every handle from it.
        if let Some(mut runner) = self.take_runner() {
            // A runner gets 100 ms to take the request and exit.
            let until = Instant::now() + Duration::from_millis(100);
            let _ = runner.send(&ToRunner::Shutdown, &[], until);
            loop {
                match runner.child.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < until => {
                        std::thread::sleep(Duration::from_millis(1))
                    }
                    _ => {
                        let _ = runner.child.kill();
                        let _ = runner.child.wait();
                        break;
                    }
                }
            }
        }
    }
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

/// Checks the layers a runner reported against `/proc/<pid>/status`
/// (Seccomp, NoNewPrivs, CapEff), clearing any the kernel does not confirm.
/// Where there is no `/proc` (not Linux), the report stands as sent.
fn verify_layers(pid: u32, layers: &mut SandboxLayers) {
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

fn open_preopens(config: &PluginConfig) -> Result<Vec<OwnedFd>> {
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

fn describe(message: &FromRunner) -> String {
    match message {
        FromRunner::Ready { .. } => "Ready".into(),
        FromRunner::InitFailed(_) => "InitFailed".into(),
        FromRunner::Return { seq, .. } => format!("Return for call {seq}"),
        other => format!("{other:?}"),
    }
}
