//! Per-plugin metrics: calls, errors by kind, a latency histogram, peak
//! memory, restarts and fuel, kept by [`crate::Plugin`] as calls finish and
//! published through the [`metrics`] facade, so a host exports them with the
//! recorder it already installed (Prometheus, OpenTelemetry, …).
//!
//! Recording is a handful of integer updates, no allocation: it costs
//! nanoseconds against a call's microsecond. Publishing, once as each call
//! ends, hands the recorder what changed (the call count and latency under
//! keys made once per plugin, which the recorder looks up: about 3 ns with
//! no recorder installed; the rarer updates build their keys as they
//! happen; without a recorder the facade's no-op one drops them), each labelled
//! `plugin` with the name in [`crate::PluginConfig`] (chosen by the host,
//! not by the plugin):
//!
//! | metric | kind | what |
//! | --- | --- | --- |
//! | `airlock_plugin_calls_total` | counter | calls made, whatever their outcome |
//! | `airlock_plugin_call_failures_total` | counter | failed calls, also labelled `kind` ([`crate::Error::kind`]: `trap`, `timeout`, …) |
//! | `airlock_plugin_call_duration_seconds` | histogram | each call's latency as the host saw it |
//! | `airlock_plugin_restarts_total` | counter | runners started after the first |
//! | `airlock_plugin_released_total` | counter | exported objects the runner was told to release |
//! | `airlock_plugin_fuel_used_total` | counter | fuel burned (only when the policy meters fuel) |
//! | `airlock_plugin_peak_memory_bytes` | gauge | the most linear memory and table bytes an instance held |
//!
//! Call [`PluginMetrics::describe`] once after installing a recorder to give
//! it their units and descriptions.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use metrics::{Key, Label, Level, Metadata, SharedString, Unit};

const CALLS: &str = "airlock_plugin_calls_total";
const FAILURES: &str = "airlock_plugin_call_failures_total";
const DURATION: &str = "airlock_plugin_call_duration_seconds";
const RESTARTS: &str = "airlock_plugin_restarts_total";
const RELEASED: &str = "airlock_plugin_released_total";
const FUEL: &str = "airlock_plugin_fuel_used_total";
const PEAK_MEMORY: &str = "airlock_plugin_peak_memory_bytes";

/// Counters of one plugin since it was started; read them with
/// [`crate::Plugin::metrics`].
#[derive(Clone, Default)]
pub struct PluginMetrics {
    /// Failed calls by [`crate::Error::kind`] (`"trap"`, `"timeout"`, …).
    pub errors: BTreeMap<&'static str, u64>,
    /// Latency of every call, as the host saw it (send to result).
    pub latency: LatencyHistogram,
    /// The most linear memory and table bytes any instance held at the end of a call.
    pub peak_memory_bytes: u64,
    /// Runners started after the first (crashes, timeouts, kills).
    pub restarts: u64,
    /// Fuel burned by all calls; 0 when the policy meters none.
    pub fuel_used: u64,
    /// Objects the plugin exported that the host dropped and the runner was
    /// told to release.
    pub released: u64,
    /// What the facade has been given so far.
    published: Published,
}

/// The counters as last published, so that each publish hands the recorder
/// only what changed (the call loop updates the fields where things happen,
/// and publishing stays one call per call).
#[derive(Clone)]
struct CallKeys {
    labels: Arc<[Label]>,
    calls: Key,
    duration: Key,
}

/// What every metric is registered with (the macros' default level).
static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

#[derive(Clone, Default)]
struct Published {
    /// The `plugin` label and the two keys every call updates, made once:
    /// building a key from labels allocates (about 70 ns a call here, no
    /// recorder installed), looking one up does not (about 3 ns).
    keys: Option<CallKeys>,
    errors: BTreeMap<&'static str, u64>,
    peak_memory_bytes: u64,
    restarts: u64,
    fuel_used: u64,
    released: u64,
}

impl PartialEq for PluginMetrics {
    /// The measurements; what was published is bookkeeping.
    fn eq(&self, other: &Self) -> bool {
        self.errors == other.errors
            && self.latency == other.latency
            && self.peak_memory_bytes == other.peak_memory_bytes
            && self.restarts == other.restarts
            && self.fuel_used == other.fuel_used
            && self.released == other.released
    }
}

