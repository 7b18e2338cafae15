//! libFuzzer entry point of target `frames` (the body: `airlock_fuzz::frames`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::frames(data));
