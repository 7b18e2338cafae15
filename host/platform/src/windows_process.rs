//! Starting a Windows runner confined from its first instruction: created
//! suspended with a restricted token at low integrity and exactly the
//! handles it is given (none by default), put in a Job object that kills
//! it when the host's handle closes, holds one process, caps its memory
//! and takes away the desktop (UI restrictions), and only then resumed.
//!
//! Each step that the system refuses is said in [`Confined::notes`]
//! rather than failing the start: the runner checks from inside what it
//! really has (`lockdown/windows.rs`) and the host's `Policy::require`
//! decides, as on every system.

use std::ffi::{OsStr, c_void};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsHandle, AsRawHandle, BorrowedHandle, FromRawHandle, OwnedHandle};
use std::path::Path;
use std::time::Duration;

use crate::windows_attributes::Attributes;

use windows_sys::Win32::Foundation::{
    DUPLICATE_SAME_ACCESS, DuplicateHandle, ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED, FALSE,
    HANDLE, TRUE, WAIT_OBJECT_0, WAIT_TIMEOUT,
};
use windows_sys::Win32::Security::{
    AllocateAndInitializeSid, CreateRestrictedToken, DISABLE_MAX_PRIVILEGE, FreeSid, GetLengthSid,
    PSID, SECURITY_MANDATORY_LABEL_AUTHORITY, SID_AND_ATTRIBUTES, SetTokenInformation,
    TOKEN_ADJUST_DEFAULT, TOKEN_ASSIGN_PRIMARY, TOKEN_DUPLICATE, TOKEN_MANDATORY_LABEL,
    TOKEN_QUERY, TokenIntegrityLevel,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, IsProcessInJob, JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
    JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOB_OBJECT_LIMIT_PROCESS_MEMORY, JOBOBJECT_BASIC_UI_RESTRICTIONS,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectBasicUIRestrictions,
    JobObjectExtendedLimitInformation, SetInformationJobObject,
};
use windows_sys::Win32::System::SystemInformation::{
    GetSystemDirectoryW, GetSystemWindowsDirectoryW,
};
use windows_sys::Win32::System::SystemServices::{
    JOB_OBJECT_UILIMIT_ALL, SE_GROUP_INTEGRITY, SECURITY_MANDATORY_LOW_RID,
};
use windows_sys::Win32::System::Threading::{
    CREATE_SUSPENDED, CREATE_UNICODE_ENVIRONMENT, CreateProcessAsUserW, DETACHED_PROCESS,
    EXTENDED_STARTUPINFO_PRESENT, GetCurrentProcess, GetExitCodeProcess, OpenProcessToken,
    PROCESS_INFORMATION, ResumeThread, STARTF_USESTDHANDLES, STARTUPINFOEXW, TerminateProcess,
    WaitForSingleObject,
};

/// What a runner is started with.
#[derive(Debug, Clone)]
pub struct RunnerCommand<'a> {
    pub program: &'a Path,
    /// Arguments after the program's name; none may be empty or hold a
    /// space or a quote.
    pub args: &'a [&'a str],
    /// Handles the runner inherits, each under the same value, which is
    /// appended to its command line, in order, after `args`.
    pub inherit: &'a [BorrowedHandle<'a>],
    /// The most memory the process may commit (the Job's limit).
    pub memory_bytes: u64,
    /// Where the runner's standard error goes (inherited, the one handle
    /// it gets); `None`: nowhere.
    pub stderr: Option<BorrowedHandle<'a>>,
}

/// A started runner: its process, and the Job that holds it.
#[derive(Debug)]
pub struct Confined {
    process: OwnedHandle,
    /// Closing it kills the runner (kill on close).
    _job: OwnedHandle,
    pub pid: u32,
    /// Each confinement the system refused, one sentence each.
    pub notes: Vec<String>,
    ui_restricted: bool,
}

impl Confined {
    /// Waits up to `timeout` for the runner to exit (see [`poll`]).
    pub fn poll(&self, timeout: Duration) -> io::Result<Option<u32>> {
        poll(self.process(), timeout)
    }

    /// Whether the Job took its UI restrictions (kept from the desktop).
    pub fn ui_restricted(&self) -> bool {
        self.ui_restricted
    }

    /// Whether the runner is in the Job object this host made for it (with
    /// its limits, which only a holder of the Job's handle can change).
    pub fn in_job(&self) -> bool {
        let mut inside = FALSE;
        // SAFETY: valid process and job handles owned by `self`.
        let asked = unsafe { IsProcessInJob(self.raw(), self._job.as_raw_handle(), &mut inside) };
        asked != FALSE && inside != FALSE
    }

