//! `cargo xtask ci`: everything CI checks — lint, then test.

use anyhow::Result;

pub fn run() -> Result<()> {
    crate::lint::run()?;
    crate::test::run(&[])
}
