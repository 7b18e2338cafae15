//! The runner's main loop over any byte stream: handshake, load, lock down,
//! then serve calls until the host hangs up. Tested in memory over a socket
//! pair inside one process, before any subprocess test.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use airlock_protocol::{
    CallFailure, FrameError, FromRunner, Hello, InitFailure, PROTOCOL_VERSION, RunnerLimits,
    ToRunner,
};
use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine, Store, Trap};

use crate::glue::{BoundExports, CallError, ExportTable, HostLink, RunnerState, WorldGlue};

/// Largest Hello frame: it carries the component's bytes.
const MAX_HELLO_LEN: u32 = 256 << 20;

/// Epoch tick; call deadlines are rounded up to whole ticks.
const EPOCH_TICK: Duration = Duration::from_millis(2);

/// How the loop treats its process.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Apply the OS lock-down once the plugin is loaded (only in a runner process).
    pub lock_down: bool,
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
        RunnerLimits::default().max_output_buffer as usize,
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
    link.reader.set_max_frame_len(hello.limits.max_frame_len);
    link.stdout = crate::output::CapturedOutput::new(hello.limits.max_output_buffer as usize);
    link.stderr = crate::output::CapturedOutput::new(hello.limits.max_output_buffer as usize);

    let mut plugin =
        match check_hello(&hello, worlds).and_then(|glue| Loaded::load(glue, &component_bytes)) {
            Ok(plugin) => plugin,
            Err(failure) => {
                link.send(&FromRunner::InitFailed(failure.clone()), &[])?;
                return Err(ServeError::Init(failure));
            }
        };
    if let Err(failure) = plugin.give_link(link) {
        plugin
            .link_mut()
            .send(&FromRunner::InitFailed(failure.clone()), &[])?;
        return Err(ServeError::Init(failure));
    }
    drop(component_bytes);

    let ticker = EpochTicker::start(plugin.engine.clone());
    if options.lock_down {
        let (_layers, errors) = crate::lockdown::lock_down();
        for e in errors {
            eprintln!("airlock runner: a lock-down layer is unavailable: {e}");
        }
    }
    let world_hash = hello.world_hash;
    plugin
        .link_mut()
        .send(&FromRunner::Ready { world_hash }, &[])?;

    let deadline_ticks = hello
        .limits
        .call_deadline_ms
        .div_ceil(EPOCH_TICK.as_millis() as u64)
        .max(1)
        + 1;
    let mut result = Vec::new();
    loop {
        let message = match plugin.link_mut().recv() {
            Ok(m) => m,
            Err(FrameError::Closed) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        match message {
            ToRunner::Call { seq, func } => {
                let args = plugin.link_mut().reader.take_payload();
                ticker.begin();
                let outcome = plugin.call(
                    func,
                    &args,
                    &mut result,
                    deadline_ticks,
                    hello.limits.call_deadline_ms,
                );
                ticker.end();
                let payload = if outcome.is_ok() {
                    &result[..]
                } else {
                    &[][..]
                };
                plugin
                    .link_mut()
                    .send(&FromRunner::Return { seq, outcome }, payload)?;
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

/// Checks the handshake and picks the world's glue.
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
    /// The link while no store holds it.
    spare_link: Option<HostLink>,
}

impl Loaded {
    /// Compiles `bytes`, checks them against `glue`'s world and links them;
    /// the first instance is made when the host link arrives ([`Loaded::give_link`]).
    pub(crate) fn load(glue: &dyn WorldGlue, bytes: &[u8]) -> Result<Self, InitFailure> {
        let engine = engine().map_err(|e| InitFailure::Compile(format!("{e:?}")))?;
        let component =
            Component::new(&engine, bytes).map_err(|e| InitFailure::Compile(format!("{e:?}")))?;
        let exports = glue
            .resolve_exports(&component)
            .map_err(InitFailure::WorldMismatch)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .and_then(|()| crate::services::add_to_linker(&mut linker))
            .and_then(|()| glue.link(&mut linker))
            .map_err(|e| InitFailure::Instantiate(format!("failed to define imports: {e:?}")))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| InitFailure::WorldMismatch(format!("{e:#}")))?;
        Ok(Loaded {
            engine,
            pre,
            exports,
            instance: None,
            spare_link: None,
        })
    }

    /// Hands over the connection to the host and makes the first instance.
    pub(crate) fn give_link(&mut self, link: HostLink) -> Result<(), InitFailure> {
        self.spare_link = Some(link);
        self.instantiate()
    }

    fn take_link(&mut self) -> HostLink {
        match self.instance.take() {
            Some((store, _)) => store.into_data().into_link(),
            None => self
                .spare_link
                .take()
                .expect("the link is always in the store or spare"),
        }
    }

    fn link_mut(&mut self) -> &mut HostLink {
        match &mut self.instance {
            Some((store, _)) => &mut store.data_mut().link,
            None => self
                .spare_link
                .as_mut()
                .expect("the link is always in the store or spare"),
        }
    }

    /// Builds a fresh store and instance; on failure the link goes back to `spare_link`.
    fn instantiate(&mut self) -> Result<(), InitFailure> {
        let link = self.take_link();
        let mut store = Store::new(&self.engine, RunnerState::new(link));
        store.epoch_deadline_trap();
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = match self.pre.instantiate(&mut store) {
            Ok(i) => i,
            Err(e) => {
                self.spare_link = Some(store.into_data().into_link());
                return Err(InitFailure::Instantiate(format!("{e:?}")));
            }
        };
        match self.exports.bind(&mut store, &instance) {
            Ok(bound) => {
                self.instance = Some((store, bound));
                Ok(())
            }
            Err(msg) => {
                self.spare_link = Some(store.into_data().into_link());
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
        deadline_ms: u64,
    ) -> Result<(), CallFailure> {
        if self.instance.is_none() {
            self.instantiate()
                .map_err(|f| CallFailure::Instantiate(format!("{f:?}")))?;
        }
        let (store, bound) = self.instance.as_mut().expect("instantiated above");
        store.set_epoch_deadline(deadline_ticks);
        let result = bound.call(store, func, args, out);
        store.set_epoch_deadline(u64::MAX / 2);
        match result {
            Ok(()) => Ok(()),
            Err(CallError::BadArguments(msg)) => Err(CallFailure::BadArguments(msg)),
            Err(CallError::UnknownFunction(f)) => Err(CallFailure::UnknownFunction(f)),
            Err(CallError::Encode(msg)) => Err(CallFailure::Trap {
                message: format!("result did not encode: {msg}"),
                backtrace: None,
            }),
            Err(CallError::Wasm(err)) => {
                // A trap poisons the store: the next call gets a fresh instance.
                let panic = guest_panic(&store.data().link.stderr.peek_tail(4096));
                let (store, _) = self.instance.take().expect("instantiated above");
                self.spare_link = Some(store.into_data().into_link());
                if matches!(err.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
                    return Err(CallFailure::DeadlineExceeded { deadline_ms });
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
                Err(CallFailure::Trap { message, backtrace })
            }
        }
    }
}

/// The message of the last Rust panic printed to the guest's stderr, if any.
fn guest_panic(stderr_tail: &str) -> Option<String> {
    let start = stderr_tail.rfind("panicked at")?;
    let text = &stderr_tail[start..];
    let mut lines = text.lines();
    let location = lines.next()?.trim_end_matches(':');
    let message: Vec<&str> = lines.take_while(|l| !l.starts_with("note:")).collect();
    Some(format!("guest {location}: {}", message.join("\n").trim()))
}

fn engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.concurrency_support(false);
    Engine::new(&config)
}

/// Advances the engine's epoch while a call is in flight, and sleeps otherwise,
/// so that idle runners cost no wake-ups.
struct EpochTicker {
    active: Arc<AtomicBool>,
    thread: thread::Thread,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let active = Arc::new(AtomicBool::new(false));
        let flag = active.clone();
        let handle = thread::Builder::new()
            .name("airlock-epoch".into())
            .spawn(move || {
                loop {
                    if flag.load(Ordering::Acquire) {
                        thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    } else {
                        thread::park();
                    }
                }
            })
            .expect("failed to start the epoch ticker thread");
        Self {
            active,
            thread: handle.thread().clone(),
        }
    }

    fn begin(&self) {
        self.active.store(true, Ordering::Release);
        self.thread.unpark();
    }

    fn end(&self) {
        self.active.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::guest_panic;

    #[test]
    fn panic_message_is_extracted_from_stderr() {
        let stderr = "some log\n\nthread '<unnamed>' panicked at src/lib.rs:10:5:\nboom: 42\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            guest_panic(stderr).unwrap(),
            "guest panicked at src/lib.rs:10:5: boom: 42"
        );
        assert_eq!(guest_panic("nothing here"), None);
    }
}
