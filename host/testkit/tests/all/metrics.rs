//! Per-call tracing spans and per-plugin metrics, from real calls to a real runner.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics_util::CompositeKey;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

use crate::support::{TestHost, start};

/// One span's fields as `(name, value)` text.
type SpanFields = Vec<(String, String)>;

/// The fields of every closed `call` span.
#[derive(Clone, Default)]
struct Calls(Arc<Mutex<Vec<SpanFields>>>);

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Calls {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "call" || attrs.metadata().target() != "airlock::call" {
            return;
        }
        let mut fields = Fields(Vec::new());
        attrs.record(&mut fields);
        ctx.span(id).unwrap().extensions_mut().insert(fields);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }
    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id)
            && let Some(fields) = span.extensions_mut().remove::<Fields>()
        {
            self.0.lock().unwrap().push(fields.0);
        }
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("field `{name}` missing from {fields:?}"))
}

#[test]
fn every_call_is_a_span_with_plugin_function_duration_and_outcome() {
    let calls = Calls::default();
    let subscriber = tracing_subscriber::registry().with(calls.clone());
    tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        assert_eq!(plugin.add(&mut TestHost::default(), 2, 3).unwrap(), 5);
        plugin
            .panic_with(&mut TestHost::default(), "on purpose")
            .unwrap_err();
    });
    let calls = calls.0.lock().unwrap();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(field(&calls[0], "plugin"), "roundtrip");
    assert_eq!(field(&calls[0], "function"), "add");
    assert_eq!(field(&calls[0], "outcome"), "ok");
    let micros: u64 = field(&calls[0], "duration_us").parse().unwrap();
    assert!(micros < 20_000_000, "{micros}");
    assert_eq!(field(&calls[1], "function"), "panic-with");
    assert_eq!(field(&calls[1], "outcome"), "trap");
}

#[test]
fn metrics_count_calls_errors_latency_memory_and_restarts() {
    let mut plugin = start();
    let host = &mut TestHost::default();
    for i in 0..10 {
        assert_eq!(plugin.add(host, i, 1).unwrap(), i + 1);
    }
    plugin.panic_with(host, "one trap").unwrap_err();
    // A killed runner is restarted by the next call.
    plugin.plugin_mut().kill();
    assert_eq!(plugin.add(host, 1, 1).unwrap(), 2);

    let metrics = plugin.plugin().metrics().clone();
    assert_eq!(metrics.calls(), 12);
    assert_eq!(metrics.errors.get("trap"), Some(&1));
    assert_eq!(metrics.error_count(), 1);
    assert_eq!(metrics.latency.count(), 12);
    let bucketed: u64 = metrics.latency.buckets().map(|(_, n)| n).sum();
    assert_eq!(
        bucketed, 12,
        "every call in exactly one bucket: {metrics:?}"
    );
    assert!(metrics.latency.max() < Duration::from_secs(20));
    // The guest's linear memory is at least one 64 KiB page.
    assert!(metrics.peak_memory_bytes >= 64 << 10, "{metrics:?}");
    assert_eq!(metrics.restarts, 1);
    assert_eq!(metrics.fuel_used, 0, "no fuel is metered by default");
    let line = metrics.to_string();
    assert!(line.starts_with("12 calls, 1 error (trap 1)"), "{line}");
}

#[test]
fn fuel_used_is_reported_when_fuel_is_metered() {
    let config = crate::support::roundtrip_config()
        .policy(airlock::Policy::default().fuel(Some(10_000_000)))
        .deadline(Duration::from_secs(20));
    let mut plugin =
        airlock_testkit::roundtrip::Roundtrip::start(&crate::support::test_runner(), config)
            .expect("start with fuel");
    plugin.add(&mut TestHost::default(), 1, 2).unwrap();
    let first = plugin.plugin().metrics().fuel_used;
    assert!(first > 0);
    plugin.nested(&mut TestHost::default(), 3, 1).unwrap();
    assert!(plugin.plugin().metrics().fuel_used > first);
}

/// What a recorder holds for metric `name` with exactly `labels`.
fn value<'a>(
    snapshot: &'a [(CompositeKey, DebugValue)],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a DebugValue> {
    snapshot
        .iter()
        .find(|(key, _)| {
            let key = key.key();
            let mut found: Vec<(&str, &str)> = key.labels().map(|l| (l.key(), l.value())).collect();
            found.sort();
            key.name() == name && found == labels
        })
        .map(|(_, value)| value)
}

#[test]
fn the_metrics_facade_gets_every_call_failure_restart_and_the_memory_peak() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let mut plugin = start();
    let host = &mut TestHost::default();
    // The facade's thread-local recorder: calls publish on the caller's thread.
    metrics::with_local_recorder(&recorder, || {
        airlock::PluginMetrics::describe();
        for i in 0..3 {
            assert_eq!(plugin.add(host, i, 1).unwrap(), i + 1);
        }
        plugin.panic_with(host, "one trap").unwrap_err();
        plugin.plugin_mut().kill();
        assert_eq!(plugin.add(host, 1, 1).unwrap(), 2);
    });
    let snapshot: Vec<_> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, unit, _, value)| {
            if key.key().name() == "airlock_plugin_call_duration_seconds" {
                assert_eq!(unit, Some(metrics::Unit::Seconds), "described");
            }
            (key, value)
        })
        .collect();
    let plugin_label = [("plugin", "roundtrip")];
    assert_eq!(
        value(&snapshot, "airlock_plugin_calls_total", &plugin_label),
        Some(&DebugValue::Counter(5)),
        "{snapshot:#?}"
    );
    assert_eq!(
        value(
            &snapshot,
            "airlock_plugin_call_failures_total",
            &[("kind", "trap"), ("plugin", "roundtrip")]
        ),
        Some(&DebugValue::Counter(1))
    );
    assert_eq!(
        value(&snapshot, "airlock_plugin_restarts_total", &plugin_label),
        Some(&DebugValue::Counter(1))
    );
    let Some(DebugValue::Histogram(latencies)) = value(
        &snapshot,
        "airlock_plugin_call_duration_seconds",
        &plugin_label,
    ) else {
        panic!("no latency histogram: {snapshot:#?}");
    };
    assert_eq!(latencies.len(), 5);
    assert!(
        latencies.iter().all(|s| s.0 > 0.0 && s.0 < 20.0),
        "{latencies:?}"
    );
    let Some(DebugValue::Gauge(peak)) =
        value(&snapshot, "airlock_plugin_peak_memory_bytes", &plugin_label)
    else {
        panic!("no memory gauge: {snapshot:#?}");
    };
    assert!(
        peak.0 >= f64::from(64 << 10),
        "at least one 64 KiB page: {peak}"
    );
    // No fuel is metered by default, so none is reported.
    assert_eq!(
        value(&snapshot, "airlock_plugin_fuel_used_total", &plugin_label),
        None
    );
    // The facade saw what Plugin::metrics() keeps.
    assert_eq!(plugin.plugin().metrics().calls(), 5);
}
