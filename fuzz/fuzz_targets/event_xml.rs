#![no_main]
//! Fuzz target `event_xml`: see `marslog::fuzzing::event_xml` for what it drives and asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    marslog::fuzzing::event_xml(data);
});
