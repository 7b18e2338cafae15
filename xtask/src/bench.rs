//! `cargo xtask bench [--quick]`: build the plugins, the bench binary and the
//! Extism peer (a separate workspace, so its wasmtime is compiled only here),
//! then run the benchmark: figures side by side, `target/airlock-bench.json`
//! (every figure, and every goal P1–P10 with its target, value and whether
//! it is met), the goals' table on stdout, and a chart.

use anyhow::{Context, Result};

use crate::util;

pub fn run(extra: &[String]) -> Result<()> {
    crate::build_plugins::run()?;
    // The whole workspace, as the tests build it, so wasmtime is compiled once.
    util::run(util::cargo().args(["build", "--release", "--workspace", "--all-targets"]))?;

    // The Extism peer and its plugin, built from source.
    crate::build_plugins::ensure_targets(&["wasm32-unknown-unknown"])?;
    let root = util::root();
    let target = util::target_dir();
    util::run(
        util::cargo()
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "--manifest-path",
            ])
            .arg(root.join("host/bench/extism-plugin/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target),
    )
    .context("failed to build the Extism bench plugin")?;
    util::run(
        util::cargo()
            .args(["build", "--release", "--manifest-path"])
            .arg(root.join("host/bench/extism/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target),
    )
    .context("failed to build the Extism peer (Extism 1.30, wasmtime 43)")?;

    let bench = target.join("release").join("airlock-bench");
    util::run(
        std::process::Command::new(bench)
            .args(extra)
            .arg("--json")
            .arg(target.join("airlock-bench.json"))
            .arg("--chart")
            .arg(target.join("airlock-bench.svg"))
            .arg("--extism")
            .arg(target.join("release").join("airlock-bench-extism"))
            .arg(target.join("wasm32-unknown-unknown/release/airlock_bench_extism_plugin.wasm"))
            .env("AIRLOCK_PLUGIN_DIR", util::plugin_dir()),
    )
    .context("the benchmark failed")
}
