//! Recording the calls of a plugin started with
//! [`PluginConfig::record_calls`](super::PluginConfig::record_calls): the call
//! loop hands each frame of a call to the [`CallRecorder`], which keeps a
//! bounded [`Recording`] of it; the last one is kept once the call ends.

use airlock_protocol::CallFailure;
use airlock_protocol::observed::{MAX_RANDOM_BYTES, MAX_READINGS, Observations};

use crate::recording::{RecordedImport, RecordedOutcome, Recording};

/// What each import call and log message costs beyond its bytes, so that
/// empty ones are bounded too.
const ENTRY_COST: usize = 64;

/// The recording of the call in flight, and of the last call.
#[derive(Debug, Default)]
pub(super) struct CallRecorder {
    /// The bound of one recording, when recording is on.
    limit: Option<u64>,
    current: Option<Recording>,
    /// Bytes `current` holds.
    size: u64,
    pub(super) last: Option<Recording>,
}

impl CallRecorder {
    pub(super) fn new(limit: Option<u64>) -> Self {
        Self {
            limit,
            ..Self::default()
        }
    }

    pub(super) fn is_on(&self) -> bool {
        self.limit.is_some()
    }

    /// A call starts with `args`.
    pub(super) fn begin(
        &mut self,
        plugin: &str,
        world: &str,
        component: String,
        export: &str,
        args: &[u8],
    ) {
        if !self.is_on() {
            return;
        }
        self.size = 0;
        let mut recording = Recording {
            plugin: plugin.to_string(),
            world: world.to_string(),
            component,
            export: export.to_string(),
            args: Vec::new(),
            imports: Vec::new(),
            observed: Observations::default(),
            output: Vec::new(),
            log: Vec::new(),
            outcome: RecordedOutcome::Ended("the call did not end".into()),
            cut: false,
        };
        if self.fits(args.len(), &mut recording) {
            recording.args = args.to_vec();
        }
        self.current = Some(recording);
    }

    /// The guest called `name` with `args` and the host answered `answer`.
    pub(super) fn import(&mut self, name: &str, args: &[u8], answer: &[u8]) {
        let Some(mut recording) = self.current.take() else {
            return;
        };
        let size = ENTRY_COST + name.len() + args.len() + answer.len();
        if !recording.cut && self.fits(size, &mut recording) {
            recording.imports.push(RecordedImport {
                name: name.to_string(),
                args: args.to_vec(),
                answer: answer.to_vec(),
            });
        }
        self.current = Some(recording);
    }

    pub(super) fn output(&mut self, bytes: &[u8]) {
        let Some(mut recording) = self.current.take() else {
            return;
        };
        if self.fits(bytes.len(), &mut recording) {
            recording.output.extend_from_slice(bytes);
        }
        self.current = Some(recording);
    }

    pub(super) fn log(&mut self, message: &str) {
        let Some(mut recording) = self.current.take() else {
            return;
        };
        if self.fits(ENTRY_COST + message.len(), &mut recording) {
            recording.log.push(message.to_string());
        }
        self.current = Some(recording);
    }

    /// What the runner said the guest read of the clocks and random;
    /// refused past the bounds a runner keeps to.
    pub(super) fn observed(&mut self, observed: Observations) -> Result<(), String> {
        if observed.readings.len() > MAX_READINGS || observed.random.len() > MAX_RANDOM_BYTES {
            return Err(format!(
                "it reported {} clock readings and {} random bytes, over the bounds of {MAX_READINGS} and {MAX_RANDOM_BYTES}",
                observed.readings.len(),
                observed.random.len()
            ));
        }
        let Some(mut recording) = self.current.take() else {
            return Ok(());
        };
        let size = observed.readings.len() * 16 + observed.random.len();
        if self.fits(size, &mut recording) {
            recording.observed = observed;
        }
        self.current = Some(recording);
        Ok(())
    }

    pub(super) fn returned(&mut self, result: &[u8]) {
        if let Some(recording) = &mut self.current {
            recording.outcome = RecordedOutcome::Returned(result.to_vec());
        }
    }

    pub(super) fn failed(&mut self, failure: &CallFailure) {
        if let Some(recording) = &mut self.current {
            recording.outcome = RecordedOutcome::Failed(failure.clone());
        }
    }

    /// The call ended, with `error` if it failed; its recording becomes the last.
    pub(super) fn end(&mut self, error: Option<&crate::Error>) {
        let Some(mut recording) = self.current.take() else {
            // Failed before it began (no runner, arguments that did not
            // encode): no recording, not the one of the call before.
            self.last = None;
            return;
        };
        if let (Some(e), RecordedOutcome::Returned(_)) = (error, &recording.outcome) {
            // Returned, then refused by the host (a result that did not decode).
            recording.outcome = RecordedOutcome::Ended(e.to_string());
        } else if let (Some(e), RecordedOutcome::Ended(_)) = (error, &recording.outcome) {
            recording.outcome = RecordedOutcome::Ended(e.to_string());
        }
        self.last = Some(recording);
    }

    /// Whether `more` bytes fit the bound; if not, the recording is cut.
    fn fits(&mut self, more: usize, recording: &mut Recording) -> bool {
        let limit = self.limit.unwrap_or(0);
        if self.size.saturating_add(more as u64) > limit {
            recording.cut = true;
            return false;
        }
        self.size += more as u64;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_cut_at_its_bound_and_says_so() {
        let mut recorder = CallRecorder::new(Some(250));
        recorder.begin("p", "w", "00".into(), "run", &[0; 10]);
        recorder.import("i#f", &[0; 40], &[0; 40]);
        recorder.import("i#f", &[0; 40], &[0; 40]);
        recorder.returned(&[1]);
        recorder.end(None);
        let last = recorder.last.take().unwrap();
        assert_eq!(last.imports.len(), 1);
        assert!(last.cut);
        assert_eq!(last.outcome, RecordedOutcome::Returned(vec![1]));

        let mut off = CallRecorder::new(None);
        off.begin("p", "w", "00".into(), "run", &[0; 10]);
        off.end(None);
        assert!(
            off.last.is_none(),
            "a plugin that does not record keeps nothing"
        );
    }
}
