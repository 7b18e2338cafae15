//! The battery's wire section: fake runners that misbehave on the wire
//! (garbage, oversized or unsolicited frames, silence, trickling), which
//! the host must kill with a typed error instead of hanging or trusting.

use std::time::Instant;

use airlock::{Error, Launcher, PluginConfig, Policy};

use super::{Battery, DEADLINE, Outcome, PingHost};
use crate::roundtrip::Roundtrip;

impl Battery {
    /// Runners that misbehave on the wire.
    pub(super) fn runner_attacks(&self, out: &mut Vec<Outcome>) {
        for (behaviour, what) in [
            ("garbage", "runner sends garbage frames"),
            ("oversized", "runner sends an oversized frame length"),
            ("unsolicited", "runner sends an unsolicited reply"),
            ("undecodable-result", "runner sends an undecodable result"),
            (
                "unasked-artifact",
                "runner sends an artifact nobody asked for",
            ),
            ("silent", "runner never answers a call"),
            ("trickle", "runner trickles its answer a byte at a time"),
        ] {
            let started = Instant::now();
            let config = PluginConfig::new(behaviour, b"unused".to_vec())
                .policy(Policy::default().require([]).deadline(DEADLINE));
            let result = Roundtrip::start(&Launcher::program(&self.fake_runner), config).and_then(
                |mut p| {
                    let r = p.add(&mut PingHost::default(), 1, 2);
                    let alive = p.plugin().pid().is_some();
                    r.map(|v| (v, alive))
                },
            );
            let took = started.elapsed();
            let (contained, layer) = match &result {
                Err(Error::Protocol { .. }) => (true, "frame checks: killed"),
                Err(Error::Timeout { .. }) => (true, "host watchdog: killed"),
                _ => (false, "-"),
            };
            out.push(Outcome {
                attack: what.into(),
                layer,
                contained,
                detail: match result {
                    Ok((v, alive)) => format!("returned {v}, runner alive: {alive}"),
                    Err(e) => e.to_string(),
                },
                took,
            });
        }
    }
}
