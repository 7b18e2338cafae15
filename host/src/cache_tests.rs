//! Unit tests of the artifact cache: entries, tampering, keys, FIFOs.

use super::*;
use std::os::unix::fs::PermissionsExt;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("airlock-cache-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// A FIFO planted as an entry or as the key never blocks a start: it is
/// refused as not a regular file.
#[test]
fn a_fifo_in_the_cache_folder_is_refused_without_blocking() {
    let dir = scratch("fifo");
    let cache = ArtifactCache::open(&dir).unwrap();
    let key = EntryKey::of(b"component", "fp");
    let fifo = |path: &Path| {
        let path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path; mkfifo only creates a node.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    };
    fifo(&cache.entry_path(&key));
    assert!(cache.load_sealed(&key).is_none());
    fifo(&cache.entry_path(&key));
    assert_eq!(cache.load(&key), None);
    assert_eq!(cache.stats().rejected, 2);

    let other = scratch("fifo-key");
    fs::create_dir_all(&other).unwrap();
    fifo(&other.join("key"));
    let err = ArtifactCache::open(&other).unwrap_err().to_string();
    assert!(err.contains("not a regular file"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
    fs::remove_dir_all(&other).unwrap();
}

#[test]
fn entries_round_trip_and_tampering_is_rejected() {
    let dir = scratch("tamper");
    let cache = ArtifactCache::open(&dir).unwrap();
    let key = EntryKey::of(b"component", "fp");
    assert_eq!(cache.load(&key), None);
    cache.store(&key, b"compiled code").unwrap();
    assert_eq!(cache.load(&key).as_deref(), Some(&b"compiled code"[..]));

    let path = cache.entry_path(&key);
    let mut bytes = fs::read(&path).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    fs::write(&path, &bytes).unwrap();
    assert_eq!(cache.load(&key), None);
    assert!(!path.exists(), "a rejected entry is deleted");
    assert_eq!(
        cache.stats(),
        CacheStats {
            hits: 1,
            misses: 1,
            rejected: 1,
            stored: 1,
            mapped: 0,
        }
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_entry_is_bound_to_its_name_and_key() {
    let dir = scratch("bound");
    let cache = ArtifactCache::open(&dir).unwrap();
    let (a, b) = (EntryKey::of(b"a", "fp"), EntryKey::of(b"b", "fp"));
    assert_ne!(EntryKey::of(b"a", "fp"), EntryKey::of(b"a", "fp2"));
    cache.store(&a, b"code of a").unwrap();
    fs::copy(cache.entry_path(&a), cache.entry_path(&b)).unwrap();
    assert_eq!(cache.load(&b), None, "a moved entry fails its MAC");

    // Same directory, another key: nothing verifies.
    let other = ArtifactCache::with_key(&dir, [7; 32]).unwrap();
    assert_eq!(other.load(&a), None);
    assert_eq!(other.stats().rejected, 1);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_entries_and_keys_are_refused() {
    let dir = scratch("malformed");
    let cache = ArtifactCache::open(&dir).unwrap();
    let key = EntryKey::of(b"c", "fp");
    for junk in [
        &b""[..],
        b"AIRLART1",
        b"not an entry at all, but long enough to hold a MAC..",
    ] {
        fs::write(cache.entry_path(&key), junk).unwrap();
        assert_eq!(cache.load(&key), None);
    }
    assert_eq!(cache.stats().rejected, 3);

    // The key stays the same across opens; a loose mode or size is refused.
    let again = ArtifactCache::open(&dir).unwrap();
    assert_eq!(again.key, cache.key);
    let key_path = dir.join(KEY_FILE);
    fs::set_permissions(&key_path, fs::Permissions::from_mode(0o644)).unwrap();
    let err = ArtifactCache::open(&dir).unwrap_err().to_string();
    assert!(err.contains("chmod 600"), "{err}");
    fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&key_path, b"short").unwrap();
    let err = ArtifactCache::open(&dir).unwrap_err().to_string();
    assert!(err.contains("holds 5 bytes"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}
