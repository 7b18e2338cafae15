//! Guest output, logs, progress and cancellation reach the host.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{TestHost, start};

#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// A subscriber writing plain text (no colours) into the returned buffer.
    pub(crate) fn subscriber(
        level: tracing::Level,
    ) -> (Self, impl tracing::Subscriber + Send + Sync) {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .with_max_level(level)
            .finish();
        (captured, subscriber)
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn stdout_stderr_and_logs_arrive_in_tracing_tagged_with_the_plugin() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        plugin.chatter(&mut TestHost::default(), 3).unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for needle in [
        "stdout line 2",
        "stderr line 2",
        "log line 2",
        "plugin=roundtrip",
        "stream=stderr",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }
}

#[test]
fn progress_reports_reach_the_callback() {
    let mut plugin = start();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    plugin.plugin_mut().on_progress(move |fraction, message| {
        sink.lock().unwrap().push((fraction, message.to_string()))
    });
    plugin.report_progress(&mut TestHost::default(), 4).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3], (1.0, "step 4".to_string()));
}

#[test]
fn a_cancelled_call_sees_the_request() {
    let mut plugin = start();
    let mut host = TestHost::default();
    assert!(
        !plugin.wait_for_cancel(&mut host, 10).unwrap(),
        "cancelled without being asked"
    );
    let handle = plugin.plugin().cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.cancel();
    });
    assert!(plugin.wait_for_cancel(&mut host, u64::MAX).unwrap());
    canceller.join().unwrap();
    assert!(
        !plugin.wait_for_cancel(&mut host, 10).unwrap(),
        "the flag must reset for the next call"
    );
}

const HOSTILE: &str = "ok\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\rdone\u{202e}txt\n2026-12-01T00:00:00Z  INFO airlock: forged";

/// Every way a plugin's text reaches the host's log, and a trap's message,
/// come out escaped: no terminal control survives and no line is forged.
#[test]
fn hostile_text_reaches_the_log_and_errors_escaped() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let trap = tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        let progress = seen.clone();
        plugin
            .plugin_mut()
            .on_progress(move |_, message| progress.lock().unwrap().push(message.to_string()));
        plugin.say(&mut TestHost::default(), HOSTILE).unwrap();
        plugin
            .panic_with(&mut TestHost::default(), HOSTILE)
            .unwrap_err()
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let escaped = "ok\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J\\rdone\\u{202e}txt";
    // stdout and stderr come line by line, the log and progress whole, and
    // the panic's message once more on stderr.
    assert_eq!(text.matches(escaped).count(), 5, "{text}");
    assert_eq!(
        text.matches("\n  | 2026-12-01T00:00:00Z  INFO airlock: forged")
            .count(),
        2,
        "log and progress lines continue marked:\n{text}"
    );
    for raw in ['\x1b', '\x07', '\r', '\u{202e}'] {
        assert!(!text.contains(raw), "{raw:?} reached the log:\n{text:?}");
    }
    assert!(
        text.lines()
            .all(|l| !l.starts_with("2026-12-01T00:00:00Z  INFO airlock: forged")),
        "a forged line:\n{text}"
    );
    // The callback gets the text itself (a PluginText); shown, it is escaped.
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen.lock().unwrap()[0].starts_with(escaped));
    let message = trap.to_string();
    assert!(message.contains(escaped), "{message}");
    assert!(
        !message.contains('\x1b') && !message.contains('\r'),
        "{message:?}"
    );
    match trap {
        airlock::Error::Trap { message, .. } => assert!(message.contains(HOSTILE)),
        other => panic!("not a trap: {other}"),
    }
}

