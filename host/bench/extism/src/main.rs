//! Extism, the in-process peer of `cargo xtask bench`. Started by the
//! benchmark as a child, it loads the Extism plugin and answers one command
//! per line on stdin with `ok <nanoseconds per call>` (or `err <message>`) on
//! stdout, so that its calls are timed inside its own process and interleaved
//! with Airlock's, round by round.
//!
//! Commands: `noop N`, `echo BYTES N`, `create-cold`, `create-cached`,
//! `create-compiled`, and `steady WARMUP BLOCKS noop N` or `steady WARMUP
//! BLOCKS echo BYTES N`: Extism at its steady best, alone in its process —
//! `WARMUP` blocks of the calls not kept, then `BLOCKS` blocks, answered
//! as `ok` and each kept block's nanoseconds per call, in order.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use extism::{CompiledPlugin, Manifest, Plugin, PluginBuilder, Wasm};

/// The most blocks (warm-up and kept) one `steady` command may ask for.
const MAX_BLOCKS: usize = 10_000;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: airlock-bench-extism PLUGIN.wasm   (commands on stdin)");
        std::process::exit(2);
    };
    if let Err(e) = serve(&path) {
        eprintln!("airlock-bench-extism: {e}");
        std::process::exit(1);
    }
}

fn builder(wasm: &[u8]) -> PluginBuilder<'static> {
    PluginBuilder::new(Manifest::new([Wasm::data(wasm.to_vec())])).with_wasi(false)
}

fn serve(path: &str) -> Result<()> {
    let wasm = std::fs::read(path)?;
    // Warm the on-disk compile cache once, so that `create-cached` loads from it.
    drop(builder(&wasm).build()?);
    let compiled = CompiledPlugin::new(builder(&wasm))?;
    let mut plugin = builder(&wasm).build()?;
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words.first().copied() {
            Some("steady") => steady(&words, &mut plugin).map(|blocks| {
                let nanos: Vec<String> = blocks.iter().map(|d| d.as_nanos().to_string()).collect();
                format!("ok {}", nanos.join(" "))
            }),
            _ => run(&words, &wasm, &compiled, &mut plugin).map(|d| format!("ok {}", d.as_nanos())),
        };
        let answer = answer.unwrap_or_else(|e| format!("err {}", e.to_string().replace('\n', " ")));
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}

fn number(words: &[&str], i: usize) -> Result<usize> {
    Ok(words.get(i).ok_or("missing number")?.parse()?)
}

/// `steady WARMUP BLOCKS noop N` or `steady WARMUP BLOCKS echo BYTES N`:
/// the calls of `noop N` (or `echo BYTES N`) run `WARMUP` times and
/// dropped, then `BLOCKS` times back to back; each kept block's time per call.
fn steady(words: &[&str], plugin: &mut Plugin) -> Result<Vec<Duration>> {
    let (warmup, blocks) = (number(words, 1)?, number(words, 2)?);
    if blocks == 0 || warmup.saturating_add(blocks) > MAX_BLOCKS {
        return Err(format!("steady wants 1 to {MAX_BLOCKS} blocks in all").into());
    }
    let calls = &words[3..];
    if !matches!(calls.first().copied(), Some("noop" | "echo")) {
        return Err(format!("steady runs noop or echo, not {calls:?}").into());
    }
    for _ in 0..warmup {
        calls_of(calls, plugin)?;
    }
    (0..blocks).map(|_| calls_of(calls, plugin)).collect()
}

/// `noop N` or `echo BYTES N`: the time per call.
fn calls_of(words: &[&str], plugin: &mut Plugin) -> Result<Duration> {
    let number = |i: usize| number(words, i);
    // At least one call, and no more than a u32 can divide.
    let calls = |i: usize| -> Result<usize> {
        match number(i)? {
            n @ 1..=0xffff_ffff => Ok(n),
            n => Err(format!("{n} calls: want 1 to {}", u32::MAX).into()),
        }
    };
    match words.first().copied() {
        Some("noop") => {
            let n = calls(1)?;
            let started = Instant::now();
            for _ in 0..n {
                plugin.call::<&[u8], &[u8]>("noop", &[])?;
            }
            Ok(started.elapsed() / n as u32)
        }
        Some("echo") => {
            let (size, n) = (number(1)?, calls(2)?);
            let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
            let started = Instant::now();
            for _ in 0..n {
                let back = plugin.call::<&[u8], &[u8]>("echo", &data)?;
                if back.len() != size {
                    return Err("echo returned another length".into());
                }
            }
            Ok(started.elapsed() / n as u32)
        }
        _ => Err(format!("unknown command {words:?}").into()),
    }
}

fn run(
    words: &[&str],
    wasm: &[u8],
    compiled: &CompiledPlugin,
    plugin: &mut Plugin,
) -> Result<Duration> {
    match words.first().copied() {
        Some("noop" | "echo") => calls_of(words, plugin),
        Some("create-cold") => {
            let started = Instant::now();
            let mut p = builder(wasm).with_cache_disabled().build()?;
            p.call::<&[u8], &[u8]>("noop", &[])?;
            Ok(started.elapsed())
        }
        Some("create-cached") => {
            let started = Instant::now();
            let mut p = builder(wasm).build()?;
            p.call::<&[u8], &[u8]>("noop", &[])?;
            Ok(started.elapsed())
        }
        Some("create-compiled") => {
            let started = Instant::now();
            let mut p = Plugin::new_from_compiled(compiled)?;
            p.call::<&[u8], &[u8]>("noop", &[])?;
            Ok(started.elapsed())
        }
        _ => Err(format!("unknown command {words:?}").into()),
    }
}
