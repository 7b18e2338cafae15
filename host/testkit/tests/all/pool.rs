//! The warm pool hands over started, locked-down runners and refills itself.

use std::time::Duration;

use airlock::{Error, WarmPool};
use airlock_testkit::roundtrip::Roundtrip;
use airlock_testkit::roundtrip_plus::RoundtripPlus;

use crate::support::{TestHost, roundtrip_config, test_runner};

#[test]
fn a_warm_pool_hands_over_distinct_ready_runners_and_refills() {
    let pool = WarmPool::new(&test_runner(), roundtrip_config(), Roundtrip::WORLD, 2);
    assert_eq!(pool.wait_full(Duration::from_secs(30)), 2);
    let mut a = Roundtrip::from_plugin(pool.take().unwrap()).unwrap();
    let mut b = Roundtrip::from_plugin(pool.take().unwrap()).unwrap();
    assert_ne!(
        a.plugin().pid(),
        b.plugin().pid(),
        "each user gets its own runner"
    );
    assert!(a.plugin().sandbox_layers().is_some());
    assert_eq!(a.add(&mut TestHost::default(), 1, 2).unwrap(), 3);
    assert_eq!(b.add(&mut TestHost::default(), 3, 4).unwrap(), 7);
    assert_eq!(pool.wait_full(Duration::from_secs(30)), 2, "refilled");

    // A plugin started for one world cannot be wrapped as another.
    let err = RoundtripPlus::from_plugin(pool.take().unwrap()).unwrap_err();
    assert!(matches!(err, Error::WorldMismatch { .. }), "{err}");
}
