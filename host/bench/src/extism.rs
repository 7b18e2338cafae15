//! Extism as a peer: its calls run in its own process (`host/bench/extism`,
//! a separate workspace so that its wasmtime is compiled only here), timed
//! there, and requested round by round so they interleave with Airlock's;
//! and [`steady`], Extism at its steady best, alone in its process.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use crate::measure::{Summary, round};

/// Blocks of calls the steady measurement runs and drops before it keeps any.
pub const WARMUP_BLOCKS: usize = 2;

pub struct ExtismPeer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
}

impl ExtismPeer {
    pub fn spawn(program: &Path, plugin: &Path) -> Result<Self> {
        let mut child = Command::new(program)
            .arg(plugin)
            // With RUST_BACKTRACE set, Extism captures a backtrace on every call.
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting the Extism peer {}", program.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Self {
            child,
            stdin,
            stdout,
            line: String::new(),
        })
    }

    /// Runs one command; the time per call the peer measured.
    pub fn run(&mut self, command: &str) -> Result<Duration> {
        let times = self.request(command, 1)?;
        Ok(times[0])
    }

    /// Runs `calls` (`noop N` or `echo BYTES N`) `warmup` times, dropped,
    /// then `blocks` times in a row, alone in the peer's process; the time
    /// per call of each kept block.
    pub fn steady(&mut self, warmup: usize, blocks: usize, calls: &str) -> Result<Vec<Duration>> {
        self.request(&format!("steady {warmup} {blocks} {calls}"), blocks)
    }

    /// Sends `command`; its answer, exactly `count` durations in nanoseconds.
    fn request(&mut self, command: &str, count: usize) -> Result<Vec<Duration>> {
        writeln!(self.stdin, "{command}")?;
        self.stdin.flush()?;
        self.line.clear();
        if self.stdout.read_line(&mut self.line)? == 0 {
            bail!("the Extism peer exited during `{command}`");
        }
        let mut words = self.line.split_whitespace();
        match words.next() {
            Some("ok") => {
                let times = words
                    .map(|w| w.parse().map(Duration::from_nanos))
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("the Extism peer answered {:?}", self.line))?;
                ensure!(
                    times.len() == count,
                    "the Extism peer answered {} times to `{command}`, not {count}",
                    times.len()
                );
                Ok(times)
            }
            Some("err") => bail!("Extism `{command}`: {}", self.line.trim()),
            _ => bail!("the Extism peer answered {:?}", self.line),
        }
    }
}

impl Drop for ExtismPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One case at its steady best: its name (as in the interleaved latency
/// table), the calls in each block, and each kept block's time per call.
pub struct SteadyCase {
    pub name: String,
    pub calls_per_block: usize,
    pub blocks: Summary,
}

impl SteadyCase {
    /// The best block's time per call (the goals' Extism figure), in µs.
    pub fn best_us(&self) -> f64 {
        self.blocks.min_us()
    }
}

/// Extism at its steady best: every case, or none without a peer.
pub struct Steady(pub Vec<SteadyCase>);

impl Steady {
    pub fn get(&self, name: &str) -> Option<&SteadyCase> {
        self.0.iter().find(|c| c.name == name)
    }

    pub fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|c| {
                    let s = &c.blocks;
                    let figures = json!({
                        "best": round(s.min_us()),
                        "median": round(s.median_us()),
                        "p90": round(s.p90_us()),
                        "blocks": s.len(),
                        "calls_per_block": c.calls_per_block,
                        "warmup_blocks": WARMUP_BLOCKS,
                    });
                    (c.name.clone(), figures)
                })
                .collect(),
        )
    }
}

/// Calls in one block of the steady measurement: tens of milliseconds of
/// Extism's calls, so that the clock and one stray wake-up do not count.
fn calls_per_block(payload: usize) -> usize {
    const KIB: usize = 1 << 10;
    match payload {
        0..=KIB => 2000,
        1025..=0x10_0000 => (100 * 64 * KIB / payload).max(10),
        _ => 1,
    }
}

/// Extism at its steady best: for the no-op and each echo size (named,
/// in bytes), after [`WARMUP_BLOCKS`] blocks dropped, `blocks` blocks of
/// calls back to back in the peer's own process, while this process only
/// waits for the answer.
pub fn steady(peer: &mut ExtismPeer, blocks: usize, sizes: &[(String, usize)]) -> Result<Steady> {
    eprintln!("extism steady: {WARMUP_BLOCKS} + {blocks} blocks of each case, alone…");
    let mut cases = vec![("extism no-op".to_string(), calls_per_block(0), None)];
    for (size_name, size) in sizes {
        let name = format!("extism echo {size_name}");
        cases.push((name, calls_per_block(*size), Some(*size)));
    }
    cases
        .into_iter()
        .map(|(name, calls, size)| {
            let command = match size {
                None => format!("noop {calls}"),
                Some(size) => format!("echo {size} {calls}"),
            };
            let times = peer
                .steady(WARMUP_BLOCKS, blocks, &command)
                .with_context(|| format!("steady `{name}`"))?;
            Ok(SteadyCase {
                name,
                calls_per_block: calls,
                blocks: Summary::of(times),
            })
        })
        .collect::<Result<_>>()
        .map(Steady)
}
