//! Target `sections`: a component file as the host reads it before any
//! runner sees it: its stamp (`airlock:world`) and its embedded manifest
//! (`airlock:manifest`), found in one pass over the bytes, then the stamp
//! compared with the worlds the host serves and the manifest parsed.
//!
//! Checked: no panic; one pass and the stamp alone agree; a stamp always
//! fits the world it names; an embedded manifest the host accepts is one
//! that [`airlock::Manifest::from_toml`] accepts from the same text.

use airlock::Manifest;
use airlock_runner::stamp;

/// Worlds a host serves, as the design host and the tests name them.
const WORLDS: [&str; 4] = [
    "airlock:design/filter@0.1.0",
    "airlock:design/filter@0.2.0",
    "airlock:test/roundtrip@0.1.0",
    "airlock:dynamic",
];

pub fn sections(data: &[u8]) {
    let found = stamp::sections(data);
    assert_eq!(
        stamp::world_stamp(data),
        found.stamp,
        "the stamp alone differs from the one pass"
    );
    if let Some(stamp) = &found.stamp {
        for world in WORLDS {
            let _ = stamp::check_stamp(stamp, world);
            let _ = stamp::check_stamp(world, stamp);
        }
        if let Err(e) = stamp::check_stamp(stamp, stamp) {
            panic!("a plugin stamped {stamp:?} is refused by its own world: {e}");
        }
    }
    let embedded = Manifest::embedded(data, "fuzz.wasm");
    match (&found.manifest, embedded) {
        (None, Ok(None)) => {}
        (Some(text), Ok(Some(manifest))) => {
            let text = std::str::from_utf8(text).expect("an accepted manifest is UTF-8");
            let direct = Manifest::from_toml(text, "fuzz.toml")
                .expect("an accepted embedded manifest parses as TOML");
            assert_eq!(direct, manifest, "the embedded manifest parses differently");
            crate::manifest_toml::use_manifest(&manifest);
        }
        (Some(_), Err(e)) => {
            let message = e.to_string();
            assert!(
                message.contains("fuzz.wasm"),
                "the error does not name the component: {message}"
            );
        }
        (found, embedded) => panic!("the section is {found:?} but the host read {embedded:?}"),
    }
}
