//! Every file the documents cite exists in the generated project: for each
//! built-in stack and example spec, the paths in the "Where" column of
//! `docs/compliance.md`, the file columns of `docs/traceability.md` and the
//! code map of `docs/ARCHITECTURE.md` name files of the rendered tree (a
//! path ending in `/` names a folder that holds at least one file).

mod common;

use render::{Engine, FileTree, Options};

/// The backticked items of a Markdown table row's last cell, without a
/// trailing note in parentheses.
fn cited_in_last_cell(row: &str) -> Vec<String> {
    let cells: Vec<&str> = row.trim().trim_matches('|').split(" | ").collect();
    let last = cells.last().copied().unwrap_or_default();
    last.split('`')
        .skip(1)
        .step_by(2)
        .map(|item| match item.find(" (") {
            Some(i) if item.ends_with(')') => item[..i].to_string(),
            _ => item.to_string(),
        })
        .collect()
}

/// The paths cited in the table rows of the sections with these headings.
fn cited(markdown: &str, sections: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            inside = sections.contains(&heading.trim());
            continue;
        }
        if inside && line.starts_with('|') && !line.starts_with("|---") {
            out.extend(cited_in_last_cell(line));
        }
    }
    out
}

fn exists(tree: &FileTree, path: &str) -> bool {
    if path.ends_with('/') {
        tree.paths().any(|p| p.starts_with(path))
    } else {
        tree.contains(path)
    }
}

#[test]
fn every_cited_path_exists_in_the_generated_project() {
    let engine = Engine::with_builtins();
    for stack in stacks::builtin() {
        for example in common::EXAMPLES {
            let path = common::workspace().join(format!("examples/specs/{example}.yaml"));
            let spec = blueprint_core::spec::parse_file(&path)
                .expect("the example spec parses")
                .spec;
            let generated =
                render::generate(&spec, &engine, &Options::new().with_stack(stack.id()))
                    .expect("the project renders");
            let tree = &generated.tree;
            let documents = [
                (
                    "docs/compliance.md",
                    &["Where each control is realized"][..],
                ),
                (
                    "docs/traceability.md",
                    &["Entities", "Access rules", "Controls"][..],
                ),
                ("docs/ARCHITECTURE.md", &["Where to look"][..]),
            ];
            let mut missing = Vec::new();
            let mut checked = 0;
            for (doc, sections) in documents {
                let text = tree.get_str(doc).expect("the document is emitted");
                for p in cited(text, sections) {
                    checked += 1;
                    if !exists(tree, &p) {
                        missing.push(format!("{doc}: {p}"));
                    }
                }
            }
            assert!(
                checked > 0,
                "{} / {example}: no citations found",
                stack.id()
            );
            assert!(
                missing.is_empty(),
                "{} / {example}: cited paths missing from the project:\n{}",
                stack.id(),
                missing.join("\n")
            );
        }
    }
}

#[test]
fn the_parser_strips_notes_and_finds_every_item() {
    let row = "| `X` | y | `src/a.py`, `deploy/k8s/ (TLS at the ingress)`, `tests/` |";
    assert_eq!(
        cited_in_last_cell(row),
        ["src/a.py", "deploy/k8s/", "tests/"]
    );
}
