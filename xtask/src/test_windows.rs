//! `cargo xtask test-windows`: the crates that build for Windows,
//! cross-compiled for `x86_64-pc-windows-gnu` with mingw-w64 and their
//! tests run under Wine 8, Debian's `wine64`, as cargo's target runner:
//! the unit tests of the protocol, platform, runner and test kit crates,
//! the runner's process tests (real runner processes, confined), and the
//! runner suite's portable files through the host library. Run by `test`
//! too; arguments go to the test programs.
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

/// What runs under Wine, in one cargo invocation so that features unify
/// and wasmtime is compiled for the target once: the unit tests of these
/// crates, and the test programs named by `TESTS`.
pub const CRATES: [&str; 4] = [
    "airlock-protocol",
    "airlock-platform",
    "airlock-runner",
    "airlock-testkit",
];

/// The protocol's garbage frames, and `windows` in two crates: the runner's process tests
/// (`host/runner/tests/windows.rs`: real runner processes, confined,
/// driven over named pipes); the runner suite's portable files through the
/// host library (`host/testkit/tests/windows/main.rs`).
const TESTS: [&str; 2] = ["garbage", "windows"];

pub fn run(args: &[String]) -> Result<()> {
    crate::debian::ensure(
        &[(WINE, "wine64"), (MINGW_GCC, "gcc-mingw-w64-x86-64-posix")],
        "test-windows cross-compiles with mingw-w64 and runs the tests under Wine",
    )?;
    crate::build_plugins::ensure_targets(&[TARGET])?;
    crate::build_plugins::run()?;
    let shim = shim()?;
    let mut tests = util::cargo();
    tests.args(["test", "--release", "--target", TARGET, "--lib"]);
    for krate in CRATES {
        tests.args(["-p", krate]);
    }
    for test in TESTS {
        tests.args(["--test", test]);
    }
    util::run(
        Command::new(tests.get_program())
            .args(tests.get_args())
            .arg("--no-run"),
    )
    .with_context(|| format!("{} no longer build for {TARGET}", CRATES.join(", ")))?;
    // Beside the test programs, and beside the runner programs they start.
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
    tests
        .arg("--no-fail-fast")
        .arg("--")
        .args(args)
        .env("AIRLOCK_PLUGIN_DIR", util::plugin_dir())
        .env(&runner_var, WINE)
        .envs(wine_env(&prefix));
    util::run(&mut tests).context("failed to pass the tests under Wine")
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
