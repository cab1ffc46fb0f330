//! PEP 3118 format strings: parse → render → parse gives the same item type, and every error
//! points inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        array_protocol_fuzz::check_pep3118(s);
    }
});
