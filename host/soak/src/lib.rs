//! `cargo xtask soak` and `cargo xtask chaos`: long runs against real
//! runners that fail when anything grows, leaks or corrupts.
//!
//! # Layout
//!
//! - [`soak`]: a million mixed calls over eight roundtrip plugins, with
//!   [`procfs`] samples judged by [`growth`].
//! - [`chaos`]: the design host's plugins with their runners killed or
//!   stopped mid-call ([`signaller`]), over [`subjects`]; documents compared
//!   by [`fingerprint`], leftovers found by [`held`], runs chosen by [`rng`].
//! - [`progress`]: what the two show while they run.
//!
//! The binaries `airlock-soak` and `airlock-chaos` are also their own
//! plugin runners.

pub mod chaos;
pub mod fingerprint;
pub mod growth;
pub mod held;
pub mod procfs;
pub mod progress;
pub mod rng;
pub mod signaller;
pub mod soak;
pub mod subjects;