impl Eq for PluginMetrics {}

impl fmt::Debug for PluginMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginMetrics")
            .field("errors", &self.errors)
            .field("latency", &self.latency)
            .field("peak_memory_bytes", &self.peak_memory_bytes)
            .field("restarts", &self.restarts)
            .field("fuel_used", &self.fuel_used)
            .field("released", &self.released)
            .finish()
    }
}

impl PluginMetrics {
    /// Calls made, whatever their outcome (each is in the histogram once).
    pub fn calls(&self) -> u64 {
        self.latency.count()
    }

    /// Failed calls of every kind.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Gives the installed [`metrics`] recorder the unit and description of
    /// every metric a plugin publishes; call it once, after installing it.
    pub fn describe() {
        metrics::describe_counter!(
            CALLS,
            Unit::Count,
            "plugin calls made, whatever their outcome"
        );
        metrics::describe_counter!(FAILURES, Unit::Count, "failed plugin calls, by kind");
        metrics::describe_histogram!(
            DURATION,
            Unit::Seconds,
            "plugin call latency, send to result"
        );
        metrics::describe_counter!(
            RESTARTS,
            Unit::Count,
            "plugin runners started after the first"
        );
        metrics::describe_counter!(RELEASED, Unit::Count, "exported plugin objects released");
        metrics::describe_counter!(FUEL, Unit::Count, "fuel burned by plugin calls");
        metrics::describe_gauge!(
            PEAK_MEMORY,
            Unit::Bytes,
            "most memory a plugin instance held"
        );
    }

    /// Publishes a finished call of plugin `name` that took `latency`
    /// (already recorded in [`Self::latency`]) and whatever else changed
    /// since the last call: restarts, releases, fuel, memory, failures.
    pub(crate) fn publish(&mut self, name: &str, latency: Duration) {
        let published = &mut self.published;
        let keys = published.keys.get_or_insert_with(|| {
            let name: Arc<str> = Arc::from(name);
            let labels: Arc<[Label]> =
                Arc::from([Label::new("plugin", SharedString::from_shared(name))]);
            CallKeys {
                calls: Key::from_parts(CALLS, labels.to_vec()),
                duration: Key::from_parts(DURATION, labels.to_vec()),
                labels,
            }
        });
        // Looked up in whichever recorder is installed now, so one installed
        // after the plugin started still gets every later call.
        metrics::with_recorder(|r| {
            r.register_counter(&keys.calls, &METADATA).increment(1);
            r.register_histogram(&keys.duration, &METADATA)
                .record(latency.as_secs_f64());
        });
        let labels: &[Label] = &keys.labels;
        for (kind, &count) in &self.errors {
            let before = published.errors.entry(kind).or_default();
            if count > *before {
                let mut labels = labels.to_vec();
                labels.push(Label::new("kind", *kind));
                metrics::counter!(FAILURES, labels).increment(count - *before);
                *before = count;
            }
        }
        let deltas = [
            (RESTARTS, self.restarts, &mut published.restarts),
            (RELEASED, self.released, &mut published.released),
            (FUEL, self.fuel_used, &mut published.fuel_used),
        ];
        for (metric, now, before) in deltas {
            if now > *before {
                metrics::counter!(metric, labels.iter()).increment(now - *before);
                *before = now;
            }
        }
        if self.peak_memory_bytes != published.peak_memory_bytes {
            metrics::gauge!(PEAK_MEMORY, labels.iter()).set(self.peak_memory_bytes as f64);
            published.peak_memory_bytes = self.peak_memory_bytes;
        }
    }
}

/// Bucket `i` counts latencies in `[2^(i-1), 2^i)` microseconds (bucket 0:
/// under 1 µs); the last bucket takes everything from 2^28 µs (about 4.5
/// minutes) up.
const BUCKETS: usize = 30;

