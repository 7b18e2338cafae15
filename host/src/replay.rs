//! Replaying a [`Recording`] with no host: the recorded export called on a
//! component in the dynamic world, its import calls answered from the
//! recording, its clocks and random handed back, and the outcome compared.
//!
//! Imports are compared in order, by name and by their arguments' bytes:
//! the first call that differs from the recording (or is missing, or comes
//! after its end) is where the plugin diverged, and from there on every
//! import fails, so the guest does not run on answers meant for another
//! question. Handle drops are answered and not compared.

use airlock_runner::dynamic::{DYNAMIC_WIRE_CALL, DYNAMIC_WIRE_IMPORT, WireReturn};

use crate::dispatch::{DispatchError, ImportDispatch};
use crate::dynamic::DYNAMIC;
use crate::error::{Error, Result};
use crate::launcher::Launcher;
use crate::plugin::{Plugin, PluginConfig};
use crate::recording::{RecordedImport, RecordedOutcome, Recording, is_drop};

/// How a replay ended.
#[derive(Debug)]
pub struct Replay {
    pub verdict: Verdict,
    /// Import calls the recording answered before the verdict.
    pub answered: usize,
    /// Import calls the recording holds (drops aside).
    pub recorded: usize,
    /// The replayed call's results as WAVE, when it returned.
    pub results: Option<Vec<String>>,
    /// The replayed call's error, when it failed.
    pub error: Option<Error>,
    /// Clock readings or random bytes the guest read past the recording's end.
    pub ran_out: Option<String>,
}

/// Whether the replay did what the recorded call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The same import calls and the same outcome: `outcome` as shown.
    Reproduced { outcome: String },
    /// The same import calls, another outcome.
    Differs { recorded: String, replayed: String },
    /// Import call `index` (from 0) was not the recorded one.
    Diverged {
        index: usize,
        /// The recorded call, `None` past the recording's end.
        recorded: Option<String>,
        /// The replayed call, `None` if the plugin made no more.
        replayed: Option<String>,
    },
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Reproduced { outcome } => write!(f, "reproduced: {outcome}"),
            Verdict::Differs { recorded, replayed } => write!(
                f,
                "the same import calls, another outcome:\n  recorded: {recorded}\n  replayed: {replayed}"
            ),
            Verdict::Diverged {
                index,
                recorded,
                replayed,
            } => {
                writeln!(f, "diverged at import call {}:", index + 1)?;
                let none = "(no call)";
                writeln!(f, "  recorded: {}", recorded.as_deref().unwrap_or(none))?;
                write!(f, "  replayed: {}", replayed.as_deref().unwrap_or(none))
            }
        }
    }
}

/// Runs `recording`'s call again on the component of `config` (started in
/// the dynamic world: its runner must serve [`crate::DynamicGlue`]), under
/// its policy, with no host but the recording.
pub fn replay(launcher: &Launcher, config: PluginConfig, recording: &Recording) -> Result<Replay> {
    // Recording on, if of nothing: that is what has the runner observe the
    // clocks and random, so that it can hand the recorded ones back.
    let config = config.record_calls(0);
    let mut plugin = Plugin::start(launcher, config, DYNAMIC)?;
    let mut answers = Answers::new(recording);
    let args = (&recording.export, &recording.args, &recording.observed);
    let called: Result<std::result::Result<WireReturn, String>> =
        plugin.call(DYNAMIC_WIRE_CALL, &recording.export, &args, &mut answers);
    let recorded = recording.compared_imports().count();
    let (replayed, results, error, ran_out) = match called {
        Ok(Ok(r)) => (Ok(r.encoded), Some(r.wave), None, r.ran_out),
        Ok(Err(why)) => {
            return Err(Error::BadArguments {
                plugin: recording.plugin.clone(),
                function: recording.export.clone(),
                detail: why.into(),
            });
        }
        Err(e) => (Err(e.to_string()), None, Some(e), None),
    };
    let verdict = match answers.diverged.take() {
        Some(diverged) => diverged,
        None if answers.next < recorded => Verdict::Diverged {
            index: answers.next,
            recorded: recording.compared_imports().nth(answers.next).map(shown),
            replayed: None,
        },
        None => compare(recording, &plugin, replayed),
    };
    Ok(Replay {
        verdict,
        answered: answers.next,
        recorded,
        results,
        error,
        ran_out,
    })
}

