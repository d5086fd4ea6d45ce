//! Tidy: the invariants of `ARCHITECTURE.md` a test can check by reading
//! the source, each with the reason it exists.
//!
//! - The repository tests itself: no test or script reads reference data
//!   from outside the checkout (`../shared` and the like), so a fresh clone
//!   with nothing beside it passes.
//! - No `#[ignore]`, `todo!()` or `unimplemented!()`: a test asserts
//!   today's behaviour and leaves a note instead of being switched off,
//!   slow tests use `archgen_tests::skip_slow_tests()`, and unfinished code
//!   returns a typed error rather than panicking.
//! - `render` and `gate` know no stack: no stack id of `stacks::builtin()`
//!   (nor its module path `stacks::<id in snake case>`) in their code, so a
//!   stack registered by a third party is treated like a built-in one.
//!   Doc comments may name a stack in their examples.
//! - What a spec means is decided once, in the application model: the
//!   controls' parameter keys (`password.min_length`, …) are spelled only
//!   in `model::params` and in the `compliance` crate that defines them,
//!   never in a stack, a document emitter or the gate, so no default is
//!   repeated and no reader decides again.
//!
//! The patterns this file looks for are spelled in pieces, so that the
//! file does not find itself.

use std::path::{Path, PathBuf};

use archgen_tests::workspace_root;

/// One finding: `path:line: what`.
struct Finding {
    path: PathBuf,
    line: usize,
    what: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.what)
    }
}

/// Every file under `dir` (relative to the workspace root), skipping build
/// output and the golden trees (generated projects, not our code).
fn files(dir: &str) -> Vec<PathBuf> {
    let root = workspace_root();
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable folder entry").path();
            let rel = path.strip_prefix(&root).expect("under the root");
            if rel.starts_with("target")
                || rel.starts_with("fuzz/target")
                || rel.starts_with("fuzz/corpus")
                || rel.starts_with("tests/golden")
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The Rust sources of the workspace, this file excluded.
fn rust_files() -> Vec<PathBuf> {
    ["crates", "tests", "examples", "fuzz"]
        .into_iter()
        .flat_map(files)
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| p != Path::new("tests/tests/tidy.rs"))
        .collect()
}

/// Lines of `files` containing any of `patterns`, skipping comment lines
/// when `code_only`.
fn find(files: &[PathBuf], patterns: &[String], code_only: bool) -> Vec<Finding> {
    let mut found = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(workspace_root().join(path)) else {
            continue; // not text
        };
        for (i, line) in text.lines().enumerate() {
            if code_only && line.trim_start().starts_with("//") {
                continue;
            }
            for pattern in patterns {
                if line.contains(pattern.as_str()) {
                    found.push(Finding {
                        path: path.clone(),
                        line: i + 1,
                        what: format!("`{pattern}`"),
                    });
                }
            }
        }
    }
    found
}

fn assert_none(found: Vec<Finding>, rule: &str) {
    assert!(
        found.is_empty(),
        "{rule}:\n{}",
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_test_or_script_reads_outside_the_repository() {
    let mut checked: Vec<PathBuf> = rust_files();
    checked.extend(files("scripts"));
    checked.extend(files(".ci"));
    let patterns = vec![
        // The team's reference folder beside the checkout.
        ["..", "/shared"].concat(),
        ["shared", "/standards"].concat(),
        ["shared", "/examples"].concat(),
        // The parent of the workspace root.
        ["workspace_root()", ".parent()"].concat(),
    ];
    assert_none(
        find(&checked, &patterns, false),
        "tests and scripts must read only the repository (copy reference data into standards/ \
         with its provenance in standards/SOURCE.md)",
    );
}

#[test]
fn no_ignored_tests_and_no_unfinished_code() {
    let patterns = vec![
        ["#[", "ignore"].concat(),
        ["todo", "!("].concat(),
        ["unimplemented", "!("].concat(),
    ];
    assert_none(
        find(&rust_files(), &patterns, false),
        "no ignored tests (assert today's behaviour, or make a slow test call \
         archgen_tests::skip_slow_tests()) and no todo!/unimplemented! (return a typed error)",
    );
}

#[test]
fn render_and_gate_name_no_stack() {
    let mut patterns = Vec::new();
    for stack in stacks::builtin() {
        let id = stack.id();
        patterns.push(id.to_string());
        patterns.push(format!("stacks::{}", id.replace('-', "_")));
    }
    assert!(
        patterns.iter().any(|p| p == "python-fastapi"),
        "the built-in stacks include python-fastapi"
    );
    let checked: Vec<PathBuf> = ["crates/render/src", "crates/gate/src"]
        .into_iter()
        .flat_map(files)
        .collect();
    assert!(
        checked.iter().any(|p| p.ends_with("lib.rs")),
        "the sources were found"
    );
    assert_none(
        find(&checked, &patterns, true),
        "render and gate know no stack: whatever depends on the stack comes from the Stack \
         trait (so a third party's stack works like a built-in one)",
    );
}

#[test]
fn parameter_keys_are_spelled_only_in_the_model_and_compliance() {
    let patterns: Vec<String> = model::ParamKey::ALL
        .iter()
        .map(|k| format!("\"{}\"", k.as_str()))
        .collect();
    assert!(patterns.len() > 5, "the keys were found");
    let checked: Vec<PathBuf> = rust_files()
        .into_iter()
        .filter(|p| {
            !p.starts_with("crates/model/src/params.rs")
                && !p.starts_with("crates/compliance")
                && p.components().all(|c| c.as_os_str() != "tests")
                && !p.starts_with("examples")
        })
        .collect();
    assert!(
        checked.iter().any(|p| p.starts_with("crates/stacks/src")),
        "the stacks' sources were found"
    );
    assert_none(
        find(&checked, &patterns, true),
        "read the controls' parameters from model::ControlParams (AppModel::params), \
         not by key: the model reads them once, with the catalog's defaults",
    );
}

/// The checks above find what they look for: a file with each pattern.
#[test]
fn the_checks_find_their_patterns() {
    let dir = workspace_root().join("target/tidy-selftest");
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let file = dir.join("sample.rs");
    let text = [
        "let a = \"..",
        "/shared/standards\";\n",
        "#[",
        "ignore]\n",
        "// python-fastapi in a comment\n",
        "let b = \"python-fastapi\";\n",
    ]
    .concat();
    std::fs::write(&file, text).expect("written");
    let rel = file
        .strip_prefix(workspace_root())
        .expect("under the root")
        .to_path_buf();
    let found = find(
        std::slice::from_ref(&rel),
        &[["..", "/shared"].concat(), ["#[", "ignore"].concat()],
        false,
    );
    assert_eq!(
        found.len(),
        2,
        "{:?}",
        found.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    let found = find(&[rel], &["python-fastapi".to_string()], true);
    assert_eq!(found.len(), 1, "comments are skipped, code is not");
    assert_eq!(found[0].line, 4);
}

/// stripe-mock is one release everywhere: the generated tests build it
/// (`vendors::stripe`), the gate runs it and `scripts/setup` builds it into
/// the cache both read, so a stale copy is never picked up.
#[test]
fn stripe_mock_is_one_version_everywhere() {
    let version = vendors::stripe::STRIPE_MOCK_VERSION;
    assert_eq!(gate::STRIPE_MOCK_VERSION, version);
    let setup =
        std::fs::read_to_string(workspace_root().join("scripts/setup")).expect("scripts/setup");
    assert!(
        setup.contains(&format!("STRIPE_MOCK_VERSION={version}\n")),
        "scripts/setup builds another stripe-mock than {version}"
    );
}
