//! The compiled-artifact cache. Runners compile a component once, inside
//! their sandbox, and send the compiled form back before running any plugin
//! code; the host tags it with a keyed MAC and stores it on disk. A later
//! runner gets the artifact instead of the component only after the host has
//! checked the tag, because `Component::deserialize` trusts its input.
//!
//! An entry whose tag checks out is *authenticated*. "Sealed" means
//! something else: the fcntl seals on the memfd a runner maps an
//! authenticated artifact from (`platform/sealed.rs`).
//!
//! Entry file: `MAGIC`, the 32-byte MAC, then the artifact. The MAC is BLAKE3
//! keyed with the cache's secret over the entry's name and the artifact, so an
//! entry cannot be forged, altered or moved to another component's name by
//! anyone who cannot read the key.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use airlock_protocol::{Code, PREOPEN_FD_BASE};

use crate::error::{Error, Result};
use crate::platform::{FileIdentity, Inherit, SealedArtifact};

const MAGIC: &[u8; 8] = b"AIRLART1";
const MAC_LEN: usize = 32;
const KEY_FILE: &str = "key";
/// Entries larger than this are refused unread.
pub(crate) const MAX_ARTIFACT_LEN: u64 = airlock_protocol::MAX_CODE_LEN as u64;

/// Compiled components on disk, authenticated with a key only the host holds.
///
/// Share one cache between plugins through [`crate::Launcher::with_cache`].
/// Keep its directory out of every plugin's preopened directories: a plugin
/// that could read the key could forge entries ([`crate::Plugin::start`]
/// refuses such a policy).
#[derive(Debug)]
pub struct ArtifactCache {
    dir: PathBuf,
    key: [u8; 32],
    hits: AtomicU64,
    misses: AtomicU64,
    rejected: AtomicU64,
    stored: AtomicU64,
    mapped: AtomicU64,
    /// The sealed memfd of each entry some plugin still holds, with the
    /// identity of the file it was made from: reused while the file is
    /// unchanged, so that all runners of a component share one copy.
    sealed: Mutex<LiveMemfds>,
    /// Send bytes, never memfds (measuring only).
    bytes_only: bool,
}

/// Per entry name: the memfd made from the entry file, and that file's identity.
type LiveMemfds = HashMap<[u8; 32], (FileIdentity, Weak<SealedArtifact>)>;

/// An authenticated artifact, as [`ArtifactCache::load_sealed`] hands it out.
#[derive(Debug)]
pub(crate) enum Cached {
    /// In a sealed memfd, to be mapped by the runner.
    Sealed(Arc<SealedArtifact>),
    /// As bytes, where memfds are unavailable.
    Bytes(Vec<u8>),
}

impl Cached {
    /// What the `Hello` says the code is; a sealed artifact's descriptor is
    /// pushed onto `fds`, the descriptors the runner inherits in order from
    /// [`PREOPEN_FD_BASE`].
    pub(crate) fn code<'a>(
        cached: Option<&'a Self>,
        want_artifact: bool,
        fds: &mut Vec<Inherit<'a>>,
    ) -> Code {
        match cached {
            Some(Cached::Sealed(sealed)) => {
                fds.push(crate::platform::artifact_inherit(sealed));
                Code::MappedArtifact {
                    fd: PREOPEN_FD_BASE + fds.len() as i32 - 1,
                }
            }
            Some(Cached::Bytes(_)) => Code::Artifact,
            None => Code::Component { want_artifact },
        }
    }

    /// What the `Hello`'s payload carries: nothing for a sealed artifact.
    pub(crate) fn payload<'a>(cached: Option<&'a Self>, component: &'a [u8]) -> &'a [u8] {
        match cached {
            Some(Cached::Sealed(_)) => &[],
            Some(Cached::Bytes(bytes)) => bytes,
            None => component,
        }
    }
}

/// What a cache has done since it was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Runners started from an authenticated artifact.
    pub hits: u64,
    /// Starts that found no entry and compiled.
    pub misses: u64,
    /// Entries thrown away: a tag that does not match, a malformed file, or
    /// an artifact the runner reported stale (made by another engine or version).
    pub rejected: u64,
    /// Artifacts tagged and written.
    pub stored: u64,
    /// Of the hits, starts whose runner mapped the artifact from a sealed
    /// memory file shared with the other runners, instead of copying it.
    pub mapped: u64,
}

