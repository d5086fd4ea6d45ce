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

/// The whole project of `examples/specs/<name>.yaml` (backend and
/// documents), rendered as `archgen generate` renders it.
pub fn project(name: &str) -> FileTree {
    let path = workspace().join(format!("examples/specs/{name}.yaml"));
    let engine = render::Engine::with_builtins();
    let spec = engine.parse_file(&path).expect("the example parses").spec;
    let (bp, analysis) = engine.complete(&spec).expect("compliance completes");
    engine
        .render(&bp, &analysis, &render::Options::new())
        .expect("the project renders")
}

/// The whole project of a YAML spec given as text, rendered as `archgen
/// generate` renders it.
pub fn project_of(yaml: &str) -> FileTree {
    let engine = render::Engine::with_builtins();
    let spec = engine
        .parse_str("spec.yaml", yaml, blueprint_core::spec::Format::Yaml)
        .expect("the spec parses")
        .spec;
    let (bp, analysis) = engine.complete(&spec).expect("compliance completes");
    engine
        .render(&bp, &analysis, &render::Options::new())
        .expect("the project renders")
}

/// Writes a file of a tree into a fresh temporary folder, named `tag` and
/// removed when the returned guard drops; returns the guard and the file.
pub fn write_temp(tree: &FileTree, path: &str, tag: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("archgen-render-docs-{tag}-"))
        .tempdir()
        .expect("a temporary folder");
    let file = dir.path().join(path.rsplit('/').next().unwrap_or("file"));
    std::fs::write(&file, tree.get(path).expect("the file was emitted")).expect("written");
    (dir, file)
}

/// The entries of the base store of the project in `dir` by hash (none
/// when it has no pack), read as the pack's format says: a header line,
/// then per entry `<sha256> <length>`, the bytes and a newline.
pub fn base_pack(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(pack) = std::fs::read(dir.join(render::write::BASE_PACK)) else {
        return out;
    };
    let mut rest = pack
        .strip_prefix(b"archgen base pack 1\n".as_slice())
        .expect("the pack's header");
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap();
        let line = std::str::from_utf8(&rest[..end]).unwrap();
        let (hash, len) = line.split_once(' ').unwrap();
        let len: usize = len.parse().unwrap();
        let body = &rest[end + 1..];
        assert_eq!(body[len], b'\n', "an entry ends with a newline");
        out.insert(hash.to_string(), body[..len].to_vec());
        rest = &body[len + 1..];
    }
    out
}

/// Whether the slow tests run (`ARCHGEN_SLOW_TESTS=1`); says so when not.
pub fn slow_tests(what: &str) -> bool {
    let on = std::env::var("ARCHGEN_SLOW_TESTS").as_deref() == Ok("1");
    if !on {
        eprintln!("skipped: set ARCHGEN_SLOW_TESTS=1 to {what}");
    }
    on
}

/// Writes the files of `tree` under the given folders into `dir`, as a
/// project on disk would hold them.
pub fn write_parts(tree: &FileTree, dir: &std::path::Path, prefixes: &[&str]) {
    for (path, bytes) in tree
        .iter()
        .filter(|(p, _)| prefixes.iter().any(|prefix| p.starts_with(prefix)))
    {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&target, bytes).expect("write");
    }
}

/// Runs `npm` with `args` in `dir` offline-friendly and quiet (no update
/// check, no browser download, Expo offline); panics with its output when
/// it fails.
pub fn npm(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("npm")
        .args(args)
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("npm_config_update_notifier", "false")
        .env("CI", "1")
        .env("EXPO_OFFLINE", "1")
        .env("EXPO_NO_TELEMETRY", "1")
        .output()
        .expect("npm runs");
    assert!(
        out.status.success(),
        "npm {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
