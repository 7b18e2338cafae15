//! The CLI on Windows: Ctrl-C through the console's control handler, no
//! SIGPIPE, and files told apart by their resolved paths.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;

static STOP: OnceLock<&'static AtomicBool> = OnceLock::new();

unsafe extern "system" fn on_control(_kind: u32) -> windows_sys::core::BOOL {
    match STOP.get() {
        // The first one asks the loop to stop; a second one is not
        // handled, and ends the process as usual.
        Some(stop) if !stop.swap(true, Ordering::SeqCst) => TRUE,
        _ => FALSE,
    }
}

pub(super) fn catch_stop(stop: &'static AtomicBool) {
    let _ = STOP.set(stop);
    // SAFETY: a handler that only touches a set-once pointer and an atomic.
    unsafe { SetConsoleCtrlHandler(Some(on_control), TRUE) };
}

pub(super) fn quiet_broken_pipe() {}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
