//! The hostile guest (`airlock:test/hostile`) against today's runner: the attacks
//! already refused or harmless without any OS lock-down.

use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, TimeLimit};
use airlock_testkit::hostile::{self, Hostile};

use crate::support::test_runner;

/// The host side of `airlock:test/hostile-host`, counting the guest's pings.
#[derive(Debug, Default)]
struct PingCounter {
    pings: u32,
}

impl hostile::test::hostile_host::Host for PingCounter {
    fn ping(&mut self, n: u32) -> u32 {
        self.pings += 1;
        n.wrapping_add(1)
    }
}

fn config() -> PluginConfig {
    PluginConfig::from_file("hostile", airlock_testkit::guest_path("test_hostile"))
        .expect("read hostile guest")
}

fn start() -> Hostile {
    Hostile::start(
        &test_runner(),
        config().call_deadline(Duration::from_secs(20)),
    )
    .expect("start hostile guest")
}

#[test]
fn the_guest_sees_no_environment() {
    let mut plugin = start();
    let mut host = PingCounter::default();
    let vars = plugin.attacks().env_vars(&mut host).unwrap();
    assert_eq!(
        vars,
        Ok(String::new()),
        "the runner leaked environment variables"
    );
}

#[test]
fn the_guest_cannot_read_host_files() {
    let mut plugin = start();
    let mut host = PingCounter::default();
    let mut attacks = plugin.attacks();
    for path in ["/etc/passwd", "../../../../etc/passwd", "."] {
        let read = attacks.read_file(&mut host, path).unwrap();
        assert!(read.is_err(), "read {path}: {read:?}");
    }
    let listed = attacks.list_dir(&mut host, "/").unwrap();
    assert!(listed.is_err(), "listed /: {listed:?}");
}

#[test]
fn the_guest_cannot_connect() {
    let mut plugin = start();
    let mut host = PingCounter::default();
    let connected = plugin.attacks().connect(&mut host, "127.0.0.1:1").unwrap();
    assert!(connected.is_err(), "{connected:?}");
}

#[test]
fn every_import_call_reaches_the_host() {
    let mut plugin = start();
    let mut host = PingCounter::default();
    let flood = plugin.attacks().import_flood(&mut host, 1000).unwrap();
    assert_eq!(flood, Ok("answered 1000 pings".to_string()));
    assert_eq!(host.pings, 1000);
}

#[test]
fn a_list_result_arrives_whole() {
    let mut plugin = start();
    let mut host = PingCounter::default();
    let list = plugin.attacks().huge_list(&mut host, 1000).unwrap();
    assert_eq!(list, (0..1000).collect::<Vec<u64>>());
}

#[test]
fn a_spinning_guest_is_stopped_at_its_deadline() {
    let config = config().call_deadline(Duration::from_millis(100));
    let mut plugin = Hostile::start(&test_runner(), config).unwrap();
    let mut host = PingCounter::default();
    let started = Instant::now();
    let err = plugin.attacks().spin(&mut host).unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Timeout {
                limit: TimeLimit::Deadline(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(2), "stopping took {took:?}");
    assert_eq!(
        plugin.attacks().huge_list(&mut host, 3).unwrap(),
        [0, 1, 2],
        "plugin unusable after a deadline"
    );
}
