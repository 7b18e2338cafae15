//! The warm pool hands over started, locked-down runners, refills itself and
//! reloads.

use std::time::Duration;

use airlock::{Error, PluginConfig, WarmPool};
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

#[test]
fn a_warm_pool_reload_replaces_the_ready_runners_and_spares_the_taken_ones() {
    let pool = WarmPool::new(&test_runner(), roundtrip_config(), Roundtrip::WORLD, 2);
    assert_eq!(pool.wait_full(Duration::from_secs(30)), 2);
    let mut taken = Roundtrip::from_plugin(pool.take().unwrap()).unwrap();
    assert_eq!(taken.count(&mut TestHost::default()).unwrap(), 1);

    let next = PluginConfig::new("roundtrip-v2", roundtrip_config().component().to_vec());
    pool.reload(next).expect("reload");
    assert_eq!(pool.config().name(), "roundtrip-v2");
    // The runner taken before the reload is the same instance, still running.
    assert_eq!(taken.plugin().name(), "roundtrip");
    assert_eq!(taken.count(&mut TestHost::default()).unwrap(), 2);
    // Every runner handed out now is of the new component: none of the old
    // ready ones, nor one the filler was starting during the reload, is left.
    assert_eq!(pool.wait_full(Duration::from_secs(30)), 2);
    for _ in 0..3 {
        let mut next = Roundtrip::from_plugin(pool.take().unwrap()).unwrap();
        assert_eq!(next.plugin().name(), "roundtrip-v2");
        assert_eq!(next.add(&mut TestHost::default(), 2, 3).unwrap(), 5);
    }

    // A reload that cannot start its component changes nothing.
    let err = pool
        .reload(PluginConfig::new("broken", b"\0asm not really".to_vec()))
        .unwrap_err();
    assert!(matches!(err, Error::Compile { .. }), "{err:?}");
    assert_eq!(pool.config().name(), "roundtrip-v2");
    assert_eq!(pool.wait_full(Duration::from_secs(30)), 2);
    let plugin = pool.take().unwrap();
    assert_eq!(plugin.name(), "roundtrip-v2");
}
