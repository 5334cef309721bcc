//! The parser on arbitrary bytes: decoding and parsing never panic, and a
//! parsed document keeps its bytes and hands out sound spans.
#![no_main]

#[path = "../../tests/regressions/invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    invariants::check_bytes(data);
});
