//! A mock host for plugin authors: a plugin's imports answered from a
//! script, and a transcript of every import call it made.
//!
//! The script is TOML; each key under `[imports]` is an import's full name
//! (`airlock:design/document@0.2.0#layers`), or that name without its
//! version, and each answer is one of:
//!
//! ```toml
//! [imports]
//! "airlock:design/document#canvas-size" = "(800, 600)"        # every call
//! "airlock:design/document#selection" = ["[]", "[1]"]          # one per call, in order
//! "airlock:design/document#add-layer" = { error = "read-only" } # the call fails
//! "airlock:design/document#[method]layer.info" = { by-handle = { 1 = "{…}", 2 = "{…}" } }
//! ```
//!
//! Values are WAVE; a resource handle is a number the script chooses (a
//! `list<own<layer>>` answer of `[1, 2]` hands the plugin layers 1 and 2),
//! and `by-handle` picks a method's answer by the handle it is called on.
//! A function that returns nothing is answered `"()"`. An import the script
//! does not answer fails, naming it; a dropped handle needs no answer.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dynamic::DynamicImports;

/// One import's scripted answer.
#[derive(Debug, Clone)]
pub enum Answer {
    /// The same value for every call.
    Value(String),
    /// One value per call, in order; a call past the last fails.
    Sequence(Vec<String>),
    /// The call fails with this message (the plugin traps).
    Error(String),
    /// A method's answer by the handle it is called on (its first argument).
    ByHandle(BTreeMap<u32, Answer>),
}

impl Answer {
    /// The answer `value` spells, or what is wrong with it.
    fn parse(value: &toml::Value, nested: bool) -> Result<Self, String> {
        use toml::Value as V;
        let strings = |items: &[V]| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("a sequence holds WAVE values, each a string")
        };
        match value {
            V::String(s) => Ok(Self::Value(s.clone())),
            V::Array(items) => Ok(Self::Sequence(strings(items)?)),
            V::Table(t) if t.len() == 1 && t.contains_key("error") => match &t["error"] {
                V::String(why) => Ok(Self::Error(why.clone())),
                _ => Err("`error` is the message the call fails with, a string".into()),
            },
            V::Table(t) if t.len() == 1 && t.contains_key("by-handle") && !nested => {
                let V::Table(handles) = &t["by-handle"] else {
                    return Err("`by-handle` maps handle numbers to answers".into());
                };
                handles
                    .iter()
                    .map(|(n, a)| {
                        let n = n.parse::<u32>().map_err(|_| {
                            format!("`by-handle` key `{n}` is not a handle number")
                        })?;
                        Ok((n, Self::parse(a, true)?))
                    })
                    .collect::<Result<_, String>>()
                    .map(Self::ByHandle)
            }
            _ => Err(
                "an answer is a WAVE value (a string), a list of them, { error = \"…\" } or { by-handle = { … } }"
                    .into(),
            ),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    #[serde(default)]
    imports: BTreeMap<String, toml::Value>,
}

/// Why a mock script was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("cannot read the mock script {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the mock script {origin} is not valid: {detail}")]
    Invalid { origin: String, detail: String },
}

/// A pretend host: answers a [`DynamicPlugin`](crate::DynamicPlugin)'s
/// imports from a script, keeping a transcript of every call.
#[derive(Debug)]
pub struct Mock {
    origin: String,
    answers: BTreeMap<String, Answer>,
    /// Calls so far per import key, for sequences.
    calls: BTreeMap<(String, Option<u32>), usize>,
    transcript: Vec<String>,
    /// Bytes the transcript holds, and calls left out once it was full.
    transcript_bytes: usize,
    left_out: u64,
}

/// The most a script file may hold.
const MAX_SCRIPT_BYTES: u64 = 1 << 20;

/// The most bytes one transcript line keeps of its arguments and of its
/// answer, and the most the whole transcript keeps: a plugin calling an
/// import in a loop must not grow the host without bound.
const MAX_SHOWN: usize = 1 << 10;
const MAX_TRANSCRIPT: usize = 4 << 20;

