//! Where a plugin's runners come from and what is on the other end of a
//! connection: a sandboxed runner process (every real plugin), or a runner
//! loop on a thread of this process (tests of the call loop, tooling).
//!
//! Both speak the same frames over a [`Stream`]; only starting, ending and
//! reporting how a runner ended differ, and they are all here.

use std::process::ExitStatus;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use airlock_protocol::Stream;
use airlock_runner::glue::WorldGlue;
use airlock_runner::serve::{ServeOptions, serve_connection};

use super::{PluginConfig, WorldRef};
use crate::cache::ArtifactCache;
use crate::error::{Error, Result};
use crate::launcher::{Launcher, RunnerProcess};
use crate::platform::Inherit;
use crate::runner_stderr::StderrTail;
use crate::text::PluginText;

/// Serves one host connection on a thread, as a runner process would.
pub(super) type ServeOnThread = Arc<dyn Fn(Stream) + Send + Sync>;

/// Where a plugin's runners come from.
pub(super) enum Runners {
    /// Runner processes the launcher spawns, each locked down.
    Processes(Launcher),
    /// Runner loops on threads of this process: no sandbox, no cache, no
    /// shared rings, no preopens.
    Threads(ServeOnThread),
}

impl Runners {
    /// The launcher's artifact cache, if runners come from one that has one.
    pub(super) fn cache(&self) -> Option<&ArtifactCache> {
        match self {
            Self::Processes(launcher) => launcher.cache(),
            Self::Threads(_) => None,
        }
    }

    pub(super) fn cache_handle(&self) -> Option<Arc<ArtifactCache>> {
        match self {
            Self::Processes(launcher) => launcher.cache_handle(),
            Self::Threads(_) => None,
        }
    }

    /// How parked sides of the shared rings are woken (threads take no rings).
    pub(super) fn ring_wake(&self) -> airlock_protocol::Wake {
        match self {
            Self::Processes(launcher) => launcher.ring_wake(),
            Self::Threads(_) => airlock_protocol::Wake::NATIVE,
        }
    }

    /// The backend that starts the runners (threads enter no namespaces
    /// either way: they are not locked down).
    pub(super) fn backend(&self) -> airlock_protocol::Backend {
        match self {
            Self::Processes(launcher) => launcher.backend(),
            Self::Threads(_) => airlock_protocol::Backend::NATIVE,
        }
    }

    /// Whether runners can take descriptors (the shared rings, a sealed
    /// artifact, preopens): only processes inherit them.
    pub(super) fn take_descriptors(&self) -> bool {
        matches!(self, Self::Processes(_))
    }

    /// Starts one runner for `plugin`, whose policy grants `network`
    /// addresses or not and caps guest memory at `memory` bytes; it
    /// inherits `fds` (processes only).
    pub(super) fn spawn(
        &self,
        plugin: &str,
        network: bool,
        memory: u64,
        fds: &[Inherit<'_>],
    ) -> std::io::Result<(Peer, Stream)> {
        match self {
            Self::Processes(launcher) => {
                let (process, socket, stderr) = launcher.spawn(plugin, network, memory, fds)?;
                Ok((Peer::Process { process, stderr }, socket))
            }
            Self::Threads(serve) => {
                let (host, runner) = crate::platform::stream_pair()?;
                let serve = serve.clone();
                let thread = std::thread::Builder::new()
                    .name(format!("airlock-runner: {plugin}"))
                    .spawn(move || serve(runner))?;
                Ok((Peer::Thread(thread), host))
            }
        }
    }
}

/// The other end of a live connection.
pub(super) enum Peer {
    /// Exec'd or forked by the zygote: this process's child either way.
    Process {
        process: RunnerProcess,
        stderr: StderrTail,
    },
    /// Ends when its connection does; it cannot be killed, only hung up on
    /// (a guest it is running still stops at the runner's own deadline).
    Thread(JoinHandle<()>),
}

impl Peer {
    pub(super) fn pid(&self) -> Option<u32> {
        match self {
            Self::Process { process, .. } => Some(process.id()),
            Self::Thread(_) => None,
        }
    }

    /// How an abort kills this runner (a thread cannot be killed).
    pub(super) fn killer(&self) -> Option<crate::platform::Killer> {
        match self {
            Self::Process {
                process: RunnerProcess::Exec(runner),
                ..
            } => crate::platform::exec_killer(runner),
            Self::Process {
                process: RunnerProcess::Forked(runner),
                ..
            } => Some(crate::platform::forked_killer(runner)),
            Self::Thread(_) => None,
        }
    }

