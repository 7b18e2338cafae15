//! A compiled, linked plugin and its current instance: making the store,
//! instantiating, serving calls (each `Call` frame answered with a `Return`),
//! calling an export, and starting afresh after a trap.

use airlock_protocol::{
    CallCost, CallFailure, Code, FrameError, FromRunner, InitFailure, RunnerPolicy, ToRunner,
};
use wasmtime::component::{Component, InstancePre};
use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::WasiCtx;

use crate::connection::PendingReturn;
use crate::engine::{compile, make_engine};
use crate::glue::{
    BoundExports, CallError, ExportTable, HostConnection, RunnerState, StoreLimits, WorldGlue,
};
use crate::handles::Handle;
use crate::handshake::ServeError;
use crate::instance_resources::InstanceResources;
use crate::ticker::EpochTicker;

/// A compiled, linked plugin and its current instance.
pub(crate) struct PluginInstance {
    pub(crate) engine: Engine,
    pre: InstancePre<RunnerState>,
    exports: Box<dyn ExportTable>,
    /// `None` after a trap poisoned the previous store; rebuilt before the next call.
    instance: Option<(Store<RunnerState>, Box<dyn BoundExports>)>,
    /// The connection and WASI context while no store holds them.
    spare: Option<(HostConnection, WasiCtx)>,
    limits: StoreLimits,
    fuel: Option<u64>,
    /// The resource tables of the current instance, made current while it runs.
    resources: InstanceResources,
    /// The call deadline, for the errors of start functions that exceed it.
    deadline_ms: u64,
    /// What the last call cost, for its `Return`.
    pub(crate) last_cost: CallCost,
}

impl PluginInstance {
    /// Compiles `bytes`, checks them against `glue`'s world and links them;
    /// the first instance is made when the host connection arrives ([`PluginInstance::connect`]).
    pub(crate) fn load(
        glue: &dyn WorldGlue,
        bytes: &[u8],
        policy: &RunnerPolicy,
    ) -> Result<Self, InitFailure> {
        let code = Code::Component {
            want_artifact: false,
        };
        let (engine, component, ..) = compile(make_engine(policy)?, bytes, code, None)?;
        Self::prepare(glue, engine, &component, policy)
    }

    /// Checks a compiled component against `glue`'s world and links it.
    pub(crate) fn prepare(
        glue: &dyn WorldGlue,
        engine: Engine,
        component: &Component,
        policy: &RunnerPolicy,
    ) -> Result<Self, InitFailure> {
        let exports = glue
            .resolve_exports(component)
            .map_err(InitFailure::WorldMismatch)?;
        // The zygote's linker as it is, when the component needs nothing
        // added to it; else the world's imports (copied from that linker
        // when there is one) and what depends on the component itself.
        let prepared = crate::prepared::linker_ref(&engine, glue)
            .filter(|_| !glue.accepts_any_component())
            .and_then(|linker| linker.instantiate_pre(component).ok());
        let pre = match prepared {
            Some(pre) => pre,
            None => {
                let mut linker = crate::prepared::linker(&engine, glue).map_err(|e| {
                    InitFailure::Instantiate(format!("failed to define imports: {e:?}"))
                })?;
                glue.link_component(&mut linker, component)
                    .and_then(|()| {
                        crate::own_exports::stub_imports_of_own_exports(&mut linker, component)
                    })
                    .map_err(|e| {
                        InitFailure::Instantiate(format!("failed to define imports: {e:?}"))
                    })?;
                linker
                    .instantiate_pre(component)
                    .map_err(|e| InitFailure::WorldMismatch(format!("{e:#}")))?
            }
        };
        Ok(PluginInstance {
            engine,
            pre,
            exports,
            instance: None,
            spare: None,
            limits: StoreLimits::new(policy),
            fuel: policy.fuel_per_call,
            resources: InstanceResources::new(policy.max_handles),
            deadline_ms: policy.deadline_ms,
            last_cost: CallCost::default(),
        })
    }

    /// Hands over the connection to the host and makes the first instance,
    /// interrupting its start functions after `deadline_ticks` epochs.
    pub(crate) fn connect(
        &mut self,
        host: HostConnection,
        wasi: WasiCtx,
        deadline_ticks: u64,
    ) -> Result<(), InitFailure> {
        self.spare = Some((host, wasi));
        self.instantiate(deadline_ticks, false)
    }

    fn take_parts(&mut self) -> (HostConnection, WasiCtx) {
        match self.instance.take() {
            Some((store, _)) => store.into_data().into_parts(),
            None => self
                .spare
                .take()
                .expect("the connection is always in the store or spare"),
        }
    }

    pub(crate) fn host_mut(&mut self) -> &mut HostConnection {
        match &mut self.instance {
            Some((store, _)) => &mut store.data_mut().host,
            None => {
                &mut self
                    .spare
                    .as_mut()
                    .expect("the connection is always in the store or spare")
                    .0
            }
        }
    }

    /// Ends the instance of `store`: the connection goes back to `spare`, and,
    /// within a call (`in_call`), the host hears of the drops of the handles
    /// it had given the instance and the guest still held.
    fn end_instance(&mut self, store: Store<RunnerState>, in_call: bool) {
        let (mut host, wasi) = store.into_data().into_parts();
        if in_call && let Err(e) = report_orphans(&mut host, &self.resources) {
            // The connection is gone; the call's answer will not reach the
            // host either, and the loop ends there.
            let _ = host.warn(format!("{e:#}"));
        }
        self.spare = Some((host, wasi));
    }

