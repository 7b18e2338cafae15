//! The Windows lock-down. What confines a Windows runner is mostly given
//! to it by the host when it is created — a Job object (kill on close, one
//! active process, a memory limit) and a restricted token at low
//! integrity — so the runner checks each from inside, and reports only
//! what it finds. Its own step is step 3: process mitigation policies
//! that wasmtime can live with (no extension points such as AppInit DLLs,
//! no images from remote or low-integrity files, invalid handles fatal),
//! each read back before it is reported. No namespaces; no file
//! confinement but the token's (no preopens on Windows yet).

use std::ffi::c_void;

use airlock_protocol::{RunnerPolicy, SandboxLayers};
use windows_sys::Win32::Foundation::{CloseHandle, FALSE, HANDLE};
use windows_sys::Win32::Security::{
    GetSidSubAuthority, GetSidSubAuthorityCount, GetTokenInformation, TOKEN_MANDATORY_LABEL,
    TOKEN_QUERY, TokenIntegrityLevel,
};
use windows_sys::Win32::System::JobObjects::{
    IsProcessInJob, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, JOB_OBJECT_LIMIT_JOB_MEMORY,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOB_OBJECT_LIMIT_PROCESS_MEMORY,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    QueryInformationJobObject,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetProcessMitigationPolicy, OpenProcessToken, PROCESS_MITIGATION_POLICY,
    ProcessExtensionPointDisablePolicy, ProcessImageLoadPolicy, ProcessStrictHandleCheckPolicy,
    SetProcessMitigationPolicy,
};

use crate::platform::Dir;

/// Nothing for step 3.
pub(super) struct Prepared;

/// The mitigations of step 3, each a policy and the flag bits it must
/// hold; every one of them is a 32-bit set of flags.
const MITIGATIONS: [(PROCESS_MITIGATION_POLICY, u32, &str); 3] = [
    // DisableExtensionPoints: no AppInit DLLs, no window hooks, no IMEs.
    (ProcessExtensionPointDisablePolicy, 0b1, "extension points"),
    // NoRemoteImages | NoLowMandatoryLabelImages | PreferSystem32Images.
    (ProcessImageLoadPolicy, 0b111, "image loads"),
    // RaiseExceptionOnInvalidHandleReference | HandleExceptionsPermanentlyEnabled.
    (ProcessStrictHandleCheckPolicy, 0b11, "strict handle checks"),
];

/// The highest mandatory integrity level that counts as low.
const LOW_INTEGRITY_RID: u32 = 0x1000;

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
    match integrity_level() {
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
    for (policy, flags, name) in MITIGATIONS {
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
    let mut now = 0u32;
    // SAFETY: as above, into a local of the policy's size.
    let got = unsafe {
        GetProcessMitigationPolicy(GetCurrentProcess(), policy, (&raw mut now).cast(), 4)
    };
    if got == FALSE {
        return Err(format!(
            "cannot be read back: {}",
            std::io::Error::last_os_error()
        ));
    }
    if now & flags != flags {
        return Err(format!("read back as {now:#b}, wanted {flags:#b}"));
    }
    Ok(())
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
    Ok(missing)
}

/// The mandatory integrity level of this process's token (its RID).
fn integrity_level() -> Result<u32, String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: this process's pseudo-handle; `token` is closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == FALSE {
        return Err(std::io::Error::last_os_error().to_string());
    }
    let mut buf = [0u64; 16];
    let mut len = 0;
    // SAFETY: a valid token, and a buffer of the size given, 8-aligned.
    let got = unsafe {
        GetTokenInformation(
            token,
            TokenIntegrityLevel,
            buf.as_mut_ptr().cast(),
            size_of_val(&buf) as u32,
            &mut len,
        )
    };
    let err = std::io::Error::last_os_error();
    // SAFETY: opened above, closed once.
    unsafe { CloseHandle(token) };
    if got == FALSE {
        return Err(err.to_string());
    }
    // SAFETY: the call filled a TOKEN_MANDATORY_LABEL whose SID points into
    // `buf`; a SID has at least one sub-authority.
    unsafe {
        let label = &*buf.as_ptr().cast::<TOKEN_MANDATORY_LABEL>();
        let sid = label.Label.Sid;
        let count = *GetSidSubAuthorityCount(sid);
        if count == 0 {
            return Err("the integrity label has no level".into());
        }
        Ok(*GetSidSubAuthority(sid, count as u32 - 1))
    }
}
