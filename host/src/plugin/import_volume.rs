//! The per-call budget of import arguments: what a plugin makes the host
//! decode through import calls, counted before each payload is decoded.
//!
//! A guest can call a cheap import in a loop with arguments the host must
//! decode and hold (a long string, a list of points); its own memory stays
//! small while the host's grows. The budget ([`Policy::import_volume`])
//! bounds the bytes decoded in one call across all its import calls; the
//! payload that would go over is never decoded, and the runner is killed
//! (it is mid-call, waiting for an answer it will not get).
//!
//! [`Policy::import_volume`]: crate::Policy::import_volume

use super::Plugin;
use crate::dispatch::ImportDispatch;
use crate::error::Error;

/// The import-argument bytes one call may still make the host decode.
#[derive(Debug, Clone, Copy)]
pub(super) struct ImportVolume {
    budget: u64,
    used: u64,
}

/// A payload that would take the call past its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OverBudget {
    pub budget: u64,
    /// What the call would have used with the payload.
    pub used: u64,
}

impl ImportVolume {
    pub(super) fn new(budget: u64) -> Self {
        Self { budget, used: 0 }
    }

    /// Counts a payload of `len` bytes, before it is decoded.
    pub(super) fn charge(&mut self, len: usize) -> Result<(), OverBudget> {
        let used = self.used.saturating_add(len as u64);
        if used > self.budget {
            return Err(OverBudget {
                budget: self.budget,
                used,
            });
        }
        self.used = used;
        Ok(())
    }
}

impl Plugin {
    /// Ends the instance that went over its budget at import `func`.
    pub(super) fn over_import_volume(
        &mut self,
        over: OverBudget,
        func: u32,
        imports: &dyn ImportDispatch,
    ) -> Error {
        let import = match imports.import_name(func) {
            Some(name) => name.to_string(),
            None => format!("import {func}"),
        };
        self.fail("over its import volume");
        Error::ImportVolume {
            plugin: self.config.name.clone(),
            import,
            budget: over.budget,
            used: over.used,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_counted_until_one_would_go_over() {
        let mut volume = ImportVolume::new(10);
        assert_eq!(volume.charge(4), Ok(()));
        assert_eq!(volume.charge(6), Ok(()));
        assert_eq!(
            volume.charge(1),
            Err(OverBudget {
                budget: 10,
                used: 11
            })
        );
        // A refused payload is not counted: the call ends there anyway.
        assert_eq!(volume.used, 10);
        let mut volume = ImportVolume::new(u64::MAX - 1);
        volume.used = u64::MAX - 2;
        assert!(volume.charge(usize::MAX).is_err(), "no overflow");
    }
}