/// Progress counts against the call's log volume, on the host too: a flood
/// reaches the callback a bounded number of times, with one warning.
#[test]
fn a_progress_flood_is_bounded_by_the_log_volume() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::WARN);
    let seen = Arc::new(Mutex::new(0u32));
    tracing::subscriber::with_default(subscriber, || {
        let config = airlock::PluginConfig::from_file(
            "roundtrip",
            airlock_testkit::guest_path("test_roundtrip"),
        )
        .unwrap()
        .policy(airlock::Policy::default().log_volume(8 << 10));
        let mut plugin =
            airlock_testkit::roundtrip::Roundtrip::start(&crate::support::test_runner(), config)
                .unwrap();
        let counter = seen.clone();
        plugin
            .plugin_mut()
            .on_progress(move |_, _| *counter.lock().unwrap() += 1);
        plugin
            .report_progress(&mut TestHost::default(), 20_000)
            .unwrap();
    });
    let seen = *seen.lock().unwrap();
    // Each report costs its length ("step N", ≤ 10 bytes) and 64 bytes more.
    assert!(
        ((8 << 10) / 74..=(8 << 10) / 64).contains(&seen),
        "{seen} reports"
    );
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.contains("dropped")).count(),
        1,
        "one warning:\n{text}"
    );
}

/// Attack (issue 12, point 1): a plugin's name comes from its file name (the
/// CLI and the design host name plugins after their files). After a timeout
/// the host logs "restarting the runner" with the name as it is, so a file
/// name with a carriage return, a line feed and a bidi override forges a
/// host log line; so does "giving up on the plugin".
#[test]
fn attack_a_hostile_plugin_name_is_escaped_in_restart_logs() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    let name = "rt\r\n2026-12-01T00:00:00Z ERROR airlock: forged\u{202e}";
    tracing::subscriber::with_default(subscriber, || {
        let config =
            airlock::PluginConfig::from_file(name, airlock_testkit::guest_path("test_roundtrip"))
                .unwrap()
                .deadline(Duration::from_millis(300));
        let mut plugin =
            airlock_testkit::roundtrip::Roundtrip::start(&crate::support::test_runner(), config)
                .unwrap();
        let mut host = TestHost::default();
        plugin.add(&mut host, 1, 2).unwrap();
        // A killed runner: the next call starts a new one, and says so.
        // (A call past its deadline may end only the instance, not the
        // runner, so that would restart nothing on a quick machine.)
        plugin.plugin_mut().kill();
        plugin.add(&mut host, 1, 2).unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("restarting the runner"), "{text}");
    for raw in ['\r', '\u{202e}'] {
        assert!(!text.contains(raw), "{raw:?} reached the log:\n{text:?}");
    }
    assert!(
        text.lines()
            .all(|l| !l.starts_with("2026-12-01T00:00:00Z ERROR airlock: forged")),
        "a forged line:\n{text}"
    );
}

/// Attack (issue 12, point 1, low): `PluginText`'s `Debug` quotes the text
/// without escaping `"`, so a trap message can close its own quotes and
/// forge fields in `{:?}` of an `Error` (and in `Crashed`'s `last stderr:
/// "…"`, which uses that `Debug`).
#[test]
fn attack_debug_of_plugin_text_escapes_quotes() {
    let mut plugin = start();
    let forged = "x\", plugin: \"trusted\", backtrace: None } //";
    let trap = plugin
        .panic_with(&mut TestHost::default(), forged)
        .unwrap_err();
    let airlock::Error::Trap { message, .. } = &trap else {
        panic!("not a trap: {trap}");
    };
    let debug = format!("{message:?}");
    assert!(
        !debug.contains("x\", plugin: \"trusted\""),
        "a forged field in {debug}"
    );
    // With a backslash before the quote, too: read with the usual escape
    // rules, `\\\"` must not end the string.
    let tricky = airlock::PluginText::new("x\\\", plugin: \"trusted");
    assert_eq!(format!("{tricky:?}"), r#""x\\\", plugin: \"trusted""#);
}

/// Attack (review, low): the module docs say text escaped twice (an error
/// quoted in a summary line, as the design host and `airlock call` do) comes
/// out unchanged; a multi-line message gains a marker at each escape.
#[test]
fn attack_escaping_twice_leaves_multi_line_text_unchanged() {
    let once = airlock::PluginText::new("first\nsecond").to_string();
    let twice = airlock::PluginText::escape(&once).to_string();
    assert_eq!(twice, once);
}
