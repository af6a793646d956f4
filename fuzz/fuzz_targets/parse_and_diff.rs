//! Any bytes as two schemas (split at the first 0xFF, which UTF-8 never contains): parsing must
//! answer a value or an error, and diffing two parsed schemas must finish with a report, under
//! every mode and rule set. No panic, no hang (libFuzzer's `-timeout` bounds each input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use schema_core::{Document, Mode, Options, Rules};

fuzz_target!(|data: &[u8]| {
    let at = data.iter().position(|b| *b == 0xFF).unwrap_or(data.len());
    let (a, b) = (&data[..at], data.get(at + 1..).unwrap_or(&[]));
    let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else {
        return;
    };
    let Ok(old) = Document::parse("old", a) else {
        return;
    };
    let new = Document::parse("new", b).unwrap_or_else(|_| old.clone());
    for (mode, rules) in [
        (Mode::Full, Rules::Events),
        (Mode::Backward, Rules::Standard),
        (Mode::Forward, Rules::Lenient),
    ] {
        let options = Options {
            mode,
            rules,
            ..Options::default()
        };
        let _ = schema_core::check(&old, &new, options);
    }
});
