//! `cargo xtask test`: lint, build the plugins (both build paths), then run
//! the workspace tests in release mode, and the runner suite a second time
//! on the POSIX backend (`docs/platforms.md`); the macOS check and the
//! Windows tests under Wine run first.

use anyhow::{Context, Result};

use crate::util;

/// The flag that skips the lint, for quick local runs; CI never passes it.
const NO_LINT: &str = "--no-lint";

pub fn run(args: &[String]) -> Result<()> {
    let skip_lint = args.iter().any(|a| a == NO_LINT)
        || std::env::var_os("AIRLOCK_SKIP_LINT").is_some_and(|v| !v.is_empty() && v != "0");
    let extra: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != NO_LINT)
        .collect();
    if skip_lint {
        eprintln!("note: skipping `cargo xtask lint` ({NO_LINT} or AIRLOCK_SKIP_LINT)");
    } else {
        crate::lint::run()?;
    }
    crate::build_plugins::run()?;
    crate::cargo_component::run()?;
    crate::debian::ensure_gdb()?;
    crate::check_macos::run()?;
    // Its failure is reported with the others', after the Linux tests ran.
    let windows =
        crate::test_windows::run(&[]).context("failed to pass the Windows tests under Wine");

    // Release: wasmtime compiles components far faster when optimized, and the
    // demo builds in release too, so wasmtime is only compiled once.
    let nextest = util::probe(util::cargo().args(["nextest", "--version"])).is_some();
    let tests = |selection: &[&str]| {
        let mut cmd = util::cargo();
        match nextest {
            true => cmd.args(["nextest", "run"]),
            false => cmd.arg("test"),
        };
        cmd.args(["--workspace", "--release", "--no-fail-fast"])
            .args(selection)
            .env("AIRLOCK_PLUGIN_DIR", util::plugin_dir());
        cmd
    };
    let every = util::run(&mut tests(&extra)).context("failed to pass the workspace tests");
    // The runner suite again on the backend macOS uses: the same selection
    // when one was given, else the `all` binary.
    let suite: Vec<&str> = match (extra.is_empty(), nextest) {
        (false, _) => extra.clone(),
        (true, true) => vec!["-E", "binary(all)"],
        (true, false) => vec!["--test", "all"],
    };
    eprintln!("the runner suite again, with {BACKEND_VAR}=posix:");
    let posix = util::run(tests(&suite).env(BACKEND_VAR, "posix"))
        .with_context(|| format!("failed to pass the runner suite with {BACKEND_VAR}=posix"));
    let failed: Vec<anyhow::Error> = [windows, every, posix]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    match failed.split_first() {
        None => Ok(()),
        Some((first, rest)) => {
            let also: Vec<String> = rest.iter().map(|e| format!("{e:#}")).collect();
            if also.is_empty() {
                Err(anyhow::anyhow!("{first:#}"))
            } else {
                Err(anyhow::anyhow!("{first:#}; and also: {}", also.join("; ")))
            }
        }
    }
}

/// The host's variable that picks the backend (`airlock::BACKEND_VAR`;
/// xtask does not link the host).
const BACKEND_VAR: &str = "AIRLOCK_BACKEND";
