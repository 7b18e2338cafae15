//! The battery's hand-written components: attacks a Rust guest cannot
//! express, assembled from WAT (a trapping start function, a table bomb).

use std::time::Instant;

use airlock::{Error, PluginConfig};

use super::{Battery, Outcome, describe};
use crate::bare::Bare;

impl Battery {
    /// Attacks a Rust guest cannot express, as components in WAT.
    pub(super) fn wat_attacks(&self, out: &mut Vec<Outcome>) {
        let start = |name: &str, text: &str| {
            let config = PluginConfig::new(name, crate::wat::assemble(text)).policy(self.policy());
            Bare::start(&self.launcher(), config)
        };

        let started = Instant::now();
        let trap = start("trap-at-start", crate::wat::TRAP_AT_START);
        out.push(Outcome {
            attack: "trap during instantiation (core start function)".into(),
            layer: "instantiation error, runner exits",
            contained: matches!(&trap, Err(Error::Instantiate { detail, .. }) if detail.contains("unreachable")),
            detail: describe(&trap.map(|_| "started")),
            took: started.elapsed(),
        });

        let started = Instant::now();
        let grown = start("table-bomb", crate::wat::TABLE_BOMB).and_then(|mut p| p.run());
        out.push(Outcome {
            attack: "table.grow bomb (2^32 elements)".into(),
            layer: "memory cap (ResourceLimiter)",
            contained: matches!(grown, Err(Error::OutOfMemory { .. })),
            detail: describe(&grown),
            took: started.elapsed(),
        });
    }
}