    /// Builds a fresh store and instance, interrupting the plugin's start
    /// functions after `deadline_ticks` epochs; on failure the connection goes back
    /// to `spare`.
    fn instantiate(&mut self, deadline_ticks: u64, in_call: bool) -> Result<(), InitFailure> {
        let (host, wasi) = self.take_parts();
        let mut store = Store::new(
            &self.engine,
            RunnerState::new(host, wasi, self.limits.clone()),
        );
        store.limiter(|state| &mut state.limits);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(deadline_ticks);
        // The old instance's handles died with it.
        self.resources.reset();
        if let Some(fuel) = self.fuel {
            store
                .set_fuel(fuel)
                .expect("fuel is enabled with the policy");
        }
        // Start functions may already trade handles with the host.
        let instantiated =
            crate::scope::with_scope(&self.resources, || self.pre.instantiate(&mut store));
        let instance = match instantiated {
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
                    f => CallFailure::Instantiate(f.to_string()),
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
        let resources = &self.resources;
        let (in_destructor, result) = crate::scope::with_scope(resources, || {
            let released = crate::exported::release_pending(store, resources);
            let in_destructor = released.is_err();
            (
                in_destructor,
                released.and_then(|()| {
                    // What the export reads, not what a re-instantiation or a
                    // destructor read before it: a replay's instance is fresh.
                    if let Some(observer) = &store.data().host.observer {
                        observer.record();
                    }
                    bound.call(store, func, args, out)
                }),
            )
        });
        store.set_epoch_deadline(u64::MAX / 2);
        self.last_cost = crate::glue::call_cost(store, self.fuel);
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
                    frames: Vec::new(),
                })
            }
            Err(CallError::Wasm(err)) => {
                // A trap poisons the store: the next call gets a fresh instance.
                let tail = store.data().host.stderr.peek_tail(4096);
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
                let wasm_backtrace = err.downcast_ref::<wasmtime::WasmBacktrace>();
                let backtrace = wasm_backtrace.map(|bt| bt.to_string());
                let frames = wasm_backtrace
                    .map(crate::guest_error::source_frames)
                    .unwrap_or_default();
                let mut message = match err.downcast_ref::<Trap>() {
                    Some(trap) => trap.to_string(),
                    // The error's own messages, without the backtrace
                    // wasmtime attaches as context (reported beside).
                    None => {
                        let shown_bt = wasm_backtrace.map(|bt| bt.to_string());
                        err.chain()
                            .map(ToString::to_string)
                            .filter(|m| shown_bt.as_deref().is_none_or(|bt| !m.contains(bt)))
                            .collect::<Vec<_>>()
                            .join(": ")
                    }
                };
                if let Some(panic) = panic {
                    message = format!("{message}: {panic}");
                }
                if in_destructor {
                    message = format!(
                        "destroying an object of the plugin's whose handle the host dropped: {message}"
                    );
                }
                Err(CallFailure::Trap {
                    message: crate::guest_error::capped(message),
                    backtrace: backtrace.map(crate::guest_error::capped),
                    frames,
                })
            }
        }
    }

    /// Serves calls until the host hangs up or sends `Shutdown`: each call's
    /// frame, the instance's answer and the `Return` frame with its cost.
    pub(crate) fn serve_calls(
        &mut self,
        ticker: &EpochTicker,
        deadline_ticks: u64,
        policy: &RunnerPolicy,
    ) -> Result<(), ServeError> {
        let mut result = Vec::new();
        loop {
            let message = match self.host_mut().recv() {
                Ok(m) => m,
                Err(FrameError::Closed) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            match message {
                ToRunner::Call { seq, func } => {
                    // The frame's buffer, not a copy: bulk arguments are not moved again.
                    let (frame, payload) = self.host_mut().reader.take_frame();
                    let fuel = self.fuel;
                    let host = self.host_mut();
                    host.log_budget = policy.max_log_bytes_per_call;
                    host.log_dropped = 0;
                    // Over the rings, a bulk result goes straight into its `Return`.
                    host.pending_return = host.socket_streams.is_some().then_some(PendingReturn {
                        seq,
                        fuel,
                        max_log_bytes: policy.max_log_bytes_per_call,
                    });
                    ticker.begin();
                    let outcome =
                        self.call(func, &frame[payload], &mut result, deadline_ticks, policy);
                    ticker.end();
                    let host = self.host_mut();
                    host.pending_return = None;
                    host.reader.recycle(frame);
                    if let Some(sent) = host.return_sent.take() {
                        self.last_cost = CallCost::default();
                        sent?;
                        continue;
                    }
                    host.finish_call(policy.max_log_bytes_per_call)?;
                    let payload = if outcome.is_ok() {
                        &result[..]
                    } else {
                        &[][..]
                    };
                    let cost = std::mem::take(&mut self.last_cost);
                    self.host_mut()
                        .send(&FromRunner::Return { seq, outcome, cost }, payload)?;
                }
                ToRunner::Release { ids } => self.queue_release(ids),
                ToRunner::Ping { nonce } => {
                    self.host_mut().send(&FromRunner::Pong { nonce }, &[])?;
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

    /// The host dropped these handles; they are destroyed when the next call starts.
    pub(crate) fn queue_release(&self, ids: Vec<u32>) {
        self.resources.queue_release(ids);
    }
}

/// Tells the host of the drops of the handles an instance that just ended
/// (a trap) still held, as import calls of the call that trapped: the host
/// is still serving that call's imports, with the same host state.
fn report_orphans(host: &mut HostConnection, tables: &InstanceResources) -> wasmtime::Result<()> {
    for (drop, rep) in tables.take_orphans() {
        // A drop import's arguments are one handle, which travels as the
        // host's number (see `Handle`'s `Serialize`).
        crate::connection::call_import_on::<_, ()>(host, drop, &Handle::<()>::new(rep))?;
    }
    Ok(())
}
