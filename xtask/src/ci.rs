//! `cargo xtask ci`: everything CI checks; the same as `cargo xtask test`,
//! which lints first.

use anyhow::Result;

pub fn run() -> Result<()> {
    crate::test::run(&[])
}
