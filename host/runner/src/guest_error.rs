//! The message and stack of an uncaught JavaScript exception, read from what
//! componentize-js's engine (StarlingMonkey) prints to the guest's stderr just
//! before it aborts: the message's last line, `Stack:`, one indented
//! `function@file:line:column` per frame, then a note about `abort()`.

/// What StarlingMonkey prints after an uncaught exception's stack, as it aborts.
const ABORT_NOTE: &str = "Redirecting call to abort()";

/// Frames of the bindings componentize-js generates, not the plugin's code.
const BINDINGS_FILE: &str = "/sources/initializer.js:";

/// `guest JS error: <message>` and the plugin's own stack frames, from the
/// last exception report in `stderr_tail`, if there is one.
pub(crate) fn js_exception(stderr_tail: &str) -> Option<String> {
    let lines: Vec<&str> = stderr_tail.lines().collect();
    let stack = lines.iter().rposition(|l| *l == "Stack:")?;
    // Only StarlingMonkey's own report, which ends in its abort note: any
    // other guest may print `Stack:` and is no JS error.
    if !lines[stack..].iter().any(|l| l.starts_with(ABORT_NOTE)) {
        return None;
    }
    // The engine prints the message on the lines before `Stack:`; only the
    // last one is known to be it (earlier lines may be the plugin's output).
    let message = stack.checked_sub(1).map_or("", |i| lines[i]).trim();
    let frames: Vec<&str> = lines[stack + 1..]
        .iter()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim())
        .filter(|l| !l.contains(BINDINGS_FILE))
        .collect();
    let mut text = format!("guest JS error: {message}");
    for frame in frames {
        text.push_str("\n    at ");
        text.push_str(frame);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::js_exception;

    #[test]
    fn the_message_and_the_plugins_frames_are_kept() {
        let tail = "stdout noise\nthe flux capacitor broke\nStack:\n  panicWith@roundtrip.js:99:8\n  export_panicWith@/tmp/x/sources/initializer.js:2800:15\nRedirecting call to abort() to mozalloc_abort\n";
        assert_eq!(
            js_exception(tail).unwrap(),
            "guest JS error: the flux capacitor broke\n    at panicWith@roundtrip.js:99:8"
        );
    }

    #[test]
    fn no_report_no_message() {
        assert_eq!(
            js_exception("thread panicked at src/lib.rs:1:1:\nboom\n"),
            None
        );
    }

    #[test]
    fn a_stack_line_without_the_engines_abort_is_no_js_error() {
        let tail = "the flux capacitor broke\nStack:\n  panicWith@roundtrip.js:99:8\n";
        assert_eq!(js_exception(tail), None);
    }
}
