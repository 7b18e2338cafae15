//! The runner's main loop over any byte stream: handshake, load, lock down,
//! then serve calls until the host hangs up. Tested in memory over a socket
//! pair inside one process, before any subprocess test.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use std::os::fd::{AsFd, BorrowedFd};

use airlock_protocol::{
    CallCost, CallFailure, Code, FrameError, FromRunner, Hello, InitFailure, PREOPEN_FD_BASE,
    PROTOCOL_VERSION, RunnerPolicy, SandboxLayers, ToRunner,
};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine, Store, Trap};
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{FsPerms, WasiCtx};

use crate::glue::{
    BoundExports, CallError, ExportTable, HostLink, RunnerState, StoreLimits, WorldGlue,
};

/// Largest Hello frame: it carries the component's bytes.
const MAX_HELLO_LEN: u32 = airlock_protocol::MAX_CODE_FRAME_LEN;

/// Epoch tick; call deadlines are rounded up to whole ticks.
const EPOCH_TICK: Duration = Duration::from_millis(2);

/// How the loop treats its process.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Apply the OS lock-down once the plugin is loaded (only in a runner process).
    pub lock_down: bool,
    /// Testing only: runs right after the lock-down, before `Ready`, with the
    /// plugin's name from the handshake. The sandbox battery uses it to make
    /// raw system calls from a locked-down runner.
    #[doc(hidden)]
    pub after_lock_down: Option<fn(&str)>,
    /// The descriptor of the socket to the host, in a runner process: it lets
    /// the loop take the shared rings the host offers (and notice the host
    /// hanging up while waiting on them). Without it, frames stay on the
    /// byte streams given to [`serve_connection`].
    pub socket_fd: Option<i32>,
    /// Compile in a child process under the memory cap and the compile
    /// deadline (see [`crate::compile`]); only in a runner process, which
    /// has a single thread when it compiles.
    pub isolate_compile: bool,
}

/// Why serving stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("host connection failed: {0}")]
    Frame(#[from] FrameError),
    #[error("protocol violation by the host: {0}")]
    Protocol(String),
    #[error("the plugin could not be started: {0:?}")]
    Init(InitFailure),
}

