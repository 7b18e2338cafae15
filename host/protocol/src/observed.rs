//! What a guest read of the WASI clocks and random during one call: sent by
//! a runner started for recording ([`crate::Hello::recording`]) just before
//! the call's `Return`, and handed back to a runner that replays the call.

use serde::{Deserialize, Serialize};

/// The most clock readings one call's observations keep.
pub const MAX_READINGS: usize = 16 * 1024;
/// The most random bytes one call's observations keep.
pub const MAX_RANDOM_BYTES: usize = 256 * 1024;

/// The clock readings and random bytes of one call, in the order the guest
/// read them; past [`MAX_READINGS`] or [`MAX_RANDOM_BYTES`] the rest is not
/// kept and `cut` says so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observations {
    pub readings: Vec<Reading>,
    /// Every byte `wasi:random` handed out, secure and insecure alike.
    pub random: Vec<u8>,
    pub cut: bool,
}

/// One reading of a WASI clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reading {
    /// `wasi:clocks/wall-clock.now`, since the Unix epoch.
    Wall { seconds: u64, nanoseconds: u32 },
    /// `wasi:clocks/monotonic-clock.now`, in nanoseconds.
    Monotonic(u64),
}
