//! A thread that sends one signal to a runner a set time into a call, but
//! only while the call is still in flight: once the caller marks the call
//! done, the signal is never sent.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spawned,
    Armed,
    /// Since this instant.
    InCall(Instant),
    Done,
}

type Shared = Arc<(Mutex<Phase>, Condvar)>;

/// One armed signal.
#[derive(Debug)]
pub struct Signaller {
    shared: Shared,
    thread: JoinHandle<bool>,
}

impl Signaller {
    /// Arms `signal` for `pid`, `delay` after [`Signaller::call_started`].
    pub fn arm(pid: u32, signal: i32, delay: Duration) -> Self {
        let shared: Shared = Arc::new((Mutex::new(Phase::Spawned), Condvar::new()));
        let theirs = shared.clone();
        let thread = std::thread::spawn(move || {
            let (lock, wake) = &*theirs;
            let mut phase = lock.lock().unwrap_or_else(|e| e.into_inner());
            *phase = Phase::Armed;
            wake.notify_all();
            let mut phase = wake
                .wait_while(phase, |p| *p == Phase::Armed)
                .unwrap_or_else(|e| e.into_inner());
            // The delay counts from the call's start, not from this
            // thread's waking up.
            while let Phase::InCall(since) = *phase {
                let left = (since + delay).saturating_duration_since(Instant::now());
                if left.is_zero() {
                    // Still in the call, and the lock held: the caller cannot
                    // mark it done before the signal is on its way.
                    // SAFETY: kill(2) with a pid and a signal number; no memory involved.
                    unsafe { libc::kill(pid as libc::pid_t, signal) };
                    return true;
                }
                phase = wake
                    .wait_timeout(phase, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            false
        });
        // Armed once the thread waits: its start-up is not part of the delay.
        let (lock, wake) = &*shared;
        let phase = lock.lock().unwrap_or_else(|e| e.into_inner());
        drop(
            wake.wait_while(phase, |p| *p == Phase::Spawned)
                .unwrap_or_else(|e| e.into_inner()),
        );
        Self { shared, thread }
    }

    fn set(&self, phase: Phase) {
        let (lock, wake) = &*self.shared;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = phase;
        wake.notify_all();
    }

    /// The call begins now: the delay starts.
    pub fn call_started(&self) {
        self.set(Phase::InCall(Instant::now()));
    }

    /// The call has returned; true if the signal was sent before that.
    pub fn call_done(self) -> bool {
        self.set(Phase::Done);
        self.thread.join().unwrap_or(false)
    }
}
