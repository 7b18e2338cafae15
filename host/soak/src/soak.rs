//! The soak: a long stream of mixed calls over several roundtrip plugins,
//! with the host's and every runner's memory, descriptors, memfds and
//! threads sampled from `/proc` as it goes; anything that grows more than
//! the tolerance after warm-up fails the run, naming what grew.

use std::time::{Duration, Instant};

use airlock::{ArtifactCache, Error, Launcher, PluginConfig};
use airlock_testkit::roundtrip::{self, Everything, Roundtrip};
use anyhow::{Context, Result, bail};

use crate::growth::Series;
use crate::procfs::{self, mib};

/// What a soak does.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// Plugin calls in all.
    pub calls: u64,
    /// Plugins (each its own runner), called in turn.
    pub plugins: usize,
    /// A call that traps every this many calls (0: never).
    pub trap_every: u64,
    /// A call that runs into its deadline every this many calls (0: never).
    pub deadline_every: u64,
    /// Every plugin's call deadline: what the spinning call runs into.
    pub deadline: Duration,
    /// Growth after warm-up that fails the run, as a fraction.
    pub tolerance: f64,
    /// A leak made on purpose, to show the soak catches it.
    pub inject: Option<Leak>,
}

impl Default for SoakOptions {
    fn default() -> Self {
        Self {
            calls: 1_000_000,
            plugins: 8,
            trap_every: 10_000,
            deadline_every: 50_000,
            deadline: Duration::from_millis(300),
            tolerance: 0.05,
            inject: None,
        }
    }
}

/// Leaks the host can make on purpose at every sample (`--inject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leak {
    /// An open descriptor of `/dev/null`.
    Fd,
    /// A memfd, open.
    Memfd,
    /// 256 KiB of touched heap.
    Memory,
}

impl std::str::FromStr for Leak {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "fd" => Leak::Fd,
            "memfd" => Leak::Memfd,
            "memory" => Leak::Memory,
            other => bail!("unknown leak `{other}` (fd, memfd, memory)"),
        })
    }
}

impl Leak {
    fn make(self) {
        match self {
            Leak::Fd => {
                let file = std::fs::File::open("/dev/null").expect("open /dev/null");
                std::mem::forget(file);
            }
            Leak::Memfd => {
                // SAFETY: a valid NUL-terminated name; the descriptor is leaked on purpose.
                let fd = unsafe { libc::memfd_create(c"airlock-soak-leak".as_ptr(), 0) };
                assert!(fd >= 0, "memfd_create failed");
            }
            Leak::Memory => {
                let block = vec![0x5au8; 256 << 10];
                std::hint::black_box(&block);
                std::mem::forget(block);
            }
        }
    }
}

/// How a soak went.
#[derive(Debug, Clone)]
pub struct SoakReport {
    pub calls: u64,
    pub elapsed: Duration,
    pub traps: u64,
    pub deadlines: u64,
    pub bulk: u64,
    pub restarts: u64,
    /// The summary lines to print.
    pub lines: Vec<String>,
    /// What grew past the tolerance; empty when flat.
    pub grew: Vec<String>,
}

/// The host side of `airlock:test/host-calls` for the soak.
#[derive(Debug, Default)]
struct SoakHost {
    doubles: u64,
    tallies: airlock_testkit::Tallies,
}

impl roundtrip::test::host_calls::Host for SoakHost {
    fn double(&mut self, x: u32) -> u32 {
        self.doubles += 1;
        x.wrapping_mul(2)
    }
    fn concat(&mut self, parts: Vec<String>) -> String {
        parts.concat()
    }
    fn bounce(&mut self, e: Everything) -> Everything {
        e
    }
    fn note(&mut self, _message: String) {}
    airlock_testkit::tally_methods!();
}

/// The kinds of call, and how often each comes in a hundred ordinary calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Noop,
    Add,
    /// `nested(4, x)`: four `double` import calls inside the export.
    Nested,
    /// A 1 MiB `list<u8>` there and back.
    Bulk,
    /// `tally-up(3)`: resources the host implements, made and dropped by the guest.
    HostResources,
    /// A `counter` the plugin implements, made, used and dropped by the host (two calls).
    PluginResources,
    Trap,
    Deadline,
}

fn ordinary(step: u64) -> Kind {
    match step % 100 {
        0 => Kind::Bulk,
        1..=10 => Kind::Nested,
        11..=15 => Kind::HostResources,
        16..=20 => Kind::PluginResources,
        21..=30 => Kind::Add,
        _ => Kind::Noop,
    }
}

/// Runs the soak; fails on the first wrong answer, and reports growth.
pub fn run(options: &SoakOptions) -> Result<SoakReport> {
    let cache_dir = std::env::temp_dir().join(format!("airlock-soak-cache-{}", std::process::id()));
    let launcher = Launcher::current_exe()
        .context("failed to locate this executable as the runner")?
        .with_cache(ArtifactCache::open(&cache_dir).context("failed to open the artifact cache")?);
    let result = soak(&launcher, options);
    let _ = std::fs::remove_dir_all(&cache_dir);
    result
}

