#![no_main]
//! Fuzz target `errlog_line`: see `marslog::fuzzing::errlog_line` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::errlog_line(data);
});
