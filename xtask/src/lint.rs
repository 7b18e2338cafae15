//! `cargo xtask lint`: rustfmt check and clippy over the host and guest workspaces.

use anyhow::{Context, Result};

use crate::util::{self, guest_cargo};

pub fn run() -> Result<()> {
    util::run(util::cargo().args(["fmt", "--all", "--", "--check"]))
        .context("failed the rustfmt check (run `cargo fmt --all`)")?;
    util::run(guest_cargo().args(["fmt", "--all", "--", "--check"])).context(
        "failed the rustfmt check of the guests (run `cargo fmt --all` in examples/plugins)",
    )?;
    util::run(util::cargo().args([
        "clippy",
        "--workspace",
        "--release",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
    .context("failed clippy on the host workspace")?;
    // A fresh machine has only the host target; the guests need theirs.
    crate::build_plugins::ensure_targets(&["wasm32-wasip2"])?;
    util::run(guest_cargo().args([
        "clippy",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--workspace",
        "--",
        "-D",
        "warnings",
    ]))
    .context("failed clippy on the guest workspace")
}
