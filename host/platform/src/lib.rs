//! The parts of Airlock's platform layer that build, and are tested, on
//! every system, whichever system they lock down: what a runner applies is
//! made here from its policy as plain data, so that its shape is
//! unit-tested on Linux too, and only the final system call is the OS's
//! own (see `docs/platforms.md`).
//!
//! # Layout
//!
//! - [`seatbelt`]: the macOS lock-down, a deny-by-default Seatbelt profile
//!   made from the preopens and granted ports; applied on macOS only.
//! - `windows_attributes` (Windows only): the attribute list a runner is
//!   created with: its handles, creation-time mitigation policies.
//! - `windows_checks` (Windows only): a process's integrity level and
//!   mitigation policies, as the system reports them.
//! - `windows_process` (Windows only): a runner started suspended with a
//!   restricted low-integrity token and an explicit handle list, in a Job
//!   object, then resumed.

pub mod seatbelt;
#[cfg(windows)]
mod windows_attributes;
#[cfg(windows)]
pub mod windows_checks;
#[cfg(windows)]
pub mod windows_process;