/// Serves one host connection until it closes or sends `Shutdown`.
pub fn serve_connection(
    input: Box<dyn Read + Send>,
    output: Box<dyn Write + Send>,
    worlds: &[&dyn WorldGlue],
    options: &ServeOptions,
) -> Result<(), ServeError> {
    let mut link = HostLink::new(
        input,
        output,
        MAX_HELLO_LEN,
        RunnerPolicy::default().max_output_buffer as usize,
    );
    let hello: Hello = match link.recv()? {
        ToRunner::Hello(hello) => hello,
        other => {
            return Err(ServeError::Protocol(format!(
                "expected Hello, got {other:?}"
            )));
        }
    };
    let component_bytes = link.reader.take_payload();
    let policy = hello.policy.clone();
    link.reader.set_max_frame(policy.max_frame);
    let (cap, rate) = (
        policy.max_output_buffer as usize,
        policy.output_bytes_per_sec,
    );
    link.stdout = crate::output::CapturedOutput::new(cap, rate);
    link.stderr = crate::output::CapturedOutput::new(cap, rate);

    let glue = match check_hello(&hello, worlds) {
        Ok(glue) => glue,
        Err(failure) => return Err(init_failed(&mut link, failure)),
    };
    // A component stamped for another version of the world is refused before
    // it is compiled (an artifact was checked when it was made).
    if matches!(hello.code, Code::Component { .. })
        && hello.world != crate::dynamic::DYNAMIC_WORLD
        && let Some(stamp) = crate::stamp::world_stamp(&component_bytes)
        && let Err(why) = crate::stamp::check_stamp(&stamp, &hello.world)
    {
        return Err(init_failed(&mut link, InitFailure::WorldMismatch(why)));
    }
    // The shared rings, mapped and wired before the lock-down; used from
    // `Ready` on. Declined (the host then stays on the socket) if unusable.
    let rings = match (hello.rings_fd, options.socket_fd) {
        (Some(fd), Some(socket)) => match take_rings(fd, socket) {
            Ok(streams) => Some(streams),
            Err(e) => {
                link.warn(format!("shared rings declined, staying on the socket: {e}"))?;
                None
            }
        },
        _ => None,
    };
    // Lock-down, step 1: namespaces, while this process has one thread.
    let mut layers = SandboxLayers::default();
    if options.lock_down {
        crate::lockdown::enter_namespaces(&mut layers, !policy.network.is_empty());
    }
    let wasi = match build_wasi(&policy, &link) {
        Ok(wasi) => wasi,
        Err(failure) => return Err(init_failed(&mut link, failure)),
    };
    // What the compile may add to is measured before Landlock closes /proc.
    let isolation = options
        .isolate_compile
        .then(|| crate::compile::CompileLimits {
            baseline_bytes: crate::compile::data_in_use()
                .unwrap_or(2 * component_bytes.len() as u64 + (64 << 20)),
            memory_bytes: policy.max_memory_bytes,
            deadline: Duration::from_millis(policy.compile_deadline_ms),
        });
    // Step 2: Landlock, before any thread exists, so that every thread inherits it.
    if options.lock_down {
        let preopens: Vec<_> = policy
            .preopens
            .iter()
            .enumerate()
            .map(|(i, grant)| {
                // SAFETY: the host placed one open directory per grant from
                // PREOPEN_FD_BASE on; they stay open for the whole process.
                let fd = unsafe { BorrowedFd::borrow_raw(PREOPEN_FD_BASE + i as i32) };
                (fd, grant.writable)
            })
            .collect();
        crate::lockdown::restrict_paths(&mut layers, &preopens, &policy);
    }

    let compiled = compile(&component_bytes, hello.code, &policy, isolation);
    let (engine, component, artifact, mapped) = match compiled {
        Ok(compiled) => compiled,
        Err(failure) => return Err(init_failed(&mut link, failure)),
    };
    drop(component_bytes);
    // The compiled form goes back before anything else can fail, and before
    // instantiation: none of the plugin's code has run yet, so the artifact is
    // exactly what the compiler made.
    // One too large for the host to accept is not sent: the plugin then
    // simply runs uncached.
    match artifact {
        Some(artifact) if artifact.len() <= airlock_protocol::MAX_CODE_LEN as usize => {
            link.send(&FromRunner::Artifact, &artifact)?;
        }
        Some(artifact) => {
            let message = format!(
                "the compiled artifact ({} bytes) is larger than the cache takes ({} bytes); not cached",
                artifact.len(),
                airlock_protocol::MAX_CODE_LEN
            );
            link.warn(message)?;
        }
        None => {}
    }
    let mut plugin = match Loaded::link(glue, engine, &component, &policy) {
        Ok(plugin) => plugin,
        Err(failure) => return Err(init_failed(&mut link, failure)),
    };
    // The plugin's start functions run under the call deadline and fuel:
    // the ticker runs for them as for a call.
    let deadline_ticks = policy
        .deadline_ms
        .div_ceil(EPOCH_TICK.as_millis() as u64)
        .max(1)
        + 1;
    let ticker = EpochTicker::start(plugin.engine.clone());
    ticker.begin();
    let started = plugin.give_link(link, wasi, deadline_ticks);
    ticker.end();
    if let Err(failure) = started {
        return Err(init_failed(plugin.link_mut(), failure));
    }
    if options.lock_down {
        // wasmtime-wasi runs blocking work on a tokio runtime made on first
        // use; make it (and its worker threads) before seccomp is installed.
        wasmtime_wasi::runtime::in_tokio(async {});
        // Step 3: everything else, seccomp last.
        crate::lockdown::lock_down(&mut layers, &policy);
    }
    if let Some(hook) = options.after_lock_down {
        hook(&hello.plugin);
    }
    let world_hash = hello.world_hash;
    let ready = FromRunner::Ready {
        world_hash,
        layers,
        rings: rings.is_some(),
        mapped,
    };
    plugin.link_mut().send(&ready, &[])?;
    if let Some((input, output)) = rings {
        let link = plugin.link_mut();
        let socket_input = std::mem::replace(&mut link.input, Box::new(input));
        let socket_output = std::mem::replace(&mut link.output, Box::new(output));
        link.socket_streams = Some((socket_input, socket_output));
    }

    let mut result = Vec::new();
    loop {
        let message = match plugin.link_mut().recv() {
            Ok(m) => m,
            Err(FrameError::Closed) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        match message {
            ToRunner::Call { seq, func } => {
                // The frame's buffer, not a copy: bulk arguments are not moved again.
                let (frame, offset) = plugin.link_mut().reader.take_frame();
                let link = plugin.link_mut();
                link.log_budget = policy.max_log_bytes_per_call;
                link.log_dropped = 0;
                ticker.begin();
                let outcome =
                    plugin.call(func, &frame[offset..], &mut result, deadline_ticks, &policy);
                ticker.end();
                let link = plugin.link_mut();
                link.reader.recycle(frame);
                if link.log_dropped > 0 {
                    let message = format!(
                        "{} log and progress messages dropped: over the volume of {} bytes per call",
                        link.log_dropped, policy.max_log_bytes_per_call
                    );
                    link.warn(message)?;
                }
                let payload = if outcome.is_ok() {
                    &result[..]
                } else {
                    &[][..]
                };
                let cost = std::mem::take(&mut plugin.last_cost);
                plugin
                    .link_mut()
                    .send(&FromRunner::Return { seq, outcome, cost }, payload)?;
            }
            ToRunner::Release { ids } => crate::exported::queue_release(ids),
            ToRunner::Ping { nonce } => {
                plugin.link_mut().send(&FromRunner::Pong { nonce }, &[])?;
            }
            ToRunner::Shutdown => return Ok(()),
            other => {
                return Err(ServeError::Protocol(format!(
                    "unexpected {other:?} between calls"
                )));
            }
        }
    }
}

/// Maps the shared rings from descriptor `fd` (closing it: the mapping is
/// what counts) and makes this side's reader and writer.
fn take_rings(
    fd: i32,
    socket: i32,
) -> std::io::Result<(
    airlock_protocol::ring::RingReader,
    airlock_protocol::ring::RingWriter,
)> {
    use airlock_protocol::ring::{self, Direction, SharedRings};
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: the host placed the rings' memfd at `fd` for this process and
    // nothing else owns it; `socket` stays open for the life of the process.
    let file = unsafe { OwnedFd::from_raw_fd(fd) };
    let rings = Arc::new(SharedRings::map(file.as_fd())?);
    drop(file);
    // SAFETY: `socket` is the host connection, open for the life of the
    // process; the borrow only lives while the rings are set up.
    let socket = unsafe { BorrowedFd::borrow_raw(socket) };
    let input = ring::reader(
        rings.clone(),
        Direction::ToRunner,
        socket.try_clone_to_owned()?,
    );
    let output = ring::writer(rings, Direction::FromRunner, socket.try_clone_to_owned()?);
    Ok((input, output))
}

/// Tells the host why the plugin cannot start, and returns the error to exit with.
fn init_failed(link: &mut HostLink, failure: InitFailure) -> ServeError {
    match link.send(&FromRunner::InitFailed(failure.clone()), &[]) {
        Ok(()) => ServeError::Init(failure),
        Err(e) => e.into(),
    }
}

/// The guest's WASI context: captured stdio, the granted environment, the
/// preopened directories (reopened through their descriptors, so the runner
/// never learns their paths), and sockets only to the granted addresses.
pub(crate) fn build_wasi(policy: &RunnerPolicy, link: &HostLink) -> Result<WasiCtx, InitFailure> {
    let mut wasi = WasiCtx::builder();
    wasi.stdout(link.stdout.clone())
        .stderr(link.stderr.clone())
        .envs(&policy.env);
    for (i, grant) in policy.preopens.iter().enumerate() {
        let fd = PREOPEN_FD_BASE + i as i32;
        let perms = if grant.writable {
            FsPerms::ReadWrite
        } else {
            FsPerms::ReadOnly
        };
        wasi.preopened_dir(format!("/proc/self/fd/{fd}"), &grant.guest_path, perms)
            .map_err(|e| {
                InitFailure::Instantiate(format!(
                    "preopened directory {} (descriptor {fd}) is unusable: {e}",
                    grant.guest_path
                ))
            })?;
    }
    if !policy.network.is_empty() {
        let allowed = Arc::new(policy.network.clone());
        let denials = link.denials.clone();
        wasi.allow_tcp(true)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(move |addr, used| {
                let ok = match used {
                    // Implicit binds before a connect use the wildcard address.
                    SocketAddrUse::TcpBind => addr.ip().is_unspecified() && addr.port() == 0,
                    SocketAddrUse::TcpConnect => allowed.contains(&addr),
                    _ => false,
                };
                if !ok {
                    denials
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(("network".into(), format!("{used:?} {addr} is not granted")));
                }
                Box::pin(async move { ok })
            });
    }
    Ok(wasi.build())
}

fn check_hello<'w>(
    hello: &Hello,
    worlds: &[&'w dyn WorldGlue],
) -> Result<&'w dyn WorldGlue, InitFailure> {
    if hello.protocol != PROTOCOL_VERSION {
        return Err(InitFailure::ProtocolMismatch {
            host: hello.protocol,
            runner: PROTOCOL_VERSION,
        });
    }
    let Some(glue) = worlds.iter().find(|w| w.world_name() == hello.world) else {
        let known = worlds.iter().map(|w| w.world_name().to_string()).collect();
        return Err(InitFailure::UnknownWorld {
            world: hello.world.clone(),
            known,
        });
    };
    if glue.world_hash() != hello.world_hash {
        return Err(InitFailure::WorldMismatch(format!(
            "the host and this runner were built from different versions of world `{}`",
            hello.world
        )));
    }
    Ok(*glue)
}

