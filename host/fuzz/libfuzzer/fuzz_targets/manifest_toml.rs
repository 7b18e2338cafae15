//! libFuzzer entry point of target `manifest_toml` (the body: `airlock_fuzz::manifest_toml`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::manifest_toml(data));