/// A latency histogram with power-of-two buckets in microseconds: fixed
/// size (240 bytes), constant-time recording, percentiles within a factor of two.
#[derive(Clone, PartialEq, Eq)]
pub struct LatencyHistogram {
    counts: [u64; BUCKETS],
    total: u64,
    max: Duration,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self {
            counts: [0; BUCKETS],
            total: 0,
            max: Duration::ZERO,
        }
    }
}

impl LatencyHistogram {
    pub fn record(&mut self, latency: Duration) {
        let micros = latency.as_micros().min(u64::MAX as u128) as u64;
        let bucket = (u64::BITS - micros.leading_zeros()) as usize;
        self.counts[bucket.min(BUCKETS - 1)] += 1;
        self.total += 1;
        self.max = self.max.max(latency);
    }

    /// Latencies recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The slowest latency recorded.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// An upper bound of the `q` quantile (`0.0..=1.0`): the top of the
    /// bucket it falls in, never above the maximum. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                if bucket == BUCKETS - 1 {
                    return Some(self.max);
                }
                let top = Duration::from_micros(1u64 << bucket);
                return Some(top.min(self.max));
            }
        }
        Some(self.max)
    }

    /// The non-empty buckets as `(upper bound, count)`.
    pub fn buckets(&self) -> impl Iterator<Item = (Duration, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(bucket, c)| (Duration::from_micros(1u64 << bucket), *c))
    }
}

impl fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.buckets()).finish()
    }
}

impl fmt::Display for PluginMetrics {
    /// One line: `12 calls, 1 error (trap 1), p50 ≤ 64µs, p99 ≤ 1.02ms, max 1.9ms, peak memory 1.1 MiB, 1 restart`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: u64| if n == 1 { "" } else { "s" };
        let calls = self.calls();
        write!(f, "{calls} call{}", s(calls))?;
        let errors = self.error_count();
        if errors > 0 {
            let kinds: Vec<String> = self
                .errors
                .iter()
                .map(|(kind, n)| format!("{kind} {n}"))
                .collect();
            write!(f, ", {errors} error{} ({})", s(errors), kinds.join(", "))?;
        } else {
            write!(f, ", no errors")?;
        }
        if let (Some(p50), Some(p99)) = (self.latency.quantile(0.5), self.latency.quantile(0.99)) {
            write!(
                f,
                ", p50 ≤ {p50:.0?}, p99 ≤ {p99:.0?}, max {:.1?}",
                self.latency.max()
            )?;
        }
        write!(
            f,
            ", peak memory {:.1} MiB",
            self.peak_memory_bytes as f64 / (1 << 20) as f64
        )?;
        if self.fuel_used > 0 {
            write!(f, ", fuel {}", self.fuel_used)?;
        }
        write!(f, ", {} restart{}", self.restarts, s(self.restarts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_land_in_the_right_bucket() {
        let mut h = LatencyHistogram::default();
        for _ in 0..98 {
            h.record(Duration::from_micros(3));
        }
        h.record(Duration::from_millis(5));
        h.record(Duration::from_millis(7));
        assert_eq!(h.count(), 100);
        // 3 µs falls in [2, 4).
        assert_eq!(h.quantile(0.5), Some(Duration::from_micros(4)));
        assert_eq!(h.quantile(0.98), Some(Duration::from_micros(4)));
        // 5 ms falls in [4096, 8192) µs.
        assert_eq!(h.quantile(0.99), Some(Duration::from_micros(7000)));
        assert_eq!(h.max(), Duration::from_millis(7));
        assert_eq!(h.buckets().map(|(_, c)| c).sum::<u64>(), 100);
    }

    #[test]
    fn an_empty_histogram_has_no_quantiles_and_huge_latencies_do_not_overflow() {
        let mut h = LatencyHistogram::default();
        assert_eq!(h.quantile(0.5), None);
        h.record(Duration::MAX);
        h.record(Duration::ZERO);
        assert_eq!(h.count(), 2);
        assert_eq!(h.quantile(0.0), Some(Duration::from_micros(1)));
        // The open-ended last bucket answers with the maximum itself.
        assert_eq!(h.quantile(1.0), Some(Duration::MAX));
    }
}