/// A compiled, linked plugin and its current instance.
pub(crate) struct Loaded {
    engine: Engine,
    pre: InstancePre<RunnerState>,
    exports: Box<dyn ExportTable>,
    /// `None` after a trap poisoned the previous store; rebuilt before the next call.
    instance: Option<(Store<RunnerState>, Box<dyn BoundExports>)>,
    /// The link and WASI context while no store holds them.
    spare: Option<(HostLink, WasiCtx)>,
    limits: StoreLimits,
    fuel: Option<u64>,
    max_handles: u32,
    /// The call deadline, for the errors of start functions that exceed it.
    deadline_ms: u64,
    /// What the last call cost, for its `Return`.
    pub(crate) last_cost: CallCost,
}

impl Loaded {
    /// Compiles `bytes`, checks them against `glue`'s world and links them;
    /// the first instance is made when the host link arrives ([`Loaded::give_link`]).
    pub(crate) fn load(
        glue: &dyn WorldGlue,
        bytes: &[u8],
        policy: &RunnerPolicy,
    ) -> Result<Self, InitFailure> {
        let code = Code::Component {
            want_artifact: false,
        };
        let (engine, component, ..) = compile(bytes, code, policy, None)?;
        Self::link(glue, engine, &component, policy)
    }

    /// Checks a compiled component against `glue`'s world and links it.
    pub(crate) fn link(
        glue: &dyn WorldGlue,
        engine: Engine,
        component: &Component,
        policy: &RunnerPolicy,
    ) -> Result<Self, InitFailure> {
        let exports = glue
            .resolve_exports(component)
            .map_err(InitFailure::WorldMismatch)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .and_then(|()| crate::services::add_to_linker(&mut linker))
            .and_then(|()| glue.link(&mut linker))
            .and_then(|()| glue.link_component(&mut linker, component))
            .and_then(|()| crate::own_exports::stub_imports_of_own_exports(&mut linker, component))
            .map_err(|e| InitFailure::Instantiate(format!("failed to define imports: {e:?}")))?;
        let pre = linker
            .instantiate_pre(component)
            .map_err(|e| InitFailure::WorldMismatch(format!("{e:#}")))?;
        Ok(Loaded {
            engine,
            pre,
            exports,
            instance: None,
            spare: None,
            limits: StoreLimits::new(policy),
            fuel: policy.fuel_per_call,
            max_handles: policy.max_handles,
            deadline_ms: policy.deadline_ms,
            last_cost: CallCost::default(),
        })
    }

