//! Handles on a plugin that other threads hold: cancel, abort, and the
//! state a supervisor reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::text::PluginText;

/// Where a plugin's runner is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginState {
    /// A runner is up.
    Running { pid: u32 },
    /// The last runner stopped (a crash, a timeout, a protocol violation, or
    /// [`Plugin::kill`]); the next call starts another.
    Restarting { last_failure: Option<PluginText> },
    /// Too many restarts within the policy's window; calls fail with
    /// [`Error::GaveUp`] until [`Plugin::reset`].
    Failed { reason: PluginText },
}

/// Asks an in-flight call to stop; the guest sees it through `airlock:plugin/cancel`.
#[derive(Debug, Clone)]
pub struct CancelHandle(pub(super) Arc<AtomicBool>);

impl CancelHandle {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Stops an in-flight call at once, from any thread, by killing its runner:
/// the call fails with [`Error::Cancelled`] and the next call starts a fresh
/// runner (not counted against the restart budget). For a guest that checks
/// for cancellation, [`CancelHandle`] is the gentler way.
#[derive(Debug, Clone)]
pub struct AbortHandle {
    pub(super) shared: Arc<AbortShared>,
}

#[derive(Debug, Default)]
pub(super) struct AbortShared {
    /// How to kill the live runner (its pid, or a handle to its process);
    /// cleared (under the lock) before the runner is reaped, so a kill
    /// never reaches a recycled pid.
    pub(super) live: std::sync::Mutex<Option<crate::platform::Killer>>,
    pub(super) requested: AtomicBool,
}

pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AbortHandle {
    /// Kills the runner, if one is up; true if there was one.
    pub fn abort(&self) -> bool {
        let live = lock(&self.shared.live);
        match &*live {
            Some(killer) => {
                self.shared.requested.store(true, Ordering::Release);
                // Our own child, not reaped yet: the pid cannot have been reused.
                killer.kill();
                true
            }
            None => false,
        }
    }
}
