//! The runner's main loop over any byte stream: handshake, load, lock down,
//! then hand the connection to the instance, which serves calls until the
//! host hangs up (`PluginInstance::serve_calls`). Tested in memory over a socket
//! pair inside one process, before any subprocess test.

use std::io::{Read, Write};
use std::time::Duration;

use airlock_protocol::{
    Code, FromRunner, Hello, InitFailure, RunnerPolicy, SandboxLayers, ToRunner,
};

use airlock_protocol::startup::{RunnerMarks, monotonic_now};

use crate::engine::compile;
use crate::glue::{HostConnection, WorldGlue};
pub use crate::handshake::ServeError;
use crate::handshake::{MAX_HELLO_LEN, check_hello, init_failed};
use crate::instance::PluginInstance;
use crate::ticker::{EPOCH_TICK, EpochTicker};
use crate::wasi::build_wasi;

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
    /// The descriptor of the socket to the host, in a runner process on a
    /// POSIX system: it lets
    /// the loop take the shared rings the host offers (and notice the host
    /// hanging up while waiting on them). Without it, frames stay on the
    /// byte streams given to [`serve_connection`].
    pub socket_fd: Option<i32>,
    /// Compile in a child process under the memory cap and the compile
    /// deadline (see [`crate::compile`]); only in a runner process, which
    /// has a single thread when it compiles.
    pub isolate_compile: bool,
}

