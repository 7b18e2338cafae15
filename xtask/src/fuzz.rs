//! `cargo xtask fuzz [--minutes N] [--runs N] [TARGET...]`: builds the
//! cargo-fuzz project in `host/fuzz/libfuzzer` (installing cargo-fuzz at a
//! pinned version if it is missing), runs each target with libFuzzer, one
//! job at a time, and writes `target/airlock-fuzz.json`.
//!
//! The build uses the stable toolchain with `--sanitizer none`: the
//! coverage instrumentation libFuzzer needs (`-Cpasses=sancov-module`) is
//! stable, only the sanitizers are not, and the targets are safe Rust
//! looking for panics and broken invariants, which need none. Debug
//! assertions (overflow checks) are on.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util;

/// The cargo-fuzz release this project is fuzzed with.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// What to run, from the command line.
struct Options {
    limit: Limit,
    targets: Vec<String>,
}

enum Limit {
    Minutes(u64),
    Runs(u64),
}

/// What one target's run gave, read from libFuzzer's output.
#[derive(Default)]
struct Outcome {
    executions: u64,
    exec_per_sec: u64,
    seconds: f64,
    corpus: u64,
    coverage: u64,
    /// The input that crashed (or timed out, or ran out of memory), if any.
    crash: Option<PathBuf>,
    /// libFuzzer's own summary of a failure (`deadly signal`, `timeout`…).
    failure: Option<String>,
    exit_ok: bool,
}

pub fn run(args: &[String]) -> Result<()> {
    let options = parse(args)?;
    let all = targets()?;
    let chosen: Vec<String> = if options.targets.is_empty() {
        all.clone()
    } else {
        for t in &options.targets {
            if !all.contains(t) {
                bail!("no fuzz target `{t}`; the targets are: {}", all.join(", "));
            }
        }
        options.targets.clone()
    };
    ensure_cargo_fuzz()?;
    build()?;
    let binary_dir = fuzz_target_dir().join(host_triple()?).join("release");
    let mut outcomes = Vec::new();
    for target in &chosen {
        let outcome = fuzz(target, &binary_dir.join(target), &options.limit)?;
        println!("{}", line(target, &outcome));
        outcomes.push((target.clone(), outcome));
    }
    let report = util::target_dir().join("airlock-fuzz.json");
    std::fs::write(&report, json(&options.limit, &outcomes))
        .with_context(|| format!("failed to write {}", report.display()))?;
    let executions: u64 = outcomes.iter().map(|(_, o)| o.executions).sum();
    let failed: Vec<&(String, Outcome)> = outcomes.iter().filter(|(_, o)| failed(o)).collect();
    println!(
        "fuzz: {} targets, {executions} executions, {} crashes ({})",
        outcomes.len(),
        failed.len(),
        report.display()
    );
    if failed.is_empty() {
        return Ok(());
    }
    for (target, outcome) in &failed {
        let log = log_path(target);
        match &outcome.crash {
            Some(crash) => eprintln!(
                "{target}: {} on {}\n  reproduce: {} {}\n  (or `cargo test -p airlock-fuzz --test replay` after copying it to host/fuzz/regressions/{target}/)\n  log: {}",
                outcome.failure.as_deref().unwrap_or("crash"),
                crash.display(),
                binary_dir.join(target).display(),
                crash.display(),
                log.display()
            ),
            None => eprintln!(
                "{target}: libFuzzer failed without writing an input; see {}",
                log.display()
            ),
        }
    }
    bail!("{} fuzz targets failed", failed.len())
}

fn failed(outcome: &Outcome) -> bool {
    !outcome.exit_ok || outcome.crash.is_some() || outcome.failure.is_some()
}

fn parse(args: &[String]) -> Result<Options> {
    let mut limit = Limit::Minutes(1);
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |flag: &str| -> Result<u64> {
            let value = args
                .next()
                .with_context(|| format!("`{flag}` needs a number"))?;
            value
                .replace('_', "")
                .parse()
                .with_context(|| format!("`{flag} {value}` is not a whole number"))
        };
        match arg.as_str() {
            "--minutes" => limit = Limit::Minutes(number("--minutes")?),
            "--runs" => limit = Limit::Runs(number("--runs")?),
            flag if flag.starts_with('-') => {
                bail!(
                    "unknown option `{flag}`; usage: cargo xtask fuzz [--minutes N] [--runs N] [TARGET...]"
                )
            }
            target => targets.push(target.to_string()),
        }
    }
    Ok(Options { limit, targets })
}

