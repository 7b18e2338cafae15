//! Supervision: health checks, killing a runner that failed, restarts
//! within a budget and with backoff, shutdown on drop.

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use airlock_protocol::{FrameError, FromRunner, ToRunner};

use super::*;
use crate::error::{Error, Result, TimeLimit};
use crate::text::PluginText;

impl Plugin {
    /// Checks that the runner answers between calls, within `timeout`;
    /// returns the round-trip time. A runner that does not answer is killed.
    pub fn health_check(&mut self, timeout: Duration) -> Result<Duration> {
        self.ensure_runner()?;
        let nonce = self.seq.wrapping_add(0x5eed);
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
        let until = Instant::now() + Duration::from_millis(500);
        let status = loop {
            match runner.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(2)),
                _ => {
                    let _ = runner.child.kill();
                    break runner.child.wait().ok();
                }
            }
        };
        let signal = status.and_then(|s| s.signal());
        let status = match (status, signal) {
            (_, Some(sig)) => format!("killed by signal {sig}"),
            (Some(s), None) => match s.code() {
                Some(code) => format!("exit status {code}"),
                None => "unknown exit".into(),
            },
            (None, None) => format!("unknown ({why})"),
        };
        let stderr_tail = runner.stderr.finish();
        self.last_failure = Some(status.as_str().into());
        if signal == Some(libc::SIGSYS) {
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
        self.last_failure = Some(why.into());
        self.kill();
    }

    /// Applies the restart budget and backoff before starting a replacement runner.
    pub(super) fn before_restart(&mut self) -> Result<()> {
        if std::mem::take(&mut self.aborted_runner) {
            self.metrics.restarts += 1;
            return Ok(());
        }
        let policy = &self.config.policy;
        let last = || self.last_failure.clone().unwrap_or_else(|| "killed".into());
        if let Some(reason) = &self.gave_up {
            return Err(Error::GaveUp {
                plugin: self.config.name.clone(),
                restarts: self.restarts.len(),
                window: policy.restart_window,
                last: reason.clone(),
            });
        }
        let now = Instant::now();
        while self
            .restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) > policy.restart_window)
        {
            self.restarts.pop_front();
        }
        if self.restarts.len() >= policy.restarts as usize {
            let last = last();
            self.gave_up = Some(last.clone());
            tracing::error!(target: "airlock::plugin", plugin = %PluginText::escape(&self.config.name), restarts = self.restarts.len(), "giving up on the plugin: {last}");
            return Err(Error::GaveUp {
                plugin: self.config.name.clone(),
                restarts: self.restarts.len(),
                window: policy.restart_window,
                last,
            });
        }
        if !self.restarts.is_empty() {
            let factor = 1u32 << (self.restarts.len() - 1).min(5);
            let wait = (policy.backoff * factor).min(Duration::from_secs(2));
            std::thread::sleep(wait);
        }
        tracing::info!(target: "airlock::plugin", plugin = %PluginText::escape(&self.config.name), last_failure = ?self.last_failure, "restarting the runner");
        self.restarts.push_back(Instant::now());
        self.metrics.restarts += 1;
        Ok(())
    }

    /// Kills and reaps the runner, if any; the next call starts a new one.
    pub fn kill(&mut self) {
        if let Some(mut runner) = self.take_runner() {
            let _ = runner.child.kill();
            let _ = runner.child.wait();
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
            loop {
                match runner.child.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < until => {
                        std::thread::sleep(Duration::from_millis(1))
                    }
                    _ => {
                        let _ = runner.child.kill();
                        let _ = runner.child.wait();
                        break;
                    }
                }
            }
        }
    }
}
