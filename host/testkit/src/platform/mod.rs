//! The test kit's system-specific part, one module per system: the native
//! attacks a test runner makes after its lock-down.

#[cfg(unix)]
mod native_unix;

#[cfg(unix)]
pub use native_unix::{ARTIFACT_ATTACKS, ATTACKS, attack};

/// No native attacks on Windows yet.
#[cfg(windows)]
pub const ATTACKS: &[&str] = &[];

/// No sealed artifacts on Windows to attack.
#[cfg(windows)]
pub const ARTIFACT_ATTACKS: &[&str] = &[];

/// Nothing to attack with on Windows yet.
#[cfg(windows)]
pub fn attack(_plugin: &str) {}
