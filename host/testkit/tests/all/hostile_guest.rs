//! The hostile guest (`airlock:test/hostile`) outside the battery: what the
//! battery's containment verdicts rely on. The attacks themselves run in
//! `sandbox::the_hostile_battery_is_contained`.

use std::time::Duration;

use airlock::PluginConfig;
use airlock_testkit::battery::PingHost;
use airlock_testkit::hostile::Hostile;

use crate::support::test_runner;

#[test]
fn every_import_call_of_a_flood_reaches_the_host_once() {
    let config = PluginConfig::from_file("hostile", airlock_testkit::guest_path("test_hostile"))
        .expect("read hostile guest")
        .deadline(Duration::from_secs(20));
    let mut plugin = Hostile::start(&test_runner(), config).expect("start hostile guest");
    let mut host = PingHost::default();
    let flood = plugin.attacks().import_flood(&mut host, 1000).unwrap();
    assert_eq!(flood, Ok("answered 1000 pings".to_string()));
    assert_eq!(host.pings, 1000);
}
