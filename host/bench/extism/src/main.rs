//! Extism, the in-process peer of `cargo xtask bench`. Started by the
//! benchmark as a child, it loads the Extism plugin and answers one command
//! per line on stdin with `ok <nanoseconds per call>` (or `err <message>`) on
//! stdout, so that its calls are timed inside its own process and interleaved
//! with Airlock's, round by round.
//!
//! Commands: `noop N`, `echo BYTES N`, `create-cold`, `create-cached`,
//! `create-compiled`.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use extism::{CompiledPlugin, Manifest, Plugin, PluginBuilder, Wasm};

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
        let answer = match run(&words, &wasm, &compiled, &mut plugin) {
            Ok(per_call) => format!("ok {}", per_call.as_nanos()),
            Err(e) => format!("err {}", e.to_string().replace('\n', " ")),
        };
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}

fn run(words: &[&str], wasm: &[u8], compiled: &CompiledPlugin, plugin: &mut Plugin) -> Result<Duration> {
    let number = |i: usize| -> Result<usize> {
        Ok(words.get(i).ok_or("missing number")?.parse()?)
    };
    match words.first().copied() {
        Some("noop") => {
            let n = number(1)?;
            let started = Instant::now();
            for _ in 0..n {
                plugin.call::<&[u8], &[u8]>("noop", &[])?;
            }
            Ok(started.elapsed() / n as u32)
        }
        Some("echo") => {
            let (size, n) = (number(1)?, number(2)?);
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
