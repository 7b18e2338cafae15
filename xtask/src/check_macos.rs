//! `cargo xtask check-macos`: `cargo check` of the crates that build for
//! macOS so far, for both macOS targets, with their tests. Run by `test`.
//!
//! A cross check needs only the targets' standard libraries (installed when
//! missing); crates with C inside use their pure-Rust options there
//! (blake3's `pure`). The list grows as the platform layer reaches further
//! (`docs/platforms.md`).

use anyhow::{Context, Result};

use crate::util;

/// The macOS targets checked.
pub const TARGETS: [&str; 2] = ["x86_64-apple-darwin", "aarch64-apple-darwin"];

/// The crates that build for macOS today.
pub const CRATES: [&str; 2] = ["airlock-protocol", "airlock-platform"];

pub fn run() -> Result<()> {
    crate::build_plugins::ensure_targets(&TARGETS)?;
    for target in TARGETS {
        let mut cmd = util::cargo();
        cmd.args(["check", "--target", target, "--all-targets"]);
        for krate in CRATES {
            cmd.args(["-p", krate]);
        }
        util::run(&mut cmd).with_context(|| {
            format!(
                "{} no longer builds for {target}: keep OS interfaces in a `platform` module \
                 (docs/platforms.md)",
                CRATES.join(", ")
            )
        })?;
    }
    Ok(())
}
