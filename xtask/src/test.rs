//! `cargo xtask test`: lint, build the plugins (both build paths), then run
//! the workspace tests in release mode.

use anyhow::{Context, Result};

use crate::util;

/// The flag that skips the lint, for quick local runs; CI never passes it.
const NO_LINT: &str = "--no-lint";

pub fn run(args: &[String]) -> Result<()> {
    let skip_lint = args.iter().any(|a| a == NO_LINT)
        || std::env::var_os("AIRLOCK_SKIP_LINT").is_some_and(|v| !v.is_empty() && v != "0");
    let extra: Vec<&String> = args.iter().filter(|a| *a != NO_LINT).collect();
    if skip_lint {
        eprintln!("note: skipping `cargo xtask lint` ({NO_LINT} or AIRLOCK_SKIP_LINT)");
    } else {
        crate::lint::run()?;
    }
    crate::build_plugins::run()?;
    crate::cargo_component::run()?;
    crate::debian::ensure_gdb()?;

    // Release: wasmtime compiles components far faster when optimized, and the
    // demo builds in release too, so wasmtime is only compiled once.
    let mut cmd = util::cargo();
    if util::probe(util::cargo().args(["nextest", "--version"])).is_some() {
        cmd.args(["nextest", "run"]);
    } else {
        cmd.arg("test");
    }
    cmd.args(["--workspace", "--release", "--no-fail-fast"])
        .args(extra)
        .env("AIRLOCK_PLUGIN_DIR", util::plugin_dir());
    util::run(&mut cmd).context("failed to pass the workspace tests")
}