/// The replay's outcome against the recorded one.
fn compare(
    recording: &Recording,
    plugin: &Plugin,
    replayed: std::result::Result<Vec<u8>, String>,
) -> Verdict {
    let recorded = match &recording.outcome {
        RecordedOutcome::Returned(bytes) => Ok(bytes.clone()),
        RecordedOutcome::Failed(failure) => Err(Error::from_call_failure(
            plugin.name(),
            &recording.export,
            failure.clone(),
            plugin.config().get_policy().deadline,
        )
        .to_string()),
        RecordedOutcome::Ended(why) => Err(why.clone()),
    };
    let show = |o: &std::result::Result<Vec<u8>, String>| match o {
        Ok(bytes) => format!("returned ({} bytes)", bytes.len()),
        Err(e) => e.clone(),
    };
    if recorded == replayed {
        Verdict::Reproduced {
            outcome: show(&replayed),
        }
    } else {
        Verdict::Differs {
            recorded: show(&recorded),
            replayed: show(&replayed),
        }
    }
}

/// A recorded import call: its name and its arguments' bytes (the first 32, in hex).
fn shown(import: &RecordedImport) -> String {
    let hex: String = import
        .args
        .iter()
        .take(32)
        .map(|b| format!("{b:02x}"))
        .collect();
    let more = if import.args.len() > 32 { "…" } else { "" };
    format!("{} with arguments [{hex}{more}]", import.name)
}

/// The recording's answers, in order, behind the wire's import dispatch.
struct Answers<'a> {
    imports: Vec<&'a RecordedImport>,
    next: usize,
    diverged: Option<Verdict>,
    cut: bool,
}

impl<'a> Answers<'a> {
    fn new(recording: &'a Recording) -> Self {
        Self {
            imports: recording.compared_imports().collect(),
            next: 0,
            diverged: None,
            cut: recording.cut,
        }
    }

    /// The answer to `name(args)`, or why there is none.
    fn answer(
        &mut self,
        name: &str,
        args: &[u8],
        shown_args: &[String],
    ) -> std::result::Result<Vec<u8>, String> {
        if is_drop(name) {
            return Ok(Vec::new());
        }
        if self.diverged.is_some() {
            return Err("the plugin diverged from the recording earlier".into());
        }
        let replayed = format!("{name}({})", shown_args.join(", "));
        match self.imports.get(self.next) {
            Some(recorded) if recorded.name == name && recorded.args == args => {
                self.next += 1;
                Ok(recorded.answer.clone())
            }
            recorded => {
                let why = match (recorded, self.cut) {
                    (None, true) => {
                        "the recording was cut at its bound before this call".to_string()
                    }
                    (None, false) => "the recorded call made no more import calls".to_string(),
                    (Some(r), _) if r.name == name => {
                        format!("`{name}` was recorded with other arguments")
                    }
                    (Some(r), _) => format!("the recorded call called `{}` here", r.name),
                };
                self.diverged = Some(Verdict::Diverged {
                    index: self.next,
                    recorded: recorded.map(|r| shown(r)),
                    replayed: Some(replayed),
                });
                Err(format!("the plugin diverged from the recording: {why}"))
            }
        }
    }
}

impl ImportDispatch for Answers<'_> {
    fn dispatch(
        &mut self,
        func: u32,
        args: &[u8],
        out: &mut Vec<u8>,
    ) -> std::result::Result<(), DispatchError> {
        if func != DYNAMIC_WIRE_IMPORT {
            return Err(DispatchError::UnknownImport(func));
        }
        let (name, wire, shown_args): (String, Vec<u8>, Vec<String>) =
            airlock_protocol::decode(args)?;
        let answer = self.answer(&name, &wire, &shown_args);
        airlock_protocol::encode_into(&answer, out)?;
        Ok(())
    }
}
