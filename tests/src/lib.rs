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
