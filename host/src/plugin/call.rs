//! The call loop: one export call, the import calls it makes, its result.
//!
//! [`Plugin::call`] wraps a call in its span, metrics and abort handling;
//! `call_with_resources` is the one place a call touches the bookkeeping of
//! objects the plugin exported; `send_call` and `await_result` talk to the
//! runner.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::resources::{self, CallScope};
use airlock_protocol::{CallFailure, FromRunner, ToRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Plugin;
use super::connection::{RecvError, describe};
use super::import_volume;
use crate::dispatch::ImportDispatch;
use crate::error::{Error, Result, TimeLimit};
use crate::invoke::Invoke;
use crate::text::PluginText;

/// Released object numbers per `Release` frame: at most 5 bytes each, so a
/// frame's header stays well under [`airlock_protocol::MAX_HEADER_LEN`].
const RELEASES_PER_FRAME: usize = 4096;

/// Arguments at least this long are encoded straight into the shared rings.
const DIRECT_ENCODING_FROM: usize = 64 << 10;

/// What every call of a plugin reuses.
#[derive(Debug, Default)]
pub(super) struct CallState {
    /// The last call's sequence number.
    pub(super) seq: u64,
    /// Set by a [`super::CancelHandle`]; cleared as each call starts.
    pub(super) cancel: Arc<AtomicBool>,
    /// The encoded arguments of small calls.
    pub(super) args: Vec<u8>,
    /// The encoded result of an import call.
    pub(super) import_result: Vec<u8>,
}

/// A call's arguments: a value to encode, or bytes a caller already encoded.
pub(super) enum Args<'a, A> {
    Value(&'a A),
    Encoded(&'a [u8]),
}

impl<A: Serialize> Args<'_, A> {
    /// Encodes a small value into `buf` now; true if a bulk one waits to be
    /// encoded straight into the rings.
    /// (One copy into the ring beats many tiny writes for small values.)
    fn encode_small(&self, buf: &mut Vec<u8>) -> Result<bool, postcard::Error> {
        let Self::Value(value) = self else {
            return Ok(false);
        };
        if airlock_protocol::encoded_len(value)? >= DIRECT_ENCODING_FROM {
            return Ok(true);
        }
        airlock_protocol::encode_into(value, buf).map(|()| false)
    }
}

/// The role generated clients call: a sandboxed plugin's exports.
impl Invoke for Plugin {
    fn name(&self) -> &str {
        Plugin::name(self)
    }

    fn invoke(
        &mut self,
        func: u32,
        function: &str,
        args: &[u8],
        imports: &mut dyn ImportDispatch,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        self.call_encoded(func, function, args, imports, out)
    }

    fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        func: u32,
        function: &str,
        args: &A,
        imports: &mut dyn ImportDispatch,
    ) -> Result<R> {
        Plugin::call(self, func, function, args, imports)
    }
}