fn soak(launcher: &Launcher, options: &SoakOptions) -> Result<SoakReport> {
    let component = airlock_testkit::guest_path("test_roundtrip");
    let mut plugins = Vec::new();
    for k in 0..options.plugins.max(1) {
        let config = PluginConfig::from_file(format!("soak-{k}"), &component)?
            .deadline(options.deadline)
            // The deadline is the guest's; on a busy machine the runner's
            // answer to it may come late, which is not what the soak tests.
            .grace(Duration::from_secs(2));
        plugins.push(
            Roundtrip::start(launcher, config)
                .with_context(|| format!("failed to start plugin {k}"))?,
        );
    }
    let host = &mut SoakHost::default();
    let bulk_arg: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    // Every kind of call once on every plugin before anything is counted:
    // buffers and instance memory reach their working size here.
    for (k, plugin) in plugins.iter_mut().enumerate() {
        let warm = || format!("warming up plugin soak-{k}");
        plugin.noop(host).with_context(warm)?;
        plugin.nested(host, 4, 1).with_context(warm)?;
        plugin.tally_up(host, 3).with_context(warm)?;
        let counter = plugin.counters().counter_new(host, 1).with_context(warm)?;
        plugin
            .counters()
            .counter_add(host, &counter, 1)
            .with_context(warm)?;
        drop(counter);
        plugin
            .values()
            .echo_bytes(host, &bulk_arg)
            .with_context(warm)?;
        let _ = plugin.panic_with(host, "soak warm-up trap");
        plugin
            .values()
            .echo_bytes(host, &bulk_arg)
            .with_context(warm)?;
    }

    let mut series_host = ["host RSS", "host fds", "host memfds", "host threads"]
        .map(Series::new)
        .to_vec();
    let mut series_runner: Vec<Vec<Series>> = (0..plugins.len())
        .map(|k| {
            ["RSS", "fds", "memfds", "threads"]
                .map(|what| Series::new(format!("runner {k} {what}")))
                .to_vec()
        })
        .collect();
    let sample_every = (options.calls / 400).max(10);
    let mut progress = crate::progress::bar(options.calls, "soak");

    let started = Instant::now();
    let (mut done, mut step) = (0u64, 0u64);
    let (mut traps, mut deadlines, mut bulk) = (0u64, 0u64, 0u64);
    let mut next_trap = options.trap_every;
    let mut next_deadline = options.deadline_every;
    let mut next_sample = 0u64;
    while done < options.calls {
        if done >= next_sample {
            next_sample += sample_every;
            if let Some(leak) = options.inject {
                leak.make();
            }
            let host_now = procfs::usage(None)?;
            for (s, v) in series_host.iter_mut().zip(values(host_now)) {
                s.push(done, v);
            }
            for (k, plugin) in plugins.iter().enumerate() {
                let pid = plugin
                    .plugin()
                    .pid()
                    .context("a runner is missing between calls")?;
                let usage = procfs::usage(Some(pid))?;
                for (s, v) in series_runner[k].iter_mut().zip(values(usage)) {
                    s.push(done, v);
                }
            }
            progress.set_position(done);
            progress.set_message(format!("host {host_now}"));
        }
        let kind = if options.deadline_every > 0 && done >= next_deadline {
            next_deadline += options.deadline_every;
            Kind::Deadline
        } else if options.trap_every > 0 && done >= next_trap {
            next_trap += options.trap_every;
            Kind::Trap
        } else {
            step += 1;
            ordinary(step)
        };
        let k = (done % plugins.len() as u64) as usize;
        let plugin = &mut plugins[k];
        let x = done as u32;
        let at = done;
        let where_ = move || format!("call {at} ({kind:?}) on plugin soak-{k}");
        match kind {
            Kind::Noop => plugin.noop(host).with_context(where_)?,
            Kind::Add => {
                let sum = plugin.add(host, x, 7).with_context(where_)?;
                check(sum == x.wrapping_add(7), where_, "a wrong sum")?;
            }
            Kind::Nested => {
                let before = host.doubles;
                let out = plugin.nested(host, 4, x).with_context(where_)?;
                check(out == x.wrapping_mul(16), where_, "a wrong nested result")?;
                check(host.doubles == before + 4, where_, "not four import calls")?;
            }
            Kind::Bulk => {
                let back = plugin
                    .values()
                    .echo_bytes(host, &bulk_arg)
                    .with_context(where_)?;
                check(back == bulk_arg, where_, "1 MiB came back changed")?;
                bulk += 1;
            }
            Kind::HostResources => {
                let total = plugin.tally_up(host, 3).with_context(where_)?;
                check(total == 1 + 2 + 3 + 100 + 101, where_, "a wrong tally")?;
                check(host.tallies.live() == 0, where_, "tallies left alive")?;
            }
            Kind::PluginResources => {
                let start = x % 1000;
                let counter = plugin
                    .counters()
                    .counter_new(host, start)
                    .with_context(where_)?;
                let value = plugin
                    .counters()
                    .counter_add(host, &counter, 1)
                    .with_context(where_)?;
                check(value == start + 1, where_, "a wrong counter value")?;
                // Released as the plugin's next call starts.
                drop(counter);
                done += 1;
            }
            Kind::Trap => match plugin.panic_with(host, "soak trap") {
                Err(Error::Trap { message, .. }) if message.contains("soak trap") => traps += 1,
                other => bail!("{}: expected a trap, got {other:?}", where_()),
            },
            Kind::Deadline => match plugin.spin(host) {
                Err(Error::Timeout { .. }) => deadlines += 1,
                other => bail!("{}: expected a timeout, got {other:?}", where_()),
            },
        }
        done += 1;
    }
    let elapsed = started.elapsed();
    progress.finish_and_clear();
    // One last sample, at the very end.
    let host_now = procfs::usage(None)?;
    for (s, v) in series_host.iter_mut().zip(values(host_now)) {
        s.push(done, v);
    }
    for (k, plugin) in plugins.iter().enumerate() {
        if let Some(pid) = plugin.plugin().pid() {
            for (s, v) in series_runner[k]
                .iter_mut()
                .zip(values(procfs::usage(Some(pid))?))
            {
                s.push(done, v);
            }
        }
    }
    let restarts = plugins
        .iter()
        .map(|p| p.plugin().runners_started() - 1)
        .sum();
    Ok(summarise(
        options,
        done,
        elapsed,
        (traps, deadlines, bulk, restarts),
        &series_host,
        &series_runner,
    ))
}

