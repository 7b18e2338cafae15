//! Replays every committed seed (`corpus/<target>/`) and every input that
//! once found a bug (`regressions/<target>/`) through its target, as an
//! ordinary test: `cargo xtask test` (and so CI) runs each of them on every
//! change. A target without seeds, an empty corpus directory or a directory
//! named after no target fails the test, so the replay cannot silently
//! test nothing.

use std::path::{Path, PathBuf};

fn dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(kind)
}

/// The files of `dir/target`, sorted; none if the directory does not exist.
fn inputs(dir: &Path, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs one input, naming it if its target panics.
fn replay(target: &str, run: fn(&[u8]), path: &Path) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if std::panic::catch_unwind(|| run(&data)).is_err() {
        panic!(
            "target `{target}` panicked on {}; reproduce with `cargo xtask fuzz --runs 1 {target}` or `cargo test -p airlock-fuzz --test replay`",
            path.display()
        );
    }
}

/// Replays `target`'s seeds (at least three) and regressions.
fn replay_target(target: &str) {
    let run = airlock_fuzz::TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .unwrap_or_else(|| panic!("no target `{target}` in airlock_fuzz::TARGETS"))
        .1;
    let seeds = inputs(&dir("corpus"), target);
    assert!(
        seeds.len() >= 3,
        "corpus/{target}/ holds {} seeds; every target needs a few real ones",
        seeds.len()
    );
    let regressions = inputs(&dir("regressions"), target);
    for path in seeds.iter().chain(&regressions) {
        replay(target, run, path);
    }
    eprintln!(
        "{target}: replayed {} seeds and {} regressions",
        seeds.len(),
        regressions.len()
    );
}

/// One test per target, so a failure names its target; the list is
/// checked against `airlock_fuzz::TARGETS` below.
macro_rules! replay_tests {
    ($($target:ident),* $(,)?) => {
        const REPLAYED: &[&str] = &[$(stringify!($target)),*];
        $(
            #[test]
            fn $target() {
                replay_target(stringify!($target));
            }
        )*
    };
}

replay_tests!(
    frames,
    roundtrip_results,
    roundtrip_imports,
    sections,
    wave,
    ring,
    policy_toml,
    manifest_toml,
);

#[test]
fn every_target_is_replayed() {
    let targets: Vec<&str> = airlock_fuzz::TARGETS.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        REPLAYED, targets,
        "replay_tests! lists other targets than TARGETS"
    );
}

#[test]
fn every_directory_belongs_to_a_target_and_none_is_empty() {
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(dir(kind)) else {
            assert_eq!(kind, "regressions", "corpus/ is missing");
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                airlock_fuzz::TARGETS.iter().any(|(t, _)| *t == name),
                "{kind}/{name} is named after no target"
            );
            assert!(
                !inputs(&dir(kind), &name).is_empty(),
                "{kind}/{name}/ is empty"
            );
        }
    }
}

#[test]
fn every_target_has_a_libfuzzer_binary_in_the_same_order() {
    let project = dir("libfuzzer");
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let bins: Vec<&str> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|table| {
            let line = table
                .lines()
                .find(|l| l.trim_start().starts_with("name = "))?;
            Some(line.split('"').nth(1).unwrap_or_default())
        })
        .collect();
    let targets: Vec<&str> = airlock_fuzz::TARGETS.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        bins, targets,
        "libfuzzer/Cargo.toml's [[bin]]s differ from TARGETS"
    );
    for target in targets {
        let source = project.join("fuzz_targets").join(format!("{target}.rs"));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            text.contains(&format!("airlock_fuzz::{target}(data)")),
            "{} does not call airlock_fuzz::{target}",
            source.display()
        );
    }
}
