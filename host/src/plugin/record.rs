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
    /// Who each recording is of: the plugin, its world, its component's digest.
    identity: (String, String, String),
    current: Option<Recording>,
    /// Bytes `current` holds.
    size: u64,
    pub(super) last: Option<Recording>,
}

impl CallRecorder {
    /// A recorder for `config`'s plugin in `world`; it records only if the
    /// config says so.
    pub(super) fn new(config: &super::PluginConfig, world: &str) -> Self {
        let Some(limit) = config.record else {
            return Self::default();
        };
        Self {
            limit: Some(limit),
            identity: (
                config.name.clone(),
                world.to_string(),
                config.component_digest().to_hex().to_string(),
            ),
            ..Self::default()
        }
    }

    pub(super) fn is_on(&self) -> bool {
        self.limit.is_some()
    }

    /// A call of `export` starts with `args`.
    pub(super) fn begin(&mut self, export: &str, args: &[u8]) {
        if !self.is_on() {
            return;
        }
        self.size = 0;
        let (plugin, world, component) = self.identity.clone();
        let mut recording = Recording {
            plugin,
            world,
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
        if fits(&mut self.size, self.limit, args.len(), &mut recording.cut) {
            recording.args = args.to_vec();
        }
        self.current = Some(recording);
    }

    /// The guest called `name` with `args` and the host answered `answer`.
    pub(super) fn import(&mut self, name: &str, args: &[u8], answer: &[u8]) {
        let Some(r) = &mut self.current else { return };
        let size = ENTRY_COST + name.len() + args.len() + answer.len();
        if !r.cut && fits(&mut self.size, self.limit, size, &mut r.cut) {
            r.imports.push(RecordedImport {
                name: name.to_string(),
                args: args.to_vec(),
                answer: answer.to_vec(),
            });
        }
    }

    pub(super) fn output(&mut self, bytes: &[u8]) {
        let Some(r) = &mut self.current else { return };
        if fits(&mut self.size, self.limit, bytes.len(), &mut r.cut) {
            r.output.extend_from_slice(bytes);
        }
    }

    pub(super) fn log(&mut self, message: &str) {
        let Some(r) = &mut self.current else { return };
        if fits(
            &mut self.size,
            self.limit,
            ENTRY_COST + message.len(),
            &mut r.cut,
        ) {
            r.log.push(message.to_string());
        }
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
        let Some(r) = &mut self.current else {
            return Ok(());
        };
        let size = observed.readings.len() * 16 + observed.random.len();
        if fits(&mut self.size, self.limit, size, &mut r.cut) {
            r.observed = observed;
        }
        Ok(())
    }

    pub(super) fn returned(&mut self, result: &[u8]) {
        if let Some(r) = &mut self.current {
            r.outcome = RecordedOutcome::Returned(result.to_vec());
        }
    }

    pub(super) fn failed(&mut self, failure: &CallFailure) {
        if let Some(r) = &mut self.current {
            r.outcome = RecordedOutcome::Failed(failure.clone());
        }
    }

    /// The call ended, with `error` if it failed; its recording becomes the
    /// last. (Failed before it began, with no runner or arguments that did
    /// not encode: then there is none, not the one of the call before.)
    pub(super) fn end(&mut self, error: Option<&crate::Error>) {
        self.last = self.current.take();
        if let (Some(r), Some(e)) = (&mut self.last, error)
            && !matches!(r.outcome, RecordedOutcome::Failed(_))
        {
            // Ended by the host, or returned and then refused by it (a
            // result that did not decode).
            r.outcome = RecordedOutcome::Ended(e.to_string());
        }
    }
}

/// Whether `more` bytes fit under `limit` after the `size` held; if they do
/// they are counted, if not the recording is `cut`.
fn fits(size: &mut u64, limit: Option<u64>, more: usize, cut: &mut bool) -> bool {
    if size.saturating_add(more as u64) > limit.unwrap_or(0) {
        *cut = true;
        return false;
    }
    *size += more as u64;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PluginConfig;

    #[test]
    fn a_recording_is_cut_at_its_bound_and_says_so() {
        let config = PluginConfig::new("p", vec![0u8]).record_calls(250);
        let mut recorder = CallRecorder::new(&config, "w");
        recorder.begin("run", &[0; 10]);
        recorder.import("i#f", &[0; 40], &[0; 40]);
        recorder.import("i#f", &[0; 40], &[0; 40]);
        recorder.returned(&[1]);
        recorder.end(None);
        let last = recorder.last.take().unwrap();
        assert_eq!((last.plugin.as_str(), last.world.as_str()), ("p", "w"));
        assert_eq!(last.imports.len(), 1);
        assert!(last.cut);
        assert_eq!(last.outcome, RecordedOutcome::Returned(vec![1]));

        // A call that failed before it began leaves none, not the last one's.
        recorder.begin("run", &[]);
        recorder.end(None);
        assert!(recorder.last.is_some());
        recorder.end(None);
        assert!(recorder.last.is_none());

        let mut off = CallRecorder::new(&PluginConfig::new("p", vec![0u8]), "w");
        off.begin("run", &[0; 10]);
        off.end(None);
        assert!(
            off.last.is_none(),
            "a plugin that does not record keeps nothing"
        );
    }
}
