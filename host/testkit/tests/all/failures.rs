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
            ..
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

/// A component with debug information: the trap names the guest's source
/// file, line and function of each frame, innermost first, past the
/// standard library's panic machinery. (The roundtrip guest above has none,
/// so its trap has no frames.)
#[test]
fn a_trap_three_calls_deep_names_each_source_line() {
    use airlock_testkit::filter::Filter;
    use airlock_testkit::filter::design::types::{Image, Param, ParamValue};
    let path = airlock_testkit::guest_path("test_deep_panic");
    let config = PluginConfig::from_file("deep", &path).unwrap();
    let mut plugin = Filter::start(&test_runner(), config).unwrap();
    let image = Image {
        width: 1,
        height: 1,
        pixels: vec![0; 4],
    };
    assert_eq!(
        plugin.apply(&image, &[]).unwrap().unwrap(),
        image,
        "no panic asked"
    );
    let panic = Param {
        name: "panic".into(),
        value: ParamValue::Boolean(true),
    };
    let err = plugin.apply(&image, &[panic]).unwrap_err();
    let Error::Trap {
        frames, message, ..
    } = &err
    else {
        panic!("expected a trap, got {err:?}");
    };
    assert!(message.contains("three calls deep (width 2)"), "{message}");
    // The lines of the three calls, read from the guest's source.
    let source = include_str!("../../../../examples/plugins/test-deep-panic/src/lib.rs");
    let line_of = |needle: &str| {
        1 + source
            .lines()
            .position(|l| l.contains(needle))
            .expect(needle) as u32
    };
    let expected = [
        (
            "test_deep_panic::third",
            line_of("panic!(\"three calls deep"),
        ),
        (
            "test_deep_panic::second",
            line_of("third(width.wrapping_add(1))"),
        ),
        ("test_deep_panic::first", line_of("second(image.width)")),
    ];
    assert!(frames.len() >= 3, "{frames:?}");
    for (frame, (function, line)) in frames.iter().zip(expected) {
        assert_eq!(frame.function.as_deref(), Some(function), "{frames:?}");
        assert!(
            frame.file.ends_with("test-deep-panic/src/lib.rs"),
            "{frame}"
        );
        assert_eq!(frame.line, line, "{frame}");
    }
    let shown = err.to_string();
    assert!(
        shown.contains(&format!("\n  at {}", frames[0]))
            && shown.contains("in test_deep_panic::first"),
        "{shown}"
    );
    // No debug information, no frames: the panic message stays one line.
    let mut host = TestHost::default();
    match start().panic_with(&mut host, "shallow") {
        Err(Error::Trap { frames, .. }) => assert!(frames.is_empty(), "{frames:?}"),
        other => panic!("expected a trap, got {other:?}"),
    }
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
        crate::support::kill_from_outside(pid);
    });
    let err = plugin.spin(&mut host).unwrap_err();
    killer.join().unwrap();
    match err {
        // SIGKILL where there are signals; Windows has none to report.
        Error::Crashed { signal, .. } => assert_eq!(signal, cfg!(unix).then_some(9)),
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