    /// The runner's process, to ask the system about it.
    pub fn process(&self) -> BorrowedHandle<'_> {
        self.process.as_handle()
    }

    /// Ends the runner at once (exit code 1).
    pub fn kill(&self) {
        terminate(self.process());
    }

    /// Closes the host's handle to the Job object, which ends the runner
    /// (kill on close); the process handle, to wait on, is what is left.
    pub fn close_job(self) -> OwnedHandle {
        drop(self._job);
        self.process
    }

    fn raw(&self) -> HANDLE {
        self.process.as_raw_handle()
    }
}

/// Waits up to `timeout` for `process` to exit: its exit code if it did,
/// `None` if it still runs; an error if the system cannot tell.
pub fn poll(process: BorrowedHandle<'_>, timeout: Duration) -> io::Result<Option<u32>> {
    let ms = timeout.as_millis().min(u32::MAX as u128 - 1) as u32;
    // SAFETY: a valid process handle.
    match unsafe { WaitForSingleObject(process.as_raw_handle(), ms) } {
        WAIT_OBJECT_0 => {}
        WAIT_TIMEOUT => return Ok(None),
        _ => return Err(io::Error::last_os_error()),
    }
    let mut code = 0;
    // SAFETY: as above, with a valid out pointer.
    if unsafe { GetExitCodeProcess(process.as_raw_handle(), &mut code) } == FALSE {
        return Err(io::Error::last_os_error());
    }
    Ok(Some(code))
}

/// Ends the process behind `process` at once (exit code 1).
pub fn terminate(process: BorrowedHandle<'_>) {
    // SAFETY: a valid process handle.
    unsafe { TerminateProcess(process.as_raw_handle(), 1) };
}

/// Starts `command` confined: see the module's documentation.
pub fn spawn(command: &RunnerCommand<'_>) -> io::Result<Confined> {
    if let Some(arg) = command
        .args
        .iter()
        .find(|a| a.is_empty() || a.contains([' ', '"', '\t']))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("a runner argument is empty or holds a space or a quote: {arg:?}"),
        ));
    }
    if command.memory_bytes == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a runner's memory limit must be above zero",
        ));
    }
    let mut notes = Vec::new();
    let (job, ui_restricted) = job(command.memory_bytes, &mut notes)?;
    let token = restricted_token(&mut notes)?;
    // Inheritable copies, closed when the start is over: another thread of
    // this process that starts a program with every inheritable handle in
    // that window would pass them on too (std's `Command` does).
    let stderr = command.stderr.map(inheritable).transpose()?;
    let inherited: Vec<OwnedHandle> = command
        .inherit
        .iter()
        .map(|h| inheritable(*h))
        .collect::<io::Result<_>>()?;
    let handles: Vec<HANDLE> = stderr
        .iter()
        .chain(&inherited)
        .map(|h| h.as_raw_handle())
        .collect();
    let values: Vec<String> = inherited
        .iter()
        .map(|h| (h.as_raw_handle() as usize).to_string())
        .collect();
    let args: Vec<&str> = command
        .args
        .iter()
        .copied()
        .chain(values.iter().map(String::as_str))
        .collect();
    let mut line = command_line(command.program, &args);
    let program = wide(command.program.as_os_str());
    let windows = system_folder(GetSystemWindowsDirectoryW)?;
    let system = system_folder(GetSystemDirectoryW)?;
    // The environment: only what Windows itself needs to load system DLLs.
    let environment: Vec<u16> = OsStr::new("SystemRoot=")
        .encode_wide()
        .chain(windows)
        .chain([0, 0])
        .collect();
    // With the creation-time policies first; without, where the system
    // refuses the process they describe.
    let mut created = FALSE;
    let mut process: PROCESS_INFORMATION = unsafe_zeroed();
    for policies in [true, false] {
        let (mut attributes, refused) = Attributes::new(&handles, policies)?;
        let mut info: STARTUPINFOEXW = unsafe_zeroed();
        info.StartupInfo.cb = size_of::<STARTUPINFOEXW>() as u32;
        info.lpAttributeList = attributes.list();
        if let Some(stderr) = &stderr {
            info.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
            info.StartupInfo.hStdError = stderr.as_raw_handle();
        }
        let cwd: Vec<u16> = system.iter().copied().chain([0]).collect();
        // SAFETY: every pointer is valid for the call; the attribute list
        // lives in `attributes`, the handles it names in `handles`'s owners.
        created = unsafe {
            CreateProcessAsUserW(
                token.as_raw_handle(),
                program.as_ptr(),
                line.as_mut_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                if handles.is_empty() { FALSE } else { TRUE },
                // No console: a console would start a conhost process for
                // the runner, outside its one-process limit.
                EXTENDED_STARTUPINFO_PRESENT
                    | CREATE_SUSPENDED
                    | DETACHED_PROCESS
                    | CREATE_UNICODE_ENVIRONMENT,
                environment.as_ptr().cast(),
                cwd.as_ptr(),
                &info.StartupInfo,
                &mut process,
            )
        };
        if created != FALSE {
            notes.extend(refused);
            break;
        }
        let refusal = io::Error::last_os_error();
        // Only a system that does not know the policies gets a second try:
        // any other failure is the start's own.
        let unknown = [ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED]
            .map(|code| Some(code as i32))
            .contains(&refusal.raw_os_error());
        if !policies || !unknown {
            return Err(refusal);
        }
        notes.push(format!(
            "creation-time policies: the process was refused with them ({refusal}), started without"
        ));
    }
    if created == FALSE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh handles from the call, owned from here on.
    let (handle, thread) = unsafe {
        (
            OwnedHandle::from_raw_handle(process.hProcess),
            OwnedHandle::from_raw_handle(process.hThread),
        )
    };
    let confined = Confined {
        process: handle,
        _job: job,
        ui_restricted,
        pid: process.dwProcessId,
        notes,
    };
    // SAFETY: both handles are valid; the process has not run yet.
    if unsafe { AssignProcessToJobObject(confined._job.as_raw_handle(), confined.raw()) } == FALSE {
        let e = io::Error::last_os_error();
        confined.kill();
        return Err(io::Error::new(
            e.kind(),
            format!("cannot put the runner in its Job object: {e}"),
        ));
    }
    // SAFETY: the suspended main thread of the process made above.
    if unsafe { ResumeThread(thread.as_raw_handle()) } == u32::MAX {
        let e = io::Error::last_os_error();
        confined.kill();
        return Err(e);
    }
    Ok(confined)
}

