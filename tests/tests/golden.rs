//! Golden trees: each example spec generated with its stack and every
//! document emitter, compared file by file with `tests/golden/<name>/`.
//! A change to a template or an emitter shows as a reviewed diff of those
//! files. Refresh them with `ARCHGEN_BLESS=1 cargo test -p archgen-tests
//! --test golden`, then review `git diff tests/golden`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn golden_dir(name: &str) -> PathBuf {
    archgen_tests::workspace_root()
        .join("tests/golden")
        .join(name)
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

#[test]
fn generated_trees_match_their_goldens() {
    let bless = std::env::var_os("ARCHGEN_BLESS").is_some();
    let engine = render::Engine::with_builtins();
    for spec_path in archgen_tests::example_specs() {
        let name = spec_path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        let spec = blueprint_core::spec::parse_file(&spec_path)
            .expect("valid example")
            .spec;
        let options = render::Options::new().with_archgen_version("golden");
        let tree = render::generate(&spec, &engine, &options)
            .expect("renders")
            .tree;
        let dir = golden_dir(&name);
        if bless {
            let _ = std::fs::remove_dir_all(&dir);
            for (path, bytes) in tree.iter() {
                let target = dir.join(path);
                std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                std::fs::write(&target, bytes).expect("write golden");
            }
            continue;
        }
        let expected = files_under(&dir);
        let actual: BTreeSet<String> = tree.paths().map(str::to_string).collect();
        let missing: Vec<_> = expected.difference(&actual).collect();
        let extra: Vec<_> = actual.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: files no longer generated {missing:?}, new files {extra:?}; bless with ARCHGEN_BLESS=1 and review"
        );
        for (path, bytes) in tree.iter() {
            let golden = std::fs::read(dir.join(path)).expect("golden file");
            if golden != bytes {
                let old = String::from_utf8_lossy(&golden);
                let new = String::from_utf8_lossy(bytes);
                let first = old
                    .lines()
                    .zip(new.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(old.lines().count().min(new.lines().count()));
                panic!(
                    "{name}/{path} differs from its golden from line {}:\n  golden: {:?}\n  now:    {:?}\nbless with ARCHGEN_BLESS=1 and review the diff",
                    first + 1,
                    old.lines().nth(first).unwrap_or(""),
                    new.lines().nth(first).unwrap_or("")
                );
            }
        }
    }
}
