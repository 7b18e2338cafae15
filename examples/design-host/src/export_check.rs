//! Checking the file an exporter says it wrote into its granted folder: the
//! host opens it with [`airlock::open_granted_file`], so a symbolic link or
//! hard link the plugin planted there is reported and removed, never
//! followed.

use std::fmt;
use std::path::{Component, Path};

use airlock::GrantedFileError;

/// Why the host did not accept an exporter's output file.
#[derive(Debug)]
pub enum ExportRefused {
    /// Not a regular file with one link, or not there at all. `removed`
    /// says whether the host removed a planted link (only the link: the
    /// file it named is untouched).
    Unsafe {
        error: GrantedFileError,
        removed: bool,
    },
    /// A regular file, of another size than the plugin said.
    WrongSize { said: u64, holds: u64 },
}

impl fmt::Display for ExportRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsafe { error, removed } => {
                write!(f, "refused its output: {error}")?;
                if *removed {
                    f.write_str("; the link was removed")?;
                }
                Ok(())
            }
            Self::WrongSize { said, holds } => {
                write!(f, "said it wrote {said} bytes, but the file holds {holds}")
            }
        }
    }
}

/// Checks that `file_name` in `folder` is a regular file with one link
/// holding `written` bytes; the size on success.
pub fn check_export(folder: &Path, file_name: &str, written: u64) -> Result<u64, ExportRefused> {
    let file = match airlock::open_granted_file(folder, file_name) {
        Ok(file) => file,
        Err(error) => {
            let planted = matches!(
                error,
                GrantedFileError::Symlink { .. } | GrantedFileError::HardLinked { .. }
            );
            // Unlinking a name removes the link, never what it points to;
            // only a plain file name is removed (no folder on the way).
            let mut components = Path::new(file_name).components();
            let plain = matches!(
                (components.next(), components.next()),
                (Some(Component::Normal(_)), None)
            );
            let removed = planted && plain && std::fs::remove_file(folder.join(file_name)).is_ok();
            return Err(ExportRefused::Unsafe { error, removed });
        }
    };
    // The length of the opened file: fstat, not a second lookup by name.
    let holds = file.metadata().map(|m| m.len()).unwrap_or(0);
    if holds != written {
        return Err(ExportRefused::WrongSize {
            said: written,
            holds,
        });
    }
    Ok(holds)
}
