//! Feeds arbitrary bytes to the spec parser in all three formats. The
//! parser must answer with a spec or diagnostics, never panic or hang.

#![no_main]

use blueprint_core::diag::render_text;
use blueprint_core::spec::{parse_bytes, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [Format::Yaml, Format::Toml, Format::Json] {
        match parse_bytes("fuzz", data, format) {
            Ok(checked) => {
                let _ = render_text(&checked.warnings, Some(&checked.source));
                let _ = blueprint_core::spec::to_yaml(&checked.spec);
            }
            Err(errors) => {
                let _ = render_text(&errors.diagnostics, errors.input.as_ref());
            }
        }
    }
});
