//! `cargo xtask sandbox-report`: build the guests and the test runners, then run
//! the hostile battery and print its table.

use anyhow::{Context, Result};

use crate::util;

pub fn run() -> Result<()> {
    crate::build_plugins::run()?;
    util::run(util::cargo().args(["build", "--release", "--workspace", "--all-targets"]))
        .context("failed to build the test runners")?;
    let report = util::target_dir()
        .join("release")
        .join("airlock-sandbox-report");
    util::run(std::process::Command::new(report).env("AIRLOCK_PLUGIN_DIR", util::plugin_dir()))
        .context("the sandbox report found an attack that was not contained")
}
