//! Opening a file a plugin left in a folder it was granted, without following
//! any link: what a plugin leaves behind is hostile input.
//!
//! A plugin with a read-write folder can plant a symbolic link where the
//! host expects its output (to a file of the user's, outside the folder), a
//! hard link to a file it could only read, or a FIFO that blocks whoever
//! opens it. [`crate::open_granted_file`] resolves the name beneath the folder with
//! `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` (or, where the kernel
//! lacks it, one `O_NOFOLLOW` component at a time), never blocks on a FIFO,
//! and hands back the file only if it is a regular file with one link
//! (`platform/granted_unix.rs`). Windows has no granted folders yet, and
//! refuses every name.

use std::io;
use std::path::PathBuf;

/// Why a file in a granted folder was not opened.
#[derive(Debug, thiserror::Error)]
pub enum GrantedFileError {
    /// The name is empty, absolute, or climbs out with `..`.
    #[error("`{}` does not name a file inside the granted folder {}", name.display(), folder.display())]
    Outside { folder: PathBuf, name: PathBuf },
    /// The file, or a folder on the way to it, is a symbolic link (dangling
    /// or not); it was not followed.
    #[error("`{}` in {} is or passes through a symbolic link, which was not followed", name.display(), folder.display())]
    Symlink { folder: PathBuf, name: PathBuf },
    /// A directory, FIFO, socket or device.
    #[error("`{}` in {} is a {kind}, not a regular file", name.display(), folder.display())]
    NotRegular {
        folder: PathBuf,
        name: PathBuf,
        kind: &'static str,
    },
    /// The file has other names too: it may be a file the plugin could not
    /// write, linked into its folder.
    #[error("`{}` in {} has {links} hard links; a file a plugin leaves must have exactly one", name.display(), folder.display())]
    HardLinked {
        folder: PathBuf,
        name: PathBuf,
        links: u64,
    },
    #[error("cannot open `{}` in {}: {source}", name.display(), folder.display())]
    Io {
        folder: PathBuf,
        name: PathBuf,
        #[source]
        source: io::Error,
    },
}
