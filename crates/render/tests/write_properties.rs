//! Properties of the writer over random histories of generations and user
//! edits: a user's edit is never lost without `force`, a dry run plans what
//! the real run does, and every generated file the user did not touch ends
//! up with the new content.

use proptest::prelude::*;
use render::write::{write_tree, Action, Manifest, WriteOptions, MANIFEST_PATH};
use render::FileTree;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const PATHS: [&str; 4] = ["a.txt", "d/b.txt", "d/e/c.txt", "f.txt"];

#[derive(Debug, Clone)]
enum Step {
    /// Generate a tree: for each path, no file or one of a few contents.
    Generate(Vec<Option<u8>>),
    /// The user writes a file.
    Edit(usize, u8),
    /// The user deletes a file.
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => proptest::collection::vec(proptest::option::of(0u8..3), PATHS.len()).prop_map(Step::Generate),
        2 => (0..PATHS.len(), 0u8..4).prop_map(|(i, c)| Step::Edit(i, c)),
        1 => (0..PATHS.len()).prop_map(Step::Delete),
    ]
}

fn disk(dir: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    PATHS
        .iter()
        .filter_map(|p| fs::read(dir.join(p)).ok().map(|c| (*p, c)))
        .collect()
}

fn recorded(dir: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(dir.join(MANIFEST_PATH))
        .ok()
        .map(|t| {
            Manifest::from_json(&t)
                .expect("the manifest archgen wrote reads back")
                .files
        })
        .unwrap_or_default()
}

fn hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn histories_keep_user_edits(steps in proptest::collection::vec(step(), 1..10)) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for step in steps {
            match step {
                Step::Edit(i, c) => {
                    let path = dir.join(PATHS[i]);
                    fs::create_dir_all(path.parent().unwrap()).unwrap();
                    fs::write(path, format!("user {c}\n")).unwrap();
                }
                Step::Delete(i) => {
                    let _ = fs::remove_file(dir.join(PATHS[i]));
                }
                Step::Generate(contents) => {
                    let mut tree = FileTree::new();
                    for (path, c) in PATHS.iter().zip(&contents) {
                        if let Some(c) = c {
                            tree.insert(*path, format!("generated {c}\n")).unwrap();
                        }
                    }
                    let before = disk(dir);
                    let manifest = recorded(dir);
                    let dry = write_tree(&tree, dir, "h", &WriteOptions::new().with_dry_run(true)).unwrap();
                    prop_assert_eq!(&disk(dir), &before, "a dry run writes nothing");
                    let report = write_tree(&tree, dir, "h", &WriteOptions::new()).unwrap();
                    prop_assert_eq!(&dry.files, &report.files);
                    let after = disk(dir);
                    for (path, old) in &before {
                        let archgens = manifest.get(*path).is_some_and(|h| *h == hash(old));
                        if !archgens {
                            prop_assert_eq!(after.get(path), Some(old), "{} was the user's", path);
                        }
                    }
                    for file in &report.files {
                        let path = file.path.as_str();
                        match file.action {
                            Action::Create | Action::Update | Action::Unchanged => {
                                prop_assert_eq!(after.get(path).map(Vec::as_slice), tree.get(path));
                            }
                            Action::Conflict => {
                                let beside = fs::read(dir.join(format!("{path}.archgen-new"))).unwrap();
                                prop_assert_eq!(Some(beside.as_slice()), tree.get(path));
                            }
                            Action::Remove => prop_assert!(!after.contains_key(path)),
                            _ => {}
                        }
                    }
                    // Every file of the tree is in the new manifest.
                    let now = recorded(dir);
                    for path in tree.paths() {
                        prop_assert!(now.contains_key(path));
                    }
                }
            }
        }
    }
}
