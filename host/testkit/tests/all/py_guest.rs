//! The roundtrip world implemented in Python (examples/python/roundtrip, built
//! with componentize-py): the same checks as the Rust guest's tests, through
//! real runners. The 19 MB component compiles once per build into the shared
//! artifact cache; every other start loads the verified artifact.

use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, Policy};
use airlock_testkit::roundtrip::Roundtrip;

use crate::output::Captured;
use crate::support::{TestHost, compiled_once, patient};

fn config() -> PluginConfig {
    crate::guest_suite::config("py-roundtrip", "py_roundtrip")
}

fn start_with(config: PluginConfig) -> Roundtrip {
    crate::guest_suite::start_with("py_roundtrip", config)
}

fn start() -> Roundtrip {
    start_with(config())
}

crate::guest_suite::roundtrip_suite!(start, "RuntimeError: ");

/// Objects the plugin exports (`counter`, in counters.py): the host makes,
/// calls, lends and gives them back. Not supported yet: componentize-py
/// 0.25.1 ignores the host's drop (its resource destructor does nothing), so
/// Python keeps every object until the instance ends; this shows exactly that.
#[test]
fn py_exported_objects_work_but_drops_do_not_reach_python_yet() {
    let mut plugin = start();
    let h = &mut TestHost::default();
    let counter = plugin.counters().counter_new(h, 5).unwrap();
    assert_eq!(plugin.counters().counter_add(h, &counter, 3).unwrap(), 8);
    assert_eq!(plugin.counters().peek(h, &counter).unwrap(), 8, "a borrow");
    let fork = plugin.counters().counter_fork(h, &counter).unwrap();
    assert_eq!(plugin.counters().counter_get(h, &fork).unwrap(), 8);
    let made = plugin.counters().make(h, 3).unwrap();
    let values: Vec<u32> = made
        .iter()
        .map(|c| plugin.counters().counter_get(h, c).unwrap())
        .collect();
    assert_eq!(values, [0, 1, 2]);
    assert_eq!(plugin.counters().live(h).unwrap(), 5);
    drop(made);
    assert_eq!(
        plugin.counters().live(h).unwrap(),
        5,
        "a drop reached Python: update the docs"
    );
    assert_eq!(
        plugin.plugin().metrics().released,
        3,
        "the host did release them"
    );
    assert_eq!(plugin.counters().consume(h, counter).unwrap(), 8);
    let given = plugin.counters().make(h, 3).unwrap();
    assert_eq!(plugin.counters().consume_all(h, &given).unwrap(), 1 + 2);
    // A new instance starts with none: a trap is the way to free them today.
    assert!(matches!(
        plugin.panic_with(h, "reset").unwrap_err(),
        Error::Trap { .. }
    ));
    assert!(!fork.is_live());
    assert_eq!(plugin.counters().live(h).unwrap(), 0);
}

