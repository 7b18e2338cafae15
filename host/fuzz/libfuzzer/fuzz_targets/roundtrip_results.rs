//! libFuzzer entry point of target `roundtrip_results` (the body: `airlock_fuzz::roundtrip_results`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::roundtrip_results(data));