impl Mock {
    /// Reads the script at `path` (at most 1 MiB).
    pub fn from_file(path: &Path) -> Result<Self, MockError> {
        let read = |source| MockError::Read {
            path: path.to_path_buf(),
            source,
        };
        let bytes = crate::bounded_read::read_bounded(path, MAX_SCRIPT_BYTES).map_err(read)?;
        let text = String::from_utf8(bytes).map_err(|_| MockError::Invalid {
            origin: path.display().to_string(),
            detail: "it is not UTF-8 text".into(),
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// The script in `text`; `origin` names it in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, MockError> {
        let script: Script = toml::from_str(text).map_err(|e| MockError::Invalid {
            origin: origin.to_string(),
            detail: e.to_string(),
        })?;
        let answers = script
            .imports
            .iter()
            .map(|(import, v)| {
                Answer::parse(v, false)
                    .map(|a| (import.clone(), a))
                    .map_err(|why| MockError::Invalid {
                        origin: origin.to_string(),
                        detail: format!("the answer to `{import}`: {why}"),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            origin: origin.to_string(),
            answers,
            calls: BTreeMap::new(),
            transcript: Vec::new(),
            transcript_bytes: 0,
            left_out: 0,
        })
    }

    /// Every import call so far, one line each: `name(args) -> answer`.
    /// Long arguments and answers are cut to 1 KiB (ending in `…`); past
    /// 4 MiB in all, calls are only counted, in a last line.
    pub fn transcript(&self) -> Vec<String> {
        let mut lines = self.transcript.clone();
        if self.left_out > 0 {
            lines.push(format!("… {} more import calls, not kept", self.left_out));
        }
        lines
    }

    fn record(&mut self, import: &str, args: &[String], answer: &Result<Option<String>, String>) {
        if self.transcript_bytes > MAX_TRANSCRIPT {
            self.left_out += 1;
            return;
        }
        let shown = match answer {
            Ok(Some(v)) => format!(" -> {}", cut(v)),
            Ok(None) => String::new(),
            Err(e) => format!(" -> error: {}", cut(e)),
        };
        let line = format!("{import}({}){shown}", cut(&args.join(", ")));
        self.transcript_bytes += line.len();
        self.transcript.push(line);
    }

    /// The key `import` is scripted under: its full name, or the name
    /// without the interface's version.
    fn key_of(&self, import: &str) -> Option<String> {
        if self.answers.contains_key(import) {
            return Some(import.to_string());
        }
        let (interface, function) = import.rsplit_once('#')?;
        let (unversioned, _) = interface.split_once('@')?;
        let key = format!("{unversioned}#{function}");
        self.answers.contains_key(&key).then_some(key)
    }

    fn answer(&mut self, import: &str, args: &[String]) -> Result<Option<String>, String> {
        let Some(key) = self.key_of(import) else {
            if import.contains("#[resource-drop]") {
                return Ok(None);
            }
            return Err(format!(
                "the mock answers no import `{import}` (add it under [imports] in {})",
                self.origin
            ));
        };
        let mut answer = &self.answers[&key];
        let mut handle = None;
        if let Answer::ByHandle(by_handle) = answer {
            let number = args.first().and_then(|a| a.trim().parse::<u32>().ok());
            answer = match number.and_then(|n| by_handle.get(&n)) {
                Some(a) => a,
                None => {
                    return Err(format!(
                        "the mock answers `{import}` for handles {:?}, not for {}",
                        by_handle.keys().collect::<Vec<_>>(),
                        args.first().map_or("no handle", String::as_str)
                    ));
                }
            };
            handle = number;
        }
        let count = self.calls.entry((key, handle)).or_default();
        *count += 1;
        match answer {
            Answer::Value(v) => Ok(Some(v.clone())),
            Answer::Sequence(values) => {
                values.get(*count - 1).cloned().map(Some).ok_or_else(|| {
                    format!(
                        "the mock's {} answers to `{import}` are used up (this is call {})",
                        values.len(),
                        count
                    )
                })
            }
            Answer::Error(error) => Err(error.clone()),
            Answer::ByHandle(_) => unreachable!("refused when parsed"),
        }
    }
}

impl DynamicImports for Mock {
    fn call(&mut self, import: &str, args: &[String]) -> Result<Option<String>, String> {
        let answer = self.answer(import, args);
        self.record(import, args, &answer);
        answer
    }
}

/// `text`, cut to [`MAX_SHOWN`] bytes.
fn cut(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_SHOWN {
        return Cow::Borrowed(text);
    }
    let mut end = MAX_SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "airlock:design/document@0.2.0";

    fn mock(text: &str) -> Mock {
        Mock::from_toml(text, "test.toml").unwrap()
    }

    #[test]
    fn answers_by_full_or_unversioned_name() {
        let mut m = mock(
            r#"[imports]
"airlock:design/document#canvas-size" = "(8, 6)"
"airlock:design/document@0.2.0#layers" = "[1]"
"#,
        );
        assert_eq!(
            m.call(&format!("{DOC}#canvas-size"), &[]),
            Ok(Some("(8, 6)".into()))
        );
        assert_eq!(
            m.call(&format!("{DOC}#layers"), &[]),
            Ok(Some("[1]".into()))
        );
        assert_eq!(
            m.transcript(),
            [
                format!("{DOC}#canvas-size() -> (8, 6)"),
                format!("{DOC}#layers() -> [1]")
            ]
        );
    }

    #[test]
    fn sequences_run_out_and_errors_fail_by_name() {
        let mut m = mock(
            r#"[imports]
"a:b/c#next" = ["1", "2"]
"a:b/c#fail" = { error = "read-only" }
"#,
        );
        assert_eq!(m.call("a:b/c@1.0.0#next", &[]), Ok(Some("1".into())));
        assert_eq!(m.call("a:b/c@1.0.0#next", &[]), Ok(Some("2".into())));
        let used_up = m.call("a:b/c@1.0.0#next", &[]).unwrap_err();
        assert!(
            used_up.contains("2 answers") && used_up.contains("call 3"),
            "{used_up}"
        );
        assert_eq!(m.call("a:b/c#fail", &[]), Err("read-only".into()));
        let missing = m.call("a:b/c#other", &[]).unwrap_err();
        assert!(
            missing.contains("`a:b/c#other`") && missing.contains("test.toml"),
            "{missing}"
        );
        assert_eq!(
            m.call("a:b/c#[resource-drop]thing", &["4".into()]),
            Ok(None)
        );
    }

    #[test]
    fn methods_answer_by_handle() {
        let mut m = mock(
            r#"[imports."a:b/c#[method]layer.name"]
by-handle = { 1 = '"one"', 2 = ['"two"', '"zwei"'] }
"#,
        );
        let name = "a:b/c#[method]layer.name";
        assert_eq!(m.call(name, &["2".into()]), Ok(Some("\"two\"".into())));
        assert_eq!(m.call(name, &["1".into()]), Ok(Some("\"one\"".into())));
        assert_eq!(m.call(name, &["2".into()]), Ok(Some("\"zwei\"".into())));
        let unknown = m.call(name, &["3".into()]).unwrap_err();
        assert!(unknown.contains("not for 3"), "{unknown}");
    }

    #[test]
    fn the_transcript_is_bounded_however_often_the_plugin_calls() {
        let big = "x".repeat(100_000);
        let mut m = mock(&format!("[imports]\n\"a:b/c#f\" = '\"{big}\"'\n"));
        for _ in 0..10_000 {
            assert!(m.call("a:b/c#f", std::slice::from_ref(&big)).is_ok());
        }
        let lines = m.transcript();
        let bytes: usize = lines.iter().map(String::len).sum();
        assert!(bytes < MAX_TRANSCRIPT + 4 * MAX_SHOWN, "{bytes}");
        assert!(
            lines[0].len() < 3 * MAX_SHOWN && lines[0].contains('…'),
            "{}",
            lines[0].len()
        );
        let last = lines.last().unwrap();
        assert!(
            last.starts_with("… ") && last.ends_with("more import calls, not kept"),
            "{last}"
        );
    }

    #[test]
    fn a_bad_script_is_refused_with_its_name() {
        let e = Mock::from_toml("[imports]\n\"x\" = 3\n", "bad.toml").unwrap_err();
        assert!(
            e.to_string().contains("bad.toml") && e.to_string().contains("`x`"),
            "{e}"
        );
        let e = Mock::from_toml("[imports.y]\nby-handle = { one = \"1\" }\n", "bad.toml");
        assert!(e.unwrap_err().to_string().contains("`one` is not a handle"));
        let e = Mock::from_toml("[answers]\n", "bad.toml").unwrap_err();
        assert!(e.to_string().contains("answers"), "{e}");
    }
}
