//! Opening a name beneath a granted folder on POSIX systems, for
//! [`crate::open_granted_file`]: `openat2` where the kernel has it, else
//! one `O_NOFOLLOW` component at a time; never blocking on a FIFO.

use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path};

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

use crate::granted_file::GrantedFileError;

/// `O_NONBLOCK`: a FIFO opens at once instead of waiting for a writer (it
/// is refused right after); cleared again on the regular file handed back.
const FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::NOFOLLOW)
    .union(OFlags::NONBLOCK)
    .union(OFlags::NOCTTY)
    .union(OFlags::CLOEXEC);

/// Opens `name` beneath `folder` with `openat2` if `openat2` (falling back
/// where the kernel lacks it), else one `openat(O_NOFOLLOW)` per component.
pub(super) fn open(folder: &Path, name: &Path, openat2: bool) -> Result<File, GrantedFileError> {
    let fail = |e: Errno| refusal(folder, name, e);
    let inside = name
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside || !name.components().any(|c| matches!(c, Component::Normal(_))) {
        return Err(GrantedFileError::Outside {
            folder: folder.to_path_buf(),
            name: name.to_path_buf(),
        });
    }
    let dir = rustix::fs::open(
        folder,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(fail)?;
    let fd = match openat2 {
        true => match super::open_beneath(dir.as_fd(), name, FLAGS) {
            // No openat2 here (another system, a kernel before 5.6, or a
            // seccomp profile that hides it).
            Err(Errno::NOSYS) => by_components(dir, name),
            other => other,
        },
        false => by_components(dir, name),
    }
    .map_err(fail)?;
    let file = File::from(fd);
    let metadata = file.metadata().map_err(|source| GrantedFileError::Io {
        folder: folder.to_path_buf(),
        name: name.to_path_buf(),
        source,
    })?;
    let kind = metadata.file_type();
    let not_regular = |kind| GrantedFileError::NotRegular {
        folder: folder.to_path_buf(),
        name: name.to_path_buf(),
        kind,
    };
    if kind.is_dir() {
        return Err(not_regular("directory"));
    }
    if kind.is_fifo() {
        return Err(not_regular("FIFO"));
    }
    if kind.is_socket() {
        return Err(not_regular("socket"));
    }
    if kind.is_block_device() || kind.is_char_device() {
        return Err(not_regular("device"));
    }
    if !kind.is_file() {
        return Err(not_regular("special file"));
    }
    if metadata.nlink() != 1 {
        return Err(GrantedFileError::HardLinked {
            folder: folder.to_path_buf(),
            name: name.to_path_buf(),
            links: metadata.nlink(),
        });
    }
    rustix::fs::fcntl_setfl(&file, OFlags::empty()).map_err(fail)?;
    Ok(file)
}

/// Walks `name` from `dir` one component at a time, each opened with
/// `O_NOFOLLOW` (folders also with `O_DIRECTORY`): a link anywhere is `ELOOP`
/// (or `ENOTDIR` for a folder, told apart by [`refusal`]).
fn by_components(dir: OwnedFd, name: &Path) -> rustix::io::Result<OwnedFd> {
    let parts: Vec<_> = name
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    let (last, folders) = parts.split_last().expect("checked: at least one name");
    let mut current = dir;
    for part in folders {
        current = rustix::fs::openat(
            &current,
            part.as_os_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            // O_DIRECTORY | O_NOFOLLOW on a symbolic link: ENOTDIR.
            Errno::NOTDIR if is_symlink(&current, part.as_os_str()) => Errno::LOOP,
            e => e,
        })?;
    }
    rustix::fs::openat(&current, last.as_os_str(), FLAGS, Mode::empty())
}

fn is_symlink(dir: &OwnedFd, name: &std::ffi::OsStr) -> bool {
    rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|stat| {
        rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::Symlink
    })
}

