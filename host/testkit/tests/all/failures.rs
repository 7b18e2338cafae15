//! Typed errors for every way a plugin can fail, and recovery afterwards.

use std::time::{Duration, Instant};

use airlock::{Error, Plugin, PluginConfig, WorldRef};
use airlock_testkit::roundtrip::{self, Roundtrip};
use airlock_testkit::roundtrip_plus::RoundtripPlus;

use crate::support::{TestHost, roundtrip_config, start, test_runner};

#[test]
fn a_trap_reports_the_panic_and_the_next_call_gets_a_fresh_instance() {
    let mut plugin = start();
    let mut host = TestHost::default();
    assert_eq!(plugin.count(&mut host).unwrap(), 1);
    assert_eq!(plugin.count(&mut host).unwrap(), 2);
    let err = plugin
        .panic_with(&mut host, "the flux capacitor broke")
        .unwrap_err();
    match &err {
        Error::Trap {
            message,
            backtrace,
            plugin,
        } => {
            assert_eq!(plugin, "roundtrip");
            assert!(
                message.contains("the flux capacitor broke"),
                "panic message missing: {message}"
            );
            assert!(
                backtrace.as_deref().is_some_and(|b| !b.is_empty()),
                "no wasm backtrace"
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(plugin.count(&mut host).unwrap(), 1, "state survived a trap");
    assert_eq!(
        plugin.plugin().runners_started(),
        1,
        "a trap must not cost a process"
    );
}

#[test]
fn a_spinning_guest_is_stopped_at_its_deadline() {
    let config = roundtrip_config().deadline(Duration::from_millis(200));
    let mut plugin = Roundtrip::start(&test_runner(), config).unwrap();
    let mut host = TestHost::default();
    let started = Instant::now();
    let err = plugin.spin(&mut host).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(took < Duration::from_secs(2), "stopping took {took:?}");
    assert_eq!(
        plugin.add(&mut host, 1, 2).unwrap(),
        3,
        "plugin unusable after a deadline"
    );
}

#[test]
fn a_runner_killed_mid_call_is_reported_and_replaced() {
    let mut plugin = start();
    let mut host = TestHost::default();
    assert_eq!(plugin.count(&mut host).unwrap(), 1);
    let pid = plugin.plugin().pid().expect("runner running");
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let status = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    });
    let err = plugin.spin(&mut host).unwrap_err();
    killer.join().unwrap();
    match err {
        Error::Crashed { signal, .. } => assert_eq!(signal, Some(9)),
        other => panic!("expected a crash, got {other:?}"),
    }
    assert_eq!(
        plugin.count(&mut host).unwrap(),
        1,
        "the next call runs in a new runner"
    );
    assert_eq!(plugin.plugin().runners_started(), 2);
}

#[test]
fn a_component_missing_an_export_is_refused_by_name() {
    // Stamped for the world it is started as, yet lacking one of its exports:
    // the runner's own check names what is missing.
    let lying = airlock_testkit::restamped(
        roundtrip_config().component(),
        "airlock:test/roundtrip-plus@0.1.0",
    );
    let err =
        RoundtripPlus::start(&test_runner(), PluginConfig::new("roundtrip", lying)).unwrap_err();
    match err {
        Error::WorldMismatch { detail, world, .. } => {
            assert!(detail.contains("missing-export"), "{detail}");
            assert_eq!(world, "airlock:test/roundtrip-plus@0.1.0");
        }
        other => panic!("expected a world mismatch, got {other:?}"),
    }
}

#[test]
fn host_and_runner_built_from_different_worlds_refuse_each_other() {
    let world = WorldRef {
        name: roundtrip::WORLD_NAME,
        hash: [0; 32],
    };
    let err = Plugin::start(&test_runner(), roundtrip_config(), world).unwrap_err();
    assert!(
        matches!(&err, Error::WorldMismatch { detail, .. } if detail.contains("different versions")),
        "{err:?}"
    );

    let world = WorldRef {
        name: "example:unknown/world",
        hash: [0; 32],
    };
    let stamped = airlock_testkit::restamped(roundtrip_config().component(), world.name);
    let err = Plugin::start(
        &test_runner(),
        PluginConfig::new("roundtrip", stamped),
        world,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownWorld { known, .. } if known.contains("roundtrip")),
        "{err:?}"
    );
}

#[test]
fn bytes_that_are_not_a_component_fail_to_compile() {
    let config = PluginConfig::new("junk", b"\0asm not really a component".to_vec());
    let err = Roundtrip::start(&test_runner(), config).unwrap_err();
    assert!(matches!(err, Error::Compile { .. }), "{err:?}");
}

#[test]
fn a_missing_runner_executable_is_a_spawn_error() {
    let launcher = airlock::Launcher::program("/nonexistent/airlock-runner");
    let err = Roundtrip::start(&launcher, roundtrip_config()).unwrap_err();
    assert!(matches!(err, Error::Spawn { .. }), "{err:?}");
}
