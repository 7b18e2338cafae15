//! Project automation for Airlock, run as `cargo xtask <command>`.
//!
//! # Layout
//!
//! - [`build_plugins`], [`test`], [`demo`], [`lint`], [`ci`],
//!   [`sandbox_report`], [`bench`], [`soak`], [`chaos`], [`fuzz`]: one module
//!   per command, named like it.
//! - [`cargo_component`]: the second guest build path, run by `test` only.
//! - [`check_macos`]: the cross check for macOS, run by `test` and alone.
//! - [`test_windows`]: the Windows tests under Wine, run by `test` and alone.
//! - [`zig`]: the pinned Zig that cross-compiles the C of that check.
//! - [`js`], [`python`]: the pinned JS and Python toolchains and their guests.
//! - [`package`]: the world stamp and manifest added to the JS and Python guests.
//! - [`debian`]: Debian packages the tests use from the machine, installed when missing.
//! - [`util`]: project paths and running commands.

mod bench;
mod build_plugins;
mod cargo_component;
mod chaos;
mod check_macos;
mod ci;
mod debian;
mod demo;
mod fuzz;
mod js;
mod lint;
mod package;
mod python;
mod sandbox_report;
mod soak;
mod test;
mod test_windows;
mod util;
mod zig;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [args...]

commands:
  build-plugins   build every guest plugin into target/plugins/ with plain
                  `cargo build --target wasm32-wasip2` (no cargo-component)
  test [--no-lint] [args]
                  lint, build plugins (and svg-export again with the pinned
                  cargo-component, the second build path), check-macos,
                  test-windows, then
                  run the workspace tests (release) and the runner suite
                  again with AIRLOCK_BACKEND=posix; --no-lint or
                  AIRLOCK_SKIP_LINT=1 skips the lint for quick local runs;
                  other args go to cargo nextest run (or cargo test)
  check-macos     cargo check, for both macOS targets, of the host, runner,
                  CLI and their libraries, C by a pinned Zig from PyPI
                  (run by test too)
  test-windows [args]
                  cross-compile the crates that build for Windows with
                  mingw-w64 and run their tests under Wine 8 (run by test
                  too); args go to cargo test
  demo [args]     build plugins, then run the design-host demo
  lint            rustfmt check and clippy -D warnings (host and guest workspaces)
  ci              the same as test (lint included)
  sandbox-report  run the hostile battery and print what stopped each attack
  bench [--quick] measure Airlock against a raw pipe echo and in-process
                  wasmtime; writes target/airlock-bench.json and .svg
  soak [args]     a million mixed calls over eight plugins, failing if the
                  host's or a runner's memory, descriptors or memfds grow
                  (--calls N; see --help)
  chaos [args]    a thousand plugin calls with the runner SIGKILLed or
                  SIGSTOPped mid-call, failing on any corrupted document or
                  leftover (--runs N, --seed S, --run K; see --help)

  fuzz [--minutes N] [--runs N] [TARGET...]
                  run the libFuzzer targets of host/fuzz one after another
                  (default: 1 minute each); installs cargo-fuzz if missing;
                  writes target/airlock-fuzz.json";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("build-plugins") => build_plugins::run(),
        Some("test") => test::run(&rest),
        Some("check-macos") => check_macos::run(),
        Some("test-windows") => test_windows::run(&rest),
        Some("demo") => demo::run(&rest),
        Some("lint") => lint::run(),
        Some("ci") => ci::run(),
        Some("sandbox-report") => sandbox_report::run(),
        Some("bench") => bench::run(&rest),
        Some("soak") => soak::run(&rest),
        Some("chaos") => chaos::run(&rest),
        Some("fuzz") => fuzz::run(&rest),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
        None => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
