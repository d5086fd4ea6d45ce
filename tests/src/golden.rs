//! The golden trees: the one store of generated output.
//!
//! Each spec of [`specs`] is generated with every built-in stack and
//! document emitter, and the whole tree is pinned, file by file, in
//! `tests/golden/<name>/`. The golden test (`tests/tests/golden.rs`)
//! compares fresh generation with them; the slow end-to-end test installs,
//! migrates, lints and tests exactly these trees. Bless them with
//! [`BLESS_SWITCH`] (the switch the insta snapshots use too) and review
//! `git diff tests/golden`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use render::FileTree;

use crate::workspace_root;

/// The environment setting that rewrites the goldens (and insta's
/// snapshots) instead of comparing with them.
pub const BLESS_SWITCH: &str = "INSTA_UPDATE=always";

/// Whether this run blesses: `INSTA_UPDATE=always` is set.
pub fn bless_requested() -> bool {
    std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
}

/// The specs whose generated trees are pinned: every example spec
/// (`examples/specs/*.yaml`) and `tests/specs/good/{rich,every-type}.yaml`,
/// each with the name of its golden folder.
pub fn specs() -> Vec<(String, PathBuf)> {
    let mut specs: Vec<(String, PathBuf)> = crate::example_specs()
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .expect("a spec file has a name")
                .to_string_lossy()
                .into_owned();
            (name, path)
        })
        .collect();
    for name in ["rich", "every-type"] {
        specs.push((
            name.to_string(),
            crate::specs_dir().join("good").join(format!("{name}.yaml")),
        ));
    }
    specs
}

/// The golden folder of a spec: `tests/golden/<name>`.
pub fn dir(name: &str) -> PathBuf {
    workspace_root().join("tests/golden").join(name)
}

/// Generates a spec the way `archgen generate` does (the engine with the
/// built-in stacks, vendors and document emitters, the spec's own stack):
/// the tree and the spec hash the writer records.
///
/// # Panics
///
/// When the spec is not valid or does not render; the message names it.
pub fn generate(spec: &Path) -> (FileTree, String) {
    let parsed = blueprint_core::spec::parse_file(spec)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()))
        .spec;
    let engine = render::Engine::with_builtins();
    let generated = render::generate(&parsed, &engine, &render::Options::new())
        .unwrap_or_else(|e| panic!("{} does not render: {e}", spec.display()));
    (generated.tree, generated.spec_hash)
}

/// Reads a golden folder back into a tree (every file under it, by its
/// path relative to the folder, with its executable mark). A missing
/// folder is an empty tree.
pub fn read(dir: &Path) -> FileTree {
    use std::os::unix::fs::PermissionsExt;
    let mut tree = FileTree::new();
    for path in files_under(dir) {
        let file = dir.join(&path);
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mode = std::fs::metadata(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .permissions()
            .mode();
        let inserted = if mode & 0o111 != 0 {
            tree.insert_executable(path.clone(), bytes)
        } else {
            tree.insert(path.clone(), bytes)
        };
        inserted.unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    tree
}

/// Writes a tree as the golden folder `dir`, replacing what was there.
pub fn write(dir: &Path, tree: &FileTree) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    for (path, bytes) in tree.iter() {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))
            .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        std::fs::write(&target, bytes).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        if tree.is_executable(path) {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

/// The first difference between a golden tree and a fresh one, as a
/// message that says how to bless, or `None` when they are equal.
pub fn difference(name: &str, golden: &FileTree, fresh: &FileTree) -> Option<String> {
    if golden.is_empty() {
        return Some(format!(
            "tests/golden/{name} is missing or empty; write it with {BLESS_SWITCH} cargo test -p archgen-tests --test golden and review git diff tests/golden"
        ));
    }
    let expected: BTreeSet<&str> = golden.paths().collect();
    let actual: BTreeSet<&str> = fresh.paths().collect();
    let missing: Vec<_> = expected.difference(&actual).take(20).collect();
    let extra: Vec<_> = actual.difference(&expected).take(20).collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Some(format!(
            "tests/golden/{name}: files no longer generated {missing:?}, new files {extra:?} (at most 20 of each); \
             bless with {BLESS_SWITCH} cargo test -p archgen-tests --test golden and review git diff tests/golden"
        ));
    }
    for (path, bytes) in fresh.iter() {
        if golden.is_executable(path) != fresh.is_executable(path) {
            return Some(format!(
                "tests/golden/{name}/{path}: the executable mark differs (fresh generation: {}); \
                 bless with {BLESS_SWITCH} cargo test -p archgen-tests --test golden",
                fresh.is_executable(path)
            ));
        }
        let old = golden.get(path).unwrap_or_default();
        if old != bytes {
            let old = String::from_utf8_lossy(old);
            let new = String::from_utf8_lossy(bytes);
            let first = old
                .lines()
                .zip(new.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(old.lines().count().min(new.lines().count()));
            return Some(format!(
                "tests/golden/{name}/{path} differs from fresh generation from line {}:\n  golden: {:?}\n  now:    {:?}\n\
                 bless with {BLESS_SWITCH} cargo test -p archgen-tests --test golden and review git diff tests/golden",
                first + 1,
                old.lines().nth(first).unwrap_or(""),
                new.lines().nth(first).unwrap_or("")
            ));
        }
    }
    None
}

/// The golden tree of a spec, checked against fresh generation, with the
/// spec hash: what the end-to-end tests install.
///
/// # Panics
///
/// When the golden differs from fresh generation; the message names the
/// first difference and how to bless.
pub fn checked(name: &str, spec: &Path) -> (FileTree, String) {
    let (fresh, hash) = generate(spec);
    let golden = read(&dir(name));
    if let Some(message) = difference(name, &golden, &fresh) {
        panic!("{message}");
    }
    (golden, hash)
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}
