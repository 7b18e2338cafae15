//! Every way a plugin call can fail, as a typed error naming the plugin.
//!
//! Every field that can carry text from a plugin (or from a file a plugin
//! came in) is a [`PluginText`] or is escaped by the message, so printing an
//! `Error` never sends a plugin's control characters to a terminal.

use std::time::Duration;

use crate::text::PluginText;

/// Shows a plugin name (which may come from a file name) escaped.
fn name(plugin: &str) -> crate::text::Escaped<'_> {
    PluginText::escape(plugin)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The guest trapped; the next call runs on a fresh instance.
    #[error("plugin `{}` trapped: {message}{}", name(.plugin), TrapFrame::list(.frames))]
    Trap {
        plugin: String,
        message: PluginText,
        /// The wasm backtrace, when wasmtime captured one.
        backtrace: Option<PluginText>,
        /// Where in the guest's source each frame was, innermost first, when
        /// the component carries debug information (shown one per line).
        frames: Vec<TrapFrame>,
    },
    /// The call ran past its deadline (the runner interrupted the guest, or
    /// the host killed a runner silent past deadline + grace) or used up its fuel.
    #[error("plugin `{}` timed out: {limit}", name(.plugin))]
    Timeout { plugin: String, limit: TimeLimit },
    /// The guest trapped after the memory cap refused it more memory, or could
    /// not be instantiated within the cap.
    #[error("plugin `{}` ran out of memory (cap {limit_bytes} bytes): {detail}", name(.plugin))]
    OutOfMemory {
        plugin: String,
        limit_bytes: u64,
        detail: PluginText,
    },
    /// The call was aborted through an [`crate::AbortHandle`] (or its async
    /// future was dropped); the runner was killed.
    #[error("the call of `{function}` on plugin `{}` was cancelled", name(.plugin))]
    Cancelled { plugin: String, function: String },
    /// The plugin tried something its policy does not grant. For a system
    /// call outside the allow-list the runner was killed by seccomp.
    #[error("plugin `{}` was denied {capability}: {reason}", name(.plugin))]
    Denied {
        plugin: String,
        capability: PluginText,
        reason: PluginText,
    },
    /// The runner could not switch on a sandbox layer the policy requires.
    #[error(
        "plugin `{}` was not started: this machine cannot provide the required sandbox layers {missing:?} ({notes})",
        name(.plugin)
    )]
    SandboxUnavailable {
        plugin: String,
        missing: Vec<String>,
        /// Why the runner could not switch them on, as the runner said.
        notes: PluginText,
    },
    /// The runner failed too often; the plugin stays stopped until
    /// [`Plugin::reset`](crate::Plugin::reset).
    #[error(
        "plugin `{}` failed {restarts} times within {window:?} and was stopped; last failure: {last}",
        name(.plugin)
    )]
    GaveUp {
        plugin: String,
        restarts: usize,
        window: Duration,
        last: PluginText,
    },
    /// The policy is malformed or names something that does not exist.
    #[error("invalid policy: {detail}")]
    Policy { detail: String },
    /// A plugin manifest is malformed.
    #[error("invalid plugin manifest {origin}: {detail}")]
    Manifest {
        origin: PluginText,
        detail: PluginText,
    },
    /// The artifact cache's directory or key cannot be used.
    #[error("the artifact cache at {path} is unusable: {detail}")]
    Cache { path: String, detail: String },
    /// The runner process died; the next call starts a new one.
    #[error("the runner of plugin `{}` crashed ({status}); last stderr: {stderr_tail:?}", name(.plugin))]
    Crashed {
        plugin: String,
        /// `exit status N`, `killed by signal N`, `unknown`, or why the connection broke.
        status: PluginText,
        signal: Option<i32>,
        stderr_tail: PluginText,
    },
    /// The runner sent something the protocol does not allow; it was killed.
    #[error("the runner of plugin `{}` violated the protocol: {detail}", name(.plugin))]
    Protocol { plugin: String, detail: PluginText },
    /// The component does not fit the world, or host and runner disagree about it.
    #[error("plugin `{}` does not fit world `{world}`: {detail}", name(.plugin))]
    WorldMismatch {
        plugin: String,
        world: PluginText,
        detail: PluginText,
    },
    #[error("plugin `{}` failed to compile: {detail}", name(.plugin))]
    Compile { plugin: String, detail: PluginText },
    #[error("plugin `{}` failed to instantiate: {detail}", name(.plugin))]
    Instantiate { plugin: String, detail: PluginText },
    /// The runner binary was built without this world's `RunnerGlue`.
    #[error(
        "the runner executable does not serve world `{world}` (it serves: {known}); pass the world's RunnerGlue to airlock::serve_runner_if_requested"
    )]
    UnknownWorld { world: PluginText, known: String },
    /// Host and runner speak different protocol versions.
    #[error(
        "host protocol {host} and runner protocol {runner} differ; rebuild the runner with this host"
    )]
    ProtocolMismatch { host: u32, runner: u32 },
    #[error("failed to start a runner for plugin `{}`: {source}", name(.plugin))]
    Spawn {
        plugin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read plugin `{}` from {path}: {source}", name(.plugin))]
    ReadComponent {
        plugin: String,
        path: PluginText,
        #[source]
        source: std::io::Error,
    },
    /// Arguments could not be encoded, or the runner could not decode them.
    #[error("bad arguments for `{function}` of plugin `{}`: {detail}", name(.plugin))]
    BadArguments {
        plugin: String,
        function: String,
        detail: PluginText,
    },
    /// A handle to an object a plugin exported cannot be used in this call:
    /// the instance that made it has ended, or it belongs to another instance.
    #[error(
        "a resource handle passed to `{function}` of plugin `{}` cannot be used: {detail}",
        name(.plugin)
    )]
    StaleHandle {
        plugin: String,
        function: String,
        detail: String,
    },
    /// One call made the host decode more import arguments than the
    /// policy's `import-volume`; the call was refused before decoding the
    /// import that went over, and the runner was killed.
    #[error(
        "plugin `{}` passed {used} bytes of arguments to the host's imports in one call, more than its import-volume of {budget} bytes (refused at `{import}`)",
        name(.plugin)
    )]
    ImportVolume {
        plugin: String,
        /// The import whose arguments went over (`interface#function`).
        import: String,
        budget: u64,
        /// What the call would have used with that import's arguments.
        used: u64,
    },
}

