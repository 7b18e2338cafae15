//! The macOS lock-down: no namespaces; rlimits, and last the Seatbelt
//! profile (`airlock-platform`'s `seatbelt`), made in step 2 from the
//! preopens' real paths and the granted ports and entered in step 3.

use std::ffi::OsStr;
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use airlock_platform::seatbelt::{self, Profile};
use airlock_protocol::{RunnerPolicy, SandboxLayers};

/// The profile step 3 enters, if one could be made (why not is noted).
pub(super) struct Prepared(Option<Profile>);

pub(super) fn enter_namespaces(layers: &mut SandboxLayers, _network: bool) {
    layers
        .notes
        .push("namespaces: none on macOS (Seatbelt confines the runner instead)".into());
}

pub(super) fn restrict_paths(
    layers: &mut SandboxLayers,
    preopens: &[(BorrowedFd<'_>, bool)],
    policy: &RunnerPolicy,
) -> Prepared {
    let mut paths: Vec<(PathBuf, bool)> = Vec::with_capacity(preopens.len());
    for (fd, writable) in preopens {
        // The directory's real path, as the kernel resolved it when the
        // host opened it: what Seatbelt compares file operations against.
        match rustix::fs::getpath(fd) {
            Ok(path) => paths.push((OsStr::from_bytes(path.to_bytes()).into(), *writable)),
            Err(e) => {
                layers
                    .notes
                    .push(format!("seatbelt: no path for a preopened directory: {e}"));
                return Prepared(None);
            }
        }
    }
    let ports: Vec<u16> = policy.network.iter().map(|addr| addr.port()).collect();
    let paths: Vec<(&Path, bool)> = paths.iter().map(|(p, w)| (p.as_path(), *w)).collect();
    match seatbelt::profile(&paths, &ports) {
        Ok(profile) => Prepared(Some(profile)),
        Err(e) => {
            layers.notes.push(format!("seatbelt: {e}"));
            Prepared(None)
        }
    }
}

pub(super) fn lock_down(layers: &mut SandboxLayers, policy: &RunnerPolicy, prepared: Prepared) {
    super::rlimits::set(layers);
    if policy.debugger {
        layers.notes.push(
            "seatbelt: entered as for any policy; a debugger needs the host's own permission on macOS"
                .into(),
        );
    }
    if let Some(profile) = prepared.0 {
        match profile.apply() {
            Ok(()) => layers.seatbelt = true,
            Err(e) => layers.notes.push(e),
        }
    }
}
