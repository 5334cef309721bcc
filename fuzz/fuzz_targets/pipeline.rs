//! The whole pipeline at level 5 on arbitrary text: no panic, the output
//! parses, running it again changes nothing, no transform hits an internal
//! error.
#![no_main]

#[path = "../../tests/regressions/invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|text: &str| {
    invariants::check_pipeline(text, 5);
});
