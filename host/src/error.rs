//! Every way a plugin call can fail, as a typed error naming the plugin.

use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The guest trapped; the next call runs on a fresh instance.
    #[error("plugin `{plugin}` trapped: {message}")]
    Trap {
        plugin: String,
        message: String,
        /// The wasm backtrace, when wasmtime captured one.
        backtrace: Option<String>,
    },
    /// The call ran past its deadline; the runner stopped it or was killed.
    #[error("plugin `{plugin}` exceeded its deadline of {deadline:?}")]
    DeadlineExceeded { plugin: String, deadline: Duration },
    /// The runner process died; the next call starts a new one.
    #[error("the runner of plugin `{plugin}` crashed ({status}); last stderr: {stderr_tail:?}")]
    Crashed {
        plugin: String,
        /// `exit status N`, `killed by signal N`, or `unknown`.
        status: String,
        signal: Option<i32>,
        stderr_tail: String,
    },
    /// The runner sent something the protocol does not allow; it was killed.
    #[error("the runner of plugin `{plugin}` violated the protocol: {detail}")]
    Protocol { plugin: String, detail: String },
    /// The component does not fit the world, or host and runner disagree about it.
    #[error("plugin `{plugin}` does not fit world `{world}`: {detail}")]
    WorldMismatch {
        plugin: String,
        world: String,
        detail: String,
    },
    #[error("plugin `{plugin}` failed to compile: {detail}")]
    Compile { plugin: String, detail: String },
    #[error("plugin `{plugin}` failed to instantiate: {detail}")]
    Instantiate { plugin: String, detail: String },
    /// The runner binary was built without this world's `RunnerGlue`.
    #[error(
        "the runner executable does not serve world `{world}` (it serves: {known}); pass the world's RunnerGlue to airlock::serve_runner_if_requested"
    )]
    UnknownWorld { world: String, known: String },
    /// Host and runner speak different protocol versions.
    #[error(
        "host protocol {host} and runner protocol {runner} differ; rebuild the runner with this host"
    )]
    ProtocolMismatch { host: u32, runner: u32 },
    #[error("failed to start a runner for plugin `{plugin}`: {source}")]
    Spawn {
        plugin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read plugin `{plugin}` from {path}: {source}")]
    ReadComponent {
        plugin: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Arguments could not be encoded, or the runner could not decode them.
    #[error("bad arguments for `{function}` of plugin `{plugin}`: {detail}")]
    BadArguments {
        plugin: String,
        function: String,
        detail: String,
    },
}

impl Error {
    /// The plugin the error is about, when there is one.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            Error::Trap { plugin, .. }
            | Error::DeadlineExceeded { plugin, .. }
            | Error::Crashed { plugin, .. }
            | Error::Protocol { plugin, .. }
            | Error::WorldMismatch { plugin, .. }
            | Error::Compile { plugin, .. }
            | Error::Instantiate { plugin, .. }
            | Error::Spawn { plugin, .. }
            | Error::ReadComponent { plugin, .. }
            | Error::BadArguments { plugin, .. } => Some(plugin),
            Error::UnknownWorld { .. } | Error::ProtocolMismatch { .. } => None,
        }
    }
}
