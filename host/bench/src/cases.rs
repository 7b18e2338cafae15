//! The measured cases, in the order they run: Extism at its steady best
//! (alone, in its own process), per-call latency and the 4K image
//! (`calls`), cold starts (`starts`), many plugins alive and their
//! throughput (`load`), then the languages section. [`Plan`] says how much
//! of each to do.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use airlock::{ArtifactCache, Launcher, PluginConfig, Policy};
use anyhow::{Context, Result};
use serde_json::Value;

use crate::extism::{self, ExtismPeer, Steady};
use crate::languages;
use crate::measure::Figures;

mod calls;
mod load;
mod starts;

use calls::{image, latency};
use load::{memory, throughput};
pub use starts::StartSteps;
use starts::cold_starts;

/// How much of everything to do.
pub struct Plan {
    pub rounds: usize,
    /// Blocks kept of each case of Extism's steady measurement.
    pub steady_blocks: usize,
    pub start_rounds: usize,
    pub image_rounds: usize,
    pub plugins_alive: usize,
    pub throughput_for: Duration,
    pub languages: languages::LanguagePlan,
    /// Only these of [`SECTIONS`]; all when `None`.
    pub only: Option<Vec<String>>,
}

/// The sections `--only` picks from, in the order they run.
pub const SECTIONS: [&str; 6] = [
    "latency",
    "image",
    "starts",
    "memory",
    "throughput",
    "languages",
];

impl Plan {
    fn wants(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|s| s == section))
    }
}

impl Plan {
    /// `--quick`: about a minute of both cores.
    pub fn quick() -> Self {
        Plan {
            rounds: 25,
            steady_blocks: 10,
            start_rounds: 12,
            image_rounds: 3,
            plugins_alive: 1000,
            throughput_for: Duration::from_millis(1000),
            languages: languages::LanguagePlan {
                start_rounds: 6,
                call_rounds: 10,
                image_rounds: 1,
            },
            only: None,
        }
    }

    /// The full run.
    pub fn full() -> Self {
        Plan {
            rounds: 60,
            steady_blocks: 30,
            start_rounds: 30,
            image_rounds: 8,
            plugins_alive: 1000,
            throughput_for: Duration::from_secs(3),
            languages: languages::LanguagePlan {
                start_rounds: 20,
                call_rounds: 30,
                image_rounds: 3,
            },
            only: None,
        }
    }
}

pub const KIB: usize = 1 << 10;
pub const MIB: usize = 1 << 20;
pub const SIZES: [usize; 4] = [KIB, 64 * KIB, MIB, 16 * MIB];

pub fn size_name(n: usize) -> String {
    match n {
        n if n >= MIB => format!("{} MiB", n / MIB),
        n if n >= KIB => format!("{} KiB", n / KIB),
        n => format!("{n} B"),
    }
}

/// Calls per timed batch: enough to dwarf the clock for small payloads.
pub fn batch_for(payload: usize) -> usize {
    match payload {
        0..=4096 => 200,
        4097..=65536 => 50,
        65537..=2_000_000 => 5,
        _ => 1,
    }
}

/// Every figure of one run.
pub struct Measured {
    /// Extism at its steady best; empty without a peer.
    pub extism_steady: Steady,
    pub latency: Figures,
    pub image: Figures,
    pub starts: Figures,
    pub start_steps: StartSteps,
    pub memory: Value,
    pub throughput: Value,
    pub languages: Value,
}

/// Runs every case under `plan`, with Extism's too when `extism` names its
/// peer binary and plugin.
pub fn measure(plan: &Plan, extism: Option<&(PathBuf, PathBuf)>) -> Result<Measured> {
    let roundtrip_bytes = std::fs::read(airlock_testkit::guest_path("test_roundtrip"))
        .context("reading the roundtrip guest; run `cargo xtask build-plugins`")?;
    let grayscale_bytes = std::fs::read(airlock_testkit::guest_path("grayscale"))
        .context("reading the grayscale plugin; run `cargo xtask build-plugins`")?;
    let cache_dir =
        std::env::temp_dir().join(format!("airlock-bench-cache-{}", std::process::id()));
    let plain = Launcher::current_exe()?;
    let cached = Launcher::current_exe()?.with_cache(ArtifactCache::open(&cache_dir)?);
    let config = || {
        PluginConfig::new("bench", roundtrip_bytes.clone())
            .policy(Policy::default().deadline(Duration::from_secs(60)))
    };

    let peer = match extism {
        Some((program, plugin)) => Some(Rc::new(RefCell::new(ExtismPeer::spawn(program, plugin)?))),
        None => {
            eprintln!("no Extism peer (--extism): P7 and P8 are not measured");
            None
        }
    };
    // First, while the bench has no other process alive.
    let extism_steady = match &peer {
        Some(peer) if plan.wants("latency") => {
            let sizes = SIZES.map(|size| (size_name(size), size));
            extism::steady(&mut peer.borrow_mut(), plan.steady_blocks, &sizes)?
        }
        _ => Steady(Vec::new()),
    };
    let none = || Figures(Vec::new());
    let latency = match plan.wants("latency") {
        true => latency(plan, &plain, config(), &roundtrip_bytes, peer.clone())?,
        false => none(),
    };
    let image = match plan.wants("image") {
        true => image(plan, &plain, &grayscale_bytes)?,
        false => none(),
    };
    let (starts, start_steps) = match plan.wants("starts") {
        true => cold_starts(plan, &plain, &cached, &config, peer.clone())?,
        false => (none(), Vec::new()),
    };
    let memory = match plan.wants("memory") {
        true => memory(plan, &cached, &config)?,
        false => Value::Object(Default::default()),
    };
    let throughput = match plan.wants("throughput") {
        true => throughput(plan, &cached, &config)?,
        false => Value::Object(Default::default()),
    };
    let languages = match plan.wants("languages") {
        true => languages::measure(&plan.languages, &std::env::current_exe()?, &cache_dir)?,
        false => Value::Object(Default::default()),
    };
    let _ = std::fs::remove_dir_all(&cache_dir);
    Ok(Measured {
        extism_steady,
        latency,
        image,
        starts,
        start_steps,
        memory,
        throughput,
        languages,
    })
}
