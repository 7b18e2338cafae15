//! Compiled artifacts in sealed memory files, handed to runners by
//! descriptor instead of through the rings.
//!
//! A [`SealedArtifact`] is a memfd holding one cache entry's artifact (and
//! nothing else, so that wasmtime's page-aligned sections stay page-aligned
//! in the file). It is sealed against writing, growing, shrinking and
//! further seal changes *before* its MAC is checked, over the memfd's own
//! bytes: what a runner maps afterwards is exactly what was checked, and no
//! one — not the cache directory's writers, not a runner — can change it.
//! Every runner of the plugin maps the same pages.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::Instant;

/// One authenticated artifact in a sealed memfd.
#[derive(Debug)]
pub(crate) struct SealedArtifact {
    fd: OwnedFd,
    len: usize,
}

impl SealedArtifact {
    /// Copies exactly `len` bytes from `source` into a new memfd and seals
    /// it; the caller checks the MAC afterwards with [`Self::bytes`].
    pub(crate) fn copy_from(source: &mut impl Read, len: u64) -> io::Result<Self> {
        let started = Instant::now();
        let fd = super::sealable_memory_file("airlock-artifact")?;
        let mut file = File::from(fd);
        let copied = io::copy(&mut source.take(len), &mut file)?;
        if copied != len {
            return Err(io::Error::other(format!(
                "it shrank while being read ({copied} of {len} bytes)"
            )));
        }
        Self::seal(file.into(), len, started)
    }

    /// A sealed copy of `bytes` (an artifact a runner just sent).
    pub(crate) fn from_bytes(bytes: &[u8]) -> io::Result<Self> {
        let started = Instant::now();
        let fd = super::sealable_memory_file("airlock-artifact")?;
        let mut file = File::from(fd);
        file.write_all(bytes)?;
        Self::seal(file.into(), bytes.len() as u64, started)
    }

    fn seal(fd: OwnedFd, len: u64, started: Instant) -> io::Result<Self> {
        super::seal(fd.as_fd())?;
        // The runner checks these again; a failure here would be our bug.
        airlock_runner::platform::check_sealed(fd.as_fd()).map_err(io::Error::other)?;
        let size = rustix::fs::fstat(&fd)?.st_size as u64;
        if size != len || len == 0 {
            return Err(io::Error::other(format!(
                "the sealed file holds {size} bytes, not {len}"
            )));
        }
        tracing::debug!(bytes = len, took = ?started.elapsed(), "artifact sealed in a memfd");
        Ok(Self {
            fd: read_only(fd),
            len: len as usize,
        })
    }

    /// Runs `f` over the sealed bytes, mapped read-only for the call: the
    /// MAC is computed over these, after sealing, never over a copy.
    pub(crate) fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        // SAFETY: a fresh read-only private mapping (a shared one of a
        // write-sealed memfd fails before Linux 6.7) of `len` bytes of a file
        // sealed at that size; it is unmapped before returning.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                self.len,
                rustix::mm::ProtFlags::READ,
                rustix::mm::MapFlags::PRIVATE,
                &self.fd,
                0,
            )?
        };
        // SAFETY: the mapping above: `len` readable bytes that cannot change.
        let result = f(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), self.len) });
        // SAFETY: `ptr`/`len` are that mapping, no longer borrowed.
        unsafe { rustix::mm::munmap(ptr, self.len)? };
        Ok(result)
    }

    /// The descriptor to place in a runner.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The same sealed file through a read-only descriptor, reopened through
/// `/proc/self/fd`, so that runners get one that cannot write, add seals or
/// change the file's size whatever the seals say; the sealed read-write one
/// when `/proc` is unavailable (the seals still hold).
fn read_only(fd: OwnedFd) -> OwnedFd {
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    match rustix::fs::open(
        path.as_str(),
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    ) {
        Ok(read_only) => read_only,
        Err(e) => {
            tracing::debug!("cannot reopen the sealed artifact read-only: {e}");
            fd
        }
    }
}

/// What identifies an entry file's contents without reading it: a write,
/// truncation or replacement changes at least one of these (the change time
/// cannot be set by a writer). A memfd made from the file is reused only
/// while its file keeps the identity it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    dev: u64,
    ino: u64,
    size: u64,
    changed: (i64, i64),
    modified: (i64, i64),
}

impl FileIdentity {
    pub(crate) fn of(file: &File) -> io::Result<Self> {
        use std::os::unix::fs::MetadataExt;
        let st = file.metadata()?;
        Ok(Self {
            dev: st.dev(),
            ino: st.ino(),
            size: st.size(),
            changed: (st.ctime(), st.ctime_nsec()),
            modified: (st.mtime(), st.mtime_nsec()),
        })
    }

    pub(crate) fn size(&self) -> u64 {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_artifact_cannot_be_written_grown_or_shrunk() {
        let sealed = SealedArtifact::from_bytes(b"compiled code").unwrap();
        assert_eq!(sealed.with_bytes(|b| b.to_vec()).unwrap(), b"compiled code");
        let fd = sealed.fd().try_clone_to_owned().unwrap();
        let mode = rustix::fs::fcntl_getfl(&fd).unwrap() & rustix::fs::OFlags::ACCMODE;
        assert_eq!(
            mode,
            rustix::fs::OFlags::RDONLY,
            "runners get a read-only descriptor"
        );
        let mut file = File::from(fd);
        assert!(file.write_all(b"x").is_err(), "writes are refused");
        assert!(file.set_len(1).is_err(), "shrinking is refused");
        assert!(file.set_len(1 << 20).is_err(), "growing is refused");
        let more = rustix::fs::fcntl_add_seals(&file, rustix::fs::SealFlags::FUTURE_WRITE);
        assert!(more.is_err(), "the seals are sealed");
        // A writable shared mapping is refused too.
        // SAFETY: a mapping attempt that must fail; nothing is mapped.
        let mapped = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                13,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                &file,
                0,
            )
        };
        assert!(mapped.is_err());
    }

    #[test]
    fn a_short_source_is_refused() {
        let err = SealedArtifact::copy_from(&mut &b"short"[..], 10).unwrap_err();
        assert!(err.to_string().contains("shrank"), "{err}");
    }
}
