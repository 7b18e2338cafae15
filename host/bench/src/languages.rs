//! The `languages` section: the same cases for a Rust, a JavaScript and a
//! Python guest, side by side in one run — compile, cached and warm-pool
//! start, idle memory with many alive, no-op and 1 MiB calls, and the 4K
//! grayscale — whose figures the P10 goals (in `goals.rs`) read for the big
//! (JS and Python) guests.

use std::path::Path;
use std::time::{Duration, Instant};

use airlock::{ArtifactCache, Launcher, PluginConfig, Policy, WarmPool};
use airlock_testkit::battery::PingHost;
use airlock_testkit::filter::{Filter, Image};
use airlock_testkit::roundtrip::Roundtrip;
use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::measure::{Case, Summary, interleave, local, round};

/// One guest language: the name of its roundtrip and grayscale guests in the plugin folder.
pub struct Language {
    pub name: &'static str,
    roundtrip: &'static str,
    grayscale: &'static str,
}

pub const LANGUAGES: [Language; 3] = [
    Language {
        name: "rust",
        roundtrip: "test_roundtrip",
        grayscale: "grayscale",
    },
    Language {
        name: "js",
        roundtrip: "js_roundtrip",
        grayscale: "js_grayscale",
    },
    Language {
        name: "python",
        roundtrip: "py_roundtrip",
        grayscale: "py_grayscale",
    },
];

/// How much of the languages section to do.
pub struct LanguagePlan {
    pub start_rounds: usize,
    pub call_rounds: usize,
    pub image_rounds: usize,
}

/// Plugins of each language alive at once for the memory figures, as P10 asks.
const ALIVE: usize = 50;

fn read_guest(name: &str) -> Result<Vec<u8>> {
    std::fs::read(airlock_testkit::guest_path(name))
        .with_context(|| format!("reading guest {name}; run `cargo xtask build-plugins`"))
}

fn config(name: &str, bytes: Vec<u8>) -> PluginConfig {
    PluginConfig::new(name, bytes).policy(
        Policy::default()
            .deadline(Duration::from_secs(300))
            .memory(1 << 30),
    )
}

fn quiet() {
    std::thread::sleep(Duration::from_millis(20));
}

fn ms(d: Duration) -> f64 {
    round(d.as_secs_f64() * 1e3)
}

