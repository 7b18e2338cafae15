//! libFuzzer entry point of target `roundtrip_imports` (the body: `airlock_fuzz::roundtrip_imports`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| airlock_fuzz::roundtrip_imports(data));
