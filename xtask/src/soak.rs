//! `cargo xtask soak [--calls N] ...`: build the plugins and the release
//! binaries of `host/soak`, then run `airlock-soak`, which does the work
//! (a million mixed calls over eight plugins, failing if anything grows).

use anyhow::{Context, Result};

use crate::util;

pub fn run(extra: &[String]) -> Result<()> {
    build_and_run("airlock-soak", extra)
}

/// Builds the plugins and `airlock-soak`/`airlock-chaos`, then runs `binary` with `extra`.
pub fn build_and_run(binary: &str, extra: &[String]) -> Result<()> {
    crate::build_plugins::run()?;
    util::run(util::cargo().args(["build", "--release", "--workspace", "--all-targets"]))?;
    let path = util::target_dir().join("release").join(binary);
    util::run(
        std::process::Command::new(path)
            .args(extra)
            .env("AIRLOCK_PLUGIN_DIR", util::plugin_dir()),
    )
    .with_context(|| format!("the {binary} run failed"))
}
