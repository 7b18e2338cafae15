//! Helpers shared by the xtask commands: project paths and running commands.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent directory")
        .to_path_buf()
}

/// The guest plugin workspace, built for wasm32.
pub fn plugins_workspace() -> PathBuf {
    root().join("examples").join("plugins")
}

/// The target directory shared by the host and guest workspaces.
pub fn target_dir() -> PathBuf {
    root().join("target")
}

/// Where the built plugin components are collected.
pub fn plugin_dir() -> PathBuf {
    target_dir().join("plugins")
}

/// A `cargo` command (through `$CARGO`), run from the repository root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// A `cargo` command run in the guest workspace, sharing the root target dir.
pub fn guest_cargo() -> Command {
    let mut cmd = cargo();
    cmd.current_dir(plugins_workspace())
        .env("CARGO_TARGET_DIR", target_dir());
    cmd
}

/// Prints `cmd` to stderr, runs it, and fails unless it exits successfully.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = display(cmd);
    eprintln!("$ {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("failed to start `{shown}`"))?;
    if !status.success() {
        bail!("command failed ({status}): {shown}");
    }
    Ok(())
}

/// `cargo install krate@version --locked`, into `root` (cargo's own bin
/// folder when `None`), compiled in a folder under `target/` rather than the
/// system temp dir: a small `/tmp` must not fail the install, and a failed
/// build must not leave gigabytes there. The build folder is removed once the
/// install succeeds; after a failure it is kept so a rerun reuses it.
pub fn cargo_install(krate: &str, version: &str, root: Option<&Path>) -> Result<()> {
    let build = install_build_dir(krate);
    run(&mut install_command(krate, version, root, &build)).with_context(|| {
        format!(
            "failed to install {krate} {version}: it needs crates.io and a few GiB free \
             under {}; free some disk, then rerun",
            target_dir().display()
        )
    })?;
    // The tool is installed; a folder left behind costs disk, not correctness.
    if let Err(e) = fs::remove_dir_all(&build) {
        eprintln!("warning: could not remove {}: {e}", build.display());
    }
    Ok(())
}

/// Where `cargo install` compiles `krate`.
fn install_build_dir(krate: &str) -> PathBuf {
    target_dir().join("toolchains/build").join(krate)
}

fn install_command(krate: &str, version: &str, root: Option<&Path>, build: &Path) -> Command {
    let mut cmd = cargo();
    cmd.args(["install", krate, "--locked", "--version", version])
        .arg("--target-dir")
        .arg(build);
    if let Some(root) = root {
        cmd.arg("--root").arg(root);
    }
    cmd
}

/// Runs `cmd` quietly and returns its stdout, or `None` if it fails.
pub fn probe(cmd: &mut Command) -> Option<String> {
    let output = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A shell-like rendering of `cmd`: `[(in dir)] [VAR=value] program args`.
fn display(cmd: &Command) -> String {
    let mut parts = Vec::new();
    if let Some(dir) = cmd.get_current_dir() {
        let root = root();
        if dir != root {
            let rel = dir.strip_prefix(&root).unwrap_or(dir);
            parts.push(format!("(in {})", rel.display()));
        }
    }
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            parts.push(format!(
                "{}={}",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    let program = Path::new(cmd.get_program());
    let name = program.file_name().unwrap_or(program.as_os_str());
    parts.push(name.to_string_lossy().into_owned());
    parts.extend(cmd.get_args().map(|arg| arg.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// True if `out` is missing or older than any of `inputs` (files or folders,
/// searched whole but for bytecode caches and installed packages).
pub fn is_stale(out: &Path, inputs: &[PathBuf]) -> Result<bool> {
    let Ok(built) = fs::metadata(out).and_then(|m| m.modified()) else {
        return Ok(true);
    };
    for input in inputs {
        if newest(input)? > built {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The newest modification time of `path` and, for a folder, everything in it.
fn newest(path: &Path) -> Result<SystemTime> {
    let meta = fs::metadata(path).with_context(|| format!("failed to stat {}", path.display()))?;
    let mut newest = meta.modified()?;
    if meta.is_dir() {
        for entry in
            fs::read_dir(path).with_context(|| format!("failed to read {}", path.display()))?
        {
            let entry = entry?;
            if entry.file_name() != "__pycache__" && entry.file_name() != "node_modules" {
                newest = newest.max(self::newest(&entry.path())?);
            }
        }
    }
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_compile_under_target_not_the_temp_dir() {
        let build = install_build_dir("cargo-component");
        assert!(build.starts_with(target_dir()), "{}", build.display());
        let cmd = install_command("cargo-component", "0.21.1", None, &build);
        let args: Vec<_> = cmd.get_args().collect();
        let at = args.iter().position(|a| *a == "--target-dir");
        assert_eq!(
            at.map(|i| Path::new(args[i + 1])),
            Some(build.as_path()),
            "{}",
            display(&cmd)
        );
        assert!(!args.contains(&"--root".as_ref()));
    }
}
