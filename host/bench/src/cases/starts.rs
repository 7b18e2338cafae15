//! Cold starts: time to a first answered call without a cache, from a
//! cached artifact (forked from the zygote, exec'd, and on the POSIX
//! backend) and from a warm
//! pool, against spawning a bare process and getting its first echo (and
//! Extism's creates, when it is compared).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use airlock::{Backend, Launcher, PluginConfig, WarmPool};
use airlock_testkit::battery::PingHost;
use airlock_testkit::roundtrip::Roundtrip;
use anyhow::Result;

use super::Plan;
use crate::breakdown::{Point, breakdown};
use crate::echo::EchoPipe;
use crate::extism::ExtismPeer;
use crate::measure::{Figures, Summary};

/// Where cached starts went, forked and exec'd.
pub type StartSteps = Vec<(&'static str, Vec<Point>)>;

/// Time to a first answered call, by way of starting, against spawning a bare
/// process and getting its first echo; and where cached starts went.
pub(super) fn cold_starts(
    plan: &Plan,
    plain: &Launcher,
    cached: &Launcher,
    config: &dyn Fn() -> PluginConfig,
    peer: Option<Rc<RefCell<ExtismPeer>>>,
) -> Result<(Figures, StartSteps)> {
    eprintln!("cold start: {} interleaved rounds…", plan.start_rounds);
    // Fill the cache first, so that "cached" means a verified artifact.
    let first = Roundtrip::start(cached, config())?;
    anyhow::ensure!(!first.plugin().started_from_cache());
    drop(first);
    let pool = WarmPool::new(cached, config(), Roundtrip::WORLD, 1);
    // The same cache, each runner an exec of the program instead of a fork
    // of the zygote: what the zygote saves.
    let execd = cached.clone().without_zygote();
    // The same cache on the POSIX backend (macOS's): exec'd, no namespaces.
    let posix = cached.clone().with_backend(Backend::Posix);
    let mut samples: Vec<(String, Vec<Duration>)> = [
        "bare spawn + echo",
        "airlock, no cache",
        "airlock, cached artifact",
        "airlock, warm pool",
        "extism create, no cache",
        "extism create, cached",
        "extism create, compiled",
        "airlock, cached artifact, exec'd",
        "airlock, cached artifact, POSIX backend",
    ]
    .iter()
    .map(|n| (n.to_string(), Vec::new()))
    .collect();
    // Each sample starts on a quiet machine: the previous sample's process
    // has exited and been torn down, and the pool has refilled, so that no
    // sample pays for another's work (these machines may have 2 cores).
    let quiet = || std::thread::sleep(Duration::from_millis(20));
    let (mut forked, mut execd_steps, mut posix_steps) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..plan.start_rounds {
        anyhow::ensure!(
            pool.wait_full(Duration::from_secs(30)) == 1,
            "the warm pool did not fill"
        );
        quiet();
        let started = Instant::now();
        let mut plugin = Roundtrip::from_plugin(pool.take()?)?;
        plugin.noop(&mut PingHost::default())?;
        samples[3].1.push(started.elapsed());
        drop(plugin);
        anyhow::ensure!(
            pool.wait_full(Duration::from_secs(30)) == 1,
            "the warm pool did not refill"
        );

        quiet();
        let started = Instant::now();
        let mut pipe = EchoPipe::spawn()?;
        pipe.echo(&[0; 16])?;
        samples[0].1.push(started.elapsed());
        drop(pipe);

        for (i, launcher) in [(1, plain), (2, cached), (7, &execd), (8, &posix)] {
            quiet();
            let started = Instant::now();
            let mut plugin = Roundtrip::start(launcher, config())?;
            plugin.noop(&mut PingHost::default())?;
            samples[i].1.push(started.elapsed());
            anyhow::ensure!(plugin.plugin().started_from_cache() == (i != 1));
            let timeline = plugin.plugin().startup().cloned();
            match i {
                2 => forked.extend(timeline),
                7 => execd_steps.extend(timeline),
                8 => posix_steps.extend(timeline),
                _ => {}
            }
        }

        if let Some(peer) = &peer {
            for (i, command) in [
                (4, "create-cold"),
                (5, "create-cached"),
                (6, "create-compiled"),
            ] {
                quiet();
                samples[i].1.push(peer.borrow_mut().run(command)?);
            }
        }
    }
    samples.retain(|(_, s)| !s.is_empty());
    let figures = Figures(
        samples
            .into_iter()
            .map(|(n, s)| (n, Summary::of(s)))
            .collect(),
    );
    let steps = vec![
        ("cached start, forked", breakdown(&forked)),
        ("cached start, exec'd", breakdown(&execd_steps)),
        ("cached start, POSIX backend", breakdown(&posix_steps)),
    ];
    Ok((figures, steps))
}
