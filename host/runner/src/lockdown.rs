//! OS lock-down of the runner process, applied after the component is compiled
//! and instantiated and every helper thread has started, and before any call
//! into untrusted code.
//!
//! This is the single place where the sandbox layers are switched on. The
//! layers present today are the ones that need no policy: the runner dies with
//! its host (parent-death signal), can never gain privileges through `execve`
//! (`no_new_privs`), and cannot be ptrace-attached or core-dumped by a sibling
//! (not dumpable). seccomp, Landlock, namespaces and rlimits are added here.

use std::io;

/// Which lock-down layers are active in this runner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveLayers {
    pub parent_death_signal: bool,
    pub no_new_privs: bool,
    pub not_dumpable: bool,
}

/// Applies every layer this runner supports; a failing layer is reported, not fatal.
pub fn lock_down() -> (ActiveLayers, Vec<io::Error>) {
    let mut layers = ActiveLayers::default();
    let mut errors = Vec::new();
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Signal, set_parent_process_death_signal};
        match set_parent_process_death_signal(Some(Signal::KILL)) {
            Ok(()) => layers.parent_death_signal = true,
            Err(e) => errors.push(e.into()),
        }
        match rustix::thread::set_no_new_privs(true) {
            Ok(()) => layers.no_new_privs = true,
            Err(e) => errors.push(e.into()),
        }
        match rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        {
            Ok(()) => layers.not_dumpable = true,
            Err(e) => errors.push(e.into()),
        }
    }
    (layers, errors)
}
