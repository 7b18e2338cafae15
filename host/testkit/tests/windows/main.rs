//! The runner suite's portable files on Windows — run under Wine 8 by
//! `cargo xtask test-windows`: the very test files of the `all` binary
//! (values, imports, failures, hostile runners, output, resources, wire),
//! through the host library and real runner processes, each started
//! confined in its Job object and reached by a named pipe; and `layers`,
//! Windows's own: what the host reports of a runner's layers. On other
//! systems the `all` binary runs them; this one is empty there.
#![cfg(windows)]

#[path = "../all/concurrency.rs"]
mod concurrency;
#[path = "../all/exported_resources.rs"]
mod exported_resources;
#[path = "../all/failures.rs"]
mod failures;
#[path = "../all/hostile_runner.rs"]
mod hostile_runner;
#[path = "../all/imports.rs"]
mod imports;
mod layers;
#[path = "../all/output.rs"]
mod output;
#[path = "../all/resources.rs"]
mod resources;
#[allow(dead_code, reason = "the Linux-only fixtures of the `all` binary")]
#[path = "../all/support.rs"]
mod support;
#[path = "../all/values.rs"]
mod values;
#[path = "../all/wire.rs"]
mod wire;
