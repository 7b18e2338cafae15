//! What a Windows runner's confinement is found to be, asked of the
//! system about a process handle: the runner asks about itself, and the
//! host about the runner (whose word it does not take): the integrity
//! level of its token, and which mitigation policies are in force.

use std::os::windows::io::{AsRawHandle, BorrowedHandle, FromRawHandle, OwnedHandle};

use windows_sys::Win32::Foundation::{FALSE, HANDLE};
use windows_sys::Win32::Security::{
    GetSidSubAuthority, GetSidSubAuthorityCount, GetTokenInformation, TOKEN_MANDATORY_LABEL,
    TOKEN_QUERY, TokenIntegrityLevel,
};
use windows_sys::Win32::System::Threading::{
    GetProcessMitigationPolicy, OpenProcessToken, PROCESS_MITIGATION_POLICY,
    ProcessExtensionPointDisablePolicy, ProcessImageLoadPolicy, ProcessStrictHandleCheckPolicy,
};

/// The highest mandatory integrity level that counts as low.
pub const LOW_INTEGRITY_RID: u32 = 0x1000;

/// The mitigation policies a runner runs under, each a policy and the
/// flag bits it must hold (each policy is one 32-bit set of flags), and
/// its name for the notes.
pub const MITIGATIONS: [(PROCESS_MITIGATION_POLICY, u32, &str); 3] = [
    // DisableExtensionPoints: no AppInit DLLs, no window hooks, no IMEs.
    (ProcessExtensionPointDisablePolicy, 0b1, "extension points"),
    // NoRemoteImages | NoLowMandatoryLabelImages | PreferSystem32Images.
    (ProcessImageLoadPolicy, 0b111, "image loads"),
    // RaiseExceptionOnInvalidHandleReference | HandleExceptionsPermanentlyEnabled.
    (ProcessStrictHandleCheckPolicy, 0b11, "strict handle checks"),
];

/// The flags of mitigation `policy` in force in `process`.
pub fn mitigation_flags(
    process: BorrowedHandle<'_>,
    policy: PROCESS_MITIGATION_POLICY,
) -> Result<u32, String> {
    let mut now = 0u32;
    // SAFETY: a valid process handle and a local of the policy's size.
    let got = unsafe {
        GetProcessMitigationPolicy(process.as_raw_handle(), policy, (&raw mut now).cast(), 4)
    };
    if got == FALSE {
        return Err(format!(
            "cannot be read: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(now)
}

/// Each mitigation of [`MITIGATIONS`] not in force in `process`, with why.
pub fn missing_mitigations(process: BorrowedHandle<'_>) -> Vec<String> {
    MITIGATIONS
        .iter()
        .filter_map(
            |&(policy, flags, name)| match mitigation_flags(process, policy) {
                Ok(now) if now & flags == flags => None,
                Ok(now) => Some(format!("{name} (read as {now:#b}, wanted {flags:#b})")),
                Err(e) => Some(format!("{name} ({e})")),
            },
        )
        .collect()
}

/// The mandatory integrity level (its RID) of `process`'s token.
pub fn integrity_level(process: BorrowedHandle<'_>) -> Result<u32, String> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: a valid process handle; `token` is owned right after.
    if unsafe { OpenProcessToken(process.as_raw_handle(), TOKEN_QUERY, &mut token) } == FALSE {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: a fresh handle that nothing else owns.
    let token = unsafe { OwnedHandle::from_raw_handle(token) };
    let mut buf = [0u64; 16];
    let mut len = 0;
    // SAFETY: a valid token, and a buffer of the size given, 8-aligned.
    let got = unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenIntegrityLevel,
            buf.as_mut_ptr().cast(),
            size_of_val(&buf) as u32,
            &mut len,
        )
    };
    if got == FALSE {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: the call filled a TOKEN_MANDATORY_LABEL whose SID points into
    // `buf`; the count is checked before the last sub-authority is read.
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
