//! Test worlds and helpers for Airlock's integration tests.
//!
//! The binaries beside this library are the runners the tests start:
//! `airlock-test-runner` serves the test worlds, and `airlock-fake-runner`
//! misbehaves on purpose (garbage frames, oversized lengths, silence) so the
//! host's defences can be tested against a real process.
//!
//! # Layout
//!
//! - `platform`: the system-specific part, the native attacks' system calls.
//! - [`native`]: the native attacks a runner can be told to make on itself.
//! - [`battery`]: the hostile battery, its driver and one module per attack family.
//! - [`wat`]: hand-written components for what a Rust guest cannot express.
//! - [`roundtrip`], [`roundtrip_plus`], [`hostile`], [`bare`], [`files`]:
//!   bindings for the test worlds; [`filter`]: for the design package's filter.
//! - `fixtures`: the generator's snapshot fixtures, compiled.
//! - [`Tallies`], [`tally_methods!`]: the host side of the roundtrip world's resource.

use std::path::PathBuf;

pub mod battery;
pub mod native;
mod platform;
pub mod wat;

/// Bindings for `airlock:test/roundtrip`: every value type, imports, failures.
pub mod roundtrip {
    airlock::bindgen!({ path: ["../../wit/airlock", "wit"], world: "airlock:test/roundtrip" });
}

/// Bindings for `airlock:test/roundtrip-plus`, a world the roundtrip guest does not fit.
pub mod roundtrip_plus {
    airlock::bindgen!({ path: ["../../wit/airlock", "wit"], world: "airlock:test/roundtrip-plus" });
}

/// Bindings for `airlock:test/hostile`, the world of the hostile guest (the sandbox attack battery).
pub mod hostile {
    airlock::bindgen!({ path: ["../../wit/airlock", "wit"], world: "airlock:test/hostile" });
}

/// Bindings for `airlock:test/bare`, the world of the components in [`wat`].
pub mod bare {
    airlock::bindgen!({ path: ["../../wit/airlock", "wit"], world: "airlock:test/bare" });
}

/// Bindings for `airlock:test/files`, the world of the file-work guest (real WASI file calls in a granted folder).
pub mod files {
    airlock::bindgen!({ path: ["../../wit/airlock", "wit"], world: "airlock:test/files" });
}

/// Bindings for the example design package's `filter` world, as a host application would generate them.
pub mod filter {
    airlock::bindgen!({ path: ["../../wit/airlock", "../../wit/design"], world: "airlock:design/filter" });
}

/// The generator's snapshot fixtures, compiled: the snapshot tests compare
/// text, this proves the text is valid Rust (names that could clash, such as a
/// world called `imports`, included). Every fixture of
/// `host/bindgen/tests/fixtures` is here but the two the generator must
/// refuse (`name-clash`, `smuggled-resource`), whose errors the snapshot
/// tests assert.
#[doc(hidden)]
pub mod fixtures {
    pub mod imports {
        airlock::bindgen!({ path: "../bindgen/tests/fixtures/imports.wit", world: "fixture:imports/imports" });
    }
    pub mod scalars {
        airlock::bindgen!({ path: "../bindgen/tests/fixtures/scalars.wit", world: "fixture:scalars/scalars" });
    }
    pub mod types {
        airlock::bindgen!({ path: "../bindgen/tests/fixtures/types.wit", world: "fixture:types/types@1.2.3" });
    }
    pub mod resources {
        airlock::bindgen!({ path: "../bindgen/tests/fixtures/resources.wit", world: "fixture:painter/painter" });
    }
    pub mod exported_resources {
        airlock::bindgen!({ path: "../bindgen/tests/fixtures/exported-resources.wit", world: "fixture:brushes/painter-plugin" });
    }
}

/// The directory `cargo xtask build-plugins` fills with the compiled guests
/// (`AIRLOCK_PLUGIN_DIR`, which `cargo xtask test` sets; else `target/plugins`).
pub fn plugin_dir() -> PathBuf {
    std::env::var_os("AIRLOCK_PLUGIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/plugins"))
}

/// The compiled guest `name` (e.g. `test_roundtrip`, `grid`) from [`plugin_dir`].
pub fn guest_path(name: &str) -> PathBuf {
    let path = plugin_dir().join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "guest {} is missing; run `cargo xtask build-plugins` (or `cargo xtask test`, which builds it)",
        path.display()
    );
    path
}

/// `component` with a component-level `airlock:world` section saying
/// `stamp`, placed before everything else so that it is the one found.
pub fn restamped(component: &[u8], stamp: &str) -> Vec<u8> {
    let name = airlock_runner::stamp::STAMP_SECTION.as_bytes();
    let mut body = vec![name.len() as u8];
    body.extend_from_slice(name);
    body.extend_from_slice(stamp.as_bytes());
    assert!(body.len() < 128, "one-byte LEB128 size");
    let mut out = component[..8].to_vec();
    out.push(0);
    out.push(body.len() as u8);
    out.extend_from_slice(&body);
    out.extend_from_slice(&component[8..]);
    out
}

/// The `tally` methods of `roundtrip::test::host_calls::Host`, for a host
/// type with a `tallies: Tallies` field.
#[macro_export]
macro_rules! tally_methods {
    () => {
        fn tally_new(&mut self, start: u32) -> $crate::roundtrip::test::host_calls::Tally {
            self.tallies.make(start)
        }
        fn tally_add(&mut self, tally: $crate::roundtrip::test::host_calls::Tally, n: u32) -> u32 {
            self.tallies.add(tally, n)
        }
        fn tally_total(&mut self, tally: $crate::roundtrip::test::host_calls::Tally) -> u32 {
            self.tallies.total(tally)
        }
        fn tallies(&mut self, n: u32) -> Vec<$crate::roundtrip::test::host_calls::Tally> {
            (0..n).map(|i| self.tallies.make(100 + i)).collect()
        }
        fn drop_tally(&mut self, tally: $crate::roundtrip::test::host_calls::Tally) {
            self.tallies.drop_tally(tally)
        }
    };
}

/// The host's side of the roundtrip world's `tally` resource: counters by
/// handle number, and a record of every handle made and dropped.
#[derive(Debug, Default)]
pub struct Tallies {
    values: std::collections::HashMap<u32, u32>,
    next: u32,
    /// Handles made so far.
    pub made: u32,
    /// Handles the guest dropped, in order.
    pub dropped: Vec<u32>,
}

impl Tallies {
    pub fn make(&mut self, start: u32) -> roundtrip::test::host_calls::Tally {
        self.next += 1;
        self.made += 1;
        self.values.insert(self.next, start);
        airlock::Handle::new(self.next)
    }

    pub fn add(&mut self, tally: roundtrip::test::host_calls::Tally, n: u32) -> u32 {
        let value = self.values.entry(tally.rep()).or_default();
        *value += n;
        *value
    }

    pub fn total(&self, tally: roundtrip::test::host_calls::Tally) -> u32 {
        self.values.get(&tally.rep()).copied().unwrap_or(0)
    }

    pub fn drop_tally(&mut self, tally: roundtrip::test::host_calls::Tally) {
        self.values.remove(&tally.rep());
        self.dropped.push(tally.rep());
    }

    /// Tallies alive on the host's side.
    pub fn live(&self) -> usize {
        self.values.len()
    }
}
