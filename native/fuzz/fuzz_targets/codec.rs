#![no_main]
//! Placeholder: filled in by its own change.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|_data: &[u8]| {});