/// The Job object: kill on close, one process, `memory_bytes` at most, an
/// unhandled exception ends the process without a dialog, and no desktop
/// (whether the system took that is the second value).
fn job(memory_bytes: u64, notes: &mut Vec<String>) -> io::Result<(OwnedHandle, bool)> {
    // SAFETY: no name, default security; checked below.
    let raw = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if raw.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh handle owned from here on.
    let job = unsafe { OwnedHandle::from_raw_handle(raw) };
    let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe_zeroed();
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
        | JOB_OBJECT_LIMIT_PROCESS_MEMORY
        | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    limits.BasicLimitInformation.ActiveProcessLimit = 1;
    limits.ProcessMemoryLimit = memory_bytes.min(usize::MAX as u64) as usize;
    // SAFETY: the job made above and a structure of the size given.
    let set = unsafe {
        SetInformationJobObject(
            job.as_raw_handle(),
            JobObjectExtendedLimitInformation,
            (&raw const limits).cast::<c_void>(),
            size_of_val(&limits) as u32,
        )
    };
    if set == FALSE {
        return Err(io::Error::last_os_error());
    }
    let ui = JOBOBJECT_BASIC_UI_RESTRICTIONS {
        UIRestrictionsClass: JOB_OBJECT_UILIMIT_ALL,
    };
    // SAFETY: as above.
    let set = unsafe {
        SetInformationJobObject(
            job.as_raw_handle(),
            JobObjectBasicUIRestrictions,
            (&raw const ui).cast::<c_void>(),
            size_of_val(&ui) as u32,
        )
    };
    if set == FALSE {
        notes.push(format!(
            "Job UI restrictions: refused ({})",
            io::Error::last_os_error()
        ));
    }
    Ok((job, set != FALSE))
}