    /// Hands over the connection to the host and makes the first instance,
    /// interrupting its start functions after `deadline_ticks` epochs.
    pub(crate) fn give_link(
        &mut self,
        link: HostLink,
        wasi: WasiCtx,
        deadline_ticks: u64,
    ) -> Result<(), InitFailure> {
        self.spare = Some((link, wasi));
        self.instantiate(deadline_ticks, false)
    }

    fn take_parts(&mut self) -> (HostLink, WasiCtx) {
        match self.instance.take() {
            Some((store, _)) => store.into_data().into_parts(),
            None => self
                .spare
                .take()
                .expect("the link is always in the store or spare"),
        }
    }

    fn link_mut(&mut self) -> &mut HostLink {
        match &mut self.instance {
            Some((store, _)) => &mut store.data_mut().link,
            None => {
                &mut self
                    .spare
                    .as_mut()
                    .expect("the link is always in the store or spare")
                    .0
            }
        }
    }

    /// Ends the instance of `store`: the link goes back to `spare`, and,
    /// within a call (`in_call`), the host hears of the drops of the handles
    /// it had given the instance and the guest still held.
    fn end_instance(&mut self, store: Store<RunnerState>, in_call: bool) {
        let (mut link, wasi) = store.into_data().into_parts();
        if in_call && let Err(e) = crate::glue::report_orphans(&mut link) {
            // The connection is gone; the call's answer will not reach the
            // host either, and the loop ends there.
            let _ = link.warn(format!("{e:#}"));
        }
        self.spare = Some((link, wasi));
    }

