//! Recordings of calls: what one export call was given and saw, kept by a
//! plugin started with [`PluginConfig::record_calls`](crate::PluginConfig::record_calls)
//! and replayed with no host by [`crate::replay`] (`airlock replay`).
//!
//! A recording holds only what crossed the sandbox's boundary for that
//! call: the arguments, each import call and the host's answer, the clock
//! readings and random bytes the guest took, its output and log, and the
//! outcome. That is document content a user may not mean to share: a host
//! that lets users send recordings in bug reports should say so.

use std::path::Path;

use airlock_protocol::CallFailure;
use airlock_protocol::observed::Observations;
use serde::{Deserialize, Serialize};

use crate::bounded_read::read_bounded;

/// The first bytes of a recording file.
pub const RECORDING_MAGIC: &[u8; 18] = b"airlock recording\n";
/// The version of the layout after the magic; another is refused.
pub const RECORDING_VERSION: u32 = 1;
/// The largest recording file [`Recording::load`] reads.
pub const MAX_RECORDING_FILE_LEN: u64 = 256 << 20;
/// What [`PluginConfig::record_calls`](crate::PluginConfig::record_calls) keeps of one call by default.
pub const DEFAULT_RECORDING_BYTES: u64 = 16 << 20;

/// One call, as the plugin saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub plugin: String,
    /// The world the host called the plugin in (`airlock:design/tool@0.2.0`).
    pub world: String,
    /// The BLAKE3 digest of the component, in hex.
    pub component: String,
    /// The export, as the generated client names it (`run`).
    pub export: String,
    /// The arguments, in the wire's encoding.
    pub args: Vec<u8>,
    /// Every import call the guest made, in order.
    pub imports: Vec<RecordedImport>,
    pub observed: Observations,
    /// The guest's stdout and stderr, as written (bounded as the host's log is).
    pub output: Vec<u8>,
    /// Its `log` and progress messages.
    pub log: Vec<String>,
    pub outcome: RecordedOutcome,
    /// The recording reached its bound: imports after `imports` were not kept.
    pub cut: bool,
}

/// One import call and the host's answer, both in the wire's encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedImport {
    /// `interface#function` (`airlock:design/document@0.2.0#layers`).
    pub name: String,
    pub args: Vec<u8>,
    pub answer: Vec<u8>,
}

/// How the recorded call ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RecordedOutcome {
    /// It returned; the result in the wire's encoding.
    Returned(Vec<u8>),
    /// The runner reported it failed (a trap, its deadline, its memory…).
    Failed(CallFailure),
    /// The host ended it (a runner killed or gone, a violation), as the error said.
    Ended(String),
}

/// Why a recording file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not an Airlock recording (it does not start with `airlock recording`)")]
    NotARecording { path: String },
    #[error(
        "{path} is a recording of layout version {found}; this Airlock reads version {RECORDING_VERSION}"
    )]
    Version { path: String, found: u32 },
    #[error("{path} is a damaged recording: {detail}")]
    Damaged { path: String, detail: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl Recording {
    /// The file's bytes: the magic, the version, the recording in postcard.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = RECORDING_MAGIC.to_vec();
        out.extend_from_slice(&RECORDING_VERSION.to_le_bytes());
        // Plain data into a vector: postcard cannot fail on it.
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    /// Reads a recording from `bytes`; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Self, RecordingError> {
        let path = path.to_string();
        let Some(rest) = bytes.strip_prefix(RECORDING_MAGIC.as_slice()) else {
            return Err(RecordingError::NotARecording { path });
        };
        let (version, body) = rest.split_at_checked(4).ok_or(RecordingError::Damaged {
            path: path.clone(),
            detail: "it ends before its version".into(),
        })?;
        let found = u32::from_le_bytes(version.try_into().expect("four bytes"));
        if found != RECORDING_VERSION {
            return Err(RecordingError::Version { path, found });
        }
        match postcard::take_from_bytes::<Recording>(body) {
            Ok((recording, [])) => Ok(recording),
            Ok((_, extra)) => Err(RecordingError::Damaged {
                path,
                detail: format!("{} bytes follow the recording", extra.len()),
            }),
            Err(e) => Err(RecordingError::Damaged {
                path,
                detail: e.to_string(),
            }),
        }
    }

    /// Reads the recording file at `path` (at most [`MAX_RECORDING_FILE_LEN`] bytes).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, RecordingError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes =
            read_bounded(path, MAX_RECORDING_FILE_LEN).map_err(|source| RecordingError::Read {
                path: shown.clone(),
                source,
            })?;
        Self::from_bytes(&bytes, &shown)
    }

    /// Writes the recording to `path`, replacing what was there.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), RecordingError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()).map_err(|source| RecordingError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// The import calls a replay compares: all but the handle drops, whose
    /// order the sandbox does not fix once an instance has ended.
    pub fn compared_imports(&self) -> impl Iterator<Item = &RecordedImport> {
        self.imports.iter().filter(|i| !is_drop(&i.name))
    }
}

/// Whether `import` is a resource's drop (`…#[resource-drop]layer`).
pub(crate) fn is_drop(import: &str) -> bool {
    import
        .rsplit_once('#')
        .map_or(import, |(_, f)| f)
        .starts_with("[resource-drop]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Recording {
        Recording {
            plugin: "p".into(),
            world: "w".into(),
            component: "00".into(),
            export: "run".into(),
            args: vec![1, 2],
            imports: vec![RecordedImport {
                name: "i#f".into(),
                args: vec![],
                answer: vec![7],
            }],
            observed: Observations::default(),
            output: b"hi\n".to_vec(),
            log: vec![],
            outcome: RecordedOutcome::Returned(vec![0]),
            cut: false,
        }
    }

    #[test]
    fn a_recording_survives_its_file_and_bad_files_are_named() {
        let bytes = sample().to_bytes();
        assert_eq!(Recording::from_bytes(&bytes, "r").unwrap(), sample());
        let refused = |b: &[u8]| Recording::from_bytes(b, "r").unwrap_err().to_string();
        assert!(refused(b"PNG....").contains("not an Airlock recording"));
        assert!(refused(&bytes[..RECORDING_MAGIC.len() + 2]).contains("before its version"));
        let mut other = bytes.clone();
        other[RECORDING_MAGIC.len()] = 9;
        assert!(refused(&other).contains("layout version 9"));
        assert!(refused(&bytes[..bytes.len() - 1]).contains("damaged"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(refused(&longer).contains("1 bytes follow"));
        // A length that claims more than the file holds.
        let mut huge = RECORDING_MAGIC.to_vec();
        huge.extend_from_slice(&RECORDING_VERSION.to_le_bytes());
        huge.extend_from_slice(&[1, b'p', 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(refused(&huge).contains("damaged"));
    }

    #[test]
    fn drops_are_not_compared() {
        assert!(is_drop(
            "airlock:design/document@0.2.0#[resource-drop]layer"
        ));
        assert!(!is_drop("airlock:design/document@0.2.0#[method]layer.info"));
    }
}
