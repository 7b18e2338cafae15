//! Packaging the JS and Python guests: `airlock package` adds the world stamp
//! and the manifest to a component after checking that it fits the world, so
//! these guests are admitted exactly as the Rust ones are.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result};

use crate::util;

/// The `airlock` CLI, built once per xtask run. The whole workspace with every
/// target is built, as `cargo xtask test` builds it next: building only the CLI
/// would resolve wasmtime's features differently and compile it twice.
fn cli() -> Result<&'static Path> {
    static CLI: OnceLock<PathBuf> = OnceLock::new();
    if let Some(cli) = CLI.get() {
        return Ok(cli);
    }
    util::run(
        util::cargo()
            .args(["build", "--release", "--workspace", "--all-targets"])
            .env("CARGO_TARGET_DIR", util::target_dir()),
    )
    .context("failed to build the `airlock` CLI, which packages the JS and Python guests")?;
    Ok(CLI.get_or_init(|| util::target_dir().join("release/airlock")))
}

/// Writes `out`: `component` checked against `world` (defined by the WIT
/// folders `wit`, relative to the repository root, the world's own package
/// last) and stamped for it, with `manifest` embedded when there is one.
pub fn package(
    component: &Path,
    wit: &[&str],
    world: &str,
    manifest: Option<&Path>,
    out: &Path,
) -> Result<()> {
    let mut cmd = Command::new(cli()?);
    cmd.arg("package").arg(component);
    for dir in wit {
        cmd.arg("--wit").arg(util::root().join(dir));
    }
    cmd.args(["--world", world]);
    if let Some(manifest) = manifest {
        cmd.arg("--manifest").arg(manifest);
    }
    cmd.arg("-o").arg(out);
    util::run(&mut cmd).with_context(|| {
        format!(
            "failed to package {} for {world} (the message above says what does not fit)",
            component.display()
        )
    })
}