    /// Builds a fresh store and instance, interrupting the plugin's start
    /// functions after `deadline_ticks` epochs; on failure the link goes back
    /// to `spare`.
    fn instantiate(&mut self, deadline_ticks: u64, in_call: bool) -> Result<(), InitFailure> {
        let (link, wasi) = self.take_parts();
        let mut store = Store::new(
            &self.engine,
            RunnerState::new(link, wasi, self.limits.clone()),
        );
        store.limiter(|state| &mut state.limits);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(deadline_ticks);
        // The old instance's handles died with it.
        crate::glue::reset_handles(self.max_handles);
        crate::exported::reset(self.max_handles);
        if let Some(fuel) = self.fuel {
            store
                .set_fuel(fuel)
                .expect("fuel is enabled with the policy");
        }
        let instance = match self.pre.instantiate(&mut store) {
            Ok(i) => i,
            Err(e) => {
                let refused = store.data().limits.refused.clone();
                self.end_instance(store, in_call);
                return Err(match (refused, e.downcast_ref::<Trap>()) {
                    (_, Some(Trap::Interrupt)) => InitFailure::DeadlineExceeded {
                        deadline_ms: self.deadline_ms,
                    },
                    (_, Some(Trap::OutOfFuel)) => InitFailure::OutOfFuel {
                        fuel: self.fuel.unwrap_or(0),
                    },
                    (Some(detail), _) => InitFailure::OutOfMemory {
                        limit_bytes: self.limits.max_bytes,
                        detail,
                    },
                    (None, _) => InitFailure::Instantiate(format!("{e:?}")),
                });
            }
        };
        match self.exports.bind(&mut store, &instance) {
            Ok(bound) => {
                self.instance = Some((store, bound));
                Ok(())
            }
            Err(msg) => {
                self.end_instance(store, in_call);
                Err(InitFailure::WorldMismatch(msg))
            }
        }
    }

