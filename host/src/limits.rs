//! Spawn failures for a limit, explained: which limit was reached, its
//! value, and what to do about it.

use std::io::Error;

/// `error` from starting a runner, with the limit it hit named when it hit one.
pub(crate) fn explain_spawn_error(error: Error) -> Error {
    let Some(hint) = error
        .raw_os_error()
        .and_then(crate::platform::spawn_limit_hint)
    else {
        return error;
    };
    Error::new(error.kind(), format!("{error}; {hint}"))
}