fn refusal(folder: &Path, name: &Path, e: Errno) -> GrantedFileError {
    let (folder, name) = (folder.to_path_buf(), name.to_path_buf());
    match e {
        Errno::LOOP => GrantedFileError::Symlink { folder, name },
        // RESOLVE_BENEATH: the name resolved outside the folder.
        Errno::XDEV => GrantedFileError::Outside { folder, name },
        e => GrantedFileError::Io {
            folder,
            name,
            source: e.into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open_granted_file;
    use std::io;
    use std::io::Read;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    /// A folder with one file of every kind a plugin could leave; removed when dropped.
    struct Planted(PathBuf);

    impl Drop for Planted {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn planted(test: &str) -> Planted {
        let dir =
            std::env::temp_dir().join(format!("airlock-granted-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("ok.svg"), "<svg/>").unwrap();
        std::fs::write(dir.join("sub/inner.svg"), "<svg/>").unwrap();
        std::os::unix::fs::symlink("ok.svg", dir.join("link.svg")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd.svg")).unwrap();
        std::os::unix::fs::symlink("nowhere.svg", dir.join("dangling.svg")).unwrap();
        std::os::unix::fs::symlink("sub", dir.join("via")).unwrap();
        std::fs::write(dir.join("shared.svg"), "secret").unwrap();
        std::fs::hard_link(dir.join("shared.svg"), dir.join("hard.svg")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            dir.join("fifo.svg"),
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        Planted(dir)
    }

    /// `name` opened in a planted folder through openat2 and component by component.
    fn both(test: &str, name: &str) -> Vec<Result<File, GrantedFileError>> {
        let dir = planted(test);
        [true, false]
            .into_iter()
            .map(|openat2| open(&dir.0, Path::new(name), openat2))
            .collect()
    }

    #[test]
    fn a_regular_file_with_one_link_is_opened_and_readable() {
        for name in ["ok.svg", "./ok.svg", "sub/inner.svg"] {
            for opened in both("regular", name) {
                let mut text = String::new();
                opened.unwrap().read_to_string(&mut text).unwrap();
                assert_eq!(text, "<svg/>");
            }
        }
    }

    #[test]
    fn symlinks_are_refused_not_followed() {
        for name in ["link.svg", "passwd.svg", "dangling.svg", "via/inner.svg"] {
            for opened in both("symlinks", name) {
                assert!(
                    matches!(opened, Err(GrantedFileError::Symlink { .. })),
                    "{name}: {opened:?}"
                );
            }
        }
    }

    #[test]
    fn names_outside_the_folder_are_refused() {
        for name in ["../ok.svg", "sub/../../x", "/etc/passwd", "", "."] {
            for opened in both("outside", name) {
                assert!(
                    matches!(opened, Err(GrantedFileError::Outside { .. })),
                    "{name}: {opened:?}"
                );
            }
        }
    }

    #[test]
    fn directories_and_fifos_are_refused_at_once() {
        for opened in both("dir", "sub") {
            assert!(
                matches!(
                    opened,
                    Err(GrantedFileError::NotRegular {
                        kind: "directory",
                        ..
                    })
                ),
                "{opened:?}"
            );
        }
        let started = Instant::now();
        for opened in both("fifo", "fifo.svg") {
            assert!(
                matches!(
                    opened,
                    Err(GrantedFileError::NotRegular { kind: "FIFO", .. })
                ),
                "{opened:?}"
            );
        }
        // Opening a FIFO for reading blocks until a writer comes; this did not.
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_file_with_two_links_is_refused() {
        for name in ["hard.svg", "shared.svg"] {
            for opened in both("hard", name) {
                assert!(
                    matches!(opened, Err(GrantedFileError::HardLinked { links: 2, .. })),
                    "{name}: {opened:?}"
                );
            }
        }
    }

    #[test]
    fn errors_name_the_file_and_the_folder() {
        let dir = planted("errors");
        let message = open_granted_file(&dir.0, "link.svg")
            .unwrap_err()
            .to_string();
        assert!(message.contains("`link.svg`"), "{message}");
        assert!(message.contains("airlock-granted-"), "{message}");
        assert!(message.contains("not followed"), "{message}");
        let missing = open_granted_file(&dir.0, "absent.svg").unwrap_err();
        assert!(
            matches!(&missing, GrantedFileError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound),
            "{missing:?}"
        );
    }
}
