//! Wire protocol between an Airlock host and a plugin runner process.
//!
//! Every message is one frame:
//!
//! ```text
//! [u32 LE frame length][u32 LE header length][postcard header][raw payload]
//! ```
//!
//! The header is a small postcard-encoded [`ToRunner`] or [`FromRunner`]; the
//! payload carries bulk bytes (postcard-encoded call arguments and results,
//! component bytes, captured output) and is never re-encoded, so a 1 MiB
//! `list<u8>` is copied into the frame once.
//!
//! Postcard is not self-describing: both sides are generated from the same WIT
//! world in the same build, and the handshake ([`Hello`]) carries
//! [`PROTOCOL_VERSION`] and a hash of the world so that a mismatched pair
//! refuses to talk instead of misreading bytes.
//!
//! # Layout
//!
//! - [`frame`]: reading and writing frames with a size cap and no panics.
//! - [`ring`]: the shared-memory rings frames take once a runner accepts
//!   them (POSIX systems; not yet on Windows).
//! - `platform`: what the channel and the rings need from the operating
//!   system, per system ([`Stream`] and [`Channel`]: the control channel;
//!   the shared file, and [`Wake`]: how a parked side is woken).
//! - [`spin`]: socket readers that spin briefly before parking, with deadlines.
//! - [`observed`]: what a recorded call read of the clocks and random.
//! - [`startup`]: when a runner reached each step of its start.
//! - `display`: sentences for [`CallFailure`] and [`InitFailure`].
//! - the message types below.

mod display;
pub mod frame;
pub mod observed;
mod platform;
#[cfg(unix)]
pub mod ring;
pub mod spin;
pub mod startup;

use serde::{Deserialize, Serialize};

pub use frame::{FrameError, FrameReader, FrameWriter, MAX_HEADER_LEN};
pub use platform::{Backend, Channel, Stream, Wake, monotonic_now};
#[cfg(unix)]
pub use platform::{cloexec_pipe, quiet_socket};
pub use spin::{DeadlineWriter, SPIN, SpinningReader};

/// The largest component or compiled artifact that crosses the channel, in
/// either direction (the host's `Hello`, the runner's `Artifact`).
pub const MAX_CODE_LEN: u32 = 256 << 20;

/// The largest frame that carries code: the code, the largest header and
/// the header's length field.
pub const MAX_CODE_FRAME_LEN: u32 = MAX_CODE_LEN + MAX_HEADER_LEN + 4;

/// Bumped whenever a message type or the shared rings' layout changes shape.
pub const PROTOCOL_VERSION: u32 = 16;

/// A 32-byte BLAKE3 hash of a world's canonical signature, computed by the
/// bindings generator; equal hashes mean identical function signatures.
pub type WorldHash = [u8; 32];

/// Messages from the host to a runner.
#[allow(
    clippy::large_enum_variant,
    reason = "one Hello per runner; every other message is small and boxing would not save a copy"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToRunner {
    /// First frame: which world, which component (the payload), which policy.
    Hello(Hello),
    /// Call export `func` of the world; the payload holds its postcard-encoded arguments.
    Call { seq: u64, func: u32 },
    /// Answer to [`FromRunner::ImportCall`]; the payload holds the postcard-encoded result.
    ImportReturn { seq: u64 },
    /// Between calls: the host dropped its handles to these objects the
    /// plugin exported; the runner destroys them when the next call starts.
    Release { ids: Vec<u32> },
    /// Answer to [`FromRunner::CancelQuery`].
    CancelReply { cancelled: bool },
    /// Between calls: answer with [`FromRunner::Pong`].
    Ping { nonce: u64 },
    /// Exit cleanly.
    Shutdown,
}

/// The handshake that starts every runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// Fully qualified world name, e.g. `airlock:design/filter@0.1.0`.
    pub world: String,
    pub world_hash: WorldHash,
    /// The plugin's display name, used in the runner's diagnostics.
    pub plugin: String,
    pub policy: RunnerPolicy,
    /// What the payload of this frame holds.
    pub code: Code,
    /// The descriptor of the shared rings ([`ring::SharedRings`]) to use after
    /// `Ready`, if the host offers them.
    pub rings_fd: Option<i32>,
    /// How a side parked on those rings is woken.
    pub ring_wake: Wake,
    /// The backend that started this runner: whether it enters namespaces.
    pub backend: Backend,
    /// The host records calls: the runner reports what each call read of
    /// the clocks and random ([`FromRunner::Observed`]), and
    /// `wasi:random/insecure-seed` is a fixed value, so that a replay sees
    /// the same.
    pub recording: bool,
}

/// The plugin's code as sent in the [`Hello`] payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Code {
    /// Component bytes, to be compiled by the runner; with `want_artifact`
    /// the runner sends the compiled form back ([`FromRunner::Artifact`])
    /// before it runs any of the plugin's code.
    Component { want_artifact: bool },
    /// A compiled artifact the host authenticated from its cache.
    Artifact,
    /// The same, not in the payload (which is empty) but in a sealed memfd
    /// at descriptor `fd`: the runner maps it instead of copying it, and
    /// every runner of the plugin shares its pages.
    MappedArtifact { fd: i32 },
}

