#![no_main]
//! Fuzz target `errlog_bytes`: see `marslog::fuzzing::errlog_bytes` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::errlog_bytes(data);
});
