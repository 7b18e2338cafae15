//! `cargo xtask test`: build the plugins, then run the workspace tests in release mode.

use anyhow::{Context, Result};

use crate::util;

pub fn run(extra: &[String]) -> Result<()> {
    crate::build_plugins::run()?;

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