fn values(u: procfs::Usage) -> [u64; 4] {
    [u.rss_kib, u.fds, u.memfds, u.threads]
}

fn check(ok: bool, where_: impl Fn() -> String, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        bail!("{}: {what}", where_())
    }
}

fn summarise(
    options: &SoakOptions,
    calls: u64,
    elapsed: Duration,
    (traps, deadlines, bulk, restarts): (u64, u64, u64, u64),
    host: &[Series],
    runners: &[Vec<Series>],
) -> SoakReport {
    let mut grew = Vec::new();
    let mut judge = |s: &Series| {
        let span = s.span(calls).unwrap_or(crate::growth::Span {
            after_warm_up: 0,
            at_end: 0,
        });
        if span.growth() > options.tolerance {
            let shown = |v: u64| {
                if s.name.ends_with("RSS") {
                    format!("{:.1} MiB", mib(v))
                } else {
                    v.to_string()
                }
            };
            grew.push(format!(
                "{} grew {}→{} (+{:.1} %)",
                s.name,
                shown(span.after_warm_up),
                shown(span.at_end),
                span.growth() * 100.0
            ));
        }
        span
    };
    let h: Vec<_> = host.iter().map(&mut judge).collect();
    // Per runner, judged one by one; shown as the largest of them.
    let r: Vec<Vec<_>> = runners
        .iter()
        .map(|s| s.iter().map(&mut judge).collect())
        .collect();
    let largest = |i: usize| {
        let first = r
            .iter()
            .map(|spans| spans[i].after_warm_up)
            .max()
            .unwrap_or(0);
        let last = r.iter().map(|spans| spans[i].at_end).max().unwrap_or(0);
        (first, last)
    };
    let verdict = if grew.is_empty() { "flat" } else { "GREW" };
    let (rss, fds, memfds, threads) = (largest(0), largest(1), largest(2), largest(3));
    let lines = vec![
        format!(
            "soak: {calls} calls, host RSS {:.1}→{:.1} MiB, fds {}→{}, {verdict}",
            mib(h[0].after_warm_up),
            mib(h[0].at_end),
            h[1].after_warm_up,
            h[1].at_end
        ),
        format!(
            "soak: host memfds {}→{}, threads {}→{}; {} runners (largest of each): RSS {:.1}→{:.1} MiB, fds {}→{}, memfds {}→{}, threads {}→{}",
            h[2].after_warm_up,
            h[2].at_end,
            h[3].after_warm_up,
            h[3].at_end,
            runners.len(),
            mib(rss.0),
            mib(rss.1),
            fds.0,
            fds.1,
            memfds.0,
            memfds.1,
            threads.0,
            threads.1
        ),
        format!(
            "soak: {traps} traps, {deadlines} deadlines, {bulk} × 1 MiB, {restarts} runner restarts, {:.1} s ({:.0} calls/s)",
            elapsed.as_secs_f64(),
            calls as f64 / elapsed.as_secs_f64()
        ),
    ];
    SoakReport {
        calls,
        elapsed,
        traps,
        deadlines,
        bulk,
        restarts,
        lines,
        grew,
    }
}
