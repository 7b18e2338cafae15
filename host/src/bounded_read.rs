//! Reading a plugin's files (component, manifest) without letting their size
//! decide how much the host allocates.
//!
//! A plugin file is hostile input: its size is checked from its metadata
//! before a byte is read (a sparse file of a terabyte costs nothing to make),
//! and it is read through `Read::take(limit + 1)`, so a file that grows
//! between the check and the read, or a device that never ends, still stops
//! one byte past the limit.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::text::PluginText;

/// The largest component file the host reads: what one runner accepts.
pub const MAX_COMPONENT_FILE_LEN: u64 = airlock_protocol::MAX_CODE_LEN as u64;

/// The largest manifest the host reads, from a file beside a component or
/// from the section inside one.
pub const MAX_MANIFEST_LEN: u64 = airlock_runner::stamp::MAX_MANIFEST_LEN as u64;

/// A plugin file larger than the host reads, found before reading it; the
/// `source` of the [`io::Error`] (kind [`io::ErrorKind::FileTooLarge`]) that
/// [`read_bounded`] returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is {size} bytes, more than the {limit} bytes the host reads",
    PluginText::escape(&path.display().to_string())
)]
pub struct FileTooLarge {
    pub path: PathBuf,
    /// The size the file's metadata reported, or `limit + 1` if it grew while read.
    pub size: u64,
    pub limit: u64,
}

impl FileTooLarge {
    /// The size refusal inside `e`, if that is what `e` is.
    pub fn of(e: &io::Error) -> Option<&FileTooLarge> {
        e.get_ref().and_then(|inner| inner.downcast_ref())
    }
}

/// Reads the regular file at `path` if it holds at most `limit` bytes;
/// otherwise fails with [`FileTooLarge`] before reading anything.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    // Non-blocking, so that a FIFO planted under the name cannot hang the
    // host before the check below refuses it; a regular file reads the same.
    let file = crate::platform::open_without_blocking(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is not a regular file",
                PluginText::escape(&path.display().to_string())
            ),
        ));
    }
    let too_large = |size| {
        io::Error::new(
            io::ErrorKind::FileTooLarge,
            FileTooLarge {
                path: path.to_path_buf(),
                size,
                limit,
            },
        )
    };
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    // The metadata's length is a hint (the file may shrink or grow), never
    // more than the limit.
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit + 1));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::time::Instant;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("airlock-bounded-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_sparse_file_far_above_the_limit_is_refused_without_reading_it() {
        let dir = scratch("sparse");
        let path = dir.join("huge.wasm");
        let file = File::create(&path).unwrap();
        file.set_len(1 << 40).unwrap(); // a terabyte, sparse
        let started = Instant::now();
        let e = read_bounded(&path, MAX_COMPONENT_FILE_LEN).unwrap_err();
        assert!(
            started.elapsed().as_millis() < 100,
            "{:?}",
            started.elapsed()
        );
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        let refusal = FileTooLarge::of(&e).expect("a FileTooLarge inside");
        assert_eq!(
            (refusal.size, refusal.limit),
            (1 << 40, MAX_COMPONENT_FILE_LEN)
        );
        let message = e.to_string();
        assert!(message.contains("huge.wasm"), "{message}");
        assert!(message.contains(&(1u64 << 40).to_string()), "{message}");
        assert!(
            message.contains(&MAX_COMPONENT_FILE_LEN.to_string()),
            "{message}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_within_the_limit_are_read_and_one_byte_more_is_refused() {
        let dir = scratch("edge");
        let path = dir.join("f");
        std::fs::write(&path, [7u8; 10]).unwrap();
        assert_eq!(read_bounded(&path, 10).unwrap(), [7u8; 10]);
        let e = read_bounded(&path, 9).unwrap_err();
        assert_eq!(FileTooLarge::of(&e).map(|r| r.size), Some(10));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_device_that_never_ends_is_not_read() {
        // /dev/zero reports a length of 0 and never ends: refused as not a file.
        let e = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
    }

    #[test]
    fn a_fifo_under_a_plugin_name_is_refused_without_blocking() {
        let dir = scratch("fifo");
        let fifo = dir.join("plugin.wasm");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        // Opening it blocking would wait for a writer forever; the test
        // thread would hang instead of failing.
        let (done, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(read_bounded(&fifo, 1 << 20).map(|_| ())));
        let e = wait
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("read_bounded blocked on a FIFO")
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains("is not a regular file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
