//! Helpers shared by archgen's workspace-level tests.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

/// The `tests/specs` folder.
pub fn specs_dir() -> PathBuf {
    workspace_root().join("tests").join("specs")
}

/// The example specs shipped in `examples/specs`, sorted by name.
pub fn example_specs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("examples").join("specs"))
        .expect("examples/specs exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

/// The shared reference data (`../shared/standards` beside the checkout),
/// when present.
pub fn standards_dir() -> Option<PathBuf> {
    let dir = workspace_root().parent()?.join("shared").join("standards");
    dir.is_dir().then_some(dir)
}

/// A synthetic spec of `n` entities, the shape the benchmarks use: each
/// entity has six scalar fields (string, text, decimal, integer, boolean,
/// date) and a many-to-one relation to the previous entity.
///
/// ```
/// let yaml = archgen_tests::synthetic_spec(3);
/// let spec = blueprint_core::spec::parse_str("s.yaml", &yaml, blueprint_core::spec::Format::Yaml).unwrap().spec;
/// assert_eq!(spec.entities.len(), 3);
/// ```
pub fn synthetic_spec(n: usize) -> String {
    let mut s = String::from(
        "spec_version: 1\nproduct:\n  name: synthetic\n  description: A generated product for benchmarks.\nroles:\n  member: { signup: true }\n  admin: { admin: true }\nentities:\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "  Item{i}:\n    owned: true\n    fields:\n      name: {{ type: string, required: true, max: 120 }}\n      notes: text\n      amount: {{ type: decimal, precision: 12, scale: 2 }}\n      quantity: {{ type: integer, min: 0 }}\n      active: {{ type: boolean, default: true }}\n      due_on: date\n"
        ));
        if i > 0 {
            s.push_str(&format!(
                "    relations:\n      previous: {{ to: Item{}, on_delete: cascade }}\n",
                i - 1
            ));
        }
    }
    s
}

/// Whether the slow tests (those that install and run generated projects)
/// run: only with `ARCHGEN_SLOW_TESTS=1`. When not, prints a line saying the
/// test was skipped and how to run it, and the test returns early.
///
/// ```
/// if !archgen_tests::slow_tests_enabled() {
///     return;
/// }
/// ```
pub fn slow_tests_enabled() -> bool {
    let on = std::env::var("ARCHGEN_SLOW_TESTS").is_ok_and(|v| v == "1");
    if !on {
        let test = std::thread::current()
            .name()
            .unwrap_or("this test")
            .to_string();
        println!("skipped {test}: a slow test; set ARCHGEN_SLOW_TESTS=1 to run it");
    }
    on
}

/// Starts the repository's throwaway PostgreSQL cluster (`scripts/pg-start`,
/// idempotent) and returns its URL, for tests of generated backends.
///
/// # Panics
///
/// When PostgreSQL is not installed (run `scripts/setup`) or the cluster
/// does not start; the message says why.
///
/// ```no_run
/// let url = archgen_tests::pg_cluster_url();
/// assert!(url.starts_with("postgresql://"));
/// ```
pub fn pg_cluster_url() -> String {
    let out = std::process::Command::new(workspace_root().join("scripts/pg-start"))
        .output()
        .expect("scripts/pg-start runs");
    assert!(
        out.status.success(),
        "scripts/pg-start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("export DATABASE_URL="))
        .expect("scripts/pg-start prints DATABASE_URL")
        .trim()
        .to_string()
}
