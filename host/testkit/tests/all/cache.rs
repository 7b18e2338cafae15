//! The compiled-artifact cache with real runners: compiled once in a sandbox,
//! reused after its tag (keyed MAC) is checked, and never handed over when it is not.

use std::path::PathBuf;
use std::time::Duration;

use airlock::{ArtifactCache, CacheStats, Error, Launcher, Policy};
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, roundtrip_config, test_runner};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("airlock-test-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn cached_runner(dir: &PathBuf) -> Launcher {
    test_runner().with_cache(ArtifactCache::open(dir).expect("open the cache"))
}

fn start(launcher: &Launcher) -> Roundtrip {
    Roundtrip::start(
        launcher,
        roundtrip_config().deadline(Duration::from_secs(20)),
    )
    .expect("start roundtrip")
}

fn stats(launcher: &Launcher) -> CacheStats {
    launcher.cache().unwrap().stats()
}

fn entries(dir: &PathBuf) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "artifact"))
        .collect();
    found.sort();
    found
}

#[test]
fn first_start_compiles_and_later_starts_and_restarts_use_the_artifact() {
    let dir = scratch("reuse");
    let launcher = cached_runner(&dir);
    let mut first = start(&launcher);
    assert!(!first.plugin().started_from_cache());
    assert_eq!(
        stats(&launcher),
        CacheStats {
            misses: 1,
            stored: 1,
            ..CacheStats::default()
        }
    );
    assert_eq!(entries(&dir).len(), 1);
    assert_eq!(first.add(&mut TestHost::default(), 2, 3).unwrap(), 5);

    let mut second = start(&launcher);
    assert!(second.plugin().started_from_cache());
    assert_eq!(second.add(&mut TestHost::default(), 40, 2).unwrap(), 42);

    // A restart after a crash starts from the artifact too.
    second.plugin_mut().kill();
    assert_eq!(second.add(&mut TestHost::default(), 1, 1).unwrap(), 2);
    assert!(second.plugin().started_from_cache());
    assert_eq!(stats(&launcher).hits, 2);
    // Both cached starts mapped the sealed memfd rather than receiving bytes.
    assert_eq!(stats(&launcher).mapped, 2);

    // Another host process sharing the directory (same key file) hits as well.
    let other = cached_runner(&dir);
    assert!(start(&other).plugin().started_from_cache());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_altered_entry_is_never_sent_to_a_runner() {
    let dir = scratch("altered");
    let launcher = cached_runner(&dir);
    drop(start(&launcher));
    let [entry] = &entries(&dir)[..] else {
        panic!("expected one entry")
    };
    // Flip one bit of the compiled code, as an attacker with write access to
    // the cache (but not the key) would.
    let mut bytes = std::fs::read(entry).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(entry, &bytes).unwrap();

    let mut plugin = start(&launcher);
    assert!(!plugin.plugin().started_from_cache(), "compiled afresh");
    assert_eq!(plugin.add(&mut TestHost::default(), 2, 2).unwrap(), 4);
    let after = stats(&launcher);
    assert_eq!((after.rejected, after.stored), (1, 2), "{after:?}");
    // The fresh artifact replaced the altered one and verifies.
    assert_ne!(std::fs::read(entry).unwrap(), bytes);
    assert!(start(&launcher).plugin().started_from_cache());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_authenticated_artifact_the_runner_cannot_load_is_dropped_and_recompiled() {
    let dir = scratch("stale");
    let launcher = cached_runner(&dir);
    let config = roundtrip_config().deadline(Duration::from_secs(20));
    // What a runner of another wasmtime version would have left behind.
    launcher
        .cache()
        .unwrap()
        .store_for_tests(&config, b"\x7fELF from another engine")
        .unwrap();

    let mut plugin = Roundtrip::start(&launcher, config).expect("falls back to compiling");
    assert!(!plugin.plugin().started_from_cache());
    assert_eq!(plugin.add(&mut TestHost::default(), 3, 4).unwrap(), 7);
    let after = stats(&launcher);
    assert_eq!((after.hits, after.rejected), (1, 1), "{after:?}");
    assert_eq!(plugin.plugin().runners_started(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plugin_may_not_be_granted_the_cache_directory() {
    let dir = scratch("granted");
    let launcher = cached_runner(&dir);
    for host in [dir.clone(), dir.parent().unwrap().to_path_buf()] {
        let config = roundtrip_config().policy(Policy::default().preopen(&host, "/data", false));
        let err = Roundtrip::start(&launcher, config).unwrap_err();
        assert!(
            matches!(&err, Error::Policy { detail } if detail.contains("artifact cache")),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unusable_cache_directory_is_a_clear_error() {
    let file = scratch("not-a-dir");
    std::fs::write(&file, b"a file").unwrap();
    let err = ArtifactCache::open(file.join("cache")).unwrap_err();
    assert!(
        matches!(&err, Error::Cache { detail, .. } if detail.contains("cannot create")),
        "{err}"
    );
    std::fs::remove_file(&file).unwrap();
}
