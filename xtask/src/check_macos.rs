//! `cargo xtask check-macos`: `cargo check` for both macOS targets of every
//! crate a host application and its runners are made of, the CLI included;
//! with their tests for the crates whose tests are not Linux's own. Run by
//! `test`.
//!
//! A cross check needs the targets' standard libraries (installed when
//! missing) and, for the C inside wasmtime, a C compiler with macOS's libc
//! headers: Zig's (`zig.rs`). blake3 uses its pure-Rust code there.

use anyhow::{Context, Result};

use crate::util;

/// The macOS targets checked.
pub const TARGETS: [&str; 2] = ["x86_64-apple-darwin", "aarch64-apple-darwin"];

/// Checked with their tests.
pub const WITH_TESTS: [&str; 2] = ["airlock-protocol", "airlock-platform"];

/// Checked as libraries and programs: their tests drive real runners
/// through Linux's `/proc` and namespaces.
pub const WITHOUT_TESTS: [&str; 5] = [
    "airlock-runner",
    "airlock-host",
    "airlock-bindgen",
    "airlock-macro",
    "airlock-cli",
];

pub fn run() -> Result<()> {
    crate::build_plugins::ensure_targets(&TARGETS)?;
    for target in TARGETS {
        let env = crate::zig::macos_c_env(target)?;
        for (crates, targets) in [
            (&WITH_TESTS[..], &["--all-targets"][..]),
            (&WITHOUT_TESTS[..], &["--lib", "--bins"][..]),
        ] {
            let mut cmd = util::cargo();
            cmd.args(["check", "--target", target]).args(targets);
            for krate in crates {
                cmd.args(["-p", krate]);
            }
            cmd.envs(env.iter().map(|(k, v)| (k, v)));
            util::run(&mut cmd).with_context(|| {
                format!(
                    "{} no longer builds for {target}: keep OS interfaces in a `platform` module \
                     (docs/platforms.md)",
                    crates.join(", ")
                )
            })?;
        }
    }
    Ok(())
}
