#![no_main]
//! Fuzz target `evtx_file`: see `marslog::fuzzing::evtx_file` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::evtx_file(data);
});
