//! The battery's shared-artifact section: a runner started from the cache
//! maps the same sealed memfd as every other runner of the plugin, so a
//! compromised one must not be able to change it. Each attack runs with raw
//! system calls in a locked-down runner that mapped the artifact, while a
//! neighbour mapping the same memfd keeps answering.

use std::time::{Duration, Instant};

use airlock::{ArtifactCache, Error, PluginConfig};

use super::host_surface::captured;
use super::{Battery, Outcome, PingHost, describe};
use crate::roundtrip::Roundtrip;

impl Battery {
    pub(super) fn artifact_attacks(&self, out: &mut Vec<Outcome>) {
        let dir = self.scratch.join("artifact-cache");
        let _ = std::fs::remove_dir_all(&dir);
        let launcher = match ArtifactCache::open(&dir) {
            Ok(cache) => self.launcher().with_cache(cache),
            Err(e) => return out.push(failed("open an artifact cache", e)),
        };
        let config = |name: &str| PluginConfig::from_file(name, &self.roundtrip_guest);
        // The first plugin compiles and fills the cache; the neighbour maps it.
        let keeper = config("artifact-keeper").and_then(|c| Roundtrip::start(&launcher, c));
        let neighbour = config("artifact-neighbour").and_then(|c| Roundtrip::start(&launcher, c));
        let (_keeper, mut neighbour) = match (keeper, neighbour) {
            (Ok(k), Ok(n)) if n.plugin().started_from_cache() => (k, n),
            (Err(e), _) | (_, Err(e)) => return out.push(failed("start from the cache", e)),
            _ => {
                return out.push(Outcome {
                    attack: "start from the cache".into(),
                    layer: "-",
                    contained: false,
                    detail: "the neighbour did not start from the cached artifact".into(),
                    took: Duration::ZERO,
                });
            }
        };
        for attack in crate::native::ARTIFACT_ATTACKS {
            let started = Instant::now();
            let (result, log) = captured(|| {
                config(&format!("native:{attack}")).and_then(|c| Roundtrip::start(&launcher, c))
            });
            let took = started.elapsed();
            let log = log.text();
            // A runner killed by seccomp is `Denied`. One the kernel refused
            // exits; the host then drops the entry it started from (it may
            // have hurt the runner) and starts a compiling runner, which
            // attacks wasmtime's own sealed image memfd, or starts normally
            // when it has none: what each runner said is in its stderr and
            // the host's log.
            let said = match &result {
                Err(Error::Crashed { stderr_tail, .. }) => format!("{stderr_tail} {log}"),
                _ => log.clone(),
            };
            let refusal = said
                .find("refused:")
                .map(|at| said[at..].lines().next().unwrap_or("").to_string());
            let (contained, layer, detail) = match (&result, refusal) {
                (Err(Error::Denied { reason, .. }), _) => {
                    (true, "seccomp (killed, SIGSYS)", reason.to_string())
                }
                (Ok(_) | Err(Error::Crashed { .. }), Some(refusal))
                    if !said.contains("ESCAPED") =>
                {
                    (true, "memfd seals + read-only descriptor", refusal)
                }
                (other, _) => (false, "-", format!("{}; log: {log}", describe(other))),
            };
            out.push(Outcome {
                attack: format!("shared artifact: {attack}"),
                layer,
                contained,
                detail,
                took,
            });
        }
        let answer = neighbour.add(&mut PingHost::default(), 20, 22);
        out.push(Outcome {
            attack: "shared artifact: the neighbour still answers".into(),
            layer: "memfd seals",
            contained: matches!(answer, Ok(42)) && neighbour.plugin().runners_started() == 1,
            detail: format!(
                "{}; {} runner(s)",
                describe(&answer),
                neighbour.plugin().runners_started()
            ),
            took: Duration::ZERO,
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn failed(what: &str, e: Error) -> Outcome {
    Outcome {
        attack: format!("shared artifact: {what}"),
        layer: "-",
        contained: false,
        detail: e.to_string(),
        took: Duration::ZERO,
    }
}
