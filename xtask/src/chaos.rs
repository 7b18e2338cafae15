//! `cargo xtask chaos [--runs N] [--seed S] [--run K]`: build as for the
//! soak, then run `airlock-chaos`, which calls the design host's plugins with
//! their runners SIGKILLed or SIGSTOPped mid-call.

use anyhow::Result;

pub fn run(extra: &[String]) -> Result<()> {
    crate::soak::build_and_run("airlock-chaos", extra)
}
