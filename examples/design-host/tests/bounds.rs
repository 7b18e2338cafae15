//! What one plugin call may make the design host hold is bounded: floods
//! through every document import of both design worlds, by a real hostile
//! tool in a real runner, end in a typed document error the plugin sees,
//! the document unchanged, and the host's memory within the bounds.

use std::path::Path;
use std::time::Duration;

use airlock::{Launcher, PluginConfig, Policy};
use airlock_example_design_host::bounds::{BoundExceeded, Bounds};
use airlock_example_design_host::document::Document;
use airlock_example_design_host::plugins::tool::ToolError;
use airlock_example_design_host::plugins::tool::design::document::DocumentError;
use airlock_example_design_host::plugins::tool::design::types::{Param, ParamValue};
use airlock_example_design_host::plugins::{self, AnyPlugin, ToolPlugin};
use airlock_example_design_host::transaction::{self, Transaction};

fn launcher() -> Launcher {
    Launcher::program(env!("CARGO_BIN_EXE_airlock-example-design-host"))
}

/// The hostile tool built for `version` ("" for 0.2.0, "_v0_1"), under `policy`.
fn hostile(version: &str, policy: Policy) -> ToolPlugin {
    let path = airlock_testkit::guest_path(&format!("test_hostile_design{version}"));
    let config = PluginConfig::from_file("hostile-design", path)
        .unwrap()
        .policy(policy);
    match plugins::start(&launcher(), config, Path::new("/nonexistent")) {
        Ok(Some(AnyPlugin::Tool(tool))) => tool,
        Ok(_) => panic!("test-hostile-design{version} is not a tool"),
        Err(e) => panic!("start test-hostile-design{version}: {e:#}"),
    }
}

fn policy() -> Policy {
    Policy::default().deadline(Duration::from_secs(60))
}

fn params(attack: &str, count: i64) -> Vec<Param> {
    vec![
        Param {
            name: "attack".into(),
            value: ParamValue::Text(attack.into()),
        },
        Param {
            name: "count".into(),
            value: ParamValue::Integer(count),
        },
    ]
}

/// The host's peak resident memory so far, in bytes (nextest runs each test
/// in its own process: this is the peak of this test).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = airlock_testkit::battery::proc_field(&status, "VmHWM")
        .and_then(|v| v.trim_end_matches(" kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    kib << 10
}

/// Every flood, with what the plugin must have been told.
fn floods() -> Vec<(&'static str, i64, String)> {
    let bounds = Bounds::default();
    vec![
        (
            "long-name",
            1 << 20,
            BoundExceeded::NameBytes {
                len: 1 << 20,
                limit: bounds.name_bytes,
            }
            .to_string(),
        ),
        (
            "layers",
            100_000,
            BoundExceeded::Layers {
                limit: bounds.layers,
            }
            .to_string(),
        ),
        (
            "raster-layers",
            10_000,
            BoundExceeded::Layers {
                limit: bounds.layers,
            }
            .to_string(),
        ),
        (
            "shapes",
            1_000_000,
            BoundExceeded::Shapes {
                limit: bounds.shapes,
            }
            .to_string(),
        ),
        (
            "updates",
            1_000_000,
            BoundExceeded::Shapes {
                limit: bounds.shapes,
            }
            .to_string(),
        ),
        (
            "path",
            1 << 20,
            BoundExceeded::PathPoints {
                len: 1 << 20,
                limit: bounds.path_points,
            }
            .to_string(),
        ),
    ]
}

/// Runs every flood on `tool`: the plugin is told the bound, what the
/// transaction holds stays within it, and nothing is committed.
fn every_flood_is_refused(tool: &mut ToolPlugin) {
    let sample = Document::sample();
    let bounds = Bounds::default();
    let before = peak_rss();
    for (attack, count, told) in floods() {
        // What the plugin saw, from its own report.
        let mut tx = Transaction::begin(&sample);
        let report = tool
            .exports
            .run(&mut tx, &params(attack, count))
            .unwrap()
            .unwrap();
        assert!(report.contains(&told), "{attack}: {report}");
        assert!(tx.refused().is_some(), "{attack}: {report}");
        let doc = tx.document();
        assert!(
            doc.layers.len() <= sample.layers.len() + bounds.layers,
            "{attack}"
        );
        assert!(
            doc.layers.iter().all(|l| l.name.len() <= bounds.name_bytes),
            "{attack}"
        );

        // Through `run`, the plugin's "success" is not committed.
        let mut doc = sample.clone();
        let out = transaction::run(&mut doc, |tx| tool.exports.run(tx, &params(attack, count)));
        match out {
            Ok(Err(ToolError::Document(DocumentError::Invalid(why)))) => {
                assert!(why.contains(&told), "{attack}: {why}")
            }
            other => panic!("{attack}: expected a refusal, got {other:?}"),
        }
        assert_eq!(doc, sample, "{attack} changed the document");
    }
    // Reads make the host answer, not hold: a thousand rounds of every read.
    let mut tx = Transaction::begin(&sample);
    let report = tool
        .exports
        .run(&mut tx, &params("reads", 1000))
        .unwrap()
        .unwrap();
    assert!(report.contains("in 1000 rounds"), "{report}");
    assert!(tx.refused().is_none());
    // Each flood held at most 64 MiB of additions and its import arguments;
    // unbounded, the long names alone reach gigabytes.
    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 512 << 20, "the host grew by {} MiB", grown >> 20);
}

#[test]
fn floods_through_every_0_2_document_import_are_refused_at_their_bounds() {
    every_flood_is_refused(&mut hostile("", policy()));
}

#[test]
fn floods_through_every_0_1_document_import_are_refused_at_their_bounds() {
    let mut tool = hostile("_v0_1", policy());
    assert_eq!(tool.world_name, plugins::v0_1::tool::WORLD_NAME);
    every_flood_is_refused(&mut tool);
}

#[test]
fn import_arguments_past_the_import_volume_are_not_decoded() {
    for (version, import) in [
        ("", "airlock:design/document@0.2.0#add-layer"),
        ("_v0_1", "airlock:design/document@0.1.0#add-layer"),
    ] {
        let mut tool = hostile(version, policy().import_volume(1 << 20));
        let doc = Document::sample();
        let mut tx = Transaction::begin(&doc);
        // A 2 MiB layer name: past the 1 MiB volume in one import call.
        let out = tool.exports.run(&mut tx, &params("long-name", 2 << 20));
        match out {
            Err(airlock::Error::ImportVolume {
                import: named,
                budget,
                used,
                ..
            }) => {
                assert_eq!(named, import);
                assert_eq!(budget, 1 << 20);
                assert!(used > 2 << 20, "{used}");
            }
            other => panic!("expected ImportVolume, got {other:?}"),
        }
        // Refused before decoding: the host never added the layer.
        assert_eq!(tx.document(), &doc);
        // The next call runs on a fresh runner.
        let mut tx = Transaction::begin(&doc);
        let out = tool
            .exports
            .run(&mut tx, &params("shapes", 10))
            .unwrap()
            .unwrap();
        assert_eq!(out, "added 10");
    }
}