fn fuzz_dir() -> PathBuf {
    util::root().join("host").join("fuzz")
}

fn project_dir() -> PathBuf {
    fuzz_dir().join("libfuzzer")
}

/// The instrumented build's own target directory: its flags differ from
/// the workspace's, so sharing one would rebuild everything both ways.
fn fuzz_target_dir() -> PathBuf {
    util::target_dir().join("fuzz")
}

fn log_path(target: &str) -> PathBuf {
    fuzz_target_dir().join("logs").join(format!("{target}.log"))
}

/// The targets, in the order of the `[[bin]]` tables of the project (the
/// cheapest first); the replay test checks they are `airlock_fuzz::TARGETS`.
fn targets() -> Result<Vec<String>> {
    let manifest = project_dir().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("failed to read {}", manifest.display()))?;
    let mut targets = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(name) = line.strip_prefix("name = ") {
            targets.push(name.trim_matches('"').to_string());
        }
    }
    if targets.is_empty() {
        bail!("{} declares no fuzz targets", manifest.display());
    }
    Ok(targets)
}

/// Installs cargo-fuzz from crates.io unless this version is there.
fn ensure_cargo_fuzz() -> Result<()> {
    let installed = util::probe(util::cargo().args(["fuzz", "--version"]));
    if installed.is_some_and(|v| v.contains(CARGO_FUZZ_VERSION)) {
        return Ok(());
    }
    util::cargo_install("cargo-fuzz", CARGO_FUZZ_VERSION, None)
}

fn build() -> Result<()> {
    util::run(
        util::cargo()
            .args(["fuzz", "build", "--fuzz-dir"])
            .arg(project_dir())
            .args(["--sanitizer", "none", "--debug-assertions", "--target-dir"])
            .arg(fuzz_target_dir()),
    )
    .context("failed to build the fuzz targets")
}

fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let info = util::probe(Command::new(rustc).arg("-vV")).context("failed to run `rustc -vV`")?;
    info.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .context("`rustc -vV` names no host")
}

/// Runs one target: a working corpus in target/fuzz/corpus/<target>, seeded
/// from the committed seeds and regressions (read, never written).
fn fuzz(target: &str, binary: &Path, limit: &Limit) -> Result<Outcome> {
    let work = fuzz_target_dir().join("corpus").join(target);
    let artifacts = fuzz_target_dir().join("artifacts").join(target);
    let log = log_path(target);
    for dir in [
        &work,
        &artifacts,
        &log.parent().expect("logs/").to_path_buf(),
    ] {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    let mut cmd = Command::new(binary);
    cmd.current_dir(util::root())
        .arg(&work)
        .arg(fuzz_dir().join("corpus").join(target));
    let regressions = fuzz_dir().join("regressions").join(target);
    if regressions.is_dir() {
        cmd.arg(regressions);
    }
    match limit {
        Limit::Runs(n) => cmd.arg(format!("-runs={n}")),
        Limit::Minutes(m) => cmd.arg(format!("-max_total_time={}", m * 60)),
    };
    cmd.arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(["-print_final_stats=1", "-timeout=10", "-rss_limit_mb=2048"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&log).with_context(|| format!("failed to create {}", log.display()))?);
    eprintln!(
        "$ {} ... ({target}, log in {})",
        binary.display(),
        log.display()
    );
    let started = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("failed to start {}", binary.display()))?;
    let text = std::fs::read_to_string(&log)
        .with_context(|| format!("failed to read {}", log.display()))?;
    let mut outcome = read_output(&text);
    outcome.exit_ok = status.success();
    outcome.seconds = started.elapsed().as_secs_f64();
    if outcome.exec_per_sec == 0 && outcome.seconds > 0.0 {
        outcome.exec_per_sec = (outcome.executions as f64 / outcome.seconds) as u64;
    }
    Ok(outcome)
}

