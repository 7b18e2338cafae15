//! What a plugin says while it runs — log lines, progress reports, stdout
//! and stderr, denials — forwarded to the host's `tracing` log and progress
//! callback, escaped, and within the call's volume.
//!
//! The runner already drops log and progress messages past the policy's
//! `log-volume`, but the runner is hostile too: a compromised one can send
//! as many `Log` and `Progress` frames as it likes. So the host counts again,
//! per call (and per start-up), with a fixed cost per message so that empty
//! messages are not free; past the volume, messages are dropped and counted,
//! and one warning says how many when the call ends.

use airlock_protocol::{LogLevel, OutputStream};

use crate::text::PluginText;

/// What every forwarded message costs on top of its length: a line of the
/// host's log is never free.
pub const MESSAGE_COST: u64 = 64;

/// Room above the policy's volume for the runner's own warnings (the one
/// that says how many messages it dropped, above all), which arrive after
/// the guest used the volume up.
pub const RUNNER_ROOM: u64 = 4 << 10;

/// The progress callback a host registers.
pub(crate) type ProgressFn = Box<dyn FnMut(f32, &PluginText) + Send>;

/// One plugin's log, with the volume left for the current call.
pub(crate) struct PluginLog {
    volume: u64,
    left: u64,
    dropped_logs: u64,
    dropped_progress: u64,
    dropped_lines: u64,
    /// Output bytes the runner said it dropped (over its buffer or rate).
    dropped_output: u64,
    pub(crate) progress: Option<ProgressFn>,
}

impl PluginLog {
    /// A log allowing `volume` bytes of messages per call (and
    /// [`RUNNER_ROOM`] more).
    pub(crate) fn new(volume: u64) -> Self {
        let volume = volume.saturating_add(RUNNER_ROOM);
        Self {
            volume,
            left: volume,
            dropped_logs: 0,
            dropped_progress: 0,
            dropped_lines: 0,
            dropped_output: 0,
            progress: None,
        }
    }

    /// Starts a call (or a start-up) with the whole volume.
    pub(crate) fn begin(&mut self) {
        self.left = self.volume;
        self.dropped_logs = 0;
        self.dropped_progress = 0;
        self.dropped_lines = 0;
        self.dropped_output = 0;
    }

    fn admit(&mut self, len: usize) -> bool {
        let cost = (len as u64).saturating_add(MESSAGE_COST);
        if cost > self.left {
            return false;
        }
        self.left -= cost;
        true
    }

    /// A `log` call of the guest (or a warning of the runner's).
    pub(crate) fn log(&mut self, plugin: &str, level: LogLevel, message: &str) {
        if !self.admit(message.len()) {
            self.dropped_logs += 1;
            return;
        }
        let plugin = PluginText::escape(plugin);
        let message = PluginText::escape(message);
        match level {
            LogLevel::Trace => {
                tracing::trace!(target: "airlock::plugin", plugin = %plugin, "{message}")
            }
            LogLevel::Debug => {
                tracing::debug!(target: "airlock::plugin", plugin = %plugin, "{message}")
            }
            LogLevel::Info => {
                tracing::info!(target: "airlock::plugin", plugin = %plugin, "{message}")
            }
            LogLevel::Warn => {
                tracing::warn!(target: "airlock::plugin", plugin = %plugin, "{message}")
            }
            LogLevel::Error => {
                tracing::error!(target: "airlock::plugin", plugin = %plugin, "{message}")
            }
        }
    }

    /// A `progress.report` call of the guest: logged at debug and handed to
    /// the host's callback, while the volume lasts.
    pub(crate) fn progress(&mut self, plugin: &str, fraction: f32, message: String) {
        if !self.admit(message.len()) {
            self.dropped_progress += 1;
            return;
        }
        let fraction = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        let message = PluginText::new(message);
        tracing::debug!(target: "airlock::plugin", plugin = %PluginText::escape(plugin), fraction, "{message}");
        if let Some(progress) = &mut self.progress {
            progress(fraction, &message);
        }
    }

    /// Guest stdout or stderr: one log line per line, within the volume.
    pub(crate) fn output(
        &mut self,
        plugin: &str,
        stream: OutputStream,
        bytes: &[u8],
        dropped: u64,
    ) {
        // What the runner dropped is reported once, when the call ends; and
        // every frame costs a message, so empty ones cannot flood the log.
        self.dropped_output = self.dropped_output.saturating_add(dropped);
        if !self.admit(0) {
            self.dropped_lines += 1;
            return;
        }
        let plugin = PluginText::escape(plugin);
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if !self.admit(line.len()) {
                self.dropped_lines += 1;
                continue;
            }
            let line = PluginText::escape_bytes(line.strip_suffix(b"\r").unwrap_or(line));
            tracing::info!(target: "airlock::plugin", plugin = %plugin, %stream, "{line}");
        }
    }

    /// Something the guest was denied, as the runner reported it.
    pub(crate) fn denied(&mut self, plugin: &str, capability: &PluginText, reason: &PluginText) {
        if !self.admit(capability.len() + reason.len()) {
            self.dropped_logs += 1;
            return;
        }
        tracing::warn!(target: "airlock::plugin", plugin = %PluginText::escape(plugin), %capability, "denied: {reason}");
    }

    /// Ends a call: one warning for everything dropped during it.
    pub(crate) fn finish(&mut self, plugin: &str) {
        let (logs, progress, lines) =
            (self.dropped_logs, self.dropped_progress, self.dropped_lines);
        if logs + progress + lines > 0 {
            tracing::warn!(
                target: "airlock::plugin",
                plugin = %PluginText::escape(plugin),
                dropped_logs = logs,
                dropped_progress = progress,
                dropped_lines = lines,
                "messages over the volume of {} bytes per call were dropped",
                self.volume
            );
        }
        if self.dropped_output > 0 {
            tracing::warn!(
                target: "airlock::plugin",
                plugin = %PluginText::escape(plugin),
                dropped = self.dropped_output,
                "output over the runner's buffer or rate was dropped"
            );
        }
        self.begin();
    }

    /// Progress reports dropped in the current call, for tests and metrics.
    #[cfg(test)]
    pub(crate) fn dropped_progress(&self) -> u64 {
        self.dropped_progress
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn a_progress_flood_reaches_the_callback_a_bounded_number_of_times() {
        let seen = Arc::new(Mutex::new(0u64));
        let counter = seen.clone();
        let mut log = PluginLog::new((64 << 10) - RUNNER_ROOM);
        log.progress = Some(Box::new(move |_, _| *counter.lock().unwrap() += 1));
        log.begin();
        for _ in 0..20_000 {
            log.progress("flood", 0.5, String::new());
        }
        let seen = *seen.lock().unwrap();
        assert_eq!(
            seen,
            (64 << 10) / MESSAGE_COST,
            "empty reports are not free"
        );
        assert_eq!(log.dropped_progress(), 20_000 - seen);
        // The next call gets the whole volume again.
        log.finish("flood");
        log.progress("flood", 0.5, "again".into());
        assert_eq!(log.dropped_progress(), 0);
    }

    #[test]
    fn progress_and_logs_share_one_volume() {
        let mut log = PluginLog::new(0);
        log.begin();
        log.log("p", LogLevel::Info, &"x".repeat(4000));
        log.progress("p", 0.1, "y".repeat(100));
        assert_eq!(log.dropped_progress(), 1);
    }
}
