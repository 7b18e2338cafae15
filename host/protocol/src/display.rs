//! Sentences for [`CallFailure`] and [`InitFailure`]: what went wrong and,
//! where there is something to do, what to do.
//!
//! Their strings come from the runner, which the host treats as hostile:
//! they are shown with control and invisible characters escaped, so a
//! message cannot move a terminal's cursor or forge a line.

use std::fmt;

use crate::{CallFailure, InitFailure};

/// Runner text with control and invisible characters escaped.
struct Inert<'a>(&'a str);

impl fmt::Display for Inert<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            // `escape_debug` also escapes quotes, which need no escaping here.
            match c {
                '"' | '\'' | '\\' => fmt::Write::write_char(f, c)?,
                c => write!(f, "{}", c.escape_debug())?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Trap {
                message, backtrace, ..
            } => {
                write!(f, "the plugin trapped: {}", Inert(message))?;
                if backtrace.is_some() {
                    f.write_str(" (a wasm backtrace came with it)")?;
                }
                Ok(())
            }
            Self::DeadlineExceeded { deadline_ms } => write!(
                f,
                "the call ran past its deadline of {deadline_ms} ms and was interrupted; \
                 raise the policy's `deadline` if the work takes longer"
            ),
            Self::OutOfFuel { fuel } => write!(
                f,
                "the call used up its {fuel} units of fuel; raise the policy's `fuel` \
                 if the work needs more"
            ),
            Self::OutOfMemory {
                limit_bytes,
                detail,
            } => write!(
                f,
                "the plugin asked for more than its memory cap of {limit_bytes} bytes ({}); \
                 raise the policy's `memory` if it needs more",
                Inert(detail)
            ),
            Self::BadArguments(detail) => write!(
                f,
                "the arguments did not decode as the function's parameters: {}; \
                 host and runner may be built from different versions of the world",
                Inert(detail)
            ),
            Self::UnknownFunction(func) => write!(
                f,
                "the world has no export number {func}; host and runner are built from \
                 different versions of the world"
            ),
            Self::Instantiate(detail) => write!(
                f,
                "the plugin could not be instantiated again after an earlier trap: {}",
                Inert(detail)
            ),
        }
    }
}

impl std::error::Error for CallFailure {}

impl fmt::Display for InitFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProtocolMismatch { host, runner } => write!(
                f,
                "the host speaks protocol version {host} and the runner version {runner}; \
                 build the runner from the same Airlock version as the host"
            ),
            Self::UnknownWorld { world, known } => {
                write!(f, "the runner does not serve world `{}` ", Inert(world))?;
                match known.as_slice() {
                    [] => f.write_str("(it serves none)")?,
                    known => {
                        f.write_str("(it serves ")?;
                        for (i, w) in known.iter().enumerate() {
                            let sep = if i == 0 { "" } else { ", " };
                            write!(f, "{sep}`{}`", Inert(w))?;
                        }
                        f.write_str(")")?;
                    }
                }
                f.write_str(
                    "; pass the world's `RunnerGlue` to `serve_runner_if_requested` in the runner",
                )
            }
            Self::WorldMismatch(detail) => {
                write!(f, "the component does not fit the world: {}", Inert(detail))
            }
            Self::Compile(detail) => write!(f, "the component did not compile: {}", Inert(detail)),
            Self::StaleArtifact(detail) => write!(
                f,
                "the cached artifact was made by another engine or version: {}; \
                 the host compiles the component again",
                Inert(detail)
            ),
            Self::Instantiate(detail) => write!(
                f,
                "the component could not be instantiated: {}",
                Inert(detail)
            ),
            Self::OutOfMemory {
                limit_bytes,
                detail,
            } => write!(
                f,
                "instantiating the component needed more than the memory cap of {limit_bytes} \
                 bytes ({}); raise the policy's `memory` if it needs more",
                Inert(detail)
            ),
            Self::DeadlineExceeded { deadline_ms } => write!(
                f,
                "the component's start function ran past the deadline of {deadline_ms} ms; \
                 raise the policy's `deadline` or make its start cheaper"
            ),
            Self::OutOfFuel { fuel } => write!(
                f,
                "the component's start function used up its {fuel} units of fuel; \
                 raise the policy's `fuel`"
            ),
        }
    }
}

impl std::error::Error for InitFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_failures_read_as_sentences() {
        let trap = CallFailure::Trap {
            message: "boom".into(),
            backtrace: None,
            frames: Vec::new(),
        };
        assert_eq!(trap.to_string(), "the plugin trapped: boom");
        assert_eq!(
            CallFailure::DeadlineExceeded { deadline_ms: 250 }.to_string(),
            "the call ran past its deadline of 250 ms and was interrupted; \
             raise the policy's `deadline` if the work takes longer"
        );
        assert_eq!(
            CallFailure::UnknownFunction(9).to_string(),
            "the world has no export number 9; host and runner are built from \
             different versions of the world"
        );
    }

    #[test]
    fn init_failures_say_what_to_do() {
        let unknown = InitFailure::UnknownWorld {
            world: "a:b/c".into(),
            known: vec!["a:b/d".into(), "a:b/e".into()],
        };
        assert_eq!(
            unknown.to_string(),
            "the runner does not serve world `a:b/c` (it serves `a:b/d`, `a:b/e`); \
             pass the world's `RunnerGlue` to `serve_runner_if_requested` in the runner"
        );
        assert_eq!(
            InitFailure::ProtocolMismatch { host: 3, runner: 2 }.to_string(),
            "the host speaks protocol version 3 and the runner version 2; \
             build the runner from the same Airlock version as the host"
        );
    }

    /// A runner's text cannot reach a terminal as control characters.
    #[test]
    fn runner_text_is_shown_inert() {
        let forged = InitFailure::Compile("bad\n\u{1b}[2J\u{202e}fake".into());
        assert_eq!(
            forged.to_string(),
            "the component did not compile: bad\\n\\u{1b}[2J\\u{202e}fake"
        );
    }
}
