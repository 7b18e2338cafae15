//! `cargo xtask demo`: build the plugins, then run the design-host example on them.

use anyhow::{Context, Result};

use crate::util;

pub fn run(extra: &[String]) -> Result<()> {
    crate::build_plugins::run()?;
    // The whole workspace with every target, as `cargo xtask test` builds it
    // (packaging the JS and Python guests has built it already): `cargo run
    // -p` would resolve wasmtime's features differently and compile it again.
    util::run(util::cargo().args(["build", "--release", "--workspace", "--all-targets"]))
        .context("failed to build the design host")?;
    let mut cmd =
        std::process::Command::new(util::target_dir().join("release/airlock-example-design-host"));
    cmd.arg("--plugins")
        .arg(util::plugin_dir())
        .arg("--out")
        .arg(util::target_dir().join("demo"))
        .args(extra);
    util::run(&mut cmd).context("failed to run the demo")
}
