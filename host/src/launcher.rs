//! Starting runner processes: which executable, with what inherited, and the
//! hook that lets one binary be both the host application and its runners.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::Arc;

use airlock_protocol::{Backend, Stream, Wake};

use crate::cache::ArtifactCache;
use crate::platform::{ExecRunner, ForkedRunner, Inherit, Zygotes};
use crate::runner_stderr::StderrTail;
use airlock_runner::{RUNNER_ARG, WorldGlue};

/// Serves as a runner and exits when this process was started as one;
/// returns at once otherwise. Call it first thing in `main` of a host
/// application that runs its own plugins, with the glue of every world it uses.
pub fn serve_runner_if_requested(worlds: &[&dyn WorldGlue]) {
    if std::env::args_os().nth(1).as_deref() == Some(OsStr::new(RUNNER_ARG)) {
        airlock_runner::run_runner_process(worlds);
    }
}

/// Which executable runs plugins.
///
/// A runner has an empty environment, stdin from `/dev/null`, stdout
/// discarded, stderr captured into the host's log, one socket on descriptor
/// 3 and the preopened directories from descriptor 4; nothing else.
///
/// On the Linux backend runners are forked from a zygote: the program,
/// exec'd once on first use as a template that holds nothing of any plugin
/// (see `docs/startup-and-files.md`). When the program cannot serve as one,
/// with [`Launcher::without_zygote`], or on the POSIX backend, each runner
/// is an exec of the program.
#[derive(Debug, Clone)]
pub struct Launcher {
    program: PathBuf,
    cache: Option<Arc<ArtifactCache>>,
    /// Which backend starts and reaches runners (`docs/platforms.md`).
    backend: Backend,
    /// [`Launcher::without_zygote`] was called.
    zygote_refused: bool,
    /// The zygote, when the backend forks runners and it was not refused.
    zygote: Option<Arc<Zygotes>>,
    /// How a side parked on a runner's shared rings is woken.
    ring_wake: Wake,
    /// [`Launcher::with_ring_wake`] chose `ring_wake`: a backend chosen
    /// later keeps it.
    ring_wake_chosen: bool,
}

/// The environment variable that picks the backend for launchers made
/// after it is set (`linux` or `posix`): how the runner suite runs a
/// second time with what macOS uses (`docs/platforms.md`).
pub const BACKEND_VAR: &str = "AIRLOCK_BACKEND";

/// The environment variable that picks the rings' wake-ups for launchers
/// made after it is set (`futex` or `socket`), whichever their backend.
pub const RING_WAKE_VAR: &str = "AIRLOCK_RING_WAKE";

/// A runner process: exec'd, or forked by the zygote (and then this
/// process's child all the same).
#[derive(Debug)]
pub(crate) enum RunnerProcess {
    Exec(ExecRunner),
    Forked(ForkedRunner),
}

impl RunnerProcess {
    pub(crate) fn id(&self) -> u32 {
        match self {
            Self::Exec(child) => child.id(),
            Self::Forked(runner) => runner.id(),
        }
    }

    pub(crate) fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        match self {
            Self::Exec(child) => child.try_wait(),
            Self::Forked(runner) => runner.try_wait(),
        }
    }

    pub(crate) fn kill(&mut self) -> std::io::Result<()> {
        match self {
            Self::Exec(child) => child.kill(),
            Self::Forked(runner) => runner.kill(),
        }
    }

    pub(crate) fn wait(&mut self) -> std::io::Result<ExitStatus> {
        match self {
            Self::Exec(child) => child.wait(),
            Self::Forked(runner) => runner.wait(),
        }
    }
}

/// The value of the environment variable `var` as a `T` this system has,
/// by `from_name`; `None` when unset, and a warning when it names none.
fn from_env<T>(
    var: &str,
    from_name: fn(&str) -> Option<T>,
    available: fn(&T) -> bool,
) -> Option<T> {
    let name = std::env::var_os(var)?;
    let found = name.to_str().and_then(from_name).filter(available);
    if found.is_none() {
        tracing::warn!(
            "{var}={} names nothing this system has (see docs/platforms.md); ignored",
            crate::PluginText::escape(&name.to_string_lossy()),
        );
    }
    found
}

impl Launcher {
    /// This very executable; its `main` must call [`serve_runner_if_requested`].
    pub fn current_exe() -> std::io::Result<Self> {
        Ok(Self::program(std::env::current_exe()?))
    }

    /// A dedicated runner executable whose `main` calls [`serve_runner_if_requested`].
    /// Its backend is this system's own ([`Backend::NATIVE`]) unless
    /// [`BACKEND_VAR`] names another, and its rings' wake-ups the backend's
    /// unless [`RING_WAKE_VAR`] names others.
    pub fn program(path: impl Into<PathBuf>) -> Self {
        let launcher = Self {
            program: path.into(),
            cache: None,
            backend: Backend::NATIVE,
            zygote_refused: false,
            zygote: None,
            ring_wake: Backend::NATIVE.wake(),
            ring_wake_chosen: false,
        };
        let launcher = match from_env(RING_WAKE_VAR, Wake::from_name, |w| w.available()) {
            Some(wake) => launcher.with_ring_wake(wake),
            None => launcher,
        };
        let backend = from_env(BACKEND_VAR, Backend::from_name, |b| b.available());
        if let Some(backend) = backend.filter(|b| *b != Backend::NATIVE) {
            // A test switch, not a hardening one: the POSIX backend's
            // runners have none of the Linux backend's namespaces.
            tracing::warn!(
                "{BACKEND_VAR}={}: runners start on that backend instead of this system's own ({}); see docs/platforms.md for what they lack",
                backend.name(),
                Backend::NATIVE.name()
            );
        }
        launcher.with_backend(backend.unwrap_or(Backend::NATIVE))
    }