/// Which limit a [`Error::Timeout`] hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    Deadline(Duration),
    Fuel(u64),
}

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeLimit::Deadline(d) => write!(f, "exceeded its deadline of {d:?}"),
            TimeLimit::Fuel(n) => write!(f, "used up its fuel of {n}"),
        }
    }
}

impl Error {
    /// A short, stable name of the error's kind, as used in metrics and
    /// tracing: `trap`, `timeout`, `out-of-memory`, `denied`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Trap { .. } => "trap",
            Error::Timeout { .. } => "timeout",
            Error::OutOfMemory { .. } => "out-of-memory",
            Error::Denied { .. } => "denied",
            Error::Cancelled { .. } => "cancelled",
            Error::SandboxUnavailable { .. } => "sandbox-unavailable",
            Error::GaveUp { .. } => "gave-up",
            Error::Policy { .. } => "policy",
            Error::Cache { .. } => "cache",
            Error::Manifest { .. } => "manifest",
            Error::Crashed { .. } => "crashed",
            Error::Protocol { .. } => "protocol",
            Error::WorldMismatch { .. } => "world-mismatch",
            Error::Compile { .. } => "compile",
            Error::Instantiate { .. } => "instantiate",
            Error::UnknownWorld { .. } => "unknown-world",
            Error::ProtocolMismatch { .. } => "protocol-mismatch",
            Error::Spawn { .. } => "spawn",
            Error::ReadComponent { .. } => "read-component",
            Error::BadArguments { .. } => "bad-arguments",
            Error::StaleHandle { .. } => "stale-handle",
            Error::ImportVolume { .. } => "import-volume",
        }
    }

    /// The plugin the error is about, when there is one.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            Error::Trap { plugin, .. }
            | Error::Timeout { plugin, .. }
            | Error::OutOfMemory { plugin, .. }
            | Error::Denied { plugin, .. }
            | Error::Cancelled { plugin, .. }
            | Error::SandboxUnavailable { plugin, .. }
            | Error::GaveUp { plugin, .. }
            | Error::Crashed { plugin, .. }
            | Error::Protocol { plugin, .. }
            | Error::WorldMismatch { plugin, .. }
            | Error::Compile { plugin, .. }
            | Error::Instantiate { plugin, .. }
            | Error::Spawn { plugin, .. }
            | Error::ReadComponent { plugin, .. }
            | Error::BadArguments { plugin, .. }
            | Error::StaleHandle { plugin, .. }
            | Error::ImportVolume { plugin, .. } => Some(plugin),
            Error::UnknownWorld { .. }
            | Error::ProtocolMismatch { .. }
            | Error::Policy { .. }
            | Error::Manifest { .. }
            | Error::Cache { .. } => None,
        }
    }
}

impl Error {
    /// The error for a call of `function` that the runner (or the in-process
    /// baseline) reports as failed, with `deadline` the call's limit.
    pub(crate) fn from_call_failure(
        plugin: &str,
        function: &str,
        failure: airlock_protocol::CallFailure,
        deadline: Duration,
    ) -> Error {
        use airlock_protocol::CallFailure;
        let plugin = plugin.to_string();
        match failure {
            CallFailure::Trap {
                message,
                backtrace,
                frames,
            } => Error::Trap {
                plugin,
                message: message.into(),
                backtrace: backtrace.map(PluginText::from),
                frames: frames.into_iter().map(TrapFrame::from).collect(),
            },
            CallFailure::DeadlineExceeded { .. } => Error::Timeout {
                plugin,
                limit: TimeLimit::Deadline(deadline),
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
            CallFailure::UnknownFunction(f) => Error::Protocol {
                plugin,
                detail: format!("there is no export {f} (`{function}`)").into(),
            },
            CallFailure::Instantiate(detail) => Error::Instantiate {
                plugin,
                detail: detail.into(),
            },
        }
    }
}

/// One frame of a trap in the guest's source. Its names come from the
/// plugin, so they are [`PluginText`], escaped when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapFrame {
    pub function: Option<PluginText>,
    pub file: PluginText,
    pub line: u32,
    pub column: Option<u32>,
}

impl From<airlock_protocol::SourceFrame> for TrapFrame {
    fn from(f: airlock_protocol::SourceFrame) -> Self {
        Self {
            function: f.function.map(PluginText::from),
            file: f.file.into(),
            line: f.line,
            column: f.column,
        }
    }
}

impl std::fmt::Display for TrapFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        if let Some(function) = &self.function {
            write!(f, " in {function}")?;
        }
        Ok(())
    }
}

impl TrapFrame {
    /// The frames, one `\n  at …` line each (nothing when there are none).
    fn list(frames: &[TrapFrame]) -> String {
        frames
            .iter()
            .map(|frame| format!("\n  at {frame}"))
            .collect()
    }
}
