//! libFuzzer entry point of target `wave` (the body: `airlock_fuzz::wave`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::wave(data));
