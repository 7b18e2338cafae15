//! The epoch ticker: the thread that advances the engine's epoch during calls,
//! so that call deadlines interrupt the guest.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use wasmtime::Engine;

/// Epoch tick; call deadlines are rounded up to whole ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(2);

/// How long the ticker stays awake after a call, so that back-to-back calls
/// need no wake-up system call.
pub(crate) const TICKER_STAYS_AWAKE: Duration = Duration::from_millis(50);

/// Advances the engine's epoch while a call is in flight. Between calls it
/// stays awake a little (calls often come in bursts), then parks, so that
/// idle runners cost no wake-ups.
pub(crate) struct EpochTicker {
    active: Arc<AtomicBool>,
    parked: Arc<AtomicBool>,
    thread: thread::Thread,
}

impl EpochTicker {
    pub(crate) fn start(engine: Engine) -> Self {
        let active = Arc::new(AtomicBool::new(false));
        let parked = Arc::new(AtomicBool::new(false));
        let (flag, asleep) = (active.clone(), parked.clone());
        let handle = thread::Builder::new()
            .name("airlock-epoch".into())
            .spawn(move || {
                let mut idle = Duration::ZERO;
                loop {
                    if flag.load(Ordering::SeqCst) {
                        thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                        idle = Duration::ZERO;
                    } else if idle < TICKER_STAYS_AWAKE {
                        thread::sleep(EPOCH_TICK);
                        idle += EPOCH_TICK;
                    } else {
                        // Announce the park before checking the flag once
                        // more; `begin` sets the flag before it checks this,
                        // so one of the two always sees the other.
                        asleep.store(true, Ordering::SeqCst);
                        if !flag.load(Ordering::SeqCst) {
                            thread::park();
                        }
                        asleep.store(false, Ordering::SeqCst);
                        idle = Duration::ZERO;
                    }
                }
            })
            .expect("failed to start the epoch ticker thread");
        Self {
            active,
            parked,
            thread: handle.thread().clone(),
        }
    }

    pub(crate) fn begin(&self) {
        self.active.store(true, Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) {
            self.thread.unpark();
        }
    }

    pub(crate) fn end(&self) {
        self.active.store(false, Ordering::SeqCst);
    }
}
