//! `cargo xtask bench [--quick]`: build the plugins and the bench binary, then
//! run it: figures side by side, `target/airlock-bench.json` (P1–P6) and a chart.

use anyhow::{Context, Result};

use crate::util;

pub fn run(extra: &[String]) -> Result<()> {
    crate::build_plugins::run()?;
    util::run(util::cargo().args(["build", "--release", "-p", "airlock-bench"]))?;
    let bench = util::target_dir().join("release").join("airlock-bench");
    let target = util::target_dir();
    util::run(
        std::process::Command::new(bench)
            .args(extra)
            .arg("--json")
            .arg(target.join("airlock-bench.json"))
            .arg("--chart")
            .arg(target.join("airlock-bench.svg"))
            .env("AIRLOCK_PLUGIN_DIR", util::plugin_dir()),
    )
    .context("the benchmark failed")
}
