//! Loading a compiled artifact the host handed over in a sealed memfd
//! ([`Code::MappedArtifact`](airlock_protocol::Code::MappedArtifact)),
//! without copying it.
//!
//! wasmtime maps the file private and copy-on-write: the code pages and the
//! data segments stay the memfd's own pages, shared by every runner of the
//! plugin, and each instance's linear memory starts as a copy-on-write
//! mapping of its data segments (`MemoryImageSource::from_file`) instead of
//! a private memfd per process. `Component::deserialize_file` trusts its
//! input and also trusts the file never to change while it is mapped, so the
//! descriptor must carry the seals that make it immutable; one without them
//! is refused before anything is mapped.

use std::os::fd::{AsFd, FromRawFd, OwnedFd};

use airlock_protocol::InitFailure;
use wasmtime::Engine;
use wasmtime::component::Component;

/// How an artifact was loaded.
pub(super) struct MappedComponent {
    pub component: Component,
    /// `true` when wasmtime maps the memfd itself (shared pages,
    /// copy-on-write memory images); `false` when `/proc/self/fd` was
    /// unavailable and the bytes were copied from the memfd instead.
    pub mapped: bool,
}

/// Takes the sealed memfd at `fd` (the host placed it there for this
/// process) and loads the component in it. Stale or foreign artifacts are
/// [`InitFailure::StaleArtifact`], as for a copied one, so that the host
/// drops the entry and compiles afresh.
pub(super) fn load(engine: &Engine, fd: i32) -> Result<MappedComponent, InitFailure> {
    // SAFETY: the host placed the artifact's memfd at `fd` for this process
    // and nothing else in it owns that descriptor.
    let file = unsafe { OwnedFd::from_raw_fd(fd) };
    super::check_sealed(file.as_fd()).map_err(InitFailure::StaleArtifact)?;
    // wasmtime opens the file by path only; the memfd's own entry under
    // /proc/self/fd reopens the same sealed inode, read-only. Without /proc
    // the bytes are copied out of the memfd instead.
    let path = format!("/proc/self/fd/{fd}");
    if std::fs::File::open(&path).is_err() {
        return copy_from(engine, file);
    }
    // SAFETY: `deserialize_file` trusts its input and the file's stability.
    // The bytes are an artifact whose keyed MAC the host checked after
    // sealing the memfd, so they are what a runner's compiler made and can
    // no longer change (checked just above).
    let component = unsafe { Component::deserialize_file(engine, &path) }
        .map_err(|e| InitFailure::StaleArtifact(format!("{e:#}")))?;
    Ok(MappedComponent {
        component,
        mapped: true,
    })
}

/// The fallback without `/proc`: map the memfd read-only and let wasmtime
/// copy it (still no artifact bytes through the rings).
fn copy_from(engine: &Engine, file: OwnedFd) -> Result<MappedComponent, InitFailure> {
    let stale = |what: String| InitFailure::StaleArtifact(what);
    let len = rustix::fs::fstat(&file)
        .map_err(|e| stale(format!("cannot size the artifact's memfd: {e}")))?
        .st_size as usize;
    if len == 0 {
        return Err(stale("the artifact's memfd is empty".into()));
    }
    // SAFETY: a fresh read-only private mapping of a sealed file (a shared
    // one fails before Linux 6.7 once write-sealed); unmapped below.
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            len,
            rustix::mm::ProtFlags::READ,
            rustix::mm::MapFlags::PRIVATE,
            &file,
            0,
        )
    }
    .map_err(|e| stale(format!("cannot map the artifact's memfd: {e}")))?;
    // SAFETY: the mapping is `len` readable bytes that cannot change (sealed).
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    // SAFETY: as in `load`; `deserialize` copies the bytes.
    let loaded = unsafe { Component::deserialize(engine, bytes) };
    // SAFETY: `ptr` and `len` are the mapping made above; `bytes` is unused from here.
    let _ = unsafe { rustix::mm::munmap(ptr, len) };
    loaded
        .map(|component| MappedComponent {
            component,
            mapped: false,
        })
        .map_err(|e| stale(format!("{e:#}")))
}