    pub(crate) fn call(
        &mut self,
        func: u32,
        args: &[u8],
        out: &mut Vec<u8>,
        deadline_ticks: u64,
        policy: &RunnerPolicy,
    ) -> Result<(), CallFailure> {
        let fresh = self.instance.is_none();
        if fresh {
            // A fresh instance after a trap: its start functions run within
            // this call's deadline and fuel, which the call then goes on using.
            self.instantiate(deadline_ticks, true)
                .map_err(|f| match f {
                    InitFailure::OutOfMemory {
                        limit_bytes,
                        detail,
                    } => CallFailure::OutOfMemory {
                        limit_bytes,
                        detail,
                    },
                    InitFailure::DeadlineExceeded { deadline_ms } => {
                        CallFailure::DeadlineExceeded { deadline_ms }
                    }
                    InitFailure::OutOfFuel { fuel } => CallFailure::OutOfFuel { fuel },
                    f => CallFailure::Instantiate(format!("{f:?}")),
                })?;
        }
        let (store, bound) = self.instance.as_mut().expect("instantiated above");
        store.data_mut().limits.refused = None;
        if !fresh {
            if let Some(fuel) = self.fuel {
                store
                    .set_fuel(fuel)
                    .expect("fuel is enabled with the policy");
            }
            store.set_epoch_deadline(deadline_ticks);
        }
        // Objects the host dropped go first, inside this call's deadline.
        let released = crate::exported::release_pending(store);
        let in_destructor = released.is_err();
        let result = released.and_then(|()| bound.call(store, func, args, out));
        store.set_epoch_deadline(u64::MAX / 2);
        self.last_cost = CallCost {
            memory_bytes: store.data().limits.used,
            fuel_used: match self.fuel {
                Some(fuel) => fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
                None => 0,
            },
        };
        match result {
            Ok(()) => Ok(()),
            Err(CallError::BadArguments(msg)) => Err(CallFailure::BadArguments(msg)),
            Err(CallError::UnknownFunction(f)) => Err(CallFailure::UnknownFunction(f)),
            Err(CallError::Encode(msg)) => {
                // Reported as a trap, so it ends the instance like one: the
                // host drops every handle the instance gave it on a trap.
                let (store, _) = self.instance.take().expect("instantiated above");
                self.end_instance(store, true);
                Err(CallFailure::Trap {
                    message: format!("result did not encode: {msg}"),
                    backtrace: None,
                })
            }
            Err(CallError::Wasm(err)) => {
                // A trap poisons the store: the next call gets a fresh instance.
                let tail = store.data().link.stderr.peek_tail(4096);
                let panic = crate::guest_error::trap_message(&tail);
                let refused = store.data().limits.refused.clone();
                let (store, _) = self.instance.take().expect("instantiated above");
                self.end_instance(store, true);
                match err.downcast_ref::<Trap>() {
                    Some(Trap::Interrupt) => {
                        return Err(CallFailure::DeadlineExceeded {
                            deadline_ms: policy.deadline_ms,
                        });
                    }
                    Some(Trap::OutOfFuel) => {
                        return Err(CallFailure::OutOfFuel {
                            fuel: self.fuel.unwrap_or(0),
                        });
                    }
                    _ => {}
                }
                if let Some(detail) = refused {
                    return Err(CallFailure::OutOfMemory {
                        limit_bytes: self.limits.max_bytes,
                        detail,
                    });
                }
                let backtrace = err
                    .downcast_ref::<wasmtime::WasmBacktrace>()
                    .map(|bt| bt.to_string());
                let mut message = match err.downcast_ref::<Trap>() {
                    Some(trap) => trap.to_string(),
                    None => format!("{err:#}"),
                };
                if let Some(panic) = panic {
                    message = format!("{message}: {panic}");
                }
                if in_destructor {
                    message = format!(
                        "destroying an object of the plugin's whose handle the host dropped: {message}"
                    );
                }
                Err(CallFailure::Trap { message, backtrace })
            }
        }
    }
}

/// The engine, the component, its serialized form if asked for, and whether it was mapped.
type Compiled = (Engine, Component, Option<Vec<u8>>, bool);

