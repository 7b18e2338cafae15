//! Zig's C compiler as the macOS cross C compiler of `check-macos`: a
//! pinned `ziglang` wheel from PyPI (xtask/zig/requirements.txt) installed
//! into target/toolchains/zig, and one small wrapper per target that
//! cc-rs calls as `CC_<target>`.
//!
//! A `cargo check` for macOS still runs the build scripts of crates with C
//! inside (wasmtime's helpers), and their C includes libc headers that only
//! Apple's SDK, or a toolchain that carries them such as Zig's, has.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util;

/// The pinned release (also in xtask/zig/requirements.txt).
const ZIG: &str = "0.13.0";

fn requirements() -> PathBuf {
    util::root().join("xtask/zig/requirements.txt")
}

fn home() -> PathBuf {
    util::target_dir().join("toolchains/zig")
}

/// Installs Zig unless the pinned one is there; returns its executable.
fn ensure_installed() -> Result<PathBuf> {
    let home = home();
    let zig = home.join("ziglang/zig");
    let pins = fs::read_to_string(requirements())
        .with_context(|| format!("failed to read {}", requirements().display()))?;
    let stamp = home.join("airlock-installed.txt");
    if zig.is_file() && fs::read_to_string(&stamp).is_ok_and(|s| s == pins) {
        return Ok(zig);
    }
    let python = crate::python::find_python()?;
    eprintln!(
        "note: installing Zig {ZIG} (an ~80 MB wheel from PyPI) into {} for the macOS cross check; once",
        home.display()
    );
    let started = Instant::now();
    if home.exists() {
        fs::remove_dir_all(&home)
            .with_context(|| format!("failed to remove {}", home.display()))?;
    }
    util::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args([
                "--require-hashes",
                "--no-deps",
                "--only-binary=:all:",
                "--target",
            ])
            .arg(&home)
            .arg("-r")
            .arg(requirements()),
    )
    .context("failed to install Zig from PyPI (pinned in xtask/zig/requirements.txt)")?;
    // Wheels do not always keep the executable bit.
    fs::set_permissions(&zig, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("failed to make {} executable", zig.display()))?;
    let version = util::probe(Command::new(&zig).arg("version")).unwrap_or_default();
    if version.trim() != ZIG {
        bail!(
            "the installed Zig reports `{}`, expected {ZIG}; fix xtask/zig/requirements.txt",
            version.trim()
        );
    }
    fs::write(&stamp, pins).with_context(|| format!("failed to write {}", stamp.display()))?;
    eprintln!(
        "note: Zig {ZIG} installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(zig)
}

/// The environment that makes cc-rs cross-compile C for the macOS `target`
/// (`x86_64-apple-darwin` or `aarch64-apple-darwin`) with Zig.
pub fn macos_c_env(target: &str) -> Result<Vec<(String, PathBuf)>> {
    let zig = ensure_installed()?;
    let arch = target
        .split('-')
        .next()
        .filter(|a| matches!(*a, "x86_64" | "aarch64"))
        .with_context(|| format!("no Zig target for {target}"))?;
    let home = home();
    let cache = home.join("cache");
    // cc-rs spells the target as clang does (`--target=arm64-apple-macosx`,
    // `-mmacosx-version-min=`), which Zig does not read: the wrapper drops
    // those and names the target Zig's way.
    let cc = home.join(format!("cc-{arch}-macos"));
    let script = format!(
        "#!/bin/sh\n\
         # cc for {arch}-macos by Zig, written by `cargo xtask check-macos`.\n\
         for arg do\n    shift\n    case \"$arg\" in\n        --target=*|-mmacosx-version-min=*) continue ;;\n    esac\n    set -- \"$@\" \"$arg\"\ndone\n\
         ZIG_GLOBAL_CACHE_DIR='{cache}' ZIG_LOCAL_CACHE_DIR='{cache}' exec '{zig}' cc -target {arch}-macos \"$@\"\n",
        cache = cache.display(),
        zig = zig.display(),
    );
    let ar = home.join("ar");
    let ar_script = format!(
        "#!/bin/sh\nZIG_GLOBAL_CACHE_DIR='{cache}' ZIG_LOCAL_CACHE_DIR='{cache}' exec '{zig}' ar \"$@\"\n",
        cache = cache.display(),
        zig = zig.display(),
    );
    for (path, text) in [(&cc, script), (&ar, ar_script)] {
        fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
    }
    let var = target.replace('-', "_");
    Ok(vec![
        (format!("CC_{var}"), cc),
        (format!("AR_{var}"), ar),
        // Keeps cc-rs from asking `xcrun` (absent here) for the SDK's path.
        ("SDKROOT".into(), home.join("no-sdk")),
    ])
}
