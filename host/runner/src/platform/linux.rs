//! The Linux side of the runner's platform interface.

use std::os::fd::BorrowedFd;

pub(super) fn die_with_parent() {
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
}

/// The seals a descriptor must carry before its bytes are trusted to stay put.
fn required_seals() -> rustix::fs::SealFlags {
    use rustix::fs::SealFlags;
    SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL
}

pub(super) fn check_sealed(fd: BorrowedFd<'_>) -> Result<(), String> {
    let seals = rustix::fs::fcntl_get_seals(fd).map_err(|e| {
        format!("the artifact's descriptor is not a sealable memory file ({e}); the host must send a sealed memfd")
    })?;
    let missing = required_seals() - seals;
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = [
        (rustix::fs::SealFlags::WRITE, "write"),
        (rustix::fs::SealFlags::SHRINK, "shrink"),
        (rustix::fs::SealFlags::GROW, "grow"),
        (rustix::fs::SealFlags::SEAL, "seal"),
    ]
    .into_iter()
    .filter(|(flag, _)| missing.contains(*flag))
    .map(|(_, name)| name)
    .collect();
    Err(format!(
        "the artifact's memfd lacks the {} seal(s): its bytes could change after the host checked them; refused",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsFd, OwnedFd};

    use rustix::fs::{MemfdFlags, SealFlags};

    fn memfd() -> OwnedFd {
        rustix::fs::memfd_create(
            "airlock-test",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )
        .unwrap()
    }

    #[test]
    fn only_a_fully_sealed_memfd_passes() {
        let fd = memfd();
        let err = check_sealed(fd.as_fd()).unwrap_err();
        assert!(err.contains("write, shrink, grow, seal"), "{err}");
        rustix::fs::fcntl_add_seals(&fd, SealFlags::SHRINK | SealFlags::GROW).unwrap();
        let err = check_sealed(fd.as_fd()).unwrap_err();
        assert!(err.contains("lacks the write, seal seal(s)"), "{err}");
        rustix::fs::fcntl_add_seals(&fd, SealFlags::WRITE | SealFlags::SEAL).unwrap();
        check_sealed(fd.as_fd()).unwrap();

        // A plain file has no seals at all.
        let file = std::fs::File::open("/proc/self/exe").unwrap();
        let err = check_sealed(file.as_fd()).unwrap_err();
        assert!(err.contains("not a sealable memory file"), "{err}");
    }
}
