//! Airlock: typed WIT plugins, each instance in its own sandboxed process.
//!
//! A host application declares what plugins may do as a WIT world and
//! generates typed bindings with [`bindgen!`]:
//!
//! ```no_run
//! mod filter {
//!     // Paths are relative to the crate's Cargo.toml; the world is looked up by name.
//!     airlock::bindgen!({ path: ["../wit/airlock", "../wit/design"], world: "airlock:design/filter" });
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // This binary is also the runner of its plugins: when started as one, it serves and exits here.
//!     airlock::serve_runner_if_requested(&[&filter::RunnerGlue]);
//!
//!     let launcher = airlock::Launcher::current_exe()?;
//!     let config = airlock::PluginConfig::from_file("invert", "invert.wasm")?
//!         .deadline(std::time::Duration::from_secs(2));
//!     let mut plugin = filter::Filter::start(&launcher, config)?;
//!
//!     let image = filter::Image { width: 1, height: 1, pixels: vec![10, 20, 30, 255] };
//!     match plugin.apply(&image, &[]) {
//!         Ok(Ok(inverted)) => println!("{:?}", inverted.pixels),
//!         Ok(Err(filter_error)) => println!("the plugin refused: {filter_error:?}"),
//!         Err(airlock_error) => println!("the plugin failed: {airlock_error}"), // trap, crash, deadline…
//!     }
//!     Ok(())
//! }
//! ```
//!
//! (The README's host quick start, with paths from this crate.)
//!
//! # Layout
//!
//! Calling plugins:
//!
//! - `plugin`: [`Plugin`], one runner process and the call loop that talks to
//!   it (`plugin/`: config, handles, connection, peer, admission, launch,
//!   record, call, supervise).
//! - `invoke`: [`Invoke`], the role generated clients call exports through
//!   ([`Plugin`], [`InProcess`]).
//! - `dispatch`: the host side of import calls, [`ImportDispatch`].
//! - `resources`: the host's half of exported resources: which instance a
//!   [`PluginResource`] came from, and the check that it goes only there.
//! - `dynamic`: [`DynamicPlugin`], any world, called with WAVE text;
//!   [`DynamicImports`] answers its imports.
//! - [`mock`]: [`mock::Mock`], a plugin's imports answered from a script.
//! - `recording`: [`Recording`], one call as the plugin saw it, in a file.
//! - `replay`: [`replay()`], a recorded call run again with no host.
//! - `client`: the [`Client`] trait of generated clients and [`PluginPool`].
//! - `pool`: [`WarmPool`], runners started ahead of need.
//! - `error`: [`Error`], every way a call can fail, typed.
//!
//! Starting them:
//!
//! - `launcher`: [`Launcher`], which executable runs plugins, and how.
//! - `runner_stderr`: a runner's stderr, logged and kept for crash reports.
//! - `zygote`: the host's side of the zygote that forks runners, and its spare (Linux).
//! - `zygote_wire`: the messages to and from the zygote (Linux).
//! - `forked_runner`: a runner the zygote forked, held by its pidfd (Linux).
//! - `platform`: what the host needs of its system besides the rings.
//! - `startup`: [`StartupTimeline`], where a runner start's time went.
//! - `limits`: spawn failures for a process or descriptor limit, explained.
//! - `layer`: [`Layer`], a sandbox layer a host can require.
//! - `policy`: [`Policy`], what a plugin may do and use, as a builder and TOML.
//! - `manifest`: [`Manifest`], what a plugin asks for, reviewed against the policy.
//! - `cache`: [`ArtifactCache`], compiled artifacts tagged with a keyed MAC.
//! - `bounded_read`: reading a plugin's files with their size bounded first.
//! - [`package`]: the world stamp and manifest written into any component.
//!
//! What plugins say and leave:
//!
//! - [`text`]: [`PluginText`], text from a plugin, escaped whenever shown.
//! - [`plugin_log`]: log lines, progress and output, bounded per call.
//! - `metrics`: [`PluginMetrics`], also published through the `metrics` facade.
//! - `granted_file`: why a file a plugin left in a granted folder was refused.
//!
//! `__private` is what generated code uses; not a public API.

mod bounded_read;
mod cache;
mod client;
mod dispatch;
mod dynamic;
mod error;
#[cfg(target_os = "linux")]
mod forked_runner;
mod granted_file;
mod invoke;
mod launcher;
mod layer;
mod limits;
mod manifest;
mod metrics;
pub mod mock;
pub mod package;
mod platform;
mod plugin;
pub mod plugin_log;
mod policy;
mod pool;
mod recording;
mod replay;
mod resources;
mod runner_stderr;
mod startup;
pub mod text;
#[cfg(target_os = "linux")]
mod zygote;
#[cfg(target_os = "linux")]
mod zygote_wire;

pub use airlock_macro::bindgen;
pub use airlock_protocol::{Backend, SandboxLayers, Wake};
pub use airlock_runner::exported::{ExportedResource, PluginResource};
pub use airlock_runner::handles::Handle;
pub use airlock_runner::stamp::{check_stamp, world_stamp};
pub use bounded_read::{FileTooLarge, MAX_COMPONENT_FILE_LEN, MAX_MANIFEST_LEN, read_bounded};
pub use cache::{ArtifactCache, CacheStats};
pub use client::{Client, PluginPool};
pub use dispatch::{DispatchError, ImportDispatch, NoImports};
pub use dynamic::{
    DYNAMIC, DynamicGlue, DynamicImports, DynamicPlugin, NoDynamicImports, provided_by_runner,
};
pub use error::{Error, Result, TimeLimit, TrapFrame};
pub use granted_file::GrantedFileError;
pub use invoke::{InProcess, Invoke};
pub use launcher::{BACKEND_VAR, Launcher, RING_WAKE_VAR, serve_runner_if_requested};
pub use layer::Layer;
pub use manifest::{Access, Capability, Manifest, Request, Review};
pub use metrics::{LatencyHistogram, PluginMetrics};
pub use platform::open_granted_file;
pub use plugin::{AbortHandle, CancelHandle, Plugin, PluginConfig, PluginState, WorldRef};
pub use policy::{ByteSize, DEBUG_DEADLINE, DEFAULT_IMPORT_VOLUME, Policy, Preopen};
pub use pool::WarmPool;
pub use recording::{
    DEFAULT_RECORDING_BYTES, MAX_RECORDING_FILE_LEN, RecordedImport, RecordedOutcome, Recording,
    RecordingError,
};
pub use replay::{Replay, Verdict, replay};
pub use startup::StartupTimeline;
pub use text::PluginText;

#[doc(hidden)]
pub mod __private {
    pub use crate::dispatch::{DispatchError, ImportDispatch, NoImports};
    pub use crate::resources::{CallScope, ResourceOwner};
    pub use airlock_protocol::{decode, encode_into};
    pub use serde;
    pub use serde_bytes;
    pub use wasmtime;

    pub mod runner {
        pub use airlock_runner::glue::*;
    }
}
