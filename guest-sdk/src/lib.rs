//! The crate Airlock plugin authors depend on.
//!
//! A plugin names a world from the host's WIT, implements the generated
//! `Guest` trait, and exports it:
//!
//! ```text
//! airlock_guest::generate!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/filter" });
//!
//! struct Invert;
//!
//! impl Guest for Invert {
//!     fn describe() -> FilterInfo { /* … */ }
//!     fn apply(image: Image, params: Vec<Param>) -> Result<Image, FilterError> { /* … */ }
//! }
//!
//! export!(Invert);
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip2 --release` (or
//! `cargo component build --release`). Log with [`info!`] and friends; they
//! reach the host's `tracing` output tagged with the plugin. A panic's
//! message reaches the host in the call's error.
//!
//! # Layout
//!
//! - [`generate!`]: `wit_bindgen::generate!` with this crate as its runtime,
//!   so plugins need no other dependency.
//! - The `airlock:plugin` services: [`log`](crate::log), [`progress`](crate::progress)
//!   and [`is_cancelled`](crate::is_cancelled).

mod bindings {
    wit_bindgen::generate!({
        path: "../wit/airlock",
        world: "airlock:plugin/host-services",
    });
}

use bindings::airlock::plugin as services;

#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}

/// Generates guest bindings for a world, as `wit_bindgen::generate!` does,
/// with the runtime taken from this crate, and stamps the world's name and
/// version into the component (custom section `airlock:world`) so that a host
/// serving another version refuses the plugin with a message naming both.
pub use airlock_guest_macro::generate;

/// Severity of a log message.
pub use services::log::Level;

/// Sends a log message to the host.
pub fn log(level: Level, message: &str) {
    services::log::log(level, message);
}

/// Reports progress of the current call, `fraction` in 0.0..=1.0.
pub fn progress(fraction: f32, message: &str) {
    services::progress::report(fraction, message);
}

/// True once the host has asked the current call to stop early; long loops
/// should check it now and then and return.
pub fn is_cancelled() -> bool {
    services::cancel::is_cancelled()
}

#[macro_export]
macro_rules! trace { ($($arg:tt)*) => { $crate::log($crate::Level::Trace, &::std::format!($($arg)*)) }; }
#[macro_export]
macro_rules! debug { ($($arg:tt)*) => { $crate::log($crate::Level::Debug, &::std::format!($($arg)*)) }; }
#[macro_export]
macro_rules! info { ($($arg:tt)*) => { $crate::log($crate::Level::Info, &::std::format!($($arg)*)) }; }
#[macro_export]
macro_rules! warn { ($($arg:tt)*) => { $crate::log($crate::Level::Warn, &::std::format!($($arg)*)) }; }
#[macro_export]
macro_rules! error { ($($arg:tt)*) => { $crate::log($crate::Level::Error, &::std::format!($($arg)*)) }; }
