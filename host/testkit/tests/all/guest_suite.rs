//! The tests every guest language's roundtrip guest passes alike (values,
//! bulk bytes, imports during exports, host-implemented resources, hostile
//! text), instantiated per language by [`roundtrip_suite!`]; what differs
//! (exported objects' drops, how an error is reported, the memory cap) stays
//! in each language's own file.

use std::time::Duration;

use airlock::PluginConfig;
use airlock_testkit::roundtrip::Roundtrip;
use airlock_testkit::roundtrip::exports::test::values::{Mood, Perms, Shape};

use crate::output::Captured;
use crate::support::{TestHost, compiled_once, everything, patient};

/// The roundtrip guest `guest` (in the plugin folder), called `name`.
pub fn config(name: &str, guest: &str) -> PluginConfig {
    PluginConfig::from_file(name, airlock_testkit::guest_path(guest))
        .expect("read the roundtrip guest")
        .deadline(Duration::from_secs(20))
}

/// Starts `guest` as `config` says, from the shared cache: the first test
/// to get here compiles it for all (under a patient policy).
pub fn start_with(guest: &str, config: PluginConfig) -> Roundtrip {
    let launcher = compiled_once(guest, |launcher| {
        let patient = config.clone().policy(patient());
        drop(Roundtrip::start(launcher, patient).expect("compile the roundtrip guest"));
    });
    Roundtrip::start(&launcher, config).expect("start the roundtrip guest")
}

/// `#[test]`s of this suite, each on a plugin from `$start()`; `$trap` is
/// what a trap's message shows before a raised error's text (`guest JS
/// error: `, `RuntimeError: `).
macro_rules! roundtrip_suite {
    ($start:path, $trap:expr) => {
        #[test]
        fn scalars_and_unit_functions() {
            crate::guest_suite::scalars_and_unit_functions($start());
        }
        #[test]
        fn every_value_type_round_trips() {
            crate::guest_suite::every_value_type_round_trips($start());
        }
        #[test]
        fn bulk_bytes_round_trip() {
            crate::guest_suite::bulk_bytes_round_trip($start());
        }
        #[test]
        fn imports_are_served_during_an_export_call() {
            crate::guest_suite::imports_are_served_during_an_export_call($start());
        }
        #[test]
        fn host_resources_are_held_and_every_drop_reaches_the_host() {
            crate::guest_suite::host_resources_are_held_and_every_drop_reaches_the_host($start());
        }
        #[test]
        fn hostile_text_reaches_the_log_and_the_trap_escaped() {
            crate::guest_suite::hostile_text_reaches_the_log_and_the_trap_escaped($start, $trap);
        }
    };
}
pub(crate) use roundtrip_suite;

pub fn scalars_and_unit_functions(mut plugin: Roundtrip) {
    let h = &mut TestHost::default();
    assert_eq!(plugin.add(h, 40, 2).unwrap(), 42);
    assert_eq!(plugin.add(h, u32::MAX, 2).unwrap(), 1, "wrapping add");
    plugin.noop(h).unwrap();
}

pub fn every_value_type_round_trips(mut plugin: Roundtrip) {
    let h = &mut TestHost::default();
    let value = everything();
    assert_eq!(plugin.values().echo_everything(h, &value).unwrap(), value);

    let mut other = everything();
    other.maybe_bytes = None;
    other.outcome = Ok(vec![9; 3]);
    other.unit_result = Err(());
    other.maybe = Some(Some(5));
    other.mood = Mood::Sad;
    other.perms = Perms::empty();
    assert_eq!(plugin.values().echo_everything(h, &other).unwrap(), other);
    other.maybe = None;
    assert_eq!(plugin.values().echo_everything(h, &other).unwrap(), other);

    let mut values = plugin.values();
    assert_eq!(values.echo_string(h, "").unwrap(), "");
    assert_eq!(values.echo_string(h, "ß∂ƒ🦀").unwrap(), "ß∂ƒ🦀");
    for mood in [Mood::Happy, Mood::Sad, Mood::Neutral] {
        assert_eq!(values.echo_mood(h, mood).unwrap(), mood);
    }
    assert_eq!(values.echo_perms(h, Perms::all()).unwrap(), Perms::all());
    let shape = Shape::Nested(vec![None; 10]);
    assert_eq!(values.echo_shape(h, &shape).unwrap(), shape);
    let tuple = (i64::MAX, '\u{10FFFF}', Some("x".to_string()));
    assert_eq!(values.echo_tuple(h, &tuple).unwrap(), tuple);
    let tuple = (i64::MIN, '\0', None);
    assert_eq!(values.echo_tuple(h, &tuple).unwrap(), tuple);
}

pub fn bulk_bytes_round_trip(mut plugin: Roundtrip) {
    let h = &mut TestHost::default();
    for len in [0usize, 1, 1 << 10, 1 << 20, 8 << 20] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let back = plugin.values().echo_bytes(h, &data).unwrap();
        assert!(back == data, "payload of {len} bytes changed in transit");
    }
}

pub fn imports_are_served_during_an_export_call(mut plugin: Roundtrip) {
    let mut host = TestHost::default();
    assert_eq!(plugin.nested(&mut host, 10, 1).unwrap(), 1024);
    assert_eq!(host.doubles, 10);
    let value = everything();
    let back = plugin.bounce_via_host(&mut host, &value).unwrap();
    assert_eq!(back.text, format!("host:{}+guest", value.text));
    assert_eq!(back.bytes, value.bytes);
    assert_eq!(back.shapes, value.shapes);
    assert_eq!(back.scalars, value.scalars);
    assert_eq!(host.notes, vec!["bounced".to_string()]);
}

pub fn host_resources_are_held_and_every_drop_reaches_the_host(mut plugin: Roundtrip) {
    let mut host = TestHost::default();
    let expected = (1..=5).sum::<u32>() + 100 + 101;
    assert_eq!(plugin.tally_up(&mut host, 5).unwrap(), expected);
    assert_eq!(host.tallies.made, 7);
    let mut dropped = host.tallies.dropped.clone();
    dropped.sort();
    assert_eq!(
        dropped,
        (1..=7).collect::<Vec<_>>(),
        "every handle dropped once"
    );
    assert_eq!(host.tallies.live(), 0);
}

/// Terminal controls and bidi overrides the plugin prints to stdout and
/// stderr, logs, reports as progress and raises reach the host's log and
/// the trap's message escaped.
pub fn hostile_text_reaches_the_log_and_the_trap_escaped(start: fn() -> Roundtrip, trap: &str) {
    let hostile = "ok\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\rdone\u{202e}txt";
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    let error = tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        plugin.say(&mut TestHost::default(), hostile).unwrap();
        plugin
            .panic_with(&mut TestHost::default(), hostile)
            .unwrap_err()
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let escaped = "ok\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J\\rdone\\u{202e}txt";
    // stdout, stderr, the log and progress, then the error's report.
    assert!(text.matches(escaped).count() >= 4, "{text}");
    for raw in ['\x1b', '\x07', '\r', '\u{202e}'] {
        assert!(!text.contains(raw), "{raw:?} reached the log:\n{text:?}");
    }
    let shown = error.to_string();
    assert!(shown.contains(&format!("{trap}{escaped}")), "{shown}");
    assert!(
        !shown.contains('\x1b') && !shown.contains('\r'),
        "{shown:?}"
    );
}
