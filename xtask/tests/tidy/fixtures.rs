//! Every bindgen fixture is compiled by testkit and has a snapshot, or is a
//! declared error fixture that a bindgen test uses.

use std::fs;
use std::path::Path;

use crate::tree::{self, Scratch};

/// Fixtures the generator must refuse, with what it refuses: they compile
/// nowhere and have no snapshot, but a test in `host/bindgen/tests/` checks
/// the error.
pub const ERROR_FIXTURES: &[(&str, &str)] = &[
    ("name-clash", "two functions with one Rust name"),
    (
        "smuggled-resource",
        "an exported resource in an imported interface",
    ),
];

const FIXTURES: &str = "host/bindgen/tests/fixtures";
const SNAPSHOTS: &str = "host/bindgen/tests/snapshots";

/// The text of every `.rs` file under `dir`, concatenated.
fn sources(root: &Path, dir: &str) -> String {
    tree::files(root, Path::new(dir), ".rs")
        .iter()
        .map(|rel| tree::read(root, rel))
        .collect()
}

fn has_snapshot(root: &Path, name: &str) -> bool {
    let Ok(entries) = fs::read_dir(root.join(SNAPSHOTS)) else {
        return false;
    };
    let underscored = name.replace('-', "_");
    entries.flatten().any(|entry| {
        let file = entry.file_name().to_string_lossy().into_owned();
        file == format!("{name}.rs")
            || (file.ends_with(".snap") && (file.contains(name) || file.contains(&underscored)))
    })
}

pub fn problems(root: &Path) -> Vec<String> {
    let testkit = sources(root, "host/testkit/src");
    // Snapshots are skipped by the walk: only the tests' own code is read.
    let bindgen_tests = sources(root, "host/bindgen/tests");
    let mut problems = Vec::new();
    let fixtures = tree::files(root, Path::new(FIXTURES), ".wit");
    for rel in &fixtures {
        let name = rel.file_stem().unwrap_or_default().to_string_lossy();
        let at = rel.display();
        let compiled = testkit.contains(&format!("tests/fixtures/{name}.wit\""));
        let used = bindgen_tests.contains(&format!("\"{name}\""));
        if ERROR_FIXTURES.iter().any(|(n, _)| *n == name) {
            if compiled {
                problems.push(format!(
                    "{at}: declared an error fixture but testkit compiles it; \
                     drop it from ERROR_FIXTURES in xtask/tests/tidy/fixtures.rs"
                ));
            }
            if !used {
                problems.push(format!(
                    "{at}: an error fixture no test in host/bindgen/tests/ uses; \
                     add a test that checks the generator's error"
                ));
            }
            continue;
        }
        if !compiled {
            problems.push(format!(
                "{at}: not compiled by testkit; add a `bindgen!` of it to the `fixtures` \
                 module of host/testkit/src/lib.rs (or declare it in ERROR_FIXTURES \
                 if the generator must refuse it)"
            ));
        }
        if !has_snapshot(root, &name) {
            problems.push(format!(
                "{at}: no snapshot in {SNAPSHOTS}/; add a snapshot test of it and bless it"
            ));
        }
    }
    for (name, _) in ERROR_FIXTURES {
        if !fixtures
            .iter()
            .any(|f| f.file_stem().is_some_and(|s| s == *name))
        {
            problems.push(format!(
                "{FIXTURES}/{name}.wit: declared an error fixture but does not exist; \
                 drop it from ERROR_FIXTURES in xtask/tests/tidy/fixtures.rs"
            ));
        }
    }
    problems
}

#[test]
fn every_bindgen_fixture_is_compiled_and_snapshotted() {
    tree::report(
        "bindgen fixtures not exercised",
        "a fixture exists to be generated, compiled and snapshotted, or to be refused",
        &problems(&tree::root()),
    );
}

#[test]
fn planted_unexercised_fixtures_are_named() {
    let testkit = "//! Testkit.\nairlock::bindgen!({ path: \"../bindgen/tests/fixtures/scalars.wit\" });\n\
                   airlock::bindgen!({ path: \"../bindgen/tests/fixtures/types.wit\" });\n";
    let scratch = Scratch::new("fixtures");
    scratch
        .file("host/testkit/src/lib.rs", testkit)
        .file(
            "host/bindgen/tests/snapshots.rs",
            "//! T.\nexpand(\"name-clash\");\n",
        )
        .file(&format!("{FIXTURES}/scalars.wit"), "")
        .file(&format!("{SNAPSHOTS}/scalars.rs"), "")
        .file(&format!("{FIXTURES}/types.wit"), "")
        .file(&format!("{SNAPSHOTS}/snapshots__types.snap"), "")
        .file(&format!("{FIXTURES}/exported-resources.wit"), "")
        .file(
            &format!("{SNAPSHOTS}/snapshots__exported_resources.snap"),
            "",
        )
        .file(&format!("{FIXTURES}/imports.wit"), "")
        .file(&format!("{FIXTURES}/name-clash.wit"), "");
    let problems = problems(&scratch.root);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].starts_with(&format!("{FIXTURES}/exported-resources.wit: not compiled")));
    assert!(problems[1].starts_with(&format!("{FIXTURES}/imports.wit: not compiled")));
    assert!(problems[2].starts_with(&format!("{FIXTURES}/imports.wit: no snapshot")));
    assert!(problems[3].starts_with(&format!("{FIXTURES}/smuggled-resource.wit: declared")));
}
