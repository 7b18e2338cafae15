//! Test guest for `airlock:test/files`: ordinary file work in a granted
//! read-write folder, one export per kind of WASI filesystem call (append,
//! positioned and vectored I/O, sync, metadata, rename, directories), each
//! reporting the step that failed as text.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../host/testkit/wit"], world: "airlock:test/files" });

use std::ffi::c_void;
use std::fs::{File, FileTimes, OpenOptions};
use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, SystemTime};

use exports::airlock::test::file_work::Guest;

unsafe extern "C" {
    /// wasi-libc's POSIX positioned I/O: std has no stable `FileExt` on WASI.
    fn pread(fd: i32, buf: *mut c_void, len: usize, offset: i64) -> isize;
    fn pwrite(fd: i32, buf: *const c_void, len: usize, offset: i64) -> isize;
    /// wasi-libc's `fdatasync` (WASI `sync-data`); std's `sync_data` asks for a full `sync` here.
    fn fdatasync(fd: i32) -> i32;
    /// wasi-libc's `posix_fadvise` (WASI `advise`).
    fn posix_fadvise(fd: i32, offset: i64, len: i64, advice: i32) -> i32;
}

/// wasi-libc's `POSIX_FADV_SEQUENTIAL` and `POSIX_FADV_DONTNEED` (WASI's advice numbers, not Linux's).
const FADV_SEQUENTIAL: i32 = 1;
const FADV_DONTNEED: i32 = 4;

struct Files;

/// `what path: error`, the shape of every `err`.
fn failed(what: &str, path: &str, e: impl std::fmt::Display) -> String {
    format!("{what} {path}: {e}")
}

