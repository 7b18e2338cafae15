//! Supervision: health checks, killing a runner that failed, restarts
//! within a budget and with backoff, shutdown on drop.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use airlock_protocol::{FrameError, FromRunner, SandboxLayers, ToRunner};

use super::Plugin;
use super::connection::{RecvError, describe};
use super::handles::AbortShared;
use super::peer::describe_exit;
use crate::error::{Error, Result, TimeLimit};
use crate::text::PluginText;

/// The record kept across a plugin's runners.
#[derive(Debug, Default)]
pub(super) struct Supervision {
    /// How many runners were started (1 + restarts).
    pub(super) runners_started: u64,
    /// The sandbox layers the current (or last) runner reported, verified.
    pub(super) layers: Option<SandboxLayers>,
    /// Where the current (or last) runner's start went.
    pub(super) startup: Option<crate::StartupTimeline>,
    /// When runners were restarted, within the policy's window.
    pub(super) restarts: VecDeque<Instant>,
    pub(super) last_failure: Option<PluginText>,
    /// Set once the restart budget ran out, until [`Plugin::reset`].
    pub(super) gave_up: Option<PluginText>,
    /// The runner was killed by an abort: its restart is not a failure.
    pub(super) aborted_runner: bool,
    pub(super) abort: Arc<AbortShared>,
}

impl Plugin {
    /// Checks that the runner answers between calls, within `timeout`;
    /// returns the round-trip time. A runner that does not answer is killed.
    pub fn health_check(&mut self, timeout: Duration) -> Result<Duration> {
        self.ensure_runner()?;
        let nonce = self.calls.seq.wrapping_add(0x5eed);
        let started = Instant::now();
        let deadline = started + timeout;
        let runner = self.runner.as_mut().expect("ensured");
        if let Err(e) = runner.send(&ToRunner::Ping { nonce }, &[], deadline) {
            return Err(self.send_failed(e, "a health check", timeout));
        }
        loop {
            let runner = self.runner.as_mut().expect("ensured");
            match runner.recv(deadline) {
                Ok(FromRunner::Pong { nonce: n }) if n == nonce => return Ok(started.elapsed()),
                Ok(FromRunner::Log { level, message }) => {
                    self.log.log(&self.config.name, level, &message)
                }
                Ok(FromRunner::Output { stream, dropped }) => self.output(stream, dropped),
                Ok(other) => {
                    return Err(self.violation(format!(
                        "unexpected {} in answer to a health check",
                        describe(&other)
                    )));
                }
                Err(RecvError::Timeout) => {
                    self.fail("did not answer a health check");
                    return Err(Error::Timeout {
                        plugin: self.config.name.clone(),
                        limit: TimeLimit::Deadline(timeout),
                    });
                }
                Err(RecvError::Gone(why)) => return Err(self.runner_gone(why)),
                Err(RecvError::Violation(why)) => return Err(self.violation(why)),
            }
        }
    }

    /// A send that failed: a runner that did not take the frame in time is
    /// killed and reported as a timeout against `limit`; otherwise it is gone.
    pub(super) fn send_failed(&mut self, e: FrameError, what: &str, limit: Duration) -> Error {
        if e.is_timeout() {
            self.fail(&format!("did not take {what} in time"));
            return Error::Timeout {
                plugin: self.config.name.clone(),
                limit: TimeLimit::Deadline(limit),
            };
        }
        self.runner_gone(format!("failed to send {what}: {e}"))
    }

    /// Kills the runner for breaking the protocol.
    pub(super) fn violation(&mut self, detail: String) -> Error {
        self.fail(&format!("protocol violation: {detail}"));
        Error::Protocol {
            plugin: self.config.name.clone(),
            detail: detail.into(),
        }
    }

    /// Reaps a runner whose connection broke and reports how it ended.
    pub(super) fn runner_gone(&mut self, why: String) -> Error {
        let plugin = self.config.name.clone();
        let Some(mut runner) = self.take_runner() else {
            return Error::Crashed {
                plugin,
                status: why.into(),
                signal: None,
                stderr_tail: String::new().into(),
            };
        };
        let exit = runner.end(Instant::now() + Duration::from_millis(500));
        let (status, signal) = describe_exit(exit, &why);
        let stderr_tail = runner.peer.stderr_tail();
        self.supervision.last_failure = Some(status.as_str().into());
        if signal.is_some() && signal == crate::platform::SECCOMP_SIGNAL {
            return Error::Denied {
                plugin,
                capability: "a system call".into(),
                reason: "the runner made a system call outside its seccomp allow-list and was killed (SIGSYS)".into(),
            };
        }
        Error::Crashed {
            plugin,
            status: status.into(),
            signal,
            stderr_tail: stderr_tail.into(),
        }
    }

    /// Kills the runner after a failure, remembering why for [`Plugin::state`].
    pub(super) fn fail(&mut self, why: &str) {
        self.supervision.last_failure = Some(why.into());
        self.kill();
    }

    /// Applies the restart budget and backoff before starting a replacement runner.
    pub(super) fn before_restart(&mut self) -> Result<()> {
        if std::mem::take(&mut self.supervision.aborted_runner) {
            self.metrics.restarts += 1;
            return Ok(());
        }
        let policy = &self.config.policy;
        let last = || {
            self.supervision
                .last_failure
                .clone()
                .unwrap_or_else(|| "killed".into())
        };
        if let Some(reason) = &self.supervision.gave_up {
            return Err(Error::GaveUp {
                plugin: self.config.name.clone(),
                restarts: self.supervision.restarts.len(),
                window: policy.restart_window,
                last: reason.clone(),
            });
        }
        let now = Instant::now();
        while self
            .supervision
            .restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) > policy.restart_window)
        {
            self.supervision.restarts.pop_front();
        }
        if self.supervision.restarts.len() >= policy.restarts as usize {
            let last = last();
            self.supervision.gave_up = Some(last.clone());
            tracing::error!(target: "airlock::plugin", plugin = %PluginText::escape(&self.config.name), restarts = self.supervision.restarts.len(), "giving up on the plugin: {last}");
            return Err(Error::GaveUp {
                plugin: self.config.name.clone(),
                restarts: self.supervision.restarts.len(),
                window: policy.restart_window,
                last,
            });
        }
        if !self.supervision.restarts.is_empty() {
            let factor = 1u32 << (self.supervision.restarts.len() - 1).min(5);
            let wait = (policy.backoff * factor).min(Duration::from_secs(2));
            std::thread::sleep(wait);
        }
        tracing::info!(target: "airlock::plugin", plugin = %PluginText::escape(&self.config.name), last_failure = ?self.supervision.last_failure, "restarting the runner");
        self.supervision.restarts.push_back(Instant::now());
        self.metrics.restarts += 1;
        Ok(())
    }

    /// Kills and reaps the runner, if any; the next call starts a new one.
    pub fn kill(&mut self) {
        if let Some(mut runner) = self.take_runner() {
            runner.end(Instant::now());
        }
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        // Taking the runner ends its instance and every handle from it.
        if let Some(mut runner) = self.take_runner() {
            // A runner gets 100 ms to take the request and exit.
            let until = Instant::now() + Duration::from_millis(100);
            let _ = runner.send(&ToRunner::Shutdown, &[], until);
            runner.end(until);
        }
    }
}