/// Measures every language and returns the `languages` JSON.
pub fn measure(plan: &LanguagePlan, exe: &Path, scratch: &Path) -> Result<Value> {
    let mut report = serde_json::Map::new();
    let mut guests = Vec::new();
    for lang in &LANGUAGES {
        let roundtrip = read_guest(lang.roundtrip)?;
        let grayscale = read_guest(lang.grayscale)?;
        let sizes = (roundtrip.len(), grayscale.len());
        // One config per guest, cloned for every start, as a host keeps one:
        // the component is shared, not copied, and hashed once.
        let roundtrip = config(lang.name, roundtrip);
        let grayscale = config(lang.name, grayscale);
        let dir = scratch.join(format!("cache-{}", lang.name));
        let _ = std::fs::remove_dir_all(&dir);
        let cached = Launcher::program(exe).with_cache(ArtifactCache::open(&dir)?);
        eprintln!(
            "languages: compiling the {} guests ({:.1} MB and {:.1} MB)…",
            lang.name,
            sizes.0 as f64 / 1e6,
            sizes.1 as f64 / 1e6
        );
        // Compile: a first start with an empty cache, to its first answered call.
        let started = Instant::now();
        let mut first = Roundtrip::start(&cached, roundtrip.clone())?;
        first.noop(&mut PingHost::default())?;
        let compile = started.elapsed();
        anyhow::ensure!(!first.plugin().started_from_cache());
        guests.push((lang, roundtrip, grayscale, cached, Some(first), compile));
    }

    // Starts, interleaved across languages round by round.
    eprintln!("languages: {} rounds of starts…", plan.start_rounds);
    let pools: Vec<WarmPool> = guests
        .iter()
        .map(|(_, rt, _, cached, _, _)| WarmPool::new(cached, rt.clone(), Roundtrip::WORLD, 1))
        .collect();
    let mut cached_starts = vec![Vec::new(); guests.len()];
    let mut pool_starts = vec![Vec::new(); guests.len()];
    for _ in 0..plan.start_rounds {
        for (i, (lang, rt, _, cached, _, _)) in guests.iter().enumerate() {
            quiet();
            let started = Instant::now();
            let mut p = Roundtrip::start(cached, rt.clone())?;
            p.noop(&mut PingHost::default())?;
            cached_starts[i].push(started.elapsed());
            anyhow::ensure!(p.plugin().started_from_cache(), "{}: not cached", lang.name);
            drop(p);

            anyhow::ensure!(
                pools[i].wait_full(Duration::from_secs(60)) == 1,
                "the {} warm pool did not fill",
                lang.name
            );
            quiet();
            let started = Instant::now();
            let mut p = Roundtrip::from_plugin(pools[i].take()?)?;
            p.noop(&mut PingHost::default())?;
            pool_starts[i].push(started.elapsed());
        }
    }
    drop(pools);

    // Calls, interleaved: each language's plugin at its best (warmed by the
    // first round, which is not kept).
    eprintln!("languages: {} rounds of calls…", plan.call_rounds);
    let mib = vec![7u8; 1 << 20];
    let mut cases: Vec<Case> = Vec::new();
    let mut plugins: Vec<_> = Vec::new();
    for (lang, _, _, _, first, _) in guests.iter_mut() {
        let plugin = std::rc::Rc::new(std::cell::RefCell::new(
            first
                .take()
                .expect("each language's first plugin is used once"),
        ));
        plugins.push(plugin.clone());
        let p = plugin.clone();
        cases.push((
            format!("{} no-op", lang.name),
            50,
            local(move || Ok(p.borrow_mut().noop(&mut PingHost::default())?)),
        ));
        let data = mib.clone();
        cases.push((
            format!("{} echo 1 MiB", lang.name),
            2,
            local(move || {
                let back = plugin
                    .borrow_mut()
                    .values()
                    .echo_bytes(&mut PingHost::default(), &data)?;
                anyhow::ensure!(back == data, "the echo changed the bytes");
                Ok(())
            }),
        ));
    }
    let calls = interleave(&mut cases, plan.call_rounds)?;
    drop(cases);
    drop(plugins);

    // A cached start with no plugin of that component alive, as the first
    // start in a new host process: the entry is copied into a fresh sealed
    // memfd and its MAC checked before the runner maps it.
    let mut fresh_starts = vec![Vec::new(); guests.len()];
    for _ in 0..plan.start_rounds {
        for (i, (_, rt, _, cached, _, _)) in guests.iter().enumerate() {
            quiet();
            let started = Instant::now();
            let mut p = Roundtrip::start(cached, rt.clone())?;
            p.noop(&mut PingHost::default())?;
            fresh_starts[i].push(started.elapsed());
        }
    }

    // The 4K grayscale, interleaved across languages.
    eprintln!(
        "languages: {} rounds of the 3840x2160 grayscale…",
        plan.image_rounds
    );
    let (w, h) = (3840u32, 2160u32);
    let image = std::rc::Rc::new(Image {
        width: w,
        height: h,
        pixels: (0..w * h * 4).map(|i| (i % 251) as u8).collect(),
    });
    let mut image_cases: Vec<Case> = Vec::new();
    for (lang, _, gray, cached, _, _) in &guests {
        let mut filter = Filter::start(cached, gray.clone())?;
        let img = image.clone();
        image_cases.push((
            format!("{} grayscale 3840x2160", lang.name),
            1,
            local(move || {
                let out = filter
                    .apply(&img, &[])?
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                anyhow::ensure!(is_grayscale(&img.pixels, &out.pixels), "wrong grayscale");
                Ok(())
            }),
        ));
    }
    let images = interleave(&mut image_cases, plan.image_rounds)?;
    drop(image_cases);

    // Idle memory with many alive, one language at a time.
    for (i, (lang, rt, _, cached, _, compile)) in guests.iter().enumerate() {
        eprintln!("languages: {} {} plugins alive…", ALIVE, lang.name);
        let memory = crate::alive::alive(ALIVE, cached, &|| rt.clone())?;
        let cached_start = Summary::of(cached_starts[i].clone());
        let pool_start = Summary::of(pool_starts[i].clone());
        let noop = &calls[2 * i].1;
        let echo = &calls[2 * i + 1].1;
        let gray = &images[i].1;
        report.insert(
            lang.name.into(),
            json!({
                "roundtrip_bytes": rt.component().len(),
                "compile_ms": ms(*compile),
                "cached_start_ms": cached_start.to_json_ms(),
                "warm_pool_start_ms": pool_start.to_json_ms(),
                "fresh_memfd_start_ms": Summary::of(fresh_starts[i].clone()).to_json_ms(),
                "noop_us": noop.to_json(),
                "echo_1mib_us": echo.to_json(),
                "grayscale_3840x2160_ms": gray.to_json_ms(),
                "memory": memory,
            }),
        );
    }
    Ok(Value::Object(report))
}

