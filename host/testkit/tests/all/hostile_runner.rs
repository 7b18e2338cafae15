//! A runner that misbehaves is killed and reported; the host carries on.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig};
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, fake_runner};

fn fake(behaviour: &str) -> PluginConfig {
    // The fake runner locks nothing down: require no layers of it.
    PluginConfig::new(behaviour, b"not compiled by the fake runner".to_vec())
        .policy(airlock::Policy::default().require([]))
        .deadline(Duration::from_millis(300))
        .grace(Duration::from_millis(100))
        .startup(Duration::from_secs(5))
}

fn call_on_fake(behaviour: &str) -> Error {
    let mut plugin = Roundtrip::start(&fake_runner(), fake(behaviour)).expect("fake runner starts");
    let err = plugin.add(&mut TestHost::default(), 1, 2).unwrap_err();
    assert!(
        plugin.plugin().pid().is_none(),
        "misbehaving runner `{behaviour}` was left running"
    );
    err
}

#[test]
fn garbage_frames_are_a_protocol_violation() {
    assert!(matches!(call_on_fake("garbage"), Error::Protocol { .. }));
}

#[test]
fn oversized_frame_lengths_are_refused_without_allocating() {
    let err = call_on_fake("oversized");
    assert!(
        matches!(&err, Error::Protocol { detail, .. } if detail.contains("exceeds the limit")),
        "{err:?}"
    );
}

#[test]
fn unsolicited_replies_are_a_protocol_violation() {
    assert!(matches!(
        call_on_fake("unsolicited"),
        Error::Protocol { .. }
    ));
    assert!(matches!(
        call_on_fake("second-ready"),
        Error::Protocol { .. }
    ));
}

#[test]
fn undecodable_results_and_unknown_imports_are_violations() {
    assert!(matches!(
        call_on_fake("undecodable-result"),
        Error::Protocol { .. }
    ));
    let err = call_on_fake("unknown-import");
    assert!(
        matches!(&err, Error::Protocol { detail, .. } if detail.contains("9999")),
        "{err:?}"
    );
}

#[test]
fn a_runner_that_never_answers_is_killed_at_the_deadline() {
    let started = Instant::now();
    let err = call_on_fake("silent");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_runner_that_trickles_its_answer_is_killed_at_the_deadline() {
    // Each byte arrives well within any single read's patience; the call's
    // deadline covers the whole frame.
    let mut plugin = Roundtrip::start(&fake_runner(), fake("trickle")).expect("fake runner starts");
    let started = Instant::now();
    let err = plugin.add(&mut TestHost::default(), 1, 2).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        plugin.plugin().pid().is_none(),
        "the runner was left running"
    );
    // The trickle alone would take about 4 s (80-odd bytes, 50 ms each): a
    // host that waited for the whole frame would be far past this.
    assert!(took < Duration::from_millis(2500), "{took:?}");
}

#[test]
fn start_up_failures_are_reported() {
    let err = Roundtrip::start(&fake_runner(), fake("garbage-hello")).unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    let err = Roundtrip::start(&fake_runner(), fake("wrong-hash")).unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    // Artifact frames are only taken when asked for; a stale-artifact report
    // only when an artifact was sent.
    for behaviour in ["unasked-artifact", "false-stale"] {
        let err = Roundtrip::start(&fake_runner(), fake(behaviour)).unwrap_err();
        assert!(
            matches!(err, Error::Protocol { .. }),
            "{behaviour}: {err:?}"
        );
    }
    let err = Roundtrip::start(&fake_runner(), fake("exit-at-start")).unwrap_err();
    match err {
        Error::Crashed {
            status,
            stderr_tail,
            ..
        } => {
            assert_eq!(status, "exit status 42");
            assert!(
                stderr_tail.contains("giving up at start"),
                "{stderr_tail:?}"
            );
        }
        other => panic!("expected a crash, got {other:?}"),
    }
}

