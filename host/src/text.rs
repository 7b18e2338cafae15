//! Text that came from a plugin, escaped whenever it is shown.
//!
//! Everything a plugin can make the host print — log and output lines, trap
//! and panic messages, backtraces (their function names come from the
//! component's name section), manifest and stamp fields, names, results an
//! application shows — is hostile: a raw ESC starts a terminal escape
//! sequence (colours, cursor moves, OSC 8 hyperlinks, OSC 52 clipboard
//! writes), a carriage return overwrites what the host printed, a line feed
//! starts a forged log line, and bidirectional overrides make text read
//! differently from what it is. [`PluginText`] holds such text as it came
//! and escapes it in `Display` and `Debug`, so the one way to show it is the
//! safe one.
//!
//! Escaping is idempotent: text that is already escaped, a multi-line
//! message included, comes out the same.
//!
//! Escapes are written the way Rust writes them (`\x1b`, `\u{202e}`, `\r`).
//! A backslash is left as it is, so text that is already escaped (a WAVE
//! value, a message that quotes an escaped error) comes out unchanged instead
//! of doubled: a plugin can make text *look* like an escape, never act as one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What marks the second and later lines of a multi-line plugin message, so
/// that no line of it can pass for a line the host printed.
pub const CONTINUATION: &str = "\n  | ";

/// Text from a plugin. `Display` shows it escaped (see the module docs);
/// [`PluginText::as_str`] (and `Deref`) give the text as it came, for
/// comparisons and parsing, never for printing.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PluginText(String);

impl PluginText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Bytes from a plugin; invalid UTF-8 becomes U+FFFD.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(String::from_utf8_lossy(bytes).into_owned())
    }

    /// The text as the plugin sent it. Do not print it: print `self`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as the plugin sent it. Do not print it: print `self`.
    pub fn into_string(self) -> String {
        self.0
    }

    /// A borrowed view of `text` whose `Display` escapes it, for text that
    /// is not (yet) a `PluginText`: a name read from a component, a line of
    /// output on the hot path.
    pub fn escape(text: &str) -> Escaped<'_> {
        Escaped {
            bytes: text.as_bytes(),
            quoted: false,
        }
    }

    /// Like [`PluginText::escape`] for bytes that may not be UTF-8: each
    /// invalid byte shows as `\xNN`.
    pub fn escape_bytes(bytes: &[u8]) -> Escaped<'_> {
        Escaped {
            bytes,
            quoted: false,
        }
    }
}

impl std::ops::Deref for PluginText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for PluginText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for PluginText {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl PartialEq<str> for PluginText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for PluginText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for PluginText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&PluginText::escape(&self.0), f)
    }
}

impl fmt::Debug for PluginText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&PluginText::escape(&self.0), f)
    }
}

/// Plugin text borrowed for showing it; `Display` escapes it. `Debug` shows
/// it in quotes, with quotes and backslashes inside escaped, so that it
/// cannot close its own quotes and forge what follows (`x", plugin: "trusted"`,
/// `x\", plugin: "trusted"`).
#[derive(Clone, Copy)]
pub struct Escaped<'a> {
    bytes: &'a [u8],
    quoted: bool,
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.bytes.utf8_chunks() {
            let valid = chunk.valid();
            let mut plain = 0;
            for (at, c) in valid.char_indices() {
                let escape = match c {
                    '"' if self.quoted => Some(Escape::Str("\\\"")),
                    '\\' if self.quoted => Some(Escape::Str("\\\\")),
                    // A line already marked stays as it is, so that text
                    // escaped twice comes out the same: every line after the
                    // first still starts with the marker.
                    '\n' if valid[at + 1..].starts_with(&CONTINUATION[1..]) => {
                        Some(Escape::Str("\n"))
                    }
                    c => escape_char(c),
                };
                if let Some(escape) = escape {
                    f.write_str(&valid[plain..at])?;
                    escape.write(f)?;
                    plain = at + c.len_utf8();
                }
            }
            f.write_str(&valid[plain..])?;
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = Escaped {
            quoted: true,
            ..*self
        };
        write!(f, "\"{quoted}\"")
    }
}

/// How one character that must not reach a terminal as it is gets shown.
enum Escape {
    Str(&'static str),
    Byte(u8),
    Char(char),
}

impl Escape {
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Escape::Str(s) => f.write_str(s),
            Escape::Byte(b) => write!(f, "\\x{b:02x}"),
            Escape::Char(c) => write!(f, "\\u{{{:x}}}", *c as u32),
        }
    }
}

