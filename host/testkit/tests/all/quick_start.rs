//! The README's quick-start filter plugin (examples/plugins/invert), run the
//! way its host-author quick start says.

use airlock::{Error, PluginConfig};
use airlock_testkit::filter::{
    Filter, FilterError,
    design::types::{Image, Param, ParamValue},
};

use crate::support::test_runner;

#[test]
fn the_quick_start_filter_inverts_an_image() {
    let config = PluginConfig::from_file("invert", airlock_testkit::guest_path("invert")).unwrap();
    let mut filter = Filter::start(&test_runner(), config).unwrap();
    assert_eq!(filter.describe().unwrap().name, "Invert");

    let image = Image {
        width: 2,
        height: 1,
        pixels: vec![0, 10, 255, 255, 100, 200, 50, 7],
    };
    let out = filter.apply(&image, &[]).unwrap().unwrap();
    assert_eq!(out.pixels, vec![255, 245, 0, 255, 155, 55, 205, 7]);
    assert_eq!((out.width, out.height), (2, 1));

    let bad = [Param {
        name: "strength".into(),
        value: ParamValue::Number(2.0),
    }];
    match filter.apply(&image, &bad).unwrap() {
        Err(FilterError::InvalidParam(msg)) => assert!(msg.contains("strength"), "{msg}"),
        other => panic!("expected an invalid-param error, got {other:?}"),
    }
}

#[test]
fn a_filter_plugin_is_not_a_roundtrip_plugin() {
    let config = PluginConfig::from_file("invert", airlock_testkit::guest_path("invert")).unwrap();
    // Its stamp says so before anything is compiled…
    let err =
        airlock_testkit::roundtrip::Roundtrip::start(&test_runner(), config.clone()).unwrap_err();
    assert!(
        matches!(&err, Error::WorldMismatch { detail, .. }
            if detail.contains("built for world `airlock:design/filter@0.2.0`, not `airlock:test/roundtrip@0.1.0`")),
        "{err:?}"
    );
    // …and were it stamped otherwise, its exports would.
    let lying = airlock_testkit::restamped(config.component(), "airlock:test/roundtrip@0.1.0");
    // (Its embedded manifest would say so too: replace it with a lying one.)
    let manifest = airlock::Manifest::from_toml(
        "name = \"invert\"\nversion = \"0.1.0\"\nworld = \"airlock:test/roundtrip@0.1.0\"",
        "test",
    )
    .unwrap();
    let err = airlock_testkit::roundtrip::Roundtrip::start(
        &test_runner(),
        PluginConfig::new("invert", lying).manifest(manifest),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::WorldMismatch { detail, .. } if detail.contains("does not export")),
        "{err:?}"
    );
}

/// The README's JavaScript and Python quick-start filters
/// (examples/js/invert, examples/python/invert), packaged by `cargo xtask
/// build-plugins`, do exactly what the Rust one does through a real runner.
#[test]
fn the_js_and_python_quick_start_filters_invert_an_image() {
    for guest in ["js_invert", "py_invert"] {
        let config = || {
            PluginConfig::from_file(guest, airlock_testkit::guest_path(guest))
                .unwrap()
                .policy(crate::support::patient())
        };
        let launcher = crate::support::compiled_once(guest, |launcher| {
            drop(Filter::start(launcher, config()).expect("compile the quick-start filter"))
        });
        let mut filter = Filter::start(&launcher, config()).unwrap();
        assert!(
            filter.describe().unwrap().name.starts_with("Invert ("),
            "{guest}"
        );
        let image = Image {
            width: 2,
            height: 1,
            pixels: vec![0, 10, 255, 255, 100, 200, 50, 7],
        };
        let out = filter.apply(&image, &[]).unwrap().unwrap();
        assert_eq!(
            out.pixels,
            vec![255, 245, 0, 255, 155, 55, 205, 7],
            "{guest}"
        );
        let bad = [Param {
            name: "strength".into(),
            value: ParamValue::Number(2.0),
        }];
        match filter.apply(&image, &bad).unwrap() {
            Err(FilterError::InvalidParam(msg)) => {
                assert!(msg.contains("strength"), "{guest}: {msg}")
            }
            other => panic!("{guest}: expected an invalid-param error, got {other:?}"),
        }
        // Packaged: the stamp names its world, so a host can refuse it early.
        let stamp = airlock::world_stamp(config().component());
        assert_eq!(
            stamp.as_deref(),
            Some("airlock:design/filter@0.2.0"),
            "{guest}"
        );
    }
}

/// Each quick start in the README is the example it names, byte for byte, so
/// what a reader copies is what the tests run.
#[test]
fn the_readme_quick_starts_are_the_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for (fence, file) in [
        ("```rust\n", "examples/plugins/invert/src/lib.rs"),
        ("```js\n", "examples/js/invert/invert.js"),
        ("```python\n", "examples/python/invert/app.py"),
    ] {
        let source = std::fs::read_to_string(root.join(file)).unwrap();
        let blocks: Vec<&str> = readme
            .split(fence)
            .skip(1)
            .filter_map(|rest| rest.split("```\n").next())
            .collect();
        assert!(
            blocks.contains(&source.as_str()),
            "no {fence:?} block in README.md is {file}; copy the file into the quick start"
        );
    }
}
