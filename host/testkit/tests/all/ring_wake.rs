//! Both kinds of ring wake-up through real runner processes: a runner
//! parked between calls is woken by the call itself with either kind (a
//! runner that parked some other way would see the call only when its idle
//! slice of 250 ms ends). `backend.rs` checks that `AIRLOCK_RING_WAKE`
//! picks the kind.

use std::time::{Duration, Instant};

use airlock::Wake;
use airlock_testkit::battery::PingHost;

use crate::support::test_runner;
use crate::zygote::start;

#[test]
fn an_idle_runner_is_woken_by_the_call_with_each_kind_of_wake_up() {
    for wake in [Wake::Futex, Wake::Socket] {
        if !wake.available() {
            continue;
        }
        let launcher = test_runner().with_ring_wake(wake);
        assert_eq!(launcher.ring_wake(), wake);
        let mut plugin = start(&launcher);
        let mut took: Vec<Duration> = (0..7)
            .map(|_| {
                // Long enough for the runner to stop spinning and park.
                std::thread::sleep(Duration::from_millis(30));
                let started = Instant::now();
                plugin.noop(&mut PingHost::default()).expect("a call");
                started.elapsed()
            })
            .collect();
        took.sort();
        // One slow call is noise on a shared machine; a runner parked the
        // wrong way makes every call wait for its slice.
        assert!(
            took[5] < Duration::from_millis(100),
            "{wake:?}: calls to a parked runner took {took:?}"
        );
    }
}