impl Code {
    /// Whether the code is an authenticated artifact, in either form.
    pub fn is_artifact(self) -> bool {
        matches!(self, Code::Artifact | Code::MappedArtifact { .. })
    }
}

/// Everything a runner enforces for its plugin, sent in the [`Hello`]. Built by
/// the host from its policy; paths never appear here (preopened directories
/// arrive as descriptors, in [`RunnerPolicy::preopens`] order from
/// [`PREOPEN_FD_BASE`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerPolicy {
    /// Per-call deadline, enforced by epoch interruption.
    pub deadline_ms: u64,
    /// Largest frame the runner accepts or sends.
    pub max_frame: u32,
    /// Bytes of guest stdout/stderr kept between flushes; the rest is dropped and counted.
    pub max_output_buffer: u32,
    /// Guest stdout + stderr bytes per second (a token bucket with one second of burst).
    pub output_bytes_per_sec: u64,
    /// `log` bytes per call; the rest is dropped and counted.
    pub max_log_bytes_per_call: u64,
    /// All linear memories and tables together (table elements count 8 bytes each).
    pub max_memory_bytes: u64,
    pub max_instances: u32,
    pub max_tables: u32,
    pub max_memories: u32,
    /// Resource handles (of host-implemented resources) the guest may hold at once.
    pub max_handles: u32,
    /// Fuel per call, when fuel metering is on.
    pub fuel_per_call: Option<u64>,
    /// Wasm stack, in bytes.
    pub max_wasm_stack: u32,
    /// The guest's whole environment.
    pub env: Vec<(String, String)>,
    /// Directories the guest sees, one descriptor each.
    pub preopens: Vec<PreopenGrant>,
    /// Addresses the guest may connect to; empty means no network at all.
    pub network: Vec<std::net::SocketAddr>,
    /// How long compiling the component may take; past it the runner kills
    /// the process compiling it and reports [`InitFailure::Compile`].
    pub compile_deadline_ms: u64,
    /// The debugging policy: the engine emits native debug information for
    /// the plugin's code (registered with gdb's JIT interface), and the
    /// lock-down leaves the runner attachable by a debugger of the same user
    /// (it stays dumpable). Never for untrusted plugins; see docs/debugging.md.
    pub debugger: bool,
}

/// The first descriptor of the preopened directories in a runner process.
pub const PREOPEN_FD_BASE: i32 = 4;

/// One preopened directory, as the guest sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreopenGrant {
    /// Where the guest finds it, e.g. `/out`.
    pub guest_path: String,
    pub writable: bool,
}

impl Default for RunnerPolicy {
    fn default() -> Self {
        Self {
            deadline_ms: 10_000,
            max_frame: 256 << 20,
            max_output_buffer: 64 << 10,
            output_bytes_per_sec: 1 << 20,
            max_log_bytes_per_call: 1 << 20,
            max_memory_bytes: 512 << 20,
            max_instances: 64,
            max_tables: 64,
            max_memories: 8,
            max_handles: 10_000,
            fuel_per_call: None,
            max_wasm_stack: 512 << 10,
            env: Vec::new(),
            preopens: Vec::new(),
            network: Vec::new(),
            compile_deadline_ms: 45_000,
            debugger: false,
        }
    }
}

/// Which sandbox layers a runner has switched on, reported in
/// [`FromRunner::Ready`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxLayers {
    /// seccomp-bpf allow-list, kill-process on anything else, on every thread.
    pub seccomp: bool,
    /// The Landlock ABI version enforced (0: none).
    pub landlock_abi: u8,
    pub no_new_privs: bool,
    pub not_dumpable: bool,
    pub parent_death_signal: bool,
    /// Capabilities dropped (CapEff 0).
    pub capabilities_dropped: bool,
    /// RLIMIT_CORE 0, RLIMIT_NOFILE and RLIMIT_FSIZE set.
    pub rlimits: bool,
    pub user_namespace: bool,
    pub network_namespace: bool,
    pub ipc_namespace: bool,
    pub uts_namespace: bool,
    pub mount_namespace: bool,
    /// Memory and pids limits through a delegated cgroup v2 tree.
    pub cgroup: bool,
    /// macOS: the deny-by-default Seatbelt profile made from the policy.
    pub seatbelt: bool,
    /// Windows: in a Job object that kills it when the host's handle
    /// closes, holds one process and limits memory (checked from inside).
    pub job: bool,
    /// Windows: a token at low integrity (or below), checked from inside.
    pub low_integrity: bool,
    /// Windows: the process mitigation policies, each read back in force.
    pub mitigations: bool,
    /// Why layers that are off are off, one line each.
    pub notes: Vec<String>,
}

