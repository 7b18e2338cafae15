//! The second supported guest build path: one guest rebuilt with
//! cargo-component (wasm32-wasip1 and the preview1 adapter), run by
//! `cargo xtask test` only, so the demo never needs cargo-component.
//!
//! The component replaces the plain build of the same guest in
//! target/plugins/, so every test of that guest (the CLI's `inspect` and
//! `package`, the design host's export and demo tests, chaos) runs on it.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::build_plugins;
use crate::util;

/// The guest built both ways.
pub const PACKAGE: &str = "svg-export";
/// Pinned, installed under target/toolchains/, never into ~/.cargo.
const VERSION: &str = "0.21.1";
/// What wit-component writes into a component made through the preview1
/// adapter: proof the build took this path, not the plain one.
const ADAPTER_MARK: &[u8] = b"wit-component:adapter:wasi_snapshot_preview1";

/// Rebuilds [`PACKAGE`] with cargo-component over its plain build.
pub fn run() -> Result<()> {
    build_plugins::ensure_targets(&["wasm32-wasip1"])?;
    let tool = ensure_installed()?;
    eprintln!("note: rebuilding {PACKAGE} with cargo-component, the second build path");
    // Run the pinned binary itself: `cargo component` would find whichever
    // cargo-component comes first on cargo's search path.
    let mut build = std::process::Command::new(&tool);
    build
        .current_dir(util::plugins_workspace())
        .env("CARGO_TARGET_DIR", util::target_dir())
        .env("CARGO", util::cargo().get_program())
        .args(["component", "build", "--release", "-p", PACKAGE]);
    util::run(&mut build)
        .with_context(|| format!("failed to build {PACKAGE} with cargo-component"))?;
    let file = format!("{}.wasm", PACKAGE.replace('-', "_"));
    let built = util::target_dir().join("wasm32-wasip1/release").join(file);
    let bytes = fs::read(&built).with_context(|| format!("failed to read {}", built.display()))?;
    if !bytes.windows(ADAPTER_MARK.len()).any(|w| w == ADAPTER_MARK) {
        bail!(
            "{} does not carry the preview1 adapter; was it built by {}?",
            built.display(),
            tool.display()
        );
    }
    build_plugins::install(PACKAGE, &built)
}

/// The pinned cargo-component binary, installed first if missing or of
/// another version.
fn ensure_installed() -> Result<PathBuf> {
    let root = util::target_dir().join("toolchains/cargo-component");
    let tool = root.join("bin/cargo-component");
    let installed = util::probe(std::process::Command::new(&tool).arg("--version"));
    if installed.is_some_and(|v| v.split_whitespace().nth(1) == Some(VERSION)) {
        return Ok(tool);
    }
    eprintln!(
        "note: installing cargo-component {VERSION} into target/toolchains/cargo-component; \
         this compiles it from source and takes about 7 minutes on two cores, once"
    );
    let started = Instant::now();
    util::cargo_install("cargo-component", VERSION, Some(&root))?;
    eprintln!(
        "note: installed cargo-component in {:.0?}",
        started.elapsed()
    );
    Ok(tool)
}