/// Serves one host connection until it closes or sends `Shutdown`.
pub fn serve_connection(
    input: Box<dyn Read + Send>,
    output: Box<dyn Write + Send>,
    worlds: &[&dyn WorldGlue],
    options: &ServeOptions,
) -> Result<(), ServeError> {
    let mut marks = RunnerMarks {
        began: crate::began::began_or(monotonic_now()),
        ..RunnerMarks::default()
    };
    let mut host = HostConnection::new(
        input,
        output,
        MAX_HELLO_LEN,
        RunnerPolicy::default().max_output_buffer as usize,
    );
    let hello: Hello = match host.recv()? {
        ToRunner::Hello(hello) => hello,
        other => {
            return Err(ServeError::Protocol(format!(
                "expected Hello, got {other:?}"
            )));
        }
    };
    let component_bytes = host.reader.take_payload();
    marks.hello = monotonic_now();
    let policy = hello.policy.clone();
    host.reader.set_max_frame(policy.max_frame);
    let (cap, rate) = (
        policy.max_output_buffer as usize,
        policy.output_bytes_per_sec,
    );
    host.stdout = crate::output::CapturedOutput::new(cap, rate);
    host.stderr = crate::output::CapturedOutput::new(cap, rate);

    let glue = match check_hello(&hello, worlds) {
        Ok(glue) => glue,
        Err(failure) => return Err(init_failed(&mut host, failure)),
    };
    // A component stamped for another version of the world is refused before
    // it is compiled (an artifact was checked when it was made).
    if matches!(hello.code, Code::Component { .. })
        && !glue.accepts_any_component()
        && let Some(stamp) = crate::stamp::world_stamp(&component_bytes)
        && let Err(why) = crate::stamp::check_stamp(&stamp, &hello.world)
    {
        return Err(init_failed(&mut host, InitFailure::WorldMismatch(why)));
    }
    // The shared rings, mapped and wired before the lock-down; used from
    // `Ready` on. Declined (the host then stays on the socket) if unusable.
    let rings =
        match crate::platform::take_rings(hello.rings_fd, options.socket_fd, hello.ring_wake) {
            Some(Ok(streams)) => Some(streams),
            Some(Err(e)) => {
                host.warn(format!("shared rings declined, staying on the socket: {e}"))?;
                None
            }
            None => None,
        };
    // Lock-down, step 1: namespaces, while this process has one thread;
    // a spare entered them before its request, as for no network grant.
    let mut layers = SandboxLayers::default();
    if options.lock_down {
        match crate::backend::spare_layers() {
            Some(_) if !policy.network.is_empty() => {
                return Err(ServeError::Protocol(
                    "a spare runner (no network) was sent a policy that grants network addresses"
                        .into(),
                ));
            }
            Some(entered) => layers = entered,
            None if hello.backend.namespaces() => {
                crate::lockdown::enter_namespaces(&mut layers, !policy.network.is_empty())
            }
            None => layers.notes.push(format!(
                "namespaces: not entered (the {} backend has none)",
                hello.backend.name()
            )),
        }
        marks.namespaces = monotonic_now();
    }
    // No runner keeps a way into the zygote's namespaces (taken above when
    // it joined them).
    crate::backend::forget_zygote_namespaces();
    if hello.recording {
        host.observer = Some(crate::observe::Observer::default());
    }
    let wasi = match build_wasi(&policy, &host) {
        Ok(wasi) => wasi,
        Err(failure) => return Err(init_failed(&mut host, failure)),
    };
    marks.wasi = monotonic_now();
    // What the compile may add to is measured before Landlock closes /proc.
    // (Only a component is compiled; an artifact is loaded.)
    let isolation =
        (options.isolate_compile && matches!(hello.code, Code::Component { .. })).then(|| {
            crate::platform::CompileLimits {
                baseline_bytes: crate::platform::data_in_use()
                    .unwrap_or(2 * component_bytes.len() as u64 + (64 << 20)),
                memory_bytes: policy.max_memory_bytes,
                deadline: Duration::from_millis(policy.compile_deadline_ms),
            }
        });
    // Step 2: Landlock, before any thread exists, so that every thread inherits it.
    let mut prepared = None;
    if options.lock_down {
        let preopens: Result<Vec<_>, _> = policy
            .preopens
            .iter()
            .enumerate()
            .map(|(i, grant)| Ok((crate::platform::preopen(i)?, grant.writable)))
            .collect();
        let preopens = match preopens {
            Ok(preopens) => preopens,
            Err(failure) => return Err(init_failed(&mut host, failure)),
        };
        prepared = Some(crate::lockdown::restrict_paths(
            &mut layers,
            &preopens,
            &policy,
        ));
        marks.landlock = monotonic_now();
    }

    let engine = match crate::prepared::engine_for(&policy) {
        Ok(engine) => engine,
        Err(failure) => return Err(init_failed(&mut host, failure)),
    };
    marks.engine = monotonic_now();
    let compiled = compile(engine, &component_bytes, hello.code, isolation);
    let (engine, component, artifact, mapped) = match compiled {
        Ok(compiled) => compiled,
        Err(failure) => return Err(init_failed(&mut host, failure)),
    };
    drop(component_bytes);
    marks.loaded = monotonic_now();
    // The compiled form goes back before anything else can fail, and before
    // instantiation: none of the plugin's code has run yet, so the artifact is
    // exactly what the compiler made.
    // One too large for the host to accept is not sent: the plugin then
    // simply runs uncached.
    match artifact {
        Some(artifact) if artifact.len() <= airlock_protocol::MAX_CODE_LEN as usize => {
            host.send(&FromRunner::Artifact, &artifact)?;
        }
        Some(artifact) => {
            let message = format!(
                "the compiled artifact ({} bytes) is larger than the cache takes ({} bytes); not cached",
                artifact.len(),
                airlock_protocol::MAX_CODE_LEN
            );
            host.warn(message)?;
        }
        None => {}
    }
    let mut plugin = match PluginInstance::prepare(glue, engine, &component, &policy) {
        Ok(plugin) => plugin,
        Err(failure) => return Err(init_failed(&mut host, failure)),
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
    let started = plugin.connect(host, wasi, deadline_ticks);
    ticker.end();
    if let Err(failure) = started {
        return Err(init_failed(plugin.host_mut(), failure));
    }
    marks.instantiated = monotonic_now();
    if let Some(prepared) = prepared {
        // wasmtime-wasi runs blocking work on a tokio runtime made on first
        // use; make it (and its worker threads) before seccomp is installed.
        wasmtime_wasi::runtime::in_tokio(async {});
        marks.tokio = monotonic_now();
        // Step 3: everything else, seccomp last.
        crate::lockdown::lock_down(&mut layers, &policy, prepared);
        marks.locked = monotonic_now();
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
        marks,
    };
    plugin.host_mut().send(&ready, &[])?;
    if let Some((input, output)) = rings {
        let host = plugin.host_mut();
        let socket_input = std::mem::replace(&mut host.input, Box::new(input));
        let socket_output = std::mem::replace(&mut host.output, Box::new(output));
        host.socket_streams = Some((socket_input, socket_output));
    }

    plugin.serve_calls(&ticker, deadline_ticks, &policy)
}
