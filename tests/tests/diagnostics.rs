//! The bad-spec corpus: every file under `tests/specs/bad` fails `check`
//! with the code its name starts with, at a line, with a hint; every file
//! under `tests/specs/warn` passes with that warning or note. The rendered
//! diagnostics are pinned as snapshots, so a change of wording shows in a
//! reviewed diff.

use archgen_tests::specs_dir;
use blueprint_core::diag::{render_json, render_text, Code, Diagnostic};
use blueprint_core::spec::LoadError;
use std::collections::BTreeSet;
use std::path::Path;

fn relative(path: &Path) -> String {
    path.strip_prefix(archgen_tests::workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn load(
    path: &Path,
) -> (
    Vec<Diagnostic>,
    Option<blueprint_core::source::Source>,
    bool,
) {
    // The engine's check, as `archgen check` runs it: the spec's own
    // diagnostics and the compliance crate's (W511).
    match render::Engine::with_builtins().parse_file(Path::new(&relative(path))) {
        Ok(checked) => (checked.warnings, Some(checked.source), true),
        Err(LoadError::Invalid(e)) => (e.diagnostics, e.input, false),
        Err(other) => panic!("{}: {other}", path.display()),
    }
}

fn expected_code(path: &Path) -> Option<&'static Code> {
    let name = path.file_name()?.to_str()?;
    let code = name.split('-').next()?;
    Code::ALL.iter().find(|c| c.as_str() == code)
}

fn check_corpus(folder: &str, should_pass: bool) -> BTreeSet<&'static str> {
    // Tests run from the package folder; paths are shown relative to the root.
    std::env::set_current_dir(archgen_tests::workspace_root()).expect("root exists");
    let mut seen = BTreeSet::new();
    insta::glob!("../specs", &format!("{folder}/*.*"), |path| {
        let (diags, source, passed) = load(path);
        assert_eq!(passed, should_pass, "{}: passed = {passed}", path.display());
        assert!(!diags.is_empty(), "{}: no diagnostics", path.display());
        for d in &diags {
            assert!(
                d.line.is_some() && d.column.is_some(),
                "{}: {d:?} has no place",
                path.display()
            );
            assert!(d.hint.is_some(), "{}: {d:?} has no hint", path.display());
        }
        if let Some(code) = expected_code(path) {
            assert_eq!(diags[0].code, *code, "{}: first diagnostic", path.display());
            seen.insert(code.as_str());
        }
        let text = render_text(&diags, source.as_ref());
        let json = serde_json::to_string_pretty(&render_json(&diags)).expect("json");
        insta::assert_snapshot!(format!("{text}--- json ---\n{json}\n"));
    });
    seen
}

#[test]
fn bad_specs_fail_with_their_code() {
    let seen = check_corpus("bad", false);
    // Every error code that a file can trigger has a file; E003 (too large)
    // is made at test time in hostile_input.rs instead of being committed,
    // and E603 (a vendor without files for the stack) needs a second
    // registered stack, so crates/render/tests/engine.rs registers one.
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| c.starts_with('E') && !["E003", "E603"].contains(c) && !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a bad spec: {missing:?}");
    assert!(seen.len() >= 25);
}

#[test]
fn warning_specs_pass_with_their_warning() {
    let seen = check_corpus("warn", true);
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| (c.starts_with('W') || c.starts_with('N')) && !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "warnings without a spec: {missing:?}");
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(archgen_tests::workspace_root().join("docs/errors.md"))
        .expect("docs/errors.md");
    for code in Code::ALL {
        let heading = format!("## {}", code.as_str());
        assert!(doc.contains(&heading), "docs/errors.md lacks `{heading}`");
    }
    let _ = specs_dir();
}
