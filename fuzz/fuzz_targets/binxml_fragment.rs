#![no_main]
//! Fuzz target `binxml_fragment`: see `marslog::fuzzing::binxml_fragment` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::binxml_fragment(data);
});