#[test]
fn a_runner_reporting_a_trap_is_kept() {
    let mut plugin = Roundtrip::start(&fake_runner(), fake("trap")).unwrap();
    let err = plugin.add(&mut TestHost::default(), 1, 2).unwrap_err();
    assert!(
        matches!(&err, Error::Trap { message, .. } if message == "fake trap"),
        "{err:?}"
    );
    assert!(plugin.plugin().pid().is_some());
}

/// Attack (issue 12, point 5): a compromised runner sends thousands of empty
/// `Output` frames, each saying output was dropped. Every one becomes a host
/// warning, uncounted by the call's log volume.
#[test]
fn attack_dropped_output_reports_are_bounded_by_the_log_volume() {
    let lines = Arc::new(Mutex::new(0usize));
    let counter = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || LineCounter(counter.clone()))
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let config = fake("dropped-flood")
            .policy(airlock::Policy::default().require([]).log_volume(8 << 10))
            .deadline(Duration::from_secs(20));
        let mut plugin = Roundtrip::start(&fake_runner(), config).expect("fake runner starts");
        let _ = plugin.add(&mut TestHost::default(), 1, 2);
    });
    let lines = *lines.lock().unwrap();
    // 8 KiB of volume (+4 KiB room for the runner): at 64 bytes a message,
    // at most 192 lines could be admitted; 10,000 were sent.
    assert!(lines < 300, "{lines} host log lines from one call");
}

struct LineCounter(Arc<Mutex<usize>>);

impl std::io::Write for LineCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.iter().filter(|&&b| b == b'\n').count();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A runner that claims every layer of every system is believed only where
/// its host's own system has the layer and confirms it: another system's
/// layer never satisfies a policy.
#[test]
fn a_runner_claiming_every_layer_is_believed_only_where_the_system_agrees() {
    let plugin = Roundtrip::start(&fake_runner(), fake("claims-every-layer")).unwrap();
    let layers = plugin.plugin().sandbox_layers().unwrap().clone();
    let active = airlock::Layer::active(&layers);
    // Each system's own; the fake runner has none of the confirmed ones.
    let foreign: &[airlock::Layer] = if cfg!(windows) {
        &[
            airlock::Layer::Seccomp,
            airlock::Layer::Landlock,
            airlock::Layer::Seatbelt,
        ]
    } else if cfg!(target_os = "linux") {
        &[
            airlock::Layer::Job,
            airlock::Layer::LowIntegrity,
            airlock::Layer::Mitigations,
            airlock::Layer::Seatbelt,
        ]
    } else {
        &[airlock::Layer::Job, airlock::Layer::Seccomp]
    };
    for layer in foreign {
        assert!(
            !active.contains(layer),
            "{layer} believed: {:?}",
            layers.notes
        );
        assert!(
            layers
                .notes
                .iter()
                .any(|n| n.starts_with(&format!("{layer}: not a layer of this system"))),
            "no note for {layer}: {:?}",
            layers.notes
        );
    }
    // And what the system itself says wins over the claim: the fake runner
    // is not under seccomp (Linux) nor low integrity (Windows, Wine).
    let confirmed = if cfg!(windows) {
        airlock::Layer::LowIntegrity
    } else {
        airlock::Layer::Seccomp
    };
    if cfg!(any(windows, target_os = "linux")) {
        assert!(
            !active.contains(&confirmed),
            "{confirmed} believed: {:?}",
            layers.notes
        );
    }
    let required =
        fake("claims-every-layer").policy(airlock::Policy::default().require([foreign[0]]));
    match Roundtrip::start(&fake_runner(), required) {
        Err(Error::SandboxUnavailable { missing, .. }) => {
            assert_eq!(missing, [foreign[0].to_string()])
        }
        other => panic!(
            "a claimed foreign layer met the policy: {other:?}",
            other = other.err()
        ),
    }
}
