//! The Extism plugin `cargo xtask bench` compares Airlock with: the same work
//! as Airlock's bench guest (`test-roundtrip`'s `noop` and `echo-bytes`).

use extism_pdk::*;

#[plugin_fn]
pub fn noop() -> FnResult<()> {
    Ok(())
}

#[plugin_fn]
pub fn echo(input: Vec<u8>) -> FnResult<Vec<u8>> {
    Ok(input)
}