    /// Overrides the runner's report with what the host knows itself.
    pub(super) fn confirm_layers(&self, layers: &mut airlock_protocol::SandboxLayers) {
        if let Self::Process {
            process: RunnerProcess::Exec(runner),
            ..
        } = self
        {
            crate::platform::confirm_exec_layers(runner, layers);
        }
    }

    /// Gives the runner until `until` to end by itself, then ends it; its
    /// exit status, when it is a process that could be reaped.
    pub(super) fn end(&mut self, socket: &Stream, until: Instant) -> Option<ExitStatus> {
        match self {
            Self::Process { process, .. } => loop {
                match process.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) if Instant::now() < until => {
                        std::thread::sleep(Duration::from_millis(1))
                    }
                    _ => {
                        let _ = process.kill();
                        break process.wait().ok();
                    }
                }
            },
            Self::Thread(thread) => {
                while !thread.is_finished() && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(1));
                }
                // Hanging up ends the loop at its next read.
                crate::platform::hang_up(socket);
                None
            }
        }
    }

    /// The last lines the runner wrote to its stderr (a thread has none of its own).
    pub(super) fn stderr_tail(&mut self) -> String {
        match self {
            Self::Process { stderr, .. } => stderr.finish(),
            Self::Thread(_) => String::new(),
        }
    }
}

/// How a runner ended, in words, and the signal that ended it.
pub(super) fn describe_exit(status: Option<ExitStatus>, why: &str) -> (String, Option<i32>) {
    let signal = status.as_ref().and_then(crate::platform::exit_signal);
    let text = match (status, signal) {
        (_, Some(sig)) => format!("killed by signal {sig}"),
        (Some(s), None) => match s.code() {
            Some(code) => format!("exit status {code}"),
            None => "unknown exit".into(),
        },
        (None, None) => format!("unknown ({why})"),
    };
    (text, signal)
}

impl super::Plugin {
    /// Starts `config` on a runner loop on a thread of this process that
    /// serves `worlds`: the same call loop and frames as a runner process,
    /// without the process. No sandbox (so the policy must not `require`
    /// any layer), no artifact cache, no preopened directories; a guest that
    /// never returns keeps its thread until the runner's deadline stops it.
    ///
    /// For tests of a host's use of its plugins, and for tooling; never for
    /// a plugin you do not trust.
    pub fn start_in_memory(
        worlds: &[&'static dyn WorldGlue],
        config: PluginConfig,
        world: WorldRef,
    ) -> Result<Self> {
        let worlds = worlds.to_vec();
        let serve = move |socket: Stream| {
            let socket = Arc::new(socket);
            let served = serve_connection(
                Box::new(Shared(socket.clone())),
                Box::new(Shared(socket)),
                &worlds,
                &ServeOptions::default(),
            );
            if let Err(e) = served {
                tracing::debug!("in-memory runner ended: {e}");
            }
        };
        Self::start_on_thread(Arc::new(serve), config, world)
    }

    /// Starts `config` with each runner served by `serve` on a thread.
    pub(crate) fn start_on_thread(
        serve: ServeOnThread,
        config: PluginConfig,
        world: WorldRef,
    ) -> Result<Self> {
        if !config.get_policy().preopens.is_empty() {
            return Err(Error::Policy {
                detail: format!(
                    "plugin `{}`: a runner on a thread cannot take preopened directories; \
                     start the plugin with a Launcher instead",
                    PluginText::escape(config.name())
                ),
            });
        }
        let required = &config.get_policy().require;
        if !required.is_empty() {
            let layers: Vec<String> = required.iter().map(ToString::to_string).collect();
            return Err(Error::Policy {
                detail: format!(
                    "plugin `{}`: a runner on a thread has no sandbox, and the policy requires {}; \
                     clear the policy's `require` for a plugin started in memory",
                    PluginText::escape(config.name()),
                    layers.join(", ")
                ),
            });
        }
        Self::start_from(Runners::Threads(serve), config, world)
    }
}

/// One end of an in-process channel, read on one side and written on the
/// other by the runner loop.
struct Shared(Arc<Stream>);

impl std::io::Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        (&*self.0).write_vectored(bufs)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
