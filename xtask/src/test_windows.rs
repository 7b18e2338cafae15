//! `cargo xtask test-windows`: the crates that build for Windows,
//! cross-compiled for `x86_64-pc-windows-gnu` with mingw-w64 and their
//! tests run under Wine 8, Debian's `wine64`, as cargo's target runner:
//! the protocol's and the platform crate's, and the runner's process tests
//! (real runner processes, confined). Run by `test` too; arguments go to
//! the test programs.
//!
//! Wine 8 lacks `bcryptprimitives.dll`, whose `ProcessPrng` Rust's standard
//! library needs, so a tiny one (`xtask/windows/bcryptprimitives.c`) is
//! built with mingw and put beside the test programs. The Wine prefix lives
//! in `target/wine`, made on first use.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::util;

/// The Windows target.
pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// Debian's 64-bit Wine loader.
pub const WINE: &str = "/usr/lib/wine/wine64";

/// The C compiler (and linker) for the target.
const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";

/// The crates whose tests run under Wine.
pub const CRATES: [&str; 2] = ["airlock-protocol", "airlock-platform"];

/// And the runner's process tests (`host/runner/tests/windows.rs`): real
/// runner processes, confined, driven over named pipes.
const RUNNER_TESTS: [&str; 4] = ["-p", "airlock-runner", "--test", "windows"];

pub fn run(args: &[String]) -> Result<()> {
    crate::debian::ensure(
        &[(WINE, "wine64"), (MINGW_GCC, "gcc-mingw-w64-x86-64-posix")],
        "test-windows cross-compiles with mingw-w64 and runs the tests under Wine",
    )?;
    crate::build_plugins::ensure_targets(&[TARGET])?;
    let shim = shim()?;
    let crates: Vec<&str> = CRATES.iter().flat_map(|c| ["-p", c]).collect();
    let selections = [&crates[..], &RUNNER_TESTS[..]];
    let tests = |selection: &[&str], extra: &[&str]| {
        let mut cmd = util::cargo();
        cmd.args(["test", "--release", "--target", TARGET])
            .args(selection)
            .args(extra);
        cmd
    };
    for selection in selections {
        util::run(&mut tests(selection, &["--no-run"]))
            .with_context(|| format!("{} no longer builds for {TARGET}", selection.join(" ")))?;
    }
    // Beside the test programs, and beside the runner program they start.
    let release = util::target_dir().join(TARGET).join("release");
    for dir in [release.join("deps"), release] {
        std::fs::copy(&shim, dir.join("bcryptprimitives.dll"))
            .with_context(|| format!("failed to put {} into {}", shim.display(), dir.display()))?;
    }
    let prefix = prefix()?;
    let runner_var = format!(
        "CARGO_TARGET_{}_RUNNER",
        TARGET.to_uppercase().replace('-', "_")
    );
    let mut failed = Vec::new();
    for selection in selections {
        let mut cmd = tests(selection, &[]);
        cmd.arg("--")
            .args(args)
            .env(&runner_var, WINE)
            .envs(wine_env(&prefix));
        if let Err(e) = util::run(&mut cmd) {
            failed.push(format!("{}: {e:#}", selection.join(" ")));
        }
    }
    if !failed.is_empty() {
        anyhow::bail!("failed to pass the tests under Wine: {}", failed.join("; "));
    }
    Ok(())
}

/// The shim DLL, rebuilt when its source changed.
fn shim() -> Result<PathBuf> {
    let source = util::root().join("xtask/windows/bcryptprimitives.c");
    let out_dir = util::target_dir().join("windows");
    let dll = out_dir.join("bcryptprimitives.dll");
    if util::is_stale(&dll, std::slice::from_ref(&source))? {
        std::fs::create_dir_all(&out_dir)?;
        util::run(
            Command::new(MINGW_GCC)
                .args(["-shared", "-O2", "-s", "-o"])
                .arg(&dll)
                .arg(&source)
                .arg("-ladvapi32"),
        )
        .context("failed to build the ProcessPrng shim for Wine")?;
    }
    Ok(dll)
}

/// The Wine prefix under `target/`, made (quietly) on first use.
fn prefix() -> Result<PathBuf> {
    let prefix = util::target_dir().join("wine");
    if !prefix.join("system.reg").exists() {
        eprintln!("making the Wine prefix in {} (once)", prefix.display());
        std::fs::create_dir_all(&prefix)?;
        let made = Command::new(WINE)
            .args(["wineboot", "--init"])
            .envs(wine_env(&prefix))
            .output()
            .context("failed to run wineboot")?;
        if !made.status.success() {
            anyhow::bail!(
                "wineboot failed to make the Wine prefix in {}:\n{}",
                prefix.display(),
                String::from_utf8_lossy(&made.stderr)
            );
        }
    }
    Ok(prefix)
}

/// Wine's environment: its prefix, no debug channels, no Mono or Gecko
/// install prompts, and no display.
fn wine_env(prefix: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("WINEPREFIX", prefix.as_os_str().to_owned()),
        ("WINEDEBUG", "-all".into()),
        ("WINEDLLOVERRIDES", "mscoree,mshtml=".into()),
        ("DISPLAY", "".into()),
    ]
}
