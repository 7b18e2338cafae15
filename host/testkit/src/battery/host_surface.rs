//! The battery's "host surface" section: what a plugin says and asks for is
//! hostile input to the host's own code. Each entry asserts the bound or the
//! escape it claims, measured on what reached the host: its log (captured
//! with a `tracing` subscriber), its errors and its progress callback.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, PluginText, Policy};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

use super::{Battery, Outcome, PingHost};
use crate::hostile::Hostile;
use crate::roundtrip::Roundtrip;

/// Text that tries every trick on a terminal and a log at once: an OSC 52
/// clipboard write, a CSI screen clear, a carriage return, a bidi override,
/// and a line feed followed by a forged log line.
pub const HOSTILE_TEXT: &str = "ok\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\rdone\u{202e}txt\n2026-12-01T00:00:00Z  INFO airlock: forged";

/// Characters that must never reach the host's terminal from a plugin.
const RAW: [char; 5] = ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'];

/// One event the host logged: its `stream` field (stdout, stderr) if any,
/// and its message.
#[derive(Debug, Clone)]
struct Event {
    stream: Option<String>,
    message: String,
}

#[derive(Clone, Default)]
pub(super) struct Log {
    events: Arc<Mutex<Vec<Event>>>,
    text: Arc<Mutex<Vec<u8>>>,
}

impl Log {
    fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Fields<'a>(&'a mut Event);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        match field.name() {
            "message" => self.0.message = text,
            "stream" => self.0.stream = Some(text),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Log {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut seen = Event {
            stream: None,
            message: String::new(),
        };
        event.record(&mut Fields(&mut seen));
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(seen);
    }
}

/// Runs `f` with the host's log captured, as events and as the text a
/// terminal would show.
pub(super) fn captured<T>(f: impl FnOnce() -> T) -> (T, Log) {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::registry()
        .with(log.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        )
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let value = tracing::subscriber::with_default(subscriber, f);
    (value, log)
}

/// Whether `text` shows nothing raw and forges no line.
fn clean(text: &str) -> bool {
    !text.contains(RAW) && !text.lines().any(|l| l.starts_with("2026-12-01T00:00:00Z"))
}

fn entry(
    attack: &str,
    layer: &'static str,
    contained: bool,
    detail: String,
    took: Duration,
) -> Outcome {
    Outcome {
        attack: attack.into(),
        layer,
        contained,
        detail,
        took,
    }
}

impl Battery {
    pub(super) fn host_surface(&self, out: &mut Vec<Outcome>) {
        self.plugin_text(out);
        self.floods(out);
        self.manifest_requests(out);
    }

    fn roundtrip(&self, name: &str, policy: Policy) -> Result<Roundtrip, Error> {
        let config = PluginConfig::from_file(name, &self.roundtrip_guest)?.policy(policy);
        Roundtrip::start(&self.launcher(), config)
    }

    /// Text a plugin says every way it can, and text in its name and stamp.
    fn plugin_text(&self, out: &mut Vec<Outcome>) {
        let started = Instant::now();
        let progress = Arc::new(Mutex::new(Vec::new()));
        let sink = progress.clone();
        let (said, log) = captured(|| {
            let mut plugin = self.roundtrip("say", Policy::default())?;
            plugin
                .plugin_mut()
                .on_progress(move |_, text| sink.lock().unwrap().push(text.to_string()));
            plugin.say(&mut PingHost::default(), HOSTILE_TEXT)?;
            plugin.panic_with(&mut PingHost::default(), HOSTILE_TEXT)
        });
        let took = started.elapsed();
        let (events, text) = (log.events(), log.text());
        let escaped = PluginText::escape(HOSTILE_TEXT).to_string();
        let has = |stream: Option<&str>| {
            events.iter().any(|e| {
                e.stream.as_deref() == stream && e.message.contains("ok\\x1b]52;c;cm0gLXJmIH4=")
            })
        };
        for (attack, layer, contained) in [
            (
                "log line with terminal controls",
                "PluginText escape (host log)",
                has(None) && clean(&text),
            ),
            (
                "stdout line with terminal controls",
                "PluginText escape (host log)",
                has(Some("stdout")) && clean(&text),
            ),
            (
                "stderr line with terminal controls",
                "PluginText escape (host log)",
                has(Some("stderr")) && clean(&text),
            ),
            (
                "forged log line after a line feed",
                "continuation lines marked",
                text.contains("\n  | 2026-12-01T00:00:00Z") && clean(&text),
            ),
            (
                "progress message with terminal controls",
                "PluginText escape (progress callback)",
                progress.lock().unwrap().first() == Some(&escaped),
            ),
        ] {
            out.push(entry(
                attack,
                layer,
                contained,
                format!("{} log lines", events.len()),
                took,
            ));
        }
        let trap = said.map(|()| "returned");
        out.push(entry(
            "trap message with terminal controls",
            "PluginText escape (Error)",
            matches!(&trap, Err(e @ Error::Trap { .. }) if clean(&e.to_string()) && e.to_string().contains(&escaped)),
            super::describe(&trap),
            took,
        ));

        // A name (from a file name) and a stamp with controls.
        let started = Instant::now();
        let evil = self
            .roundtrip("evil\x1b[2J\u{202e}", Policy::default())
            .and_then(|mut p| p.panic_with(&mut PingHost::default(), "x"));
        out.push(entry(
            "plugin name with terminal controls",
            "PluginText escape (Error)",
            matches!(&evil, Err(e) if clean(&e.to_string()) && e.to_string().contains("evil\\x1b[2J")),
            super::describe(&evil),
            started.elapsed(),
        ));
        let started = Instant::now();
        let stamp = "airlock:test/roundtrip@0.1.0\x1b]8;;https://evil.invalid\x07";
        let stamped = std::fs::read(&self.roundtrip_guest)
            .map(|bytes| crate::restamped(&bytes, stamp))
            .map_err(|e| e.to_string());
        let result = match stamped {
            Ok(bytes) => Roundtrip::start(&self.launcher(), PluginConfig::new("stamped", bytes)),
            Err(e) => Err(Error::Policy { detail: e }),
        };
        out.push(entry(
            "world stamp with terminal controls",
            "stamp check; PluginText escape (Error)",
            matches!(&result, Err(e @ Error::WorldMismatch { .. }) if clean(&e.to_string()) && e.to_string().contains("\\x1b]8;;")),
            super::describe(&result),
            started.elapsed(),
        ));
    }

