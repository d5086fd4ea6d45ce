//! Helpers shared by the document tests: the example specs, rendered.

#![allow(dead_code)]

use std::path::PathBuf;

use blueprint_core::graph::Blueprint;
use compliance::Analysis;
use render::FileTree;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The example spec names.
pub const EXAMPLES: [&str; 2] = ["clinic", "tasks"];

/// Renders the documents of `examples/specs/<name>.yaml` (or, when there
/// is no such example, `tests/specs/good/<name>.yaml`).
pub fn render(name: &str) -> (Blueprint, Analysis, FileTree) {
    let mut path = workspace().join(format!("examples/specs/{name}.yaml"));
    if !path.exists() {
        path = workspace().join(format!("tests/specs/good/{name}.yaml"));
    }
    let checked = blueprint_core::spec::parse_file(&path).expect("the example spec parses");
    render::docs::render_docs(&checked.spec).expect("the documents render")
}

/// Writes a file of a tree into a fresh temporary folder and returns its path.
pub fn write_temp(tree: &FileTree, path: &str, tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("archgen-render-docs-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join(path.rsplit('/').next().unwrap_or("file"));
    std::fs::write(&file, tree.get(path).expect("the file was emitted")).expect("written");
    file
}