impl Guest for Files {
    fn append(path: String, data: String) -> Result<(), String> {
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| failed("opening for append", &path, e))?;
        file.write_all(data.as_bytes()).map_err(|e| failed("appending to", &path, e))
    }

    fn write_at(path: String, offset: u64, data: String) -> Result<(), String> {
        let file = OpenOptions::new().write(true).open(&path).map_err(|e| failed("opening", &path, e))?;
        let offset = i64::try_from(offset).map_err(|e| failed("offset for", &path, e))?;
        let mut done = 0;
        while done < data.len() {
            let rest = &data.as_bytes()[done..];
            // SAFETY: `rest` is valid for `rest.len()` bytes during the call.
            let n =
                unsafe { pwrite(file.as_raw_fd(), rest.as_ptr().cast(), rest.len(), offset + done as i64) };
            if n <= 0 {
                return Err(failed("pwrite to", &path, std::io::Error::last_os_error()));
            }
            done += n as usize;
        }
        Ok(())
    }

    fn read_at(path: String, offset: u64, len: u32) -> Result<String, String> {
        let file = File::open(&path).map_err(|e| failed("opening", &path, e))?;
        let offset = i64::try_from(offset).map_err(|e| failed("offset for", &path, e))?;
        let mut buf = vec![0u8; len as usize];
        // SAFETY: `buf` is valid for `buf.len()` bytes during the call.
        let n = unsafe { pread(file.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), offset) };
        if n < 0 {
            return Err(failed("pread from", &path, std::io::Error::last_os_error()));
        }
        buf.truncate(n as usize);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    fn write_vectored(path: String, parts: Vec<String>) -> Result<(), String> {
        let mut file = File::create(&path).map_err(|e| failed("creating", &path, e))?;
        let mut bytes: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        while bytes.iter().any(|b| !b.is_empty()) {
            let slices: Vec<IoSlice<'_>> = bytes.iter().map(|b| IoSlice::new(b)).collect();
            let mut n = file.write_vectored(&slices).map_err(|e| failed("writev to", &path, e))?;
            if n == 0 {
                return Err(failed("writev to", &path, "wrote nothing"));
            }
            for b in bytes.iter_mut() {
                let step = n.min(b.len());
                *b = &b[step..];
                n -= step;
            }
        }
        Ok(())
    }

    fn read_vectored(path: String, sizes: Vec<u32>) -> Result<Vec<String>, String> {
        let mut file = File::open(&path).map_err(|e| failed("opening", &path, e))?;
        let mut buffers: Vec<Vec<u8>> = sizes.iter().map(|&n| vec![0u8; n as usize]).collect();
        let mut filled = vec![0usize; buffers.len()];
        loop {
            let mut slices: Vec<IoSliceMut<'_>> =
                buffers.iter_mut().zip(&filled).map(|(b, &f)| IoSliceMut::new(&mut b[f..])).collect();
            if slices.iter().all(|s| s.is_empty()) {
                break;
            }
            let mut n = file.read_vectored(&mut slices).map_err(|e| failed("readv from", &path, e))?;
            if n == 0 {
                break;
            }
            for (f, size) in filled.iter_mut().zip(&sizes) {
                let step = n.min(*size as usize - *f);
                *f += step;
                n -= step;
            }
        }
        Ok(buffers
            .into_iter()
            .zip(filled)
            .map(|(b, f)| String::from_utf8_lossy(&b[..f]).into_owned())
            .collect())
    }

    fn write_synced(path: String, data: String, data_only: bool) -> Result<(), String> {
        let mut file = File::create(&path).map_err(|e| failed("creating", &path, e))?;
        file.write_all(data.as_bytes()).map_err(|e| failed("writing", &path, e))?;
        if data_only {
            // SAFETY: a plain call on a descriptor `file` owns.
            if unsafe { fdatasync(file.as_raw_fd()) } != 0 {
                return Err(failed("syncing the data of", &path, std::io::Error::last_os_error()));
            }
            Ok(())
        } else {
            file.sync_all().map_err(|e| failed("syncing", &path, e))
        }
    }

    fn stat(path: String) -> Result<(u64, bool), String> {
        let by_path = std::fs::metadata(&path).map_err(|e| failed("stat of", &path, e))?;
        let file = File::open(&path).map_err(|e| failed("opening", &path, e))?;
        let by_fd = file.metadata().map_err(|e| failed("fstat of", &path, e))?;
        if (by_path.len(), by_path.is_dir()) != (by_fd.len(), by_fd.is_dir()) {
            return Err(failed("stat of", &path, "the path and the descriptor disagree"));
        }
        Ok((by_path.len(), by_path.is_dir()))
    }

    fn set_modified(path: String, seconds: u64) -> Result<(), String> {
        let file = OpenOptions::new().write(true).open(&path).map_err(|e| failed("opening", &path, e))?;
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        file.set_times(FileTimes::new().set_modified(when).set_accessed(when))
            .map_err(|e| failed("setting the times of", &path, e))?;
        let read = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(|e| failed("reading the times of", &path, e))?;
        if read != when {
            return Err(failed("setting the times of", &path, format!("it reads back as {read:?}")));
        }
        Ok(())
    }

    fn set_size(path: String, size: u64) -> Result<(), String> {
        let file = OpenOptions::new().write(true).open(&path).map_err(|e| failed("opening", &path, e))?;
        file.set_len(size).map_err(|e| failed("setting the size of", &path, e))
    }

    fn rename(source: String, target: String) -> Result<(), String> {
        std::fs::rename(&source, &target).map_err(|e| failed("renaming", &source, e))
    }

    fn create_dir(path: String) -> Result<(), String> {
        std::fs::create_dir(&path).map_err(|e| failed("creating directory", &path, e))
    }

    fn remove_dir(path: String) -> Result<(), String> {
        std::fs::remove_dir(&path).map_err(|e| failed("removing directory", &path, e))
    }

    fn list_dir(path: String) -> Result<Vec<String>, String> {
        let entries = std::fs::read_dir(&path).map_err(|e| failed("listing", &path, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| failed("listing", &path, e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn advise(path: String) -> Result<(), String> {
        let file = File::open(&path).map_err(|e| failed("opening", &path, e))?;
        for advice in [FADV_SEQUENTIAL, FADV_DONTNEED] {
            // SAFETY: a plain call on a descriptor `file` owns; it returns an errno.
            let errno = unsafe { posix_fadvise(file.as_raw_fd(), 0, 0, advice) };
            if errno != 0 {
                return Err(failed("advising on", &path, std::io::Error::from_raw_os_error(errno)));
            }
        }
        Ok(())
    }

    fn remove_file(path: String) -> Result<(), String> {
        std::fs::remove_file(&path).map_err(|e| failed("removing", &path, e))
    }
}

export!(Files);