/// This process's token without its privileges (`DISABLE_MAX_PRIVILEGE`)
/// and, where the system allows, at low integrity.
fn restricted_token(notes: &mut Vec<String>) -> io::Result<OwnedHandle> {
    let mut own: HANDLE = std::ptr::null_mut();
    let access = TOKEN_DUPLICATE | TOKEN_ASSIGN_PRIMARY | TOKEN_QUERY | TOKEN_ADJUST_DEFAULT;
    // SAFETY: this process's pseudo-handle and a valid out pointer.
    if unsafe { OpenProcessToken(GetCurrentProcess(), access, &mut own) } == FALSE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh handle owned from here on.
    let own = unsafe { OwnedHandle::from_raw_handle(own) };
    let mut restricted: HANDLE = std::ptr::null_mut();
    // SAFETY: a valid token; no SIDs or privileges listed.
    let made = unsafe {
        CreateRestrictedToken(
            own.as_raw_handle(),
            DISABLE_MAX_PRIVILEGE,
            0,
            std::ptr::null(),
            0,
            std::ptr::null(),
            0,
            std::ptr::null(),
            &mut restricted,
        )
    };
    if made == FALSE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh handle owned from here on.
    let restricted = unsafe { OwnedHandle::from_raw_handle(restricted) };
    if let Err(e) = lower_integrity(&restricted) {
        notes.push(format!(
            "low integrity: the token could not be lowered ({e})"
        ));
    }
    Ok(restricted)
}

/// Sets `token`'s integrity level to low (S-1-16-4096).
fn lower_integrity(token: &OwnedHandle) -> io::Result<()> {
    let mut sid: PSID = std::ptr::null_mut();
    // SAFETY: the mandatory label authority with one sub-authority; the
    // SID is freed below.
    let made = unsafe {
        AllocateAndInitializeSid(
            &SECURITY_MANDATORY_LABEL_AUTHORITY,
            1,
            SECURITY_MANDATORY_LOW_RID as u32,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            &mut sid,
        )
    };
    if made == FALSE {
        return Err(io::Error::last_os_error());
    }
    let label = TOKEN_MANDATORY_LABEL {
        Label: SID_AND_ATTRIBUTES {
            Sid: sid,
            Attributes: SE_GROUP_INTEGRITY as u32,
        },
    };
    // SAFETY: a valid token and label; the size includes the SID.
    let set = unsafe {
        SetTokenInformation(
            token.as_raw_handle(),
            TokenIntegrityLevel,
            (&raw const label).cast::<c_void>(),
            size_of_val(&label) as u32 + GetLengthSid(sid),
        )
    };
    let result = if set == FALSE {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    };
    // SAFETY: allocated above, freed once.
    unsafe { FreeSid(sid) };
    result
}

/// An inheritable copy of `handle`, for the one the runner inherits.
fn inheritable(handle: BorrowedHandle<'_>) -> io::Result<OwnedHandle> {
    let mut copy: HANDLE = std::ptr::null_mut();
    // SAFETY: valid handles of this process, a valid out pointer.
    let duplicated = unsafe {
        DuplicateHandle(
            GetCurrentProcess(),
            handle.as_raw_handle(),
            GetCurrentProcess(),
            &mut copy,
            0,
            TRUE,
            DUPLICATE_SAME_ACCESS,
        )
    };
    if duplicated == FALSE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh handle owned from here on.
    Ok(unsafe { OwnedHandle::from_raw_handle(copy) })
}

/// The Windows or System32 folder, by `query`, without its NUL.
fn system_folder(query: unsafe extern "system" fn(*mut u16, u32) -> u32) -> io::Result<Vec<u16>> {
    let mut buf = vec![0u16; 512];
    // SAFETY: a buffer of the length given.
    let len = unsafe { query(buf.as_mut_ptr(), buf.len() as u32) } as usize;
    if len == 0 || len >= buf.len() {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(len);
    Ok(buf)
}

/// `"program" arg...`: the program quoted, the arguments as they are.
fn command_line(program: &Path, args: &[&str]) -> Vec<u16> {
    let mut line: Vec<u16> = OsStr::new("\"").encode_wide().collect();
    line.extend(program.as_os_str().encode_wide());
    line.extend(OsStr::new("\"").encode_wide());
    for arg in args {
        line.push(b' ' as u16);
        line.extend(OsStr::new(arg).encode_wide());
    }
    line.push(0);
    line
}

fn wide(s: &OsStr) -> Vec<u16> {
    s.encode_wide().chain([0]).collect()
}

/// All zeroes, for the plain-data structures of the Windows API.
fn unsafe_zeroed<T: Copy>() -> T {
    // SAFETY: used only for `#[repr(C)]` structures of integers, pointers
    // and handles, for which all zeroes is a valid value.
    unsafe { std::mem::zeroed() }
}