/// A raised exception reaches the host as a trap carrying the exception and
/// Python's own traceback; the next call gets a fresh instance.
#[test]
fn py_an_exception_is_a_trap_with_its_traceback() {
    let mut plugin = start();
    let h = &mut TestHost::default();
    assert_eq!(plugin.count(h).unwrap(), 1);
    assert_eq!(plugin.count(h).unwrap(), 2);
    match plugin
        .panic_with(h, "the flux capacitor broke")
        .unwrap_err()
    {
        Error::Trap {
            message,
            backtrace,
            plugin,
            ..
        } => {
            assert_eq!(plugin, "py-roundtrip");
            assert!(
                message.contains(": RuntimeError: the flux capacitor broke\n"),
                "exception missing: {message}"
            );
            assert!(
                message.contains("Traceback (most recent call last):\n"),
                "traceback missing: {message}"
            );
            assert!(message.contains("/app.py\", line "), "{message}");
            assert!(message.contains(", in panic_with\n"), "{message}");
            assert!(
                backtrace.is_some_and(|b| !b.is_empty()),
                "no wasm backtrace"
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(plugin.count(h).unwrap(), 1, "state survived a trap");
    assert_eq!(
        plugin.plugin().runners_started(),
        1,
        "a trap must not cost a process"
    );
}

#[test]
fn py_a_spinning_guest_is_stopped_at_its_deadline() {
    let mut plugin = start_with(config().deadline(Duration::from_millis(300)));
    let h = &mut TestHost::default();
    let started = Instant::now();
    let err = plugin.spin(h).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(took < Duration::from_secs(3), "stopping took {took:?}");
    assert_eq!(
        plugin.add(h, 1, 2).unwrap(),
        3,
        "plugin unusable after a deadline"
    );
}

/// The memory cap holds for a Python guest: echoing more than it can hold
/// is refused as out of memory, and the plugin serves the next call.
#[test]
fn py_the_memory_cap_refuses_a_payload_too_big_to_echo() {
    let cap = 64 << 20;
    let mut plugin = start_with(config().policy(Policy::default().memory(cap)));
    let h = &mut TestHost::default();
    let small = vec![7u8; 1 << 20];
    assert_eq!(plugin.values().echo_bytes(h, &small).unwrap(), small);
    let big = vec![7u8; 40 << 20];
    match plugin.values().echo_bytes(h, &big).unwrap_err() {
        Error::OutOfMemory { limit_bytes, .. } => assert_eq!(limit_bytes, cap),
        other => panic!("expected out of memory, got {other:?}"),
    }
    assert_eq!(plugin.values().echo_bytes(h, &small).unwrap(), small);
}

#[test]
fn py_print_logging_and_stderr_arrive_in_tracing() {
    let (captured, subscriber) = Captured::subscriber(tracing::Level::TRACE);
    tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        plugin.chatter(&mut TestHost::default(), 3).unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap_or("");
    assert!(line("stdout line 2").contains("stream=stdout"), "{text}");
    assert!(line("stderr line 2").contains("stream=stderr"), "{text}");
    // `logging.getLogger("roundtrip").info(...)` through the SDK's handler.
    let logged = line("roundtrip: log line 2");
    assert!(
        logged.contains("INFO") && logged.contains("plugin=py-roundtrip"),
        "{text}"
    );
    assert!(
        !logged.contains("stream="),
        "a log line, not output: {logged}"
    );
}

#[test]
fn py_progress_and_cancellation_reach_the_guest() {
    let mut plugin = start();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    plugin.plugin_mut().on_progress(move |fraction, message| {
        sink.lock().unwrap().push((fraction, message.to_string()))
    });
    let h = &mut TestHost::default();
    plugin.report_progress(h, 4).unwrap();
    assert_eq!(seen.lock().unwrap().len(), 4);
    assert_eq!(seen.lock().unwrap()[3], (1.0, "step 4".to_string()));

    assert!(
        !plugin.wait_for_cancel(h, 10).unwrap(),
        "cancelled without being asked"
    );
    let handle = plugin.plugin().cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.cancel();
    });
    assert!(plugin.wait_for_cancel(h, u64::MAX).unwrap());
    canceller.join().unwrap();
    assert!(!plugin.wait_for_cancel(h, 10).unwrap(), "the flag resets");
}

/// The Python raster filter (examples/python/raster-filter): its `levels`
/// parameter, a typed error for a bad one, progress per band of rows, and a
/// cancel honoured between bands.
#[test]
fn py_posterize_reports_progress_per_band_and_stops_when_cancelled() {
    use airlock_testkit::filter::{
        Filter, FilterError,
        design::types::{Image, Param, ParamValue},
    };
    let config = PluginConfig::from_file("posterize", airlock_testkit::guest_path("posterize"))
        .unwrap()
        .deadline(Duration::from_secs(20));
    let launcher = compiled_once("posterize", |launcher| {
        drop(Filter::start(launcher, config.clone().policy(patient())).expect("compile posterize"))
    });
    let mut filter = Filter::start(&launcher, config).unwrap();
    let info = filter.describe().unwrap();
    assert_eq!(info.name, "posterize");
    let levels = |n| Param {
        name: "levels".into(),
        value: ParamValue::Integer(n),
    };
    assert_eq!(info.defaults, [levels(4)]);

    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    filter
        .plugin_mut()
        .on_progress(move |_, message| sink.lock().unwrap().push(message.to_string()));
    // 100 rows: four bands of 25. Two levels: every channel becomes 0 or 255, alpha stays.
    let row: Vec<u8> = [[10, 127, 128, 77], [250, 0, 200, 255]].concat();
    let image = Image {
        width: 2,
        height: 100,
        pixels: row.repeat(100),
    };
    let out = filter.apply(&image, &[levels(2)]).unwrap().unwrap();
    assert_eq!(out.pixels[..8], [0, 0, 255, 77, 255, 0, 255, 255]);
    assert_eq!(out.pixels.len(), image.pixels.len());
    assert_eq!(
        *seen.lock().unwrap(),
        ["band 1 of 4", "band 2 of 4", "band 3 of 4", "band 4 of 4"]
    );

    match filter.apply(&image, &[levels(1)]).unwrap() {
        Err(FilterError::InvalidParam(msg)) => assert!(msg.contains("2..=256"), "{msg}"),
        other => panic!("expected an invalid parameter, got {other:?}"),
    }

    // Cancel as soon as the first band is reported: the filter stops before the second.
    seen.lock().unwrap().clear();
    let handle = filter.plugin().cancel_handle();
    let sink = seen.clone();
    filter.plugin_mut().on_progress(move |_, message| {
        sink.lock().unwrap().push(message.to_string());
        handle.cancel();
    });
    match filter.apply(&image, &[]).unwrap() {
        Err(FilterError::Failed(msg)) => assert_eq!(msg, "cancelled"),
        other => panic!("expected a cancelled filter, got {other:?}"),
    }
    assert_eq!(*seen.lock().unwrap(), ["band 1 of 4"]);
}
