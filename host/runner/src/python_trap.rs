//! The Python side of a trap: componentize-py prints an uncaught exception's
//! traceback to stderr and then panics with a fixed message that names no
//! exception; this finds the traceback so the trap's message carries it.

/// The panic message componentize-py's runtime gives for any uncaught exception.
const PYTHON_PANIC: &str = "Python function threw an unexpected exception";
/// The first line of every traceback CPython prints.
const TRACEBACK: &str = "Traceback (most recent call last):";

/// `panic` (a message from `guest_panic`) with the Python exception and its
/// traceback from `stderr_tail` appended, when the panic is componentize-py's
/// and a traceback precedes it; `panic` unchanged otherwise.
///
/// Only the last traceback before the panic is taken: an exception raised
/// while handling another prints two, the last being the one that escaped.
/// A traceback longer than the tail loses its top frames, never its last
/// line (the exception itself).
pub(crate) fn with_traceback(panic: String, stderr_tail: &str) -> String {
    if !panic.ends_with(PYTHON_PANIC) {
        return panic;
    }
    let Some(panic_at) = stderr_tail.rfind("panicked at") else {
        return panic;
    };
    // The panic's own line starts with `thread '…'`: cut at that line's start.
    let before = &stderr_tail[..panic_at];
    let before = &before[..before.rfind('\n').map_or(0, |i| i + 1)];
    let traceback = match before.rfind(TRACEBACK) {
        Some(start) => &before[start..],
        // Cut off by the tail's size: keep what is there, from a line start.
        None => &before[before.find('\n').map_or(0, |i| i + 1)..],
    };
    let traceback = traceback.trim_end();
    let Some(exception) = traceback.lines().last().filter(|l| !l.trim().is_empty()) else {
        return panic;
    };
    format!("{panic}: {exception}\n{traceback}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PANIC: &str = "guest panicked at runtime/src/lib.rs:1280:25: Python function threw an unexpected exception";

    #[test]
    fn the_exception_and_its_traceback_are_appended() {
        let tail = "earlier output\nTraceback (most recent call last):\n  File \"/0/app.py\", line 12, in panic_with\nRuntimeError: boom here\nthread '<unnamed>' (1) panicked at runtime/src/lib.rs:1280:25:\nPython function threw an unexpected exception\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            with_traceback(PANIC.to_string(), tail),
            format!(
                "{PANIC}: RuntimeError: boom here\nTraceback (most recent call last):\n  File \"/0/app.py\", line 12, in panic_with\nRuntimeError: boom here"
            )
        );
    }

    #[test]
    fn a_rust_panic_is_left_alone() {
        let panic = "guest panicked at src/lib.rs:1:1: boom".to_string();
        let tail = "Traceback (most recent call last):\nX: y\nthread 'main' panicked at src/lib.rs:1:1:\nboom\n";
        assert_eq!(with_traceback(panic.clone(), tail), panic);
    }

    #[test]
    fn a_truncated_traceback_keeps_its_exception() {
        let tail = "ine 3, in f\n  File \"/0/app.py\", line 9, in g\nValueError: bad\nthread '<unnamed>' (1) panicked at runtime/src/lib.rs:1280:25:\nPython function threw an unexpected exception\n";
        let message = with_traceback(PANIC.to_string(), tail);
        assert!(
            message.starts_with(&format!("{PANIC}: ValueError: bad\n  File")),
            "{message}"
        );
    }
}
