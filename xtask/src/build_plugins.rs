//! `cargo xtask build-plugins`: compile the guest plugins to components in target/plugins/.
//!
//! Every guest is built with plain `cargo build --target wasm32-wasip2`; the
//! cargo-component build of one of them, the second supported build path, is
//! [`crate::cargo_component`], run by `cargo xtask test` only.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::util::{self, guest_cargo};

pub fn run() -> Result<()> {
    ensure_targets(&["wasm32-wasip2"])?;
    let members = members()?;
    util::run(guest_cargo().args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--workspace",
    ]))
    .context("failed to build the guest plugins")?;

    collect(&members)?;
    crate::js::build_plugins()?;
    crate::python::build_plugins()
}

/// Installs the rustup targets that are missing.
pub fn ensure_targets(targets: &[&str]) -> Result<()> {
    let installed = util::probe(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("failed to list installed rustup targets")?;
    for &target in targets {
        if !installed.lines().any(|line| line.trim() == target) {
            util::run(Command::new("rustup").args(["target", "add", target]))
                .with_context(|| format!("failed to install rustup target {target}"))?;
        }
    }
    Ok(())
}

/// The member directories of the guest workspace (those holding a Cargo.toml), sorted.
pub fn members() -> Result<Vec<String>> {
    let workspace = util::plugins_workspace();
    let entries = fs::read_dir(&workspace)
        .with_context(|| format!("failed to read {}", workspace.display()))?;
    let mut members = Vec::new();
    for entry in entries {
        let entry = entry.context("failed to read the guest workspace directory")?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "target" && entry.path().join("Cargo.toml").is_file() {
            members.push(name);
        }
    }
    members.sort();
    Ok(members)
}

/// Copies each member's component into target/plugins/, replacing any stale ones.
fn collect(members: &[String]) -> Result<()> {
    let target = util::target_dir();
    let out = util::plugin_dir();
    fs::create_dir_all(&out).with_context(|| format!("failed to create {}", out.display()))?;
    for entry in fs::read_dir(&out).with_context(|| format!("failed to read {}", out.display()))? {
        let path = entry.context("failed to read the plugin directory")?.path();
        if path
            .extension()
            .is_some_and(|ext| ext == "wasm" || ext == "toml")
        {
            fs::remove_file(&path)
                .with_context(|| format!("failed to remove stale {}", path.display()))?;
        }
    }

    for member in members {
        let file = format!("{}.wasm", member.replace('-', "_"));
        let src = target.join("wasm32-wasip2/release").join(&file);
        if !src.is_file() {
            bail!("plugin {member} was built but {} is missing", src.display());
        }
        install(member, &src)?;
    }
    Ok(())
}

/// Copies the component `src` of guest `member` into target/plugins/, with
/// the member's manifest beside it if it has one.
pub fn install(member: &str, src: &Path) -> Result<()> {
    let file = format!("{}.wasm", member.replace('-', "_"));
    let dst = util::plugin_dir().join(&file);
    let bytes = fs::copy(src, &dst)
        .with_context(|| format!("failed to copy {} to {}", src.display(), dst.display()))?;
    // The plugin's manifest goes beside its component, where hosts look for it.
    let manifest = util::plugins_workspace().join(member).join("airlock.toml");
    let with_manifest = manifest.is_file();
    if with_manifest {
        let dst = dst.with_extension("toml");
        fs::copy(&manifest, &dst).with_context(|| {
            format!("failed to copy {} to {}", manifest.display(), dst.display())
        })?;
    }
    eprintln!(
        "plugin {member:<16} {:>8.1} KiB  target/plugins/{file}{}",
        bytes as f64 / 1024.0,
        if with_manifest { " (+ manifest)" } else { "" }
    );
    Ok(())
}