/// Whether `out` is `input` in Rec. 709 luma (within one step of rounding,
/// since each language does its arithmetic in its own float width), alpha kept.
fn is_grayscale(input: &[u8], out: &[u8]) -> bool {
    input.len() == out.len()
        && input
            .chunks_exact(4)
            .zip(out.chunks_exact(4))
            .all(|(i, o)| {
                let luma =
                    0.2126 * f64::from(i[0]) + 0.7152 * f64::from(i[1]) + 0.0722 * f64::from(i[2]);
                o[..3].iter().all(|&c| (f64::from(c) - luma).abs() <= 1.0) && o[3] == i[3]
            })
}

/// Prints the languages side by side, one column each.
pub fn print_table(report: &Value) {
    println!();
    print!("{:<34}", "per language");
    for lang in &LANGUAGES {
        print!(" {:>14}", lang.name);
    }
    println!();
    let rows: [(&str, &[&str], f64, &str); 11] = [
        ("component size", &["roundtrip_bytes"], 1e-6, "MB"),
        ("compile, first start", &["compile_ms"], 1.0, "ms"),
        (
            "cached start (median)",
            &["cached_start_ms", "median"],
            1.0,
            "ms",
        ),
        (
            "cached start, fresh memfd (median)",
            &["fresh_memfd_start_ms", "median"],
            1.0,
            "ms",
        ),
        (
            "warm-pool start (median)",
            &["warm_pool_start_ms", "median"],
            1.0,
            "ms",
        ),
        ("no-op call (median)", &["noop_us", "median"], 1.0, "µs"),
        (
            "echo 1 MiB (median)",
            &["echo_1mib_us", "median"],
            1.0,
            "µs",
        ),
        (
            "grayscale 3840x2160 (median)",
            &["grayscale_3840x2160_ms", "median"],
            1.0,
            "ms",
        ),
        (
            "idle RSS, 50 alive (median)",
            &["memory", "rss_mib_median"],
            1.0,
            "MiB",
        ),
        (
            "idle PSS, 50 alive (median)",
            &["memory", "pss_mib_median"],
            1.0,
            "MiB",
        ),
        (
            "seconds to start 50",
            &["memory", "seconds_to_start_all"],
            1.0,
            "s",
        ),
    ];
    for (what, path, scale, unit) in rows {
        print!("{what:<34}");
        for lang in &LANGUAGES {
            let value = path
                .iter()
                .fold(&report[lang.name], |v, key| &v[*key])
                .as_f64()
                .unwrap_or(f64::NAN);
            print!(" {:>11.2}{unit:<3}", value * scale);
        }
        println!();
    }
}
