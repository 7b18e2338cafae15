//! The Debian packages the tests use from the machine: gdb, for the
//! debugger test (`host/cli/tests/debugger.rs`), and util-linux's `setpriv`
//! (in every Debian base system). Installed with apt when missing, so a
//! fresh machine needs nothing by hand.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::util;

/// Installs gdb with apt-get if it is not on PATH.
pub fn ensure_gdb() -> Result<()> {
    if util::probe(Command::new("gdb").arg("--version")).is_some() {
        return Ok(());
    }
    if util::probe(Command::new("apt-get").arg("--version")).is_none() {
        bail!(
            "the debugger test needs gdb, and this machine has no apt-get: install gdb, then run again"
        );
    }
    eprintln!("installing gdb with apt-get (the debugger test attaches it to a runner)");
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
    util::run(&mut apt(&[
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "gdb",
    ]))
    .context("could not install gdb (as root: apt-get install gdb), which the debugger test needs")
}