impl Plugin {
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
        let decode = |payload: &[u8]| airlock_protocol::decode::<R>(payload);
        self.call_traced(func, function, Args::Value(args), imports, decode)
    }

    /// [`Plugin::call`] with arguments already encoded; the encoded result
    /// replaces what `out` held. (What [`crate::Invoke::invoke`] runs.)
    pub fn call_encoded(
        &mut self,
        func: u32,
        function: &str,
        args: &[u8],
        imports: &mut dyn ImportDispatch,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let copy = |payload: &[u8]| {
            out.clear();
            out.extend_from_slice(payload);
            Ok(())
        };
        self.call_traced(func, function, Args::<()>::Encoded(args), imports, copy)
    }

    /// One call in its span, timed and counted, reported as cancelled when
    /// an abort killed its runner.
    fn call_traced<A: Serialize, T>(
        &mut self,
        func: u32,
        function: &str,
        args: Args<'_, A>,
        imports: &mut dyn ImportDispatch,
        decode: impl FnOnce(&[u8]) -> Result<T, postcard::Error>,
    ) -> Result<T> {
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
        self.log.begin();
        let mut result = self.call_with_resources(func, function, args, imports, decode);
        self.recorder.end(result.as_ref().err());
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
        self.metrics.publish(&self.config.name, took);
        span.record("duration_us", took.as_micros() as u64);
        span.record("outcome", outcome);
        result
    }

    /// If an abort was requested, reaps its runner so that the next call
    /// starts a fresh one, not counted against the restart budget; true if
    /// there was one. (A plain load first: no atomic write on every call.)
    fn retire_aborted_runner(&mut self) -> bool {
        let requested = &self.supervision.abort.requested;
        if !(requested.load(Ordering::Acquire) && requested.swap(false, Ordering::AcqRel)) {
            return false;
        }
        self.kill();
        self.supervision.aborted_runner = true;
        self.supervision.last_failure = Some("aborted".into());
        true
    }

    /// A call with the bookkeeping of exported objects around it; the only
    /// function of the call loop that touches it. Handles in the arguments
    /// are checked against this instance and handles in the result tied to
    /// it (the call's `CallScope`), the instance a restart brought is followed (`follow`),
    /// objects whose handles the host dropped are released as the call
    /// starts (`take_released`), and a handle refused while encoding is
    /// reported as stale (`take_refusal`).
    fn call_with_resources<A: Serialize, T>(
        &mut self,
        func: u32,
        function: &str,
        args: Args<'_, A>,
        imports: &mut dyn ImportDispatch,
        decode: impl FnOnce(&[u8]) -> Result<T, postcard::Error>,
    ) -> Result<T> {
        let scope = CallScope::new(&self.resources);
        scope.run(|| {
            let bulk = args
                .encode_small(&mut self.calls.args)
                .map_err(|e| self.bad_arguments(function, e, resources::take_refusal()))?;
            self.ensure_runner()?;
            // Starting the runner may have ended an instance (a stale cached
            // artifact, say): the result's handles belong to the one running now.
            resources::follow(&self.resources);
            // A recorded call keeps its arguments' bytes: not straight into the rings.
            let into_rings = bulk
                && !self.recorder.is_on()
                && self.runner.as_ref().is_some_and(|r| r.rings.is_some());
            if let (true, false, Args::Value(value)) = (bulk, into_rings, &args) {
                airlock_protocol::encode_into(*value, &mut self.calls.args)
                    .map_err(|e| self.bad_arguments(function, e, resources::take_refusal()))?;
            }
            if self.recorder.is_on() {
                let bytes = match &args {
                    Args::Value(_) => &self.calls.args[..],
                    Args::Encoded(bytes) => bytes,
                };
                self.recorder.begin(function, bytes);
            }
            let released = self.resources.take_released();
            let (seq, deadline) = self.send_call(func, &args, into_rings, &released)?;
            self.await_result(seq, function, imports, deadline, decode)
        })
    }

    /// Sends the releases and the call; returns its sequence number and deadline.
    fn send_call<A: Serialize>(
        &mut self,
        func: u32,
        args: &Args<'_, A>,
        into_rings: bool,
        released: &[u32],
    ) -> Result<(u64, Instant)> {
        self.calls.cancel.store(false, Ordering::Release);
        self.calls.seq += 1;
        let seq = self.calls.seq;
        let call = ToRunner::Call { seq, func };
        // One deadline for the whole call: sending, the guest's work, the
        // host's import calls, the result.
        // (Read now, not when the call began: starting a replacement runner
        // must not eat into the guest's time.)
        let deadline = Instant::now() + self.config.policy.deadline + self.config.policy.grace;
        let runner = self.runner.as_mut().expect("ensured");
        // Objects whose handles the host dropped: destroyed as the call
        // starts. (In pieces that fit a frame header.)
        for ids in released.chunks(RELEASES_PER_FRAME) {
            let release = ToRunner::Release { ids: ids.to_vec() };
            if let Err(e) = runner.send(&release, &[], deadline) {
                return Err(self.send_failed(e, "released handles", self.config.policy.deadline));
            }
            self.metrics.released += ids.len() as u64;
        }
        let sent = match args {
            Args::Value(value) if into_rings => runner.send_encoded(&call, *value, deadline),
            Args::Value(_) => runner.send(&call, &self.calls.args, deadline),
            Args::Encoded(bytes) => runner.send(&call, bytes, deadline),
        };
        match sent {
            Ok(()) => Ok((seq, deadline)),
            Err(e) => Err(self.send_failed(e, "the call", self.config.policy.deadline)),
        }
    }

    /// Serves the runner until call `seq` returns: its import calls, log
    /// lines, output and cancellation questions; `decode` reads the result.
    fn await_result<T>(
        &mut self,
        seq: u64,
        function: &str,
        imports: &mut dyn ImportDispatch,
        deadline: Instant,
        decode: impl FnOnce(&[u8]) -> Result<T, postcard::Error>,
    ) -> Result<T> {
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
                    match &outcome {
                        Ok(()) => self.recorder.returned(runner.reader.payload()),
                        Err(failure) => self.recorder.failed(failure),
                    }
                    return match outcome {
                        Ok(()) => match decode(runner.reader.payload()) {
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
                    let mut out = std::mem::take(&mut self.calls.import_result);
                    out.clear();
                    let dispatched = imports.dispatch(func, runner.reader.payload(), &mut out);
                    if dispatched.is_ok() && self.recorder.is_on() {
                        let name = imports.import_name(func);
                        let name = name.map_or_else(|| format!("import {func}"), str::to_string);
                        self.recorder.import(&name, runner.reader.payload(), &out);
                    }
                    let sent = match dispatched {
                        Ok(()) => runner.send(&ToRunner::ImportReturn { seq: s }, &out, deadline),
                        Err(e) => {
                            self.calls.import_result = out;
                            return Err(self.violation(e.to_string()));
                        }
                    };
                    self.calls.import_result = out;
                    if let Err(e) = sent {
                        let limit = self.config.policy.deadline;
                        return Err(self.send_failed(e, "an import result", limit));
                    }
                }
                FromRunner::CancelQuery => {
                    let cancelled = self.calls.cancel.load(Ordering::Acquire);
                    if let Err(e) = runner.send(&ToRunner::CancelReply { cancelled }, &[], deadline)
                    {
                        let limit = self.config.policy.deadline;
                        return Err(self.send_failed(e, "a cancellation answer", limit));
                    }
                }
                FromRunner::Log { level, message } => {
                    self.recorder.log(&message);
                    self.log.log(&self.config.name, level, &message)
                }
                FromRunner::Output { stream, dropped } => {
                    self.recorder.output(runner.reader.payload());
                    self.output(stream, dropped)
                }
                FromRunner::Observed if self.recorder.is_on() => {
                    match airlock_protocol::decode(runner.reader.payload()) {
                        Ok(observed) => {
                            if let Err(why) = self.recorder.observed(observed) {
                                return Err(self.violation(why));
                            }
                        }
                        Err(e) => {
                            let why = format!("its clock and random readings did not decode: {e}");
                            return Err(self.violation(why));
                        }
                    }
                }
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
        if let CallFailure::UnknownFunction(f) = failure {
            return self.violation(format!(
                "the runner does not know export {f} (`{function}`)"
            ));
        }
        // Every failure but a refusal of the arguments ends the instance
        // inside the runner; the next call gets a fresh one.
        if !matches!(failure, CallFailure::BadArguments(_)) {
            self.instance_ended();
        }
        Error::from_call_failure(
            &self.config.name,
            function,
            failure,
            self.config.policy.deadline,
        )
    }

    /// Arguments that did not encode: a handle the instance refused
    /// (`refusal`), or a value postcard cannot encode.
    fn bad_arguments(&self, function: &str, e: postcard::Error, refusal: Option<String>) -> Error {
        if let Some(detail) = refusal {
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
}

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
