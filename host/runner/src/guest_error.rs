//! What a guest printed about its own trap: a Rust panic, and the message and
//! stack of an uncaught JavaScript exception, read from what
//! componentize-js's engine (StarlingMonkey) prints to the guest's stderr just
//! before it aborts: the message's last line, `Stack:`, one indented
//! `function@file:line:column` per frame, then a note about `abort()`.

/// What the guest's stderr says about a trap: the last Rust panic (with the
/// Python traceback when componentize-py panicked over an uncaught
/// exception), else an uncaught JS exception.
pub(crate) fn trap_message(stderr_tail: &str) -> Option<String> {
    guest_panic(stderr_tail)
        .map(|p| crate::python_trap::with_traceback(p, stderr_tail))
        .or_else(|| js_exception(stderr_tail))
}

/// The message of the last Rust panic printed to the guest's stderr, if any.
pub(crate) fn guest_panic(stderr_tail: &str) -> Option<String> {
    // Only the runtime's own `thread '…' panicked at` line: "panicked at"
    // elsewhere in a plugin's output is not a panic.
    let start = stderr_tail
        .rmatch_indices("panicked at")
        .map(|(at, _)| at)
        .find(|&at| {
            let line = stderr_tail[..at].rsplit('\n').next().unwrap_or_default();
            line.starts_with("thread '")
        })?;
    let text = &stderr_tail[start..];
    let mut lines = text.lines();
    let location = lines.next()?.trim_end_matches(':');
    let message: Vec<&str> = lines.take_while(|l| !l.starts_with("note:")).collect();
    Some(format!("guest {location}: {}", message.join("\n").trim()))
}

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

/// The most bytes of a trap's message or backtrace sent to the host, well
/// inside a frame's header.
const MAX_MESSAGE: usize = 16 << 10;

/// `text`, cut to [`MAX_MESSAGE`] bytes (marked when cut).
pub(crate) fn capped(mut text: String) -> String {
    if text.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" … (cut)");
    }
    text
}

/// The most bytes a frame's function or file name keeps.
const MAX_NAME: usize = 256;

/// The guest's source position of each frame of `backtrace`, innermost
/// first, for the frames its debug information covers (inlined calls each
/// their own frame); empty for a component without debug information.
pub(crate) fn source_frames(
    backtrace: &wasmtime::WasmBacktrace,
) -> Vec<airlock_protocol::SourceFrame> {
    let cut = |s: &str| {
        let mut end = s.len().min(MAX_NAME);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_string()
    };
    let frames: Vec<_> = backtrace
        .frames()
        .iter()
        .flat_map(|frame| frame.symbols())
        .filter_map(|symbol| {
            Some(airlock_protocol::SourceFrame {
                function: symbol
                    .name()
                    .map(|n| cut(&format!("{:#}", rustc_demangle::demangle(n)))),
                file: cut(symbol.file()?),
                line: symbol.line()?,
                column: symbol.column(),
            })
        })
        .collect();
    // A Rust panic's innermost frames are the standard library's panic
    // machinery (its sources under /rustc/): the guest's own code starts
    // after them.
    let own = frames
        .iter()
        .position(|f| !f.file.starts_with("/rustc/"))
        .unwrap_or(0);
    frames
        .into_iter()
        .skip(own)
        .take(airlock_protocol::MAX_FRAMES)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{guest_panic, js_exception};

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

    #[test]
    fn panic_message_is_extracted_from_stderr() {
        let stderr = "some log\n\nthread '<unnamed>' panicked at src/lib.rs:10:5:\nboom: 42\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            guest_panic(stderr).unwrap(),
            "guest panicked at src/lib.rs:10:5: boom: 42"
        );
        assert_eq!(guest_panic("nothing here"), None);
        // The plugin's own words are no panic, before or after a real one.
        assert_eq!(guest_panic("retry panicked at step 3\n"), None);
        let later = format!("{stderr}the log says: it panicked at noon\n");
        assert_eq!(
            guest_panic(&later).unwrap(),
            "guest panicked at src/lib.rs:10:5: boom: 42"
        );
    }
}
