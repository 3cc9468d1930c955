#![no_main]
//! Fuzz target `catalog_file`: see `marslog::fuzzing::catalog_file` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::catalog_file(data);
});