fn escape_char(c: char) -> Option<Escape> {
    Some(match c {
        '\n' => Escape::Str(CONTINUATION),
        '\r' => Escape::Str("\\r"),
        '\t' => Escape::Str("\\t"),
        // C0 controls (ESC among them, which starts CSI and OSC sequences) and DEL.
        '\0'..='\x1f' | '\x7f' => Escape::Byte(c as u8),
        // C1 controls: U+009B is a one-character CSI, U+009D an OSC, U+0085 a line break.
        '\u{80}'..='\u{9f}' => Escape::Char(c),
        c if invisible(c) => Escape::Char(c),
        _ => return None,
    })
}

/// Format characters (Unicode category Cf) and the line and paragraph
/// separators: bidirectional overrides and isolates that reorder what a
/// reader sees, zero-width characters that hide text, tag characters that
/// smuggle it.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(s: &str) -> String {
        PluginText::new(s).to_string()
    }

    #[test]
    fn plain_text_is_shown_as_it_is() {
        assert_eq!(
            shown("grid: 12 lines, ünïcödé ✓ 图"),
            "grid: 12 lines, ünïcödé ✓ 图"
        );
    }

    #[test]
    fn terminal_sequences_are_inert() {
        // CSI colour, OSC 8 hyperlink, OSC 52 clipboard write, C1 CSI and OSC.
        assert_eq!(shown("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
        assert_eq!(
            shown("\x1b]8;;https://evil.invalid\x07click\x1b]8;;\x07"),
            "\\x1b]8;;https://evil.invalid\\x07click\\x1b]8;;\\x07"
        );
        assert_eq!(
            shown("\x1b]52;c;cm0gLXJmIH4=\x1b\\"),
            "\\x1b]52;c;cm0gLXJmIH4=\\x1b\\"
        );
        assert_eq!(
            shown("\u{9b}2J\u{9d}0;t\u{9c}"),
            "\\u{9b}2J\\u{9d}0;t\\u{9c}"
        );
        for shown in [shown("\x1b"), shown("\u{9b}"), shown("\x07\x08\x7f")] {
            assert!(
                shown.bytes().all(|b| (0x20..0x7f).contains(&b)),
                "{shown:?}"
            );
        }
    }

    #[test]
    fn line_breaks_cannot_forge_host_lines() {
        assert_eq!(
            shown("ok\rINFO airlock: all good"),
            "ok\\rINFO airlock: all good"
        );
        assert_eq!(
            shown("first\n2026-12-01 INFO host: forged"),
            "first\n  | 2026-12-01 INFO host: forged"
        );
        assert_eq!(
            shown("a\u{85}b\u{2028}c\u{2029}d"),
            "a\\u{85}b\\u{2028}c\\u{2029}d"
        );
        // Every line after the first carries the marker.
        let text = shown("a\nb\n\nc");
        assert!(
            text.lines().skip(1).all(|l| l.starts_with("  | ")),
            "{text}"
        );
    }

    #[test]
    fn bidirectional_and_invisible_characters_are_shown() {
        assert_eq!(shown("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(shown("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(shown("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(shown("\u{e0041}"), "\\u{e0041}");
    }

    #[test]
    fn escaped_text_is_shown_unchanged() {
        // Escaping twice (a message quoting an escaped error, a WAVE value)
        // does not double anything on a line.
        let once = shown("\x1b[2J \u{202e} \\ \r\t");
        assert_eq!(once, "\\x1b[2J \\u{202e} \\ \\r\\t");
        assert_eq!(shown(&once), once);
        assert_eq!(
            PluginText::escape_bytes(b"ok\xff\xfe!").to_string(),
            "ok\\xff\\xfe!"
        );
    }

    #[test]
    fn debug_is_escaped_too_and_serde_is_transparent() {
        let text = PluginText::new("\x1b[2J");
        assert_eq!(format!("{text:?}"), "\"\\x1b[2J\"");
        let bytes = postcard::to_allocvec(&text).unwrap();
        assert_eq!(
            bytes,
            postcard::to_allocvec(&"\x1b[2J".to_string()).unwrap()
        );
        assert_eq!(postcard::from_bytes::<PluginText>(&bytes).unwrap(), text);
        assert_eq!(text.as_str(), "\x1b[2J");
    }
}
