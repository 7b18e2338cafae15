//! The hostile battery: every attack the sandbox must contain, run against
//! real runner processes. Shared by the `sandbox` integration test (which
//! asserts that everything is contained) and `cargo xtask sandbox-report`
//! (which prints the table).
//!
//! This file is the driver: the battery's paths, the policy its attacks run
//! under, and [`Battery::run`], which runs every family in order. Each
//! family is a module of its own:
//!
//! - `guest`: the hostile guest's attacks from inside wasm (time, memory,
//!   stack, floods, preopen escapes, network, environment);
//! - `wat_components`: hand-written components a Rust guest cannot express;
//! - `lockdown`: native code in the runner against seccomp and the kernel's
//!   refusals, and what `/proc` says about a live runner;
//! - `wire`: fake runners that misbehave on the wire;
//! - `host_surface`: what a plugin says and asks for, as hostile input to
//!   the host's log, errors and progress callback;
//! - `startup`: compile bombs, slow compiles, spinning start functions, and
//!   ordinary file work in a granted folder;
//! - `host_bounds`: what a plugin's files and import calls make the host
//!   read and decode;
//! - `artifact`: a compromised runner against the shared cached artifact.

use std::path::PathBuf;
use std::time::Duration;

use airlock::{Error, Launcher, PluginConfig, Policy, SandboxLayers};

use crate::hostile::{self, Hostile};
use crate::roundtrip;

mod artifact;
mod guest;
mod host_bounds;
mod host_surface;
mod lockdown;
mod startup;
mod wat_components;
mod wire;

pub use lockdown::{harmless_descriptor, proc_field};

/// What happened to one attack.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub attack: String,
    /// The layer that stopped it.
    pub layer: &'static str,
    pub contained: bool,
    /// What the host saw.
    pub detail: String,
    /// From the start of the attack until the host had its answer.
    pub took: Duration,
}

/// Paths of the runners and the compiled hostile guest.
#[derive(Debug, Clone)]
pub struct Battery {
    pub test_runner: PathBuf,
    pub fake_runner: PathBuf,
    pub hostile_guest: PathBuf,
    pub roundtrip_guest: PathBuf,
    /// A scratch directory the battery may create files in.
    pub scratch: PathBuf,
}

/// The deadline the time-bound attacks run under.
pub const DEADLINE: Duration = Duration::from_millis(200);
/// The memory cap the memory attacks run under.
pub const MEMORY_CAP: u64 = 64 << 20;

/// The host side of `hostile-host`: counts pings.
#[derive(Debug, Default)]
pub struct PingHost {
    pub pings: u64,
    pub tallies: crate::Tallies,
}

impl hostile::test::hostile_host::Host for PingHost {
    fn ping(&mut self, n: u32) -> u32 {
        self.pings += 1;
        n
    }
}

impl roundtrip::test::host_calls::Host for PingHost {
    fn double(&mut self, x: u32) -> u32 {
        x.wrapping_mul(2)
    }
    fn concat(&mut self, parts: Vec<String>) -> String {
        parts.concat()
    }
    fn bounce(&mut self, e: roundtrip::Everything) -> roundtrip::Everything {
        e
    }
    fn note(&mut self, _: String) {}

    crate::tally_methods!();
}

impl Battery {
    /// Everything, in order; also returns the layers a runner reported.
    pub fn run(&self) -> (Vec<Outcome>, SandboxLayers) {
        let mut out = Vec::new();
        self.wasm_attacks(&mut out);
        self.wat_attacks(&mut out);
        self.native_attacks(&mut out);
        let layers = self.proc_checks(&mut out);
        self.runner_attacks(&mut out);
        self.host_surface(&mut out);
        self.startup_attacks(&mut out);
        self.host_bounds(&mut out);
        self.artifact_attacks(&mut out);
        (out, layers)
    }

    fn launcher(&self) -> Launcher {
        Launcher::program(&self.test_runner)
    }

    /// The data directory (read-only preopen) and scratch (read-write).
    fn dirs(&self) -> (PathBuf, PathBuf) {
        let data = self.scratch.join("data");
        let rw = self.scratch.join("rw");
        for dir in [&data, &rw] {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).expect("create battery directories");
        }
        std::fs::write(data.join("granted.txt"), "granted").expect("write battery file");
        std::fs::write(self.scratch.join("secret.txt"), "secret").expect("write battery file");
        (data, rw)
    }

    fn hostile(&self, policy: Policy) -> Result<Hostile, Error> {
        let config = PluginConfig::from_file("hostile", &self.hostile_guest)?.policy(policy);
        Hostile::start(&self.launcher(), config)
    }

    fn policy(&self) -> Policy {
        let (data, rw) = self.dirs();
        Policy::default()
            .deadline(DEADLINE)
            .memory(MEMORY_CAP)
            .max_frame(4 << 20)
            .log_volume(64 << 10)
            .output_rate(256 << 10)
            // Attacks that kill the runner are expected here: keep restarting.
            .restarts(1000, Duration::from_secs(300), Duration::ZERO)
            .preopen(data, "/data", false)
            .preopen(rw, "/rw", true)
    }
}

fn describe<T: std::fmt::Debug>(result: &Result<T, Error>) -> String {
    let text = match result {
        Ok(v) => format!("{v:?}"),
        Err(e) => e.to_string(),
    };
    let mut text = text.replace('\n', " ");
    if text.len() > 100 {
        let mut cut = 100;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}
