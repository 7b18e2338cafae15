//! Snapshot tests of generated bindings, on `insta`: one WIT fixture
//! (`tests/fixtures/<name>.wit`) per case, its pretty-printed expansion kept
//! in `tests/snapshots/<name>.snap`; the two fixtures the generator must
//! refuse keep their error message there instead.
//!
//! A changed generator fails these tests with a line-by-line diff of the old
//! and new output. To review and accept the change:
//!
//! - with cargo-insta (installed in your own toolchain, not by this repo):
//!   a failing run outside CI leaves a `.snap.new` beside each changed
//!   snapshot; `cargo insta review` shows each diff and accepts or rejects
//!   it (`cargo insta reject` drops them all);
//! - without it: `INSTA_UPDATE=always cargo nextest run --release --workspace
//!   -E 'binary(snapshots)'` rewrites the `.snap` files, and `git diff
//!   host/bindgen/tests/snapshots` shows what changed.
//!
//! Commit the `.snap` files with the generator change; never a `.snap.new`.

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.wit"))
}

/// Snapshots named after their fixture (`scalars.snap`), described by its
/// path, without the test's module name or the asserted expression.
fn settings(name: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("tests/fixtures/{name}.wit"));
    settings
}

/// Compares the bindings generated from fixture `name` with its snapshot.
fn check(name: &str) {
    let actual = expand(name).unwrap_or_else(|e| panic!("generating {name}: {e:#}"));
    settings(name).bind(|| insta::assert_snapshot!(name, actual));
}

/// Compares the generator's refusal of fixture `name` with its snapshot.
fn check_refused(name: &str) -> String {
    let err = match expand(name) {
        Ok(_) => panic!("the generator accepted {name}, which it must refuse"),
        Err(e) => format!("{e:#}"),
    };
    settings(name).bind(|| insta::assert_snapshot!(name, err));
    err
}

fn expand(name: &str) -> anyhow::Result<String> {
    let generated = airlock_bindgen::generate(&airlock_bindgen::Opts {
        paths: vec![fixture(name)],
        world: None,
    })?;
    let file: syn::File = syn::parse2(generated.tokens)?;
    Ok(prettyplease::unparse(&file))
}

#[test]
fn scalars() {
    check("scalars");
}

#[test]
fn types() {
    check("types");
}

#[test]
fn imports() {
    check("imports");
}

#[test]
fn resources() {
    check("resources");
}

#[test]
fn exported_resources() {
    check("exported-resources");
}

#[test]
fn exported_resources_are_refused_in_imports() {
    let err = check_refused("smuggled-resource");
    // Also asserted by phrase, so that accepting a snapshot cannot lose them.
    assert!(
        err.contains("both imports and exports interface `brushes`"),
        "{err}"
    );
    assert!(err.contains("resource `brush`"), "{err}");
}

#[test]
fn functions_with_one_rust_name_are_refused_naming_both() {
    let err = check_refused("name-clash");
    assert!(
        err.contains("`[constructor]brush` and `brush-new` in interface `brushes`"),
        "{err}"
    );
    assert!(err.contains("the Rust method `brush_new`"), "{err}");
}

/// Every fixture has a snapshot and a test above: a new fixture without one
/// fails here rather than going untested.
#[test]
fn every_fixture_has_a_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir.join("fixtures")).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !dir.join("snapshots").join(format!("{name}.snap")).exists() {
            missing.push(name.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "fixtures without a snapshot: {missing:?}; add a test calling check() \
         or check_refused() and accept its snapshot (see this file's header)"
    );
}

#[test]
fn world_hash_changes_with_any_signature_change() {
    let dir = tempdir();
    let write = |body: &str| {
        let path = dir.join("w.wit");
        std::fs::write(&path, format!("package t:t;\nworld w {{ {body} }}\n")).unwrap();
        airlock_bindgen::generate(&airlock_bindgen::Opts {
            paths: vec![path],
            world: None,
        })
        .unwrap()
        .world_hash
    };
    let base = write("export f: func(a: u32) -> u32;");
    assert_eq!(
        base,
        write("export f: func(a: u32) -> u32;"),
        "the hash must be deterministic"
    );
    assert_ne!(base, write("export f: func(a: u64) -> u32;"));
    assert_ne!(
        base,
        write("export f: func(a: u32) -> u32; export g: func();")
    );
    assert_ne!(base, write("export f: func(b: u32) -> u32;"));
}

#[test]
fn a_missing_world_is_a_clear_error() {
    let err = airlock_bindgen::generate(&airlock_bindgen::Opts {
        paths: vec![fixture("scalars")],
        world: Some("nope".into()),
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("nope"), "{err:#}");
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("airlock-bindgen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