/// Messages from a runner to the host. The host treats every one as hostile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromRunner {
    /// The component compiled, matches the world and is instantiated.
    Ready {
        world_hash: WorldHash,
        layers: SandboxLayers,
        /// Every later frame, both ways, goes through the shared rings.
        rings: bool,
        /// The code came as [`Code::MappedArtifact`] and wasmtime maps the
        /// memfd itself (shared pages, copy-on-write memory images), rather
        /// than a copy of it.
        mapped: bool,
        /// When the runner reached each step of its start (a diagnostic
        /// only; the host checks them before it reports them).
        marks: startup::RunnerMarks,
    },
    /// Answer to [`ToRunner::Ping`].
    Pong { nonce: u64 },
    /// The compiled component, when the [`Hello`] asked for it; the payload
    /// holds `wasmtime::component::Component::serialize` output. Sent after
    /// compiling and before instantiating, so no plugin code has run yet.
    Artifact,
    /// The guest tried something its policy does not grant; the attempt failed
    /// inside the guest (e.g. a refused connect) and the call goes on.
    Denied { capability: String, reason: String },
    /// The runner could not start the plugin; it exits after sending this.
    InitFailed(InitFailure),
    /// Result of [`ToRunner::Call`] `seq`; on success the payload holds the encoded result.
    Return {
        seq: u64,
        outcome: Result<(), CallFailure>,
        cost: CallCost,
    },
    /// The guest called import `func`; the payload holds its encoded arguments.
    ImportCall { seq: u64, func: u32 },
    /// A `log` call from the guest.
    Log { level: LogLevel, message: String },
    /// Guest stdout or stderr; the payload holds the bytes.
    Output { stream: OutputStream, dropped: u64 },
    /// A `progress.report` call from the guest.
    Progress { fraction: f32, message: String },
    /// The guest asked whether the current call was cancelled.
    CancelQuery,
    /// Sent just before a call's `Return` when the host records
    /// ([`Hello::recording`]); the payload holds the call's
    /// [`observed::Observations`].
    Observed,
}

/// What a call cost inside the runner, reported with its result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCost {
    /// Bytes of linear memory and tables the instance held when the call
    /// ended (they never shrink, so this is also the instance's peak).
    pub memory_bytes: u64,
    /// Fuel the call burned; 0 when the policy meters no fuel.
    pub fuel_used: u64,
}

/// The most source frames a trap reports.
pub const MAX_FRAMES: usize = 32;

/// One frame of a trap in the guest's own source, from its debug information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFrame {
    /// The function, as the debug information names it.
    pub function: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: Option<u32>,
}

/// Why a call did not return a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CallFailure {
    /// The guest trapped (a panic, `unreachable`, an out-of-bounds access…).
    Trap {
        message: String,
        /// The wasm backtrace, one frame per line, when wasmtime captured one.
        backtrace: Option<String>,
        /// The guest's source position of each frame, innermost first, when
        /// the component carries debug information (at most [`MAX_FRAMES`]).
        frames: Vec<SourceFrame>,
    },
    /// The call ran past its deadline and was interrupted inside the runner.
    DeadlineExceeded { deadline_ms: u64 },
    /// The call used up its fuel.
    OutOfFuel { fuel: u64 },
    /// The guest trapped after the memory cap refused it more memory.
    OutOfMemory { limit_bytes: u64, detail: String },
    /// The arguments did not decode as the function's parameter types.
    BadArguments(String),
    /// No export with this index exists in the world.
    UnknownFunction(u32),
    /// The plugin could not be re-instantiated after an earlier trap.
    Instantiate(String),
}

/// Why a runner could not start a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InitFailure {
    ProtocolMismatch {
        host: u32,
        runner: u32,
    },
    /// The runner binary was not built with this world (or with another version of it).
    UnknownWorld {
        world: String,
        known: Vec<String>,
    },
    /// The component does not fit the world: a missing or mistyped import or export.
    WorldMismatch(String),
    Compile(String),
    /// The artifact the host sent was made by another engine or version;
    /// the host drops it from its cache and sends the component instead.
    StaleArtifact(String),
    Instantiate(String),
    /// Instantiation needed more memory, tables or instances than the policy allows.
    OutOfMemory {
        limit_bytes: u64,
        detail: String,
    },
    /// A start function ran past the call deadline.
    DeadlineExceeded {
        deadline_ms: u64,
    },
    /// A start function used up the call's fuel.
    OutOfFuel {
        fuel: u64,
    },
}

/// Log levels, mirroring `airlock:plugin/log.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

impl std::fmt::Display for OutputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OutputStream::Stdout => "stdout",
            OutputStream::Stderr => "stderr",
        })
    }
}

/// Encodes a value with postcard into `buf` (cleared first), for payloads.
/// The length of `value`'s encoding, without encoding it.
pub fn encoded_len<T: Serialize + ?Sized>(value: &T) -> Result<usize, postcard::Error> {
    postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())
}

pub fn encode_into<T: Serialize + ?Sized>(
    value: &T,
    buf: &mut Vec<u8>,
) -> Result<(), postcard::Error> {
    buf.clear();
    let taken = std::mem::take(buf);
    *buf = postcard::to_extend(value, taken)?;
    Ok(())
}

/// Decodes a payload with postcard, requiring that every byte is consumed.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, postcard::Error> {
    let (value, rest) = postcard::take_from_bytes(bytes)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(postcard::Error::DeserializeBadEncoding)
    }
}