/// Reads libFuzzer's status lines (`#N ... cov: C ft: F corp: U/Sb ...
/// exec/s: E`), its final statistics and what it says about a crash.
fn read_output(text: &str) -> Outcome {
    let mut outcome = Outcome::default();
    let field = |line: &str, name: &str| -> Option<u64> {
        let rest = line.split(name).nth(1)?;
        let value: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        value.parse().ok()
    };
    for line in text.lines() {
        let count: String = line
            .strip_prefix('#')
            .unwrap_or_default()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = count.parse::<u64>() {
            outcome.executions = outcome.executions.max(n);
            if let Some(c) = field(line, "corp:") {
                outcome.corpus = c;
            }
            if let Some(c) = field(line, "cov:") {
                outcome.coverage = c;
            }
        }
        if let Some(n) = field(line, "stat::number_of_executed_units:") {
            outcome.executions = n;
        }
        if let Some(n) = field(line, "stat::average_exec_per_sec:") {
            outcome.exec_per_sec = n;
        }
        if let Some(path) = line.split("Test unit written to ").nth(1) {
            outcome.crash = Some(PathBuf::from(path.trim()));
        }
        if let Some(kind) = line.split("ERROR: libFuzzer: ").nth(1) {
            outcome.failure = Some(kind.trim().to_string());
        }
    }
    outcome
}

fn line(target: &str, o: &Outcome) -> String {
    let verdict = match (&o.crash, &o.failure) {
        (Some(crash), failure) => format!(
            "CRASH ({}): {}",
            failure.as_deref().unwrap_or("crash"),
            crash.display()
        ),
        (None, Some(failure)) => format!("FAILED: {failure}"),
        (None, None) if !o.exit_ok => "FAILED: libFuzzer exited with an error".to_string(),
        (None, None) => "0 crashes".to_string(),
    };
    format!(
        "fuzz {target}: {} executions in {:.0} s ({} exec/s), corpus {}, coverage {}, {verdict}",
        o.executions, o.seconds, o.exec_per_sec, o.corpus, o.coverage
    )
}

fn json(limit: &Limit, outcomes: &[(String, Outcome)]) -> String {
    let limit = match limit {
        Limit::Minutes(m) => format!("{{\"minutes\": {m}}}"),
        Limit::Runs(n) => format!("{{\"runs\": {n}}}"),
    };
    let mut out = format!(
        "{{\n  \"cargo_fuzz\": \"{CARGO_FUZZ_VERSION}\",\n  \"sanitizer\": \"none\",\n  \"limit\": {limit},\n  \"targets\": ["
    );
    for (i, (target, o)) in outcomes.iter().enumerate() {
        let crash = o
            .crash
            .as_ref()
            .map(|p| quote(&p.display().to_string()))
            .unwrap_or_else(|| "null".into());
        let _ = write!(
            out,
            "{}\n    {{\"target\": {}, \"executions\": {}, \"exec_per_sec\": {}, \"seconds\": {:.1}, \"corpus\": {}, \"coverage\": {}, \"crashes\": {}, \"crash_file\": {crash}}}",
            if i == 0 { "" } else { "," },
            quote(target),
            o.executions,
            o.exec_per_sec,
            o.seconds,
            o.corpus,
            o.coverage,
            u8::from(failed(o)),
        );
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// A JSON string literal.
fn quote(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_output_is_read() {
        let text = "INFO: Seed: 1\n\
            #2\tINITED cov: 10 ft: 11 corp: 3/12b exec/s: 0 rss: 30Mb\n\
            #1048576\tpulse  cov: 120 ft: 300 corp: 41/900b lim: 4096 exec/s: 349525 rss: 40Mb\n\
            #2000000\tDONE   cov: 121 ft: 301 corp: 42/910b lim: 4096 exec/s: 333333 rss: 41Mb\n\
            stat::number_of_executed_units: 2000000\n\
            stat::average_exec_per_sec:     333333\n";
        let o = read_output(text);
        assert_eq!(
            (o.executions, o.exec_per_sec, o.corpus, o.coverage),
            (2_000_000, 333_333, 42, 121)
        );
        assert!(o.crash.is_none() && o.failure.is_none());

        let crash = "#5\tNEW    cov: 12 ft: 13 corp: 4/20b\n\
            ==123== ERROR: libFuzzer: deadly signal\n\
            artifact_prefix='/t/a/'; Test unit written to /t/a/crash-abc\n";
        let o = read_output(crash);
        assert_eq!(o.crash.as_deref(), Some(Path::new("/t/a/crash-abc")));
        assert_eq!(o.failure.as_deref(), Some("deadly signal"));
        assert_eq!(o.executions, 5);
    }
}
