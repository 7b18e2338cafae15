//! libFuzzer entry point of target `sections` (the body: `airlock_fuzz::sections`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::sections(data));
