//! libFuzzer entry point of target `policy_toml` (the body: `airlock_fuzz::policy_toml`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::policy_toml(data));
