//! Airlock: typed WIT plugins, each instance in its own sandboxed process.
//!
//! A host application declares what plugins may do as a WIT world and
//! generates typed bindings with [`bindgen!`]:
//!
//! ```ignore
//! mod filter {
//!     airlock::bindgen!({ path: "wit/design", world: "filter" });
//! }
//!
//! fn main() -> airlock::Result<()> {
//!     // The same binary serves as the runner of its plugins.
//!     airlock::serve_runner_if_requested(&[&filter::RunnerGlue]);
//!     let launcher = airlock::Launcher::current_exe()?;
//!     let config = airlock::PluginConfig::from_file("grayscale", "grayscale.wasm")?;
//!     let mut plugin = filter::Filter::start(&launcher, config)?;
//!     let info = plugin.describe()?;
//!     Ok(())
//! }
//! ```
//!
//! # Layout
//!
//! - [`Plugin`]: one runner process and the call loop that talks to it.
//! - [`Launcher`]: which executable runs plugins, and how it is started.
//! - [`Error`]: every way a call can fail, typed.
//! - `__private`: what generated code uses; not a public API.

mod dispatch;
mod error;
mod launcher;
mod plugin;

pub use airlock_macro::bindgen;
pub use dispatch::{DispatchError, ImportDispatch, NoImports};
pub use error::{Error, Result};
pub use launcher::{Launcher, serve_runner_if_requested};
pub use plugin::{CancelHandle, Plugin, PluginConfig, WorldRef};

#[doc(hidden)]
pub mod __private {
    pub use crate::dispatch::{DispatchError, ImportDispatch, NoImports};
    pub use airlock_protocol::{decode, encode_into};
    pub use serde;
    pub use serde_bytes;
    pub use wasmtime;

    pub mod runner {
        pub use airlock_runner::glue::*;
    }
}
