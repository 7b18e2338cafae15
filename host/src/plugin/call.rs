//! The call loop: one export call, the import calls it makes, its result.

use std::sync::atomic::Ordering;
use std::time::Instant;

use airlock_protocol::{CallFailure, FromRunner, ToRunner};
use airlock_runner::exported;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;
use crate::dispatch::ImportDispatch;
use crate::error::{Error, Result, TimeLimit};
use crate::text::PluginText;

/// Released object numbers per `Release` frame: at most 5 bytes each, so a
/// frame's header stays well under [`airlock_protocol::MAX_HEADER_LEN`].
pub(super) const RELEASES_PER_FRAME: usize = 4096;

/// Arguments at least this long are encoded straight into the shared rings.
pub(super) const DIRECT_ENCODING_FROM: usize = 64 << 10;

impl Plugin {
    pub(super) fn bad_arguments(&self, function: &str, e: postcard::Error) -> Error {
        if let Some(detail) = exported::take_refusal() {
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
        // Handles in the arguments are checked against this instance, and
        // handles in the result are tied to it.
        let context = exported::enter(&self.resources);
        self.log.begin();
        let mut result = self.call_inner(func, function, args, imports);
        self.log.finish(&self.config.name);
        drop(context);
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
    pub(super) fn retire_aborted_runner(&mut self) -> bool {
        let requested = &self.abort.requested;
        if !(requested.load(Ordering::Acquire) && requested.swap(false, Ordering::AcqRel)) {
            return false;
        }
        self.kill();
        self.aborted_runner = true;
        self.last_failure = Some("aborted".into());
        true
    }

    pub(super) fn call_inner<A: Serialize, R: DeserializeOwned>(
        &mut self,
        func: u32,
        function: &str,
        args: &A,
        imports: &mut dyn ImportDispatch,
    ) -> Result<R> {
        let len =
            airlock_protocol::encoded_len(args).map_err(|e| self.bad_arguments(function, e))?;
        // Bulk arguments are encoded straight into shared memory; small ones
        // into a buffer first (one copy into the ring beats many tiny writes).
        let direct = len >= DIRECT_ENCODING_FROM;
        if !direct {
            airlock_protocol::encode_into(args, &mut self.args)
                .map_err(|e| self.bad_arguments(function, e))?;
        }
        self.ensure_runner()?;
        // Starting the runner may have ended an instance (a stale cached
        // artifact, say): the result's handles belong to the one running now.
        exported::follow(&self.resources);
        self.cancel.store(false, Ordering::Release);
        self.seq += 1;
        let seq = self.seq;
        let call = ToRunner::Call { seq, func };
        let into_rings = direct && self.runner.as_ref().is_some_and(|r| r.rings.is_some());
        if direct && !into_rings {
            airlock_protocol::encode_into(args, &mut self.args)
                .map_err(|e| self.bad_arguments(function, e))?;
        }
        // One deadline for the whole call: sending, the guest's work, the
        // host's import calls, the result.
        // (Read now, not when the call began: starting a replacement runner
        // must not eat into the guest's time.)
        let deadline = Instant::now() + self.config.policy.deadline + self.config.policy.grace;
        let runner = self.runner.as_mut().expect("ensured");
        // Objects whose handles the host dropped: destroyed as the call
        // starts. (In pieces that fit a frame header.)
        let released = self.resources.take_released();
        for ids in released.chunks(RELEASES_PER_FRAME) {
            let release = ToRunner::Release { ids: ids.to_vec() };
            if let Err(e) = runner.send(&release, &[], deadline) {
                return Err(self.send_failed(e, "released handles", self.config.policy.deadline));
            }
            self.metrics.released += ids.len() as u64;
        }
        let sent = if into_rings {
            runner.send_encoded(&call, args, deadline)
        } else {
            let args = std::mem::take(&mut self.args);
            let sent = runner.send(&call, &args, deadline);
            self.args = args;
            sent
        };
        if let Err(e) = sent {
            return Err(self.send_failed(e, "the call", self.config.policy.deadline));
        }
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
                    return match outcome {
                        Ok(()) => match airlock_protocol::decode::<R>(runner.reader.payload()) {
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
                    let mut out = std::mem::take(&mut self.import_result);
                    out.clear();
                    let dispatched = imports.dispatch(func, runner.reader.payload(), &mut out);
                    let sent = match dispatched {
                        Ok(()) => runner.send(&ToRunner::ImportReturn { seq: s }, &out, deadline),
                        Err(e) => {
                            self.import_result = out;
                            return Err(self.violation(e.to_string()));
                        }
                    };
                    self.import_result = out;
                    if let Err(e) = sent {
                        let limit = self.config.policy.deadline;
                        return Err(self.send_failed(e, "an import result", limit));
                    }
                }
                FromRunner::CancelQuery => {
                    let cancelled = self.cancel.load(Ordering::Acquire);
                    if let Err(e) = runner.send(&ToRunner::CancelReply { cancelled }, &[], deadline)
                    {
                        let limit = self.config.policy.deadline;
                        return Err(self.send_failed(e, "a cancellation answer", limit));
                    }
                }
                FromRunner::Log { level, message } => {
                    self.log.log(&self.config.name, level, &message)
                }
                FromRunner::Output { stream, dropped } => self.output(stream, dropped),
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

    pub(super) fn call_failure(&mut self, function: &str, failure: CallFailure) -> Error {
        let plugin = self.config.name.clone();
        // Every failure but a refusal of the arguments ends the instance
        // inside the runner; the next call gets a fresh one.
        if !matches!(
            failure,
            CallFailure::BadArguments(_) | CallFailure::UnknownFunction(_)
        ) {
            self.instance_ended();
        }
        match failure {
            CallFailure::Trap { message, backtrace } => Error::Trap {
                plugin,
                message: message.into(),
                backtrace: backtrace.map(PluginText::from),
            },
            CallFailure::DeadlineExceeded { .. } => Error::Timeout {
                plugin,
                limit: TimeLimit::Deadline(self.config.policy.deadline),
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
            CallFailure::UnknownFunction(f) => self.violation(format!(
                "the runner does not know export {f} (`{function}`)"
            )),
            CallFailure::Instantiate(detail) => Error::Instantiate {
                plugin,
                detail: detail.into(),
            },
        }
    }
}