/// Makes the engine for `policy` and compiles `bytes` with it (or, for
/// [`Code::Artifact`], loads them; for [`Code::MappedArtifact`], maps the
/// sealed memfd); returns the serialized component too when `code` asks for
/// it, and whether the code was mapped. With `isolation`, compiling happens
/// in a child process under those limits.
fn compile(
    bytes: &[u8],
    code: Code,
    policy: &RunnerPolicy,
    isolation: Option<crate::compile::CompileLimits>,
) -> Result<Compiled, InitFailure> {
    let engine = engine(policy).map_err(|e| InitFailure::Compile(format!("{e:?}")))?;
    if let Code::MappedArtifact { fd } = code {
        let loaded = crate::mapped::load(&engine, fd)?;
        return Ok((engine, loaded.component, None, loaded.mapped));
    }
    if let (Code::Component { want_artifact }, Some(limits)) = (code, isolation) {
        let artifact = crate::compile::precompile_isolated(&engine, bytes, limits)?;
        // SAFETY: `deserialize` trusts its input; these bytes are what this
        // process's own compiler (in its child) made of the component,
        // before any plugin code ran.
        let component = unsafe { Component::deserialize(&engine, &artifact) }.map_err(|e| {
            InitFailure::Compile(format!("failed to load the compiled form: {e:#}"))
        })?;
        return Ok((engine, component, want_artifact.then_some(artifact), false));
    }
    let component = match code {
        Code::Component { .. } => {
            Component::new(&engine, bytes).map_err(|e| InitFailure::Compile(format!("{e:?}")))?
        }
        // SAFETY: `deserialize` trusts its input. The host sends an artifact
        // only after checking its keyed MAC, which only the host can make,
        // over bytes a runner compiled before running any plugin code.
        // wasmtime still checks the engine and version it was made for; a
        // mismatch is reported as stale.
        Code::Artifact => unsafe { Component::deserialize(&engine, bytes) }
            .map_err(|e| InitFailure::StaleArtifact(format!("{e:#}")))?,
        Code::MappedArtifact { .. } => unreachable!("returned above"),
    };
    let artifact = match code {
        Code::Component {
            want_artifact: true,
        } => Some(
            component
                .serialize()
                .map_err(|e| InitFailure::Compile(format!("failed to serialize: {e:#}")))?,
        ),
        _ => None,
    };
    Ok((engine, component, artifact, false))
}

/// What an artifact depends on besides the component's bytes: the settings
/// [`engine`] derives from the policy, and the runner's build. Part of the
/// host's cache key, so that one cache serves runners with different policies.
pub fn artifact_fingerprint(policy: &RunnerPolicy) -> String {
    format!(
        "airlock-runner {} protocol {PROTOCOL_VERSION} fuel={} stack={}",
        env!("CARGO_PKG_VERSION"),
        policy.fuel_per_call.is_some(),
        policy.max_wasm_stack
    )
}

fn engine(policy: &RunnerPolicy) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.concurrency_support(false);
    config.max_wasm_stack(policy.max_wasm_stack as usize);
    config.consume_fuel(policy.fuel_per_call.is_some());
    Engine::new(&config)
}

/// How long the ticker stays awake after a call, so that back-to-back calls
/// need no wake-up system call.
const TICKER_STAYS_AWAKE: Duration = Duration::from_millis(50);

/// Advances the engine's epoch while a call is in flight. Between calls it
/// stays awake a little (calls often come in bursts), then parks, so that
/// idle runners cost no wake-ups.
struct EpochTicker {
    active: Arc<AtomicBool>,
    parked: Arc<AtomicBool>,
    thread: thread::Thread,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let active = Arc::new(AtomicBool::new(false));
        let parked = Arc::new(AtomicBool::new(false));
        let (flag, asleep) = (active.clone(), parked.clone());
        let handle = thread::Builder::new()
            .name("airlock-epoch".into())
            .spawn(move || {
                let mut idle = Duration::ZERO;
                loop {
                    if flag.load(Ordering::SeqCst) {
                        thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                        idle = Duration::ZERO;
                    } else if idle < TICKER_STAYS_AWAKE {
                        thread::sleep(EPOCH_TICK);
                        idle += EPOCH_TICK;
                    } else {
                        // Announce the park before checking the flag once
                        // more; `begin` sets the flag before it checks this,
                        // so one of the two always sees the other.
                        asleep.store(true, Ordering::SeqCst);
                        if !flag.load(Ordering::SeqCst) {
                            thread::park();
                        }
                        asleep.store(false, Ordering::SeqCst);
                        idle = Duration::ZERO;
                    }
                }
            })
            .expect("failed to start the epoch ticker thread");
        Self {
            active,
            parked,
            thread: handle.thread().clone(),
        }
    }

    fn begin(&self) {
        self.active.store(true, Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) {
            self.thread.unpark();
        }
    }

    fn end(&self) {
        self.active.store(false, Ordering::SeqCst);
    }
}
