//! Snapshot tests of generated bindings: one WIT fixture per case, compared
//! with the pretty-printed expansion in `snapshots/`. Run with
//! `AIRLOCK_BLESS=1` to accept changes after reviewing the diff.

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.wit"))
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("AIRLOCK_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with AIRLOCK_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "snapshot {name} differs from line {}:\n  expected: {:?}\n  actual:   {:?}\nrun with AIRLOCK_BLESS=1 to accept",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
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
    check("scalars.rs", &expand("scalars").unwrap());
}

#[test]
fn types() {
    check("types.rs", &expand("types").unwrap());
}

#[test]
fn imports() {
    check("imports.rs", &expand("imports").unwrap());
}

#[test]
fn resources() {
    check("resources.rs", &expand("resources").unwrap());
}

#[test]
fn exported_resources() {
    check(
        "exported-resources.rs",
        &expand("exported-resources").unwrap(),
    );
}

#[test]
fn exported_resources_are_refused_in_imports() {
    let err = format!("{:#}", expand("smuggled-resource").unwrap_err());
    assert!(
        err.contains("both imports and exports interface `brushes`"),
        "{err}"
    );
    assert!(err.contains("resource `brush`"), "{err}");
}

#[test]
fn functions_with_one_rust_name_are_refused_naming_both() {
    let err = format!("{:#}", expand("name-clash").unwrap_err());
    assert!(
        err.contains("`[constructor]brush` and `brush-new` in interface `brushes`"),
        "{err}"
    );
    assert!(err.contains("the Rust method `brush_new`"), "{err}");
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
