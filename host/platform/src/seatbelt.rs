//! macOS lock-down: a deny-by-default Seatbelt profile made from what the
//! runner's policy grants — the preopened directories, read-only or
//! read-write, and TCP connects to the granted ports — and nothing else:
//! no other file, no process creation, no Mach services, no other network.
//!
//! The profile text never holds a path: every path is a parameter
//! (`(param "PREOPEN_0")`), handed to `sandbox_init_with_parameters`
//! beside it, so no directory name can change the profile's meaning. The
//! text and its parameters are built on every system and unit-tested
//! here; [`Profile::apply`] exists on macOS only. Like Landlock, the
//! profile restricts connects by port; which hosts may be reached is
//! wasmtime-wasi's per-address check.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::path::Path;

/// A Seatbelt profile and the parameters its text refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// SBPL, deny by default.
    pub text: String,
    /// `(name, value)` for each `(param "name")` in the text.
    pub params: Vec<(String, OsString)>,
}

/// Why no profile could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatbeltError {
    #[error("a preopened directory's path is not absolute: {0:?}")]
    RelativePath(OsString),
    #[error("a preopened directory's path holds a NUL byte: {0:?}")]
    NulInPath(OsString),
}

/// What every runner may do once locked down: signal itself (wasmtime's
/// trap handling) and read a few facts about the machine that the Rust
/// runtime and wasmtime ask for. Everything else is denied unless a rule
/// below grants it.
const BASE: &str = r#"(version 1)
(deny default)
(allow signal (target self))
(allow process-info* (target self))
(allow sysctl-read
  (sysctl-name "hw.pagesize" "hw.pagesize_compat" "hw.ncpu" "hw.activecpu"
               "hw.logicalcpu" "hw.cachelinesize" "kern.osrelease"
               "kern.osversion" "kern.argmax")
  (sysctl-name-prefix "hw.optional."))
"#;

/// The profile for a runner with `preopens` (each directory's real path,
/// as the runner found it from the descriptor it was given, and whether it
/// is writable) and TCP connects to `ports`.
pub fn profile(preopens: &[(&Path, bool)], ports: &[u16]) -> Result<Profile, SeatbeltError> {
    let mut text = String::from(BASE);
    let mut params = Vec::new();
    for (i, (path, writable)) in preopens.iter().enumerate() {
        let raw = path.as_os_str();
        // A macOS path: absolute when it starts at `/`, judged the same on
        // every system the profile is made and tested on.
        if raw.as_encoded_bytes().first() != Some(&b'/') {
            return Err(SeatbeltError::RelativePath(raw.to_owned()));
        }
        if raw.as_encoded_bytes().contains(&0) {
            return Err(SeatbeltError::NulInPath(raw.to_owned()));
        }
        let name = format!("PREOPEN_{i}");
        let access = if *writable {
            "file-read* file-write*"
        } else {
            "file-read*"
        };
        let _ = writeln!(text, "(allow {access} (subpath (param \"{name}\")))");
        params.push((name, raw.to_owned()));
    }
    let mut ports = ports.to_vec();
    ports.sort_unstable();
    ports.dedup();
    for port in ports {
        let _ = writeln!(text, "(allow network-outbound (remote tcp \"*:{port}\"))");
    }
    Ok(Profile { text, params })
}

impl Profile {
    /// The value of parameter `name`, if the profile has one.
    pub fn param(&self, name: &str) -> Option<&OsStr> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_os_str())
    }
}

#[cfg(target_os = "macos")]
mod apply {
    use std::ffi::{CStr, CString, c_char, c_int};
    use std::os::unix::ffi::OsStrExt;

    unsafe extern "C" {
        /// libsandbox (in libSystem): what Chromium's and WebKit's
        /// sandboxes call; the `parameters` are `name, value, …, NULL`.
        fn sandbox_init_with_parameters(
            profile: *const c_char,
            flags: u64,
            parameters: *const *const c_char,
            errorbuf: *mut *mut c_char,
        ) -> c_int;
        fn sandbox_free_error(errorbuf: *mut c_char);
    }

    impl super::Profile {
        /// Enters the profile: from here on, this process and every thread
        /// of it can do only what the profile allows. Irreversible.
        pub fn apply(&self) -> Result<(), String> {
            let nul = |what: &str| format!("{what} holds a NUL byte");
            let text = CString::new(self.text.as_str()).map_err(|_| nul("the profile"))?;
            let mut owned = Vec::with_capacity(2 * self.params.len());
            for (name, value) in &self.params {
                owned.push(CString::new(name.as_str()).map_err(|_| nul("a parameter name"))?);
                owned.push(CString::new(value.as_bytes()).map_err(|_| nul("a parameter"))?);
            }
            let mut pointers: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
            pointers.push(std::ptr::null());
            let mut error: *mut c_char = std::ptr::null_mut();
            // SAFETY: every pointer is a NUL-terminated string that outlives
            // the call; the list ends with NULL; `error` is freed below.
            let status = unsafe {
                sandbox_init_with_parameters(text.as_ptr(), 0, pointers.as_ptr(), &mut error)
            };
            if status == 0 {
                return Ok(());
            }
            let why = if error.is_null() {
                format!("sandbox_init_with_parameters returned {status}")
            } else {
                // SAFETY: libsandbox set `error` to a C string it allocated.
                let why = unsafe { CStr::from_ptr(error) }
                    .to_string_lossy()
                    .into_owned();
                // SAFETY: freed once, with the function made for it.
                unsafe { sandbox_free_error(error) };
                why
            };
            Err(format!("seatbelt: {why}"))
        }
    }
}

#[cfg(test)]
#[path = "seatbelt_tests.rs"]
mod tests;
