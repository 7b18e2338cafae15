//! Fuzz targets for every parser of hostile input on the Airlock host.
//!
//! Each target is one `pub fn <target>(data: &[u8])` that feeds `data` to a
//! parser the way the host does and panics only on a bug: a panic inside the
//! parser, or a broken invariant the target checks (a value that does not
//! survive its own encoding, a ring position honoured that should have been
//! refused). The bodies live here, in an ordinary library, so that they build
//! and run on the stable toolchain: `tests/replay.rs` replays the committed
//! corpora through them on every `cargo xtask test`, and the cargo-fuzz
//! project in `libfuzzer/` wraps each one in a libFuzzer entry point for
//! `cargo xtask fuzz`.
//!
//! # Layout
//!
//! - [`frames`]: frames from a runner over a stream (length prefixes, postcard headers).
//! - [`ring`]: the shared-memory rings, with positions and bytes chosen by the runner.
//! - [`sections`]: the stamp and manifest sections of a component.
//! - [`policy_toml`], [`manifest_toml`]: the two TOML formats.
//! - [`wave`]: WAVE arguments of `airlock call`.
//! - [`roundtrip`]: the generated decoding of results and import arguments
//!   of the `airlock:test/roundtrip` world.

pub mod frames;
pub mod manifest_toml;
pub mod policy_toml;
pub mod ring;
pub mod roundtrip;
pub mod sections;
pub mod wave;

pub use frames::frames;
pub use manifest_toml::manifest_toml;
pub use policy_toml::policy_toml;
pub use ring::ring;
pub use roundtrip::{roundtrip_imports, roundtrip_results};
pub use sections::sections;
pub use wave::wave;

/// A fuzz target: its name and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target by name, in the order `cargo xtask fuzz` runs them (the
/// cheapest first). The names are those of the directories under `corpus/`
/// and `regressions/` and of the libFuzzer binaries.
pub const TARGETS: &[Target] = &[
    ("frames", frames),
    ("roundtrip_results", roundtrip_results),
    ("roundtrip_imports", roundtrip_imports),
    ("sections", sections),
    ("wave", wave),
    ("ring", ring),
    ("policy_toml", policy_toml),
    ("manifest_toml", manifest_toml),
];