/// The name of one entry: a digest of the component and of what the compiled
/// form depends on besides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryKey(blake3::Hash);

impl EntryKey {
    /// The entry for a component whose BLAKE3 digest is `component` (the
    /// digest, not the bytes: a config hashes its component once, however
    /// many plugins it starts) under `fingerprint`.
    pub(crate) fn new(component: &blake3::Hash, fingerprint: &str) -> Self {
        let mut hasher = blake3::Hasher::new_derive_key("airlock artifact cache entry v2");
        hasher.update(&(fingerprint.len() as u64).to_le_bytes());
        hasher.update(fingerprint.as_bytes());
        hasher.update(component.as_bytes());
        Self(hasher.finalize())
    }

    /// The entry for `component`'s bytes under `fingerprint`.
    #[cfg(test)]
    fn of(component: &[u8], fingerprint: &str) -> Self {
        Self::new(&blake3::hash(component), fingerprint)
    }
}

impl ArtifactCache {
    /// Where a host keeps its cache unless told otherwise:
    /// `$XDG_CACHE_HOME/airlock`, else `~/.cache/airlock`; `None` without either.
    pub fn default_dir() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("airlock"))
    }

    /// Opens (creating if needed) a cache in `dir`, with its key in
    /// `dir/key`: 32 random bytes made on first use, readable only by this
    /// user. A key file of the wrong size or readable by others is refused;
    /// so is every key file where the system's check of who may read it is
    /// not written yet (Windows: use [`ArtifactCache::with_key`]).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        crate::platform::private_keys_checked().map_err(|e| cache_error(&dir, e))?;
        create_private_dir(&dir)?;
        let path = dir.join(KEY_FILE);
        let key = match read_key(&path) {
            Ok(key) => key,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|e| cache_error(&path, format!("no random bytes for a key: {e}")))?;
                let written =
                    crate::platform::private_file(OpenOptions::new().write(true).create_new(true))
                        .open(&path)
                        .and_then(|mut f| f.write_all(&key).and_then(|()| f.sync_all()));
                match written {
                    Ok(()) => key,
                    // Another host made it first: use theirs.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        read_key(&path).map_err(|e| cache_error(&path, e.to_string()))?
                    }
                    Err(e) => return Err(cache_error(&path, format!("cannot write the key: {e}"))),
                }
            }
            Err(e) => return Err(cache_error(&path, e.to_string())),
        };
        Ok(Self::new(dir, key))
    }

    /// A cache in `dir` with a key the application keeps elsewhere (a keyring,
    /// a secret store); nothing is written beside the entries.
    pub fn with_key(dir: impl Into<PathBuf>, key: [u8; 32]) -> Result<Self> {
        let dir = dir.into();
        create_private_dir(&dir)?;
        Ok(Self::new(dir, key))
    }

    fn new(dir: PathBuf, key: [u8; 32]) -> Self {
        Self {
            dir,
            key,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            mapped: AtomicU64::new(0),
            sealed: Mutex::new(HashMap::new()),
            bytes_only: false,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            stored: self.stored.load(Ordering::Relaxed),
            mapped: self.mapped.load(Ordering::Relaxed),
        }
    }

    /// The file an entry lives in.
    pub(crate) fn entry_path(&self, key: &EntryKey) -> PathBuf {
        self.dir.join(format!("{}.artifact", key.0.to_hex()))
    }

    fn mac(&self, key: &EntryKey, artifact: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(key.0.as_bytes());
        hasher.update(artifact);
        hasher.finalize()
    }

    /// The authenticated artifact for `key`, if there is one. Anything that
    /// fails the check is deleted and counted as rejected.
    pub(crate) fn load(&self, key: &EntryKey) -> Option<Vec<u8>> {
        let path = self.entry_path(key);
        let entry = match read_entry(&path) {
            Ok(Some(entry)) => entry,
            Ok(None) => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            Err(why) => {
                self.reject(key, &why);
                return None;
            }
        };
        let (mac, artifact) = entry[MAGIC.len()..].split_at(MAC_LEN);
        // `blake3::Hash` compares in constant time.
        let expected = self.mac(key, artifact);
        if blake3::Hash::from_bytes(mac.try_into().expect("split at MAC_LEN")) != expected {
            self.reject(
                key,
                "its MAC does not match: altered, or tagged with another key",
            );
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(artifact.to_vec())
    }

    /// The authenticated artifact for `key` in a sealed memfd, if there is
    /// one: the memfd some plugin already holds while the entry file is
    /// unchanged, else a new one copied from the file, sealed, and only then
    /// checked against the MAC. Anything that fails is deleted and counted
    /// as rejected, as in [`Self::load`].
    pub(crate) fn load_sealed(&self, key: &EntryKey) -> Option<Cached> {
        if self.bytes_only {
            return self.load(key).map(Cached::Bytes);
        }
        let path = self.entry_path(key);
        let mut file = match open_regular(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            Err(e) => {
                self.reject(key, &format!("it cannot be opened: {e}"));
                return None;
            }
        };
        let identity = match FileIdentity::of(&file) {
            Ok(identity) => identity,
            Err(e) => {
                self.reject(key, &format!("it cannot be examined: {e}"));
                return None;
            }
        };
        let mut sealed = lock(&self.sealed);
        if let Some((known, weak)) = sealed.get(key.0.as_bytes())
            && *known == identity
            && let Some(artifact) = weak.upgrade()
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Some(Cached::Sealed(artifact));
        }
        let header = (MAGIC.len() + MAC_LEN) as u64;
        if identity.size() > header + MAX_ARTIFACT_LEN {
            drop(sealed);
            self.reject(key, &format!("it is larger than {MAX_ARTIFACT_LEN} bytes"));
            return None;
        }
        let mut head = [0u8; MAGIC.len() + MAC_LEN];
        if identity.size() <= header
            || file.read_exact(&mut head).is_err()
            || &head[..MAGIC.len()] != MAGIC
        {
            drop(sealed);
            self.reject(key, "it is not an Airlock artifact entry");
            return None;
        }
        let artifact = match SealedArtifact::copy_from(&mut file, identity.size() - header) {
            Ok(artifact) => artifact,
            Err(e) if e.kind() == io::ErrorKind::Unsupported || e.raw_os_error().is_some() => {
                // No memfds here (or no room for one): fall back to bytes.
                drop(sealed);
                tracing::debug!("no sealed memfd for the artifact, sending its bytes: {e}");
                return self.load(key).map(Cached::Bytes);
            }
            Err(e) => {
                drop(sealed);
                self.reject(key, &format!("it cannot be read: {e}"));
                return None;
            }
        };
        // Checked over the sealed memfd's bytes: what runners map is what passed.
        let mac = blake3::Hash::from_bytes(head[MAGIC.len()..].try_into().expect("MAC_LEN"));
        let verified = match artifact.with_bytes(|bytes| self.mac(key, bytes) == mac) {
            Ok(verified) => verified,
            Err(e) => {
                // The memfd cannot be mapped here: the entry is not at fault.
                drop(sealed);
                tracing::debug!("cannot map the sealed artifact, sending its bytes: {e}");
                return self.load(key).map(Cached::Bytes);
            }
        };
        if !verified {
            drop(sealed);
            self.reject(
                key,
                "its MAC does not match: altered, or tagged with another key",
            );
            return None;
        }
        let artifact = Arc::new(artifact);
        sealed.insert(*key.0.as_bytes(), (identity, Arc::downgrade(&artifact)));
        sealed.retain(|_, (_, weak)| weak.strong_count() > 0);
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(Cached::Sealed(artifact))
    }

    /// Tags and writes `artifact` for `key`, atomically (a concurrent reader
    /// sees the old entry or the new one, never half of one).
    /// Returns the entry's sealed memfd, for the caller to keep while it may
    /// start more runners (the cache holds it only weakly).
    pub(crate) fn store(
        &self,
        key: &EntryKey,
        artifact: &[u8],
    ) -> io::Result<Option<Arc<SealedArtifact>>> {
        if artifact.len() as u64 > MAX_ARTIFACT_LEN {
            return Err(io::Error::other(format!(
                "the artifact is {} bytes; entries hold at most {MAX_ARTIFACT_LEN}",
                artifact.len()
            )));
        }
        let mac = self.mac(key, artifact);
        let path = self.entry_path(key);
        // Unique among every store in this process, whatever the cache
        // object; other processes differ by pid.
        static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);
        let temporary = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            key.0.to_hex(),
            std::process::id(),
            NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed)
        ));
        // `create_new`: a file already there is someone else's, and left alone.
        let mut file =
            crate::platform::private_file(OpenOptions::new().write(true).create_new(true))
                .open(&temporary)?;
        let written = file
            .write_all(MAGIC)
            .and_then(|()| file.write_all(mac.as_bytes()))
            .and_then(|()| file.write_all(artifact))
            .and_then(|()| fs::rename(&temporary, &path));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written?;
        self.stored.fetch_add(1, Ordering::Relaxed);
        // The next start finds this entry's file unchanged and need not read
        // it back: a sealed copy of the bytes just written serves it.
        if let Ok(identity) = FileIdentity::of(&file)
            && let Ok(sealed) = SealedArtifact::from_bytes(artifact)
        {
            let sealed = Arc::new(sealed);
            lock(&self.sealed).insert(*key.0.as_bytes(), (identity, Arc::downgrade(&sealed)));
            return Ok(Some(sealed));
        }
        Ok(None)
    }

    /// A runner reported that it mapped the sealed artifact it was given.
    pub(crate) fn note_mapped(&self) {
        self.mapped.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops an entry a runner could not use.
    pub(crate) fn reject(&self, key: &EntryKey, why: &str) {
        let path = self.entry_path(key);
        tracing::warn!(entry = %path.display(), "artifact cache entry rejected: {why}");
        let _ = fs::remove_file(&path);
        lock(&self.sealed).remove(key.0.as_bytes());
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// Measuring only: hands artifacts to runners as bytes through the
    /// rings, copied by each runner, as caches did before sealed memfds —
    /// the baseline `airlock-big-start` compares against.
    #[doc(hidden)]
    pub fn sending_bytes_for_comparison(mut self) -> Self {
        self.bytes_only = true;
        self
    }

    /// Testing only: tags arbitrary bytes and stores them as the entry for
    /// `config`'s component and policy, as if its runner had sent them. Lets
    /// tests show that a runner refuses an authenticated but unusable artifact.
    #[doc(hidden)]
    pub fn store_for_tests(&self, config: &crate::PluginConfig, bytes: &[u8]) -> Result<PathBuf> {
        let wire = config.get_policy().to_wire(config.name())?;
        let key = EntryKey::new(
            &config.component_digest(),
            &airlock_runner::artifact_fingerprint(&wire),
        );
        self.store(&key, bytes)
            .map_err(|e| cache_error(&self.entry_path(&key), e.to_string()))?;
        Ok(self.entry_path(&key))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    crate::platform::private_dir(fs::DirBuilder::new().recursive(true))
        .create(dir)
        .map_err(|e| cache_error(dir, format!("cannot create the directory: {e}")))
}

/// Opens `path` for reading without blocking on it (a FIFO planted in the
/// cache folder would otherwise hang every start), and only if it is a
/// regular file.
fn open_regular(path: &Path) -> io::Result<File> {
    let file = crate::platform::open_without_blocking(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    Ok(file)
}

fn read_key(path: &Path) -> io::Result<[u8; 32]> {
    let mut file = open_regular(path)?;
    let meta = file.metadata()?;
    crate::platform::check_private(&meta, path).map_err(io::Error::other)?;
    if meta.len() != 32 {
        return Err(io::Error::other(format!(
            "the key file holds {} bytes, not 32; delete the cache directory to start afresh",
            meta.len()
        )));
    }
    let mut key = [0u8; 32];
    file.read_exact(&mut key)?;
    Ok(key)
}

/// The whole entry file, checked for size and magic; `None` when absent.
fn read_entry(path: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    let file = match open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("it cannot be opened: {e}")),
    };
    let header = (MAGIC.len() + MAC_LEN) as u64;
    let mut entry = Vec::new();
    file.take(header + MAX_ARTIFACT_LEN + 1)
        .read_to_end(&mut entry)
        .map_err(|e| format!("it cannot be read: {e}"))?;
    if entry.len() as u64 > header + MAX_ARTIFACT_LEN {
        return Err(format!("it is larger than {MAX_ARTIFACT_LEN} bytes"));
    }
    if entry.len() as u64 <= header || &entry[..MAGIC.len()] != MAGIC {
        return Err("it is not an Airlock artifact entry".into());
    }
    Ok(Some(entry))
}

fn cache_error(path: &Path, detail: String) -> Error {
    Error::Cache {
        path: path.display().to_string(),
        detail,
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