    /// Floods whose every byte the host would log: what reached the host is
    /// measured against the bound.
    fn floods(&self, out: &mut Vec<Outcome>) {
        let volume = self.policy().log_volume.0;
        let started = Instant::now();
        let seen = Arc::new(Mutex::new(0u64));
        let counter = seen.clone();
        let (result, _) = captured(|| {
            let mut plugin = self.roundtrip("progress", self.policy())?;
            plugin
                .plugin_mut()
                .on_progress(move |_, _| *counter.lock().unwrap() += 1);
            plugin.report_progress(&mut PingHost::default(), 20_000)
        });
        let seen = *seen.lock().unwrap();
        let bound = volume / airlock::plugin_log::MESSAGE_COST;
        out.push(entry(
            "progress flood (20 000 reports)",
            "log volume per call (progress counts)",
            result.is_ok() && seen > 0 && seen <= bound,
            format!("{seen} reports reached the callback (bound {bound})"),
            started.elapsed(),
        ));

        let started = Instant::now();
        let (result, log) = captured(|| {
            let mut plugin = self.hostile_plugin()?;
            plugin
                .attacks()
                .log_flood(&mut PingHost::default(), 100_000)
        });
        let logged: u64 = log
            .events()
            .iter()
            .filter(|e| e.message.starts_with("log flood line"))
            .map(|e| e.message.len() as u64 + airlock::plugin_log::MESSAGE_COST)
            .sum();
        out.push(entry(
            "log flood (100 000 lines): bytes reaching the host",
            "log volume per call",
            matches!(result, Ok(Ok(_))) && logged > 0 && logged <= volume,
            format!("{logged} bytes logged of a {volume}-byte volume"),
            started.elapsed(),
        ));

        let started = Instant::now();
        let (result, log) = captured(|| {
            let mut plugin = self.hostile_plugin()?;
            plugin
                .attacks()
                .print_flood(&mut PingHost::default(), 64 << 20)
        });
        let took = started.elapsed();
        let printed: u64 = log
            .events()
            .iter()
            .filter(|e| e.stream.as_deref() == Some("stdout"))
            .map(|e| e.message.len() as u64 + 1)
            .sum();
        // One second of burst, then the rate, for as long as the call ran.
        let rate = self.policy().output_rate.0;
        let bound = rate + (rate as f64 * took.as_secs_f64()) as u64;
        out.push(entry(
            "stdout flood (64 MiB): bytes reaching the host",
            "output rate limit",
            matches!(result, Ok(Ok(_)) | Err(Error::Timeout { .. }))
                && printed > 0
                && printed <= bound,
            format!("{printed} bytes logged, bound {bound}"),
            took,
        ));
    }

    fn hostile_plugin(&self) -> Result<Hostile, Error> {
        self.hostile(self.policy())
    }

    /// What a manifest asks for: refused by comparison, never acted on.
    fn manifest_requests(&self, out: &mut Vec<Outcome>) {
        let dir = self.scratch.join("manifests");
        let _ = std::fs::create_dir_all(&dir);
        let component = dir.join("beacon.wasm");
        let copied = std::fs::copy(&self.roundtrip_guest, &component);
        let manifest = "name = \"beacon\\u001b[2J\"\nversion = \"1.0.0\"\n\
             world = \"airlock:test/roundtrip@0.1.0\"\n\
             [[capability]]\nkind = \"network\"\naddress = \"beacon.airlock-battery.invalid:443\"\n\
             reason = \"phones home\\u202e\"\n";
        let written = std::fs::write(component.with_extension("toml"), manifest);
        let started = Instant::now();
        let result = match (copied, written) {
            (Ok(_), Ok(())) => PluginConfig::from_file("beacon", &component)
                .and_then(|c| Roundtrip::start(&self.launcher(), c)),
            (Err(e), _) | (_, Err(e)) => Err(Error::Policy {
                detail: e.to_string(),
            }),
        };
        let took = started.elapsed();
        out.push(entry(
            "network name in a manifest, no network granted",
            "manifest review: refused by comparison",
            matches!(&result, Err(Error::Denied { capability, .. }) if capability.contains("beacon.airlock-battery.invalid")),
            super::describe(&result),
            took,
        ));
        out.push(entry(
            "manifest fields with terminal controls",
            "PluginText escape (Error)",
            matches!(&result, Err(e) if clean(&e.to_string()) && e.to_string().contains("beacon\\x1b[2J")),
            super::describe(&result),
            took,
        ));
    }
}
