//! Cached artifacts handed over as sealed memfds: mapped by the runner, never
//! taken unsealed, and immune to changes of the cache file they came from.

use std::io::Write;
use std::os::fd::IntoRawFd;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use airlock::{ArtifactCache, PluginConfig};
use airlock_protocol::{Code, FromRunner, InitFailure};
use airlock_testkit::bare::Bare;
use airlock_testkit::wat;
use rustix::fs::{MemfdFlags, SealFlags};

use crate::in_memory::{InMemoryRunner, component, hello};
use crate::support::test_runner;

/// The big guest's data segment: 4 MiB, so that its artifact is mostly data.
const DATA_LEN: usize = 4 << 20;

/// The roundtrip guest's artifact, as a runner compiles it for the default policy.
fn roundtrip_artifact() -> Vec<u8> {
    let mut asking = hello();
    asking.code = Code::Component {
        want_artifact: true,
    };
    let mut runner = InMemoryRunner::start(asking, &component());
    let artifact = match runner.recv() {
        FromRunner::Artifact => runner.reader.payload().to_vec(),
        other => panic!("expected the artifact, got {other:?}"),
    };
    assert!(matches!(runner.recv(), FromRunner::Ready { .. }));
    assert!(runner.finish());
    artifact
}

fn memfd_holding(bytes: &[u8], seals: SealFlags) -> i32 {
    let fd = rustix::fs::memfd_create("test-artifact", MemfdFlags::ALLOW_SEALING).unwrap();
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes).unwrap();
    if !seals.is_empty() {
        rustix::fs::fcntl_add_seals(&file, seals).unwrap();
    }
    file.into_raw_fd()
}

fn start_mapped(fd: i32) -> InMemoryRunner {
    let mut mapped = hello();
    mapped.code = Code::MappedArtifact { fd };
    InMemoryRunner::start(mapped, &[])
}

#[test]
fn a_runner_maps_a_sealed_memfd_and_refuses_an_unsealed_one() {
    let artifact = roundtrip_artifact();
    let all = SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL;

    let mut runner = start_mapped(memfd_holding(&artifact, all));
    match runner.recv() {
        FromRunner::Ready { mapped, .. } => assert!(mapped, "wasmtime maps the memfd itself"),
        other => panic!("expected Ready, got {other:?}"),
    }
    let args = postcard::to_stdvec(&(20u32, 22u32)).unwrap();
    let reply = runner.call(1, "add", &args);
    assert!(
        matches!(
            reply,
            FromRunner::Return {
                outcome: Ok(()),
                ..
            }
        ),
        "{reply:?}"
    );
    assert_eq!(
        postcard::from_bytes::<u32>(runner.reader.payload()).unwrap(),
        42
    );
    assert!(runner.finish());

    // The same bytes, but still writable (or missing any one seal): refused
    // before anything is mapped, with what is missing.
    for (seals, missing) in [
        (SealFlags::empty(), "write, shrink, grow, seal"),
        (all - SealFlags::WRITE, "lacks the write seal"),
        (all - SealFlags::SEAL, "lacks the seal seal"),
    ] {
        let mut runner = start_mapped(memfd_holding(&artifact, seals));
        match runner.recv() {
            FromRunner::InitFailed(InitFailure::StaleArtifact(why)) => {
                assert!(why.contains(missing), "{why}");
                assert!(why.contains("refused"), "{why}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(!runner.finish());
    }
}

fn entry_files(dir: &PathBuf) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "artifact"))
        .collect()
}

/// Rewrites, in place, every page-long run of `a` in `path` as `b`: the
/// guest's data segment, as someone with write access to the cache
/// directory (but not the key) could change it. Returns the bytes changed.
fn overwrite_data_in_place(path: &PathBuf) -> usize {
    let mut bytes = std::fs::read(path).unwrap();
    let mut changed = 0;
    let mut run_start = None;
    for at in 0..=bytes.len() {
        match (bytes.get(at) == Some(&b'a'), run_start) {
            (true, None) => run_start = Some(at),
            (false, Some(start)) => {
                if at - start >= 4096 {
                    bytes[start..at].fill(b'b');
                    changed += at - start;
                }
                run_start = None;
            }
            _ => {}
        }
    }
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.write_all_at(&bytes, 0).unwrap();
    changed
}

#[test]
fn changing_the_cache_file_cannot_change_what_a_runner_maps() {
    let dir = std::env::temp_dir().join(format!("airlock-test-mapped-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let launcher = test_runner().with_cache(ArtifactCache::open(&dir).unwrap());
    let component = wat::assemble(&wat::big_data(DATA_LEN));
    let config = || PluginConfig::new("big-data", component.clone());
    let expected = wat::big_data_sum(DATA_LEN, b'a');

    drop(Bare::start(&launcher, config()).expect("compiles and stores"));
    let mut plugin = Bare::start(&launcher, config()).expect("starts from the cache");
    assert!(plugin.plugin().started_from_cache());
    assert_eq!(launcher.cache().unwrap().stats().mapped, 1);
    assert_eq!(plugin.run().unwrap(), expected);

    let [entry] = &entry_files(&dir)[..] else {
        panic!("expected one entry")
    };
    assert!(overwrite_data_in_place(entry) >= DATA_LEN / 2);
    // The second call traps; the runner builds a fresh instance, whose
    // memory image is mapped again — from the sealed memfd, not the file.
    assert!(plugin.run().is_err());
    assert_eq!(plugin.run().unwrap(), expected, "still the checked bytes");
    assert_eq!(plugin.plugin().runners_started(), 1, "the same runner");

    // The next start sees the file changed, checks it, and refuses it.
    let mut fresh = Bare::start(&launcher, config()).expect("compiles afresh");
    assert!(!fresh.plugin().started_from_cache());
    assert_eq!(fresh.run().unwrap(), expected);
    assert_eq!(launcher.cache().unwrap().stats().rejected, 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
