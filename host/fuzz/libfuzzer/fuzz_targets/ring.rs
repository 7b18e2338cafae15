//! libFuzzer entry point of target `ring` (the body: `airlock_fuzz::ring`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::ring(data));