    /// Starts and reaches runners with `backend`, and wakes their rings as
    /// it does unless [`Launcher::with_ring_wake`] (or [`RING_WAKE_VAR`])
    /// chose otherwise; a backend this system lacks leaves the choice as it
    /// was, with a warning.
    pub fn with_backend(mut self, backend: Backend) -> Self {
        if !backend.available() {
            tracing::warn!("the {} backend is not available here", backend.name());
            return self;
        }
        self.backend = backend;
        if !self.ring_wake_chosen {
            self.ring_wake = backend.wake();
        }
        // A zygote this launcher (or a clone) already has stays: a second
        // one would be a second template process.
        self.zygote = match backend.namespaces() && !self.zygote_refused {
            true => self
                .zygote
                .take()
                .or_else(|| crate::platform::zygotes(&self.program).map(Arc::new)),
            false => None,
        };
        self
    }

    /// Which backend starts and reaches runners.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Wakes parked sides of the shared rings with `wake` instead of this
    /// system's fastest kind ([`Wake::NATIVE`]); a kind this system lacks
    /// leaves the choice as it was, with a warning.
    pub fn with_ring_wake(mut self, wake: Wake) -> Self {
        if wake.available() {
            self.ring_wake = wake;
            self.ring_wake_chosen = true;
        } else {
            tracing::warn!("ring wake-ups by {} are not available here", wake.name());
        }
        self
    }

    /// How parked sides of the shared rings are woken.
    pub fn ring_wake(&self) -> Wake {
        self.ring_wake
    }

    /// Execs the program for every runner instead of forking runners from
    /// a zygote: slower starts, no long-lived template process.
    pub fn without_zygote(mut self) -> Self {
        self.zygote_refused = true;
        self.zygote = None;
        self
    }

    /// Whether runners are forked from a zygote: `false` after
    /// [`Launcher::without_zygote`] and once the zygote was found unable to
    /// serve (the reason is logged).
    pub fn uses_zygote(&self) -> bool {
        self.zygote
            .as_ref()
            .is_some_and(|z| z.off_reason().is_none())
    }

    /// Starts the zygote now, when runners are forked, and waits (a few
    /// milliseconds; at most its answer timeout) until its spare runner is
    /// there, so that the next start takes one: a host calls it once at
    /// start-up, off its critical path, and a harness that compares what
    /// the host holds between starts calls it before each look. Whether
    /// runners are forked.
    pub fn warm_up(&self) -> bool {
        if let Some(zygote) = &self.zygote {
            zygote.warm_up();
        }
        self.uses_zygote()
    }

    /// Keeps compiled components in `cache`: the first start of a component
    /// compiles it in its runner and stores the result, tagged with the
    /// cache's key; later starts (restarts, other plugins with the same
    /// bytes, other host processes sharing the directory) skip compiling.
    pub fn with_cache(mut self, cache: ArtifactCache) -> Self {
        self.cache = Some(Arc::new(cache));
        self
    }

    pub fn path(&self) -> &Path {
        &self.program
    }

    pub fn cache(&self) -> Option<&ArtifactCache> {
        self.cache.as_deref()
    }

    pub(crate) fn cache_handle(&self) -> Option<Arc<ArtifactCache>> {
        self.cache.clone()
    }

    /// Spawns a runner, returning it with the host's end of its socket. The
    /// socket lands on descriptor 3 and `preopens` on 4, 5, … in order;
    /// nothing else is inherited. `network` says whether the plugin's
    /// policy grants network addresses (a spare runner has none); `memory`
    /// is its guest memory cap, which a system that limits the whole
    /// process (a Windows Job) raises by room for the runner itself. A
    /// failure for a limit says which.
    pub(crate) fn spawn(
        &self,
        plugin: &str,
        network: bool,
        memory: u64,
        preopens: &[Inherit<'_>],
    ) -> std::io::Result<(RunnerProcess, Stream, StderrTail)> {
        self.try_spawn(plugin, network, memory, preopens)
            .map_err(crate::limits::explain_spawn_error)
    }

    fn try_spawn(
        &self,
        plugin: &str,
        network: bool,
        memory: u64,
        inherit: &[Inherit<'_>],
    ) -> std::io::Result<(RunnerProcess, Stream, StderrTail)> {
        if let Some(zygote) = &self.zygote
            && let Some(forked) = crate::platform::fork_runner(zygote, plugin, network, inherit)
        {
            let (runner, host_end, stderr) = forked?;
            let stderr = StderrTail::follow(stderr, plugin.to_string());
            return Ok((RunnerProcess::Forked(runner), host_end, stderr));
        }
        let (child, host_end, stderr) =
            crate::platform::exec_runner(&self.program, plugin, memory, inherit)?;
        let stderr = StderrTail::follow(stderr, plugin.to_string());
        Ok((RunnerProcess::Exec(child), host_end, stderr))
    }
}
