//! Malformed input of every kind gives a clear diagnostic: never a panic,
//! never a hang.

use blueprint_core::diag::Code;
use blueprint_core::spec::{parse_bytes, parse_file, parse_str, Format, LoadError};

fn first_code(bytes: &[u8], format: Format) -> Code {
    parse_bytes("input", bytes, format)
        .expect_err("must be rejected")
        .diagnostics[0]
        .code
}

const FORMATS: [Format; 3] = [Format::Yaml, Format::Toml, Format::Json];

#[test]
fn binary_junk_is_rejected_in_every_format() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..200 {
        let len = 1 + (round * 37) % 700;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        for format in FORMATS {
            // Junk may parse as a scalar document; it is never a valid spec.
            assert!(parse_bytes("junk", &bytes, format).is_err());
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 200_000;
    let yaml = "[".repeat(depth);
    assert!(matches!(
        first_code(yaml.as_bytes(), Format::Yaml),
        Code::NestingTooDeep | Code::Syntax
    ));
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(
        first_code(json.as_bytes(), Format::Json),
        Code::NestingTooDeep
    );
    let toml = format!("a = {}{}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(
        first_code(toml.as_bytes(), Format::Toml),
        Code::NestingTooDeep
    );
    let yaml_block: String = (0..500)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert_eq!(
        first_code(yaml_block.as_bytes(), Format::Yaml),
        Code::NestingTooDeep
    );
}

#[test]
fn huge_numbers_are_out_of_range() {
    assert_eq!(
        first_code(b"spec_version: 1e400\n", Format::Yaml),
        Code::NumberOutOfRange
    );
    assert_eq!(
        first_code(b"{\"spec_version\": 1e400}", Format::Json),
        Code::NumberOutOfRange
    );
    assert_eq!(
        first_code(
            b"{\"spec_version\": 123456789012345678901234567890}",
            Format::Json
        ),
        Code::NumberOutOfRange
    );
    assert_eq!(
        first_code(b"spec_version = 1e400\n", Format::Toml),
        Code::NumberOutOfRange
    );
    assert_eq!(
        first_code(b"spec_version: .inf\n", Format::Yaml),
        Code::NumberOutOfRange
    );
}

#[test]
fn large_files_are_refused_before_parsing() {
    let big = vec![b'#'; 50 * 1024 * 1024];
    assert_eq!(first_code(&big, Format::Yaml), Code::FileTooLarge);
    let dir = std::env::temp_dir().join(format!("archgen-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("big.yaml");
    std::fs::write(&path, &big).expect("write");
    match parse_file(&path) {
        Err(LoadError::Invalid(e)) => assert_eq!(e.diagnostics[0].code, Code::FileTooLarge),
        other => panic!("unexpected: {other:?}"),
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let e = parse_bytes(
        "x.yaml",
        b"spec_version: 1\nproduct: \xc3\x28\n",
        Format::Yaml,
    )
    .unwrap_err();
    let d = &e.diagnostics[0];
    assert_eq!(d.code, Code::InvalidUtf8);
    assert_eq!((d.line, d.column), (Some(2), Some(10)));
}

#[test]
fn alias_bombs_stop_early() {
    let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let p = i - 1;
        s.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert_eq!(first_code(s.as_bytes(), Format::Yaml), Code::TooManyNodes);
}

#[test]
fn odd_documents_are_errors() {
    for (text, format) in [
        ("", Format::Yaml),
        ("", Format::Json),
        ("", Format::Toml),
        ("---\na: 1\n---\nb: 2\n", Format::Yaml),
        ("[1, 2, 3]", Format::Json),
        ("just text", Format::Yaml),
        ("null", Format::Json),
        ("? [a, b]\n: c\n", Format::Yaml),
        ("*nothing\n", Format::Yaml),
        ("a: !!binary aGVsbG8=\n", Format::Yaml),
        ("\u{feff}spec_version: 1\n", Format::Yaml),
        ("spec_version: 1\nproduct: { name: x }\nentities:\n  A:\n    fields:\n      f: { type: string, max: 12345678901234567890123 }\n", Format::Yaml),
    ] {
        let result = parse_str("odd", text, format);
        assert!(result.is_err(), "{text:?} as {format:?} was accepted");
    }
}

#[test]
fn long_lines_and_many_entities_are_fine() {
    let mut s = String::from("spec_version: 1\nproduct: { name: many }\nentities:\n");
    for i in 0..2000 {
        s.push_str(&format!(
            "  E{i}:\n    description: \"{}\"\n    fields: {{ title: string! }}\n",
            "x".repeat(200)
        ));
    }
    let checked = parse_str("many.yaml", &s, Format::Yaml).expect("valid");
    assert_eq!(checked.spec.entities.len(), 2000);
}

/// Inputs the fuzzer once found a panic with (`tests/specs/fuzz/`) parse
/// and render cleanly in every format.
#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = archgen_tests::specs_dir().join("fuzz");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("tests/specs/fuzz") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        for format in FORMATS {
            if let Err(e) = parse_bytes("regression", &bytes, format) {
                let text = blueprint_core::diag::render_text(&e.diagnostics, e.input.as_ref());
                assert!(text.contains("error["));
            }
        }
        count += 1;
    }
    assert!(count > 0);
}
