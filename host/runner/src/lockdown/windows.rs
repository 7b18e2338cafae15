//! The Windows lock-down. What confines a Windows runner is mostly given
//! to it by the host when it is created — a Job object (kill on close, one
//! active process, a memory limit) and a restricted token at low
//! integrity — so the runner checks each from inside, and reports only
//! what it finds. Its own step is step 3: process mitigation policies
//! that wasmtime can live with (no extension points such as AppInit DLLs,
//! no images from remote or low-integrity files, invalid handles fatal),
//! each read back before it is reported (the host also sets them when it
//! creates the runner, where the system takes them, and checks them from
//! outside: `airlock-platform`'s `windows_checks`). No namespaces; no file
//! confinement but the token's (no preopens on Windows yet).

use std::ffi::c_void;

use std::os::windows::io::BorrowedHandle;

use airlock_platform::windows_checks::{self, LOW_INTEGRITY_RID};
use airlock_protocol::{RunnerPolicy, SandboxLayers};
use windows_sys::Win32::Foundation::FALSE;
use windows_sys::Win32::System::JobObjects::{
    IsProcessInJob, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, JOB_OBJECT_LIMIT_BREAKAWAY_OK,
    JOB_OBJECT_LIMIT_JOB_MEMORY, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOB_OBJECT_LIMIT_PROCESS_MEMORY, JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    QueryInformationJobObject,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, PROCESS_MITIGATION_POLICY, SetProcessMitigationPolicy,
};

use crate::platform::Dir;

/// Nothing for step 3.
pub(super) struct Prepared;

pub(super) fn enter_namespaces(layers: &mut SandboxLayers, _network: bool) {
    layers.notes.push(
        "namespaces: none on Windows (the host's Job object and restricted token confine the runner instead)"
            .into(),
    );
}

pub(super) fn restrict_paths(
    layers: &mut SandboxLayers,
    _preopens: &[(Dir, bool)],
    _policy: &RunnerPolicy,
) -> Prepared {
    match windows_checks::integrity_level(this_process()) {
        Ok(rid) if rid <= LOW_INTEGRITY_RID => layers.low_integrity = true,
        Ok(rid) => layers.notes.push(format!(
            "low integrity: off (the runner's token is at integrity level {rid:#x}; the host did not lower it, or the system ignored it)"
        )),
        Err(e) => layers
            .notes
            .push(format!("low integrity: cannot be read from the token ({e})")),
    }
    Prepared
}

pub(super) fn lock_down(layers: &mut SandboxLayers, _policy: &RunnerPolicy, _: Prepared) {
    match job_limits() {
        Ok(missing) if missing.is_empty() => layers.job = true,
        Ok(missing) => layers.notes.push(format!(
            "Job object: off (the runner's job lacks {})",
            missing.join(", ")
        )),
        Err(e) => layers.notes.push(format!("Job object: off ({e})")),
    }
    let mut off = Vec::new();
    for (policy, flags, name) in windows_checks::MITIGATIONS {
        if let Err(e) = mitigate(policy, flags) {
            off.push(format!("{name} ({e})"));
        }
    }
    if off.is_empty() {
        layers.mitigations = true;
    } else {
        layers.notes.push(format!(
            "mitigation policies: off (not in force after being set: {})",
            off.join("; ")
        ));
    }
    layers
        .notes
        .push("system-call confinement: none on Windows (win32k lock-down not used yet)".into());
}

/// Sets `policy` to `flags` and reads it back: only a policy the system
/// reports in force counts.
fn mitigate(policy: PROCESS_MITIGATION_POLICY, flags: u32) -> Result<(), String> {
    // SAFETY: each of these policies is one 32-bit set of flags.
    let set = unsafe { SetProcessMitigationPolicy(policy, (&raw const flags).cast(), 4) };
    if set == FALSE {
        return Err(format!("refused: {}", std::io::Error::last_os_error()));
    }
    let now = windows_checks::mitigation_flags(this_process(), policy)?;
    if now & flags != flags {
        return Err(format!("read back as {now:#b}, wanted {flags:#b}"));
    }
    Ok(())
}

/// This process, as a handle the checks take.
fn this_process() -> BorrowedHandle<'static> {
    // SAFETY: the pseudo-handle of the current process is always valid.
    unsafe { BorrowedHandle::borrow_raw(GetCurrentProcess()) }
}

/// Which of the Job object's limits the runner's job lacks (none: all held).
fn job_limits() -> Result<Vec<&'static str>, String> {
    let mut in_job = FALSE;
    // SAFETY: the pseudo-handle of this process; a null job asks for any.
    if unsafe { IsProcessInJob(GetCurrentProcess(), std::ptr::null_mut(), &mut in_job) } == FALSE {
        return Err(format!("cannot tell: {}", std::io::Error::last_os_error()));
    }
    if in_job == FALSE {
        return Err("the runner is in no job".into());
    }
    // SAFETY: plain data, for which all zeroes is a valid value.
    let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: filled by the call for this process's job (a null job
    // handle), within the size given.
    let queried = unsafe {
        QueryInformationJobObject(
            std::ptr::null_mut(),
            JobObjectExtendedLimitInformation,
            (&raw mut info).cast::<c_void>(),
            size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            std::ptr::null_mut(),
        )
    };
    if queried == FALSE {
        return Err(format!(
            "its limits cannot be read: {}",
            std::io::Error::last_os_error()
        ));
    }
    let flags = info.BasicLimitInformation.LimitFlags;
    let mut missing = Vec::new();
    if flags & JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE == 0 {
        missing.push("kill on close");
    }
    if flags & JOB_OBJECT_LIMIT_ACTIVE_PROCESS == 0
        || info.BasicLimitInformation.ActiveProcessLimit != 1
    {
        missing.push("a limit of one process");
    }
    if flags & (JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_JOB_MEMORY) == 0 {
        missing.push("a memory limit");
    }
    if flags & (JOB_OBJECT_LIMIT_BREAKAWAY_OK | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK) != 0 {
        missing.push("no breakaway (it lets processes leave the job)");
    }
    Ok(missing)
}
