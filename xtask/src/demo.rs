//! `cargo xtask demo`: build the plugins, then run the design-host example on them.

use anyhow::{Context, Result};

use crate::util;

pub fn run(extra: &[String]) -> Result<()> {
    crate::build_plugins::run()?;
    let mut cmd = util::cargo();
    cmd.args([
        "run",
        "--release",
        "-p",
        "airlock-example-design-host",
        "--",
        "--plugins",
    ])
    .arg(util::plugin_dir())
    .arg("--out")
    .arg(util::target_dir().join("demo"))
    .args(extra);
    util::run(&mut cmd).context("failed to run the demo")
}
