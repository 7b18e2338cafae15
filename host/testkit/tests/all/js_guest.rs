//! The roundtrip world implemented in JavaScript (examples/js/roundtrip,
//! componentized with componentize-js) through real runners: every value
//! type, imports during exports, host and guest resources, thrown errors,
//! deadlines, the memory cap and output capture. One shared artifact cache
//! keeps the 12 MB component from being compiled once per test.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, Policy};
use airlock_testkit::roundtrip::Roundtrip;

use crate::output::Captured;
use crate::support::TestHost;

fn config() -> PluginConfig {
    crate::guest_suite::config("js-roundtrip", "js_roundtrip")
}

fn start_with(config: PluginConfig) -> Roundtrip {
    crate::guest_suite::start_with("js_roundtrip", config)
}

fn start() -> Roundtrip {
    start_with(config())
}

crate::guest_suite::roundtrip_suite!(start, "guest JS error: ");

#[test]
fn js_exported_resources_live_in_the_guest_until_the_host_drops_them() {
    let mut plugin = start();
    let h = &mut TestHost::default();
    let counter = plugin.counters().counter_new(h, 5).unwrap();
    assert_eq!(plugin.counters().counter_add(h, &counter, 3).unwrap(), 8);
    assert_eq!(plugin.counters().counter_get(h, &counter).unwrap(), 8);
    assert_eq!(plugin.counters().peek(h, &counter).unwrap(), 8, "a borrow");
    let fork = plugin.counters().counter_fork(h, &counter).unwrap();
    let made = plugin.counters().make(h, 3).unwrap();
    let values: Vec<u32> = made
        .iter()
        .map(|c| plugin.counters().counter_get(h, c).unwrap())
        .collect();
    assert_eq!(values, [0, 1, 2]);
    assert_eq!(plugin.counters().live(h).unwrap(), 5);
    drop(made);
    assert_eq!(plugin.counters().live(h).unwrap(), 2, "Symbol.dispose ran");
    assert_eq!(plugin.counters().consume(h, counter).unwrap(), 8);
    assert_eq!(plugin.counters().counter_get(h, &fork).unwrap(), 8);
    let given = plugin.counters().make(h, 3).unwrap();
    assert_eq!(plugin.counters().consume_all(h, &given).unwrap(), 1 + 2);
    match plugin.counters().counter_get(h, &given[0]).unwrap_err() {
        Error::BadArguments { detail, .. } => {
            assert!(detail.contains("given to the plugin already"), "{detail}")
        }
        other => panic!("expected refused arguments, got {other:?}"),
    }
}

#[test]
fn js_a_throwing_destructor_fails_the_next_call() {
    let mut plugin = start();
    let h = &mut TestHost::default();
    plugin.counters().poison(h, 7).unwrap();
    let poisoned = plugin.counters().counter_new(h, 7).unwrap();
    drop(poisoned);
    match plugin.counters().live(h).unwrap_err() {
        Error::Trap { message, .. } => {
            assert!(message.starts_with("destroying an object"), "{message}");
            assert!(message.contains("poisoned counter 7"), "{message}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(plugin.counters().live(h).unwrap(), 0, "a fresh instance");
}

#[test]
fn js_a_thrown_error_is_a_trap_with_its_message_and_js_stack() {
    let mut plugin = start();
    let h = &mut TestHost::default();
    assert_eq!(plugin.count(h).unwrap(), 1);
    assert_eq!(plugin.count(h).unwrap(), 2);
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    let err = tracing::subscriber::with_default(subscriber, || {
        plugin
            .panic_with(h, "the flux capacitor broke")
            .unwrap_err()
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let Error::Trap {
        message,
        plugin: name,
        ..
    } = &err
    else {
        panic!("expected a trap, got {err:?}");
    };
    assert_eq!(name, "js-roundtrip");
    let message = message.to_string();
    assert!(
        message.starts_with("wasm trap: wasm `unreachable` instruction executed: guest JS error: the flux capacitor broke\n"),
        "{message}"
    );
    // The JS stack names the function that threw, in the plugin's own file,
    // and leaves out the generated bindings' frames.
    assert!(
        message.contains("    at panicWith@roundtrip.js:"),
        "no JS stack: {message}"
    );
    assert!(!message.contains("initializer.js"), "{message}");
    // The whole report is in the log too, as the guest's stderr.
    assert!(
        text.contains("the flux capacitor broke plugin=js-roundtrip stream=stderr"),
        "{text}"
    );
    assert_eq!(plugin.count(h).unwrap(), 1, "state survived a trap");
    assert_eq!(
        plugin.plugin().runners_started(),
        1,
        "a trap must not cost a process"
    );
}

#[test]
fn js_a_spinning_guest_is_stopped_at_its_deadline() {
    let mut plugin = start_with(config().deadline(Duration::from_millis(300)));
    let h = &mut TestHost::default();
    let started = Instant::now();
    let err = plugin.spin(h).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(plugin.add(h, 1, 2).unwrap(), 3, "usable after a deadline");
}

#[test]
fn js_the_memory_cap_holds() {
    let mut plugin = start_with(config().policy(Policy::default().memory(64 << 20)));
    let h = &mut TestHost::default();
    // Small calls fit in the cap.
    assert_eq!(
        plugin.values().echo_bytes(h, &[1, 2, 3]).unwrap(),
        [1, 2, 3]
    );
    // 48 MiB in, copied into a JS array and back out, does not.
    let big = vec![7u8; 48 << 20];
    match plugin.values().echo_bytes(h, &big).unwrap_err() {
        Error::OutOfMemory { limit_bytes, .. } => assert_eq!(limit_bytes, 64 << 20),
        other => panic!("expected out of memory, got {other:?}"),
    }
    assert_eq!(plugin.add(h, 2, 2).unwrap(), 4, "usable after the cap");
}

#[test]
fn js_console_and_the_sdk_logger_reach_tracing() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    let seen = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        let sink = seen.clone();
        plugin
            .plugin_mut()
            .on_progress(move |f, m| sink.lock().unwrap().push((f, m.to_string())));
        plugin.chatter(&mut TestHost::default(), 3).unwrap();
        plugin.report_progress(&mut TestHost::default(), 4).unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for needle in [
        "stdout line 2",
        "stderr line 2",
        "log line 2",
        "plugin=js-roundtrip",
        "stream=stderr",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3], (1.0, "step 4".to_string()));
}

#[test]
fn js_a_cancelled_call_sees_the_request() {
    let mut plugin = start();
    let h = &mut TestHost::default();
    assert!(!plugin.wait_for_cancel(h, 10).unwrap(), "cancelled unasked");
    let handle = plugin.plugin().cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.cancel();
    });
    assert!(plugin.wait_for_cancel(h, u64::MAX).unwrap());
    canceller.join().unwrap();
    assert!(!plugin.wait_for_cancel(h, 10).unwrap(), "the flag resets");
}
