//! A runner forked by the zygote (or one of its spares): a child of this
//! process, held by its pidfd, so that neither a signal nor a wait can hit
//! a reused pid.

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use rustix::process::{Signal, WaitId, WaitIdOptions, pidfd_send_signal, waitid};

/// A runner forked by a zygote: this process's child, reached by its pidfd,
/// so that neither a signal nor a wait can hit a reused pid.
#[derive(Debug)]
pub(crate) struct ForkedRunner {
    pid: u32,
    pidfd: OwnedFd,
    status: Option<ExitStatus>,
}

impl ForkedRunner {
    /// `pid` as its zygote reported it, and its pidfd.
    pub(crate) fn new(pid: u32, pidfd: OwnedFd) -> Self {
        Self {
            pid,
            pidfd,
            status: None,
        }
    }

    pub(crate) fn id(&self) -> u32 {
        self.pid
    }

    pub(crate) fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        self.wait_with(WaitIdOptions::EXITED | WaitIdOptions::NOHANG)
    }

    pub(crate) fn wait(&mut self) -> std::io::Result<ExitStatus> {
        Ok(self
            .wait_with(WaitIdOptions::EXITED)?
            .expect("a blocking wait returns a status"))
    }

    pub(crate) fn kill(&mut self) -> std::io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        match pidfd_send_signal(&self.pidfd, Signal::KILL) {
            // Exited already, not yet reaped.
            Err(rustix::io::Errno::SRCH) | Ok(()) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn wait_with(&mut self, options: WaitIdOptions) -> std::io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let status = loop {
            match waitid(WaitId::PidFd(self.pidfd.as_fd()), options) {
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
                Ok(None) => return Ok(None),
                Ok(Some(status)) => break status,
            }
        };
        // The wait status an exec'd child would have had.
        let raw = if let Some(code) = status.exit_status() {
            (code & 0xff) << 8
        } else if let Some(signal) = status.terminating_signal() {
            signal | if status.dumped() { 0x80 } else { 0 }
        } else {
            // Neither exited nor killed: only stops, not asked for.
            return Ok(None);
        };
        let status = ExitStatus::from_raw(raw);
        self.status = Some(status);
        Ok(Some(status))
    }
}
