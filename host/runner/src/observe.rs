//! The WASI clocks and random of a runner started for recording: each call's
//! readings and bytes are kept for the host ([`Observer::finish`]), and a
//! replayed call is handed the recorded ones back ([`Observer::replay`]).
//!
//! Installed only when the host records (`Hello::recording`); otherwise the
//! guest gets wasmtime-wasi's own clocks and generators, untouched.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airlock_protocol::observed::{MAX_RANDOM_BYTES, MAX_READINGS, Observations, Reading};
use rand_core::{Rng, TryRng};
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock, MonotonicClock, WallClock};

/// What the clocks and random of one runner do now; shared by the wrappers
/// the WASI context holds and the code that starts and ends calls.
#[derive(Clone, Default)]
pub(crate) struct Observer(Arc<Mutex<Mode>>);

#[derive(Default)]
enum Mode {
    /// Between calls: the real values, not kept.
    #[default]
    Off,
    /// During a recorded call: the real values, kept.
    Record(Observations),
    /// During a replayed call: the given values, in order; once they run
    /// out, the real ones (and `ran_out` says which ran out first).
    Replay {
        given: Observations,
        next_reading: usize,
        next_random: usize,
        ran_out: Option<&'static str>,
    },
}

impl Observer {
    /// A recorded call starts: from now on what the guest reads is kept.
    pub(crate) fn record(&self) {
        *self.mode() = Mode::Record(Observations::default());
    }

    /// A replayed call starts: the guest reads `given`, in order.
    pub(crate) fn replay(&self, given: Observations) {
        *self.mode() = Mode::Replay {
            given,
            next_reading: 0,
            next_random: 0,
            ran_out: None,
        };
    }

    /// The call ended: what it read, if it was recorded; for a replay, which
    /// of the given values ran out first, if any did (`ran_out`).
    pub(crate) fn finish(&self) -> Finished {
        match std::mem::take(&mut *self.mode()) {
            Mode::Off => Finished::Idle,
            Mode::Record(observations) => Finished::Recorded(observations),
            Mode::Replay { ran_out, .. } => Finished::Replayed { ran_out },
        }
    }

    /// `real`, or what a replay gives in its place; kept if recording.
    fn reading(&self, real: Reading) -> Reading {
        match &mut *self.mode() {
            Mode::Off => real,
            Mode::Record(o) => {
                if o.readings.len() < MAX_READINGS {
                    o.readings.push(real);
                } else {
                    o.cut = true;
                }
                real
            }
            Mode::Replay {
                given,
                next_reading,
                ran_out,
                ..
            } => match given.readings.get(*next_reading) {
                // The same clock as in the recording: its value then.
                Some(r) if std::mem::discriminant(r) == std::mem::discriminant(&real) => {
                    *next_reading += 1;
                    *r
                }
                _ => {
                    ran_out.get_or_insert("clock readings");
                    real
                }
            },
        }
    }

    /// Fills `dst` from `real`, or with what a replay gives; kept if recording.
    fn random(&self, real: &mut dyn Rng, dst: &mut [u8]) {
        match &mut *self.mode() {
            Mode::Off => real.fill_bytes(dst),
            Mode::Record(o) => {
                real.fill_bytes(dst);
                if !o.cut && o.random.len() + dst.len() <= MAX_RANDOM_BYTES {
                    o.random.extend_from_slice(dst);
                } else {
                    o.cut = true;
                }
            }
            Mode::Replay {
                given,
                next_random,
                ran_out,
                ..
            } => match given.random.get(*next_random..*next_random + dst.len()) {
                Some(bytes) => {
                    dst.copy_from_slice(bytes);
                    *next_random += dst.len();
                }
                None => {
                    ran_out.get_or_insert("random bytes");
                    real.fill_bytes(dst);
                }
            },
        }
    }

    fn mode(&self) -> std::sync::MutexGuard<'_, Mode> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How a call's observing ended.
#[derive(Debug, PartialEq)]
pub(crate) enum Finished {
    Idle,
    Recorded(Observations),
    Replayed { ran_out: Option<&'static str> },
}

/// `wasi:clocks/wall-clock` through an [`Observer`].
pub(crate) struct ObservedWallClock(pub(crate) Observer);

impl HostWallClock for ObservedWallClock {
    fn resolution(&self) -> Duration {
        WallClock.resolution()
    }

    fn now(&self) -> Duration {
        let now = WallClock.now();
        let real = Reading::Wall {
            seconds: now.as_secs(),
            nanoseconds: now.subsec_nanos(),
        };
        match self.0.reading(real) {
            // A recording's nanoseconds are checked, not trusted.
            Reading::Wall {
                seconds,
                nanoseconds,
            } if nanoseconds < 1_000_000_000 => Duration::new(seconds, nanoseconds),
            _ => now,
        }
    }
}

/// `wasi:clocks/monotonic-clock` through an [`Observer`].
pub(crate) struct ObservedMonotonicClock {
    pub(crate) observer: Observer,
    pub(crate) real: MonotonicClock,
}

impl HostMonotonicClock for ObservedMonotonicClock {
    fn resolution(&self) -> u64 {
        self.real.resolution()
    }

    fn now(&self) -> u64 {
        let now = self.real.now();
        match self.observer.reading(Reading::Monotonic(now)) {
            Reading::Monotonic(n) => n,
            Reading::Wall { .. } => now,
        }
    }
}

/// `wasi:random` (secure or insecure) through an [`Observer`].
pub(crate) struct ObservedRandom {
    pub(crate) observer: Observer,
    pub(crate) real: Box<dyn Rng + Send>,
}

impl TryRng for ObservedRandom {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.observer.random(&mut *self.real, dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(observer: &Observer, n: usize) -> Vec<u8> {
        let mut r = ObservedRandom {
            observer: observer.clone(),
            real: wasmtime_wasi::random::thread_rng(),
        };
        let mut out = vec![0; n];
        r.fill_bytes(&mut out);
        out
    }

    #[test]
    fn a_replay_hands_back_what_was_recorded_then_says_it_ran_out() {
        let observer = Observer::default();
        let monotonic = ObservedMonotonicClock {
            observer: observer.clone(),
            real: MonotonicClock::new(),
        };
        observer.record();
        let (t1, bytes, t2) = (monotonic.now(), random(&observer, 16), monotonic.now());
        let Finished::Recorded(recorded) = observer.finish() else {
            panic!("not recorded")
        };
        assert_eq!(recorded.readings.len(), 2);
        assert_eq!(recorded.random, bytes);

        std::thread::sleep(Duration::from_millis(2));
        observer.replay(recorded);
        assert_eq!(monotonic.now(), t1);
        assert_eq!(random(&observer, 16), bytes);
        assert_eq!(monotonic.now(), t2);
        assert_eq!(observer.finish(), Finished::Replayed { ran_out: None });

        observer.replay(Observations::default());
        assert!(
            monotonic.now() > t2,
            "past the recording the real clock runs"
        );
        assert_eq!(
            observer.finish(),
            Finished::Replayed {
                ran_out: Some("clock readings")
            }
        );
    }

    #[test]
    fn recording_keeps_a_bounded_amount() {
        let observer = Observer::default();
        observer.record();
        random(&observer, MAX_RANDOM_BYTES);
        random(&observer, 1);
        let Finished::Recorded(o) = observer.finish() else {
            panic!("not recorded")
        };
        assert_eq!(o.random.len(), MAX_RANDOM_BYTES);
        assert!(o.cut);
        assert_eq!(
            observer.finish(),
            Finished::Idle,
            "between calls nothing is kept"
        );
    }
}
