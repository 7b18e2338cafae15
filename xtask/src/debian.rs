//! The Debian packages the tests use from the machine, installed with apt
//! when missing, so a fresh machine needs nothing by hand: gdb, for the
//! debugger test (`host/cli/tests/debugger.rs`); Wine 8 and the mingw-w64
//! C compiler, for `test-windows`; and util-linux's `setpriv` (in every
//! Debian base system).

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::util;

/// Installs gdb with apt-get if it is not on PATH.
pub fn ensure_gdb() -> Result<()> {
    ensure(
        &[("gdb", "gdb")],
        "the debugger test attaches it to a runner",
    )
}

/// Installs each `(program, package)` whose program is not on PATH (or at
/// that absolute path), with apt-get; `why` says what needs them.
pub fn ensure(wanted: &[(&str, &str)], why: &str) -> Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(program, _)| util::probe(Command::new(program).arg("--version")).is_none())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if util::probe(Command::new("apt-get").arg("--version")).is_none() {
        bail!("{why}, and this machine has no apt-get: install {list}, then run again");
    }
    eprintln!("installing {list} with apt-get ({why})");
    let root = util::probe(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    util::run(&mut apt(&["update", "-qq"])).context("apt-get update failed")?;
    util::run(apt(&["install", "-y", "-qq", "--no-install-recommends"]).args(&missing))
        .with_context(|| {
            format!("could not install {list} (as root: apt-get install {list}): {why}")
        })
}
