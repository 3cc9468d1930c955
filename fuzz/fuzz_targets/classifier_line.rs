#![no_main]
//! Fuzz target `classifier_line`: see `marslog::fuzzing::classifier_line` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::classifier_line(data);
});
