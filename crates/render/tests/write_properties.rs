//! Properties of the writer over random histories of generations and user
//! edits: a user's edit is never lost without `force`, a dry run plans what
//! the real run does, every generated file the user did not touch ends up
//! with the new content, the base store holds exactly the manifest's bases,
//! and a user's edit to lines archgen does not change survives
//! regeneration merged with archgen's changes.

use proptest::prelude::*;
mod common;

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
                        let action = report.action(path);
                        if matches!(action, Some(Action::Merge | Action::Conflict)) {
                            // Merged: every line the user wrote is still there.
                            let now = String::from_utf8_lossy(&after[path]).into_owned();
                            for line in String::from_utf8_lossy(old).lines().filter(|l| l.starts_with("user")) {
                                prop_assert!(now.lines().any(|l| l == line), "{} lost `{}`: {}", path, line, now);
                            }
                        } else if !archgens {
                            prop_assert_eq!(after.get(path), Some(old), "{} was the user's", path);
                        }
                    }
                    for file in &report.files {
                        let path = file.path.as_str();
                        match file.action {
                            Action::Create | Action::Update | Action::Unchanged => {
                                prop_assert_eq!(after.get(path).map(Vec::as_slice), tree.get(path));
                            }
                            Action::NewBeside => {
                                let beside = fs::read(dir.join(format!("{path}.archgen-new"))).unwrap();
                                prop_assert_eq!(Some(beside.as_slice()), tree.get(path));
                            }
                            Action::Conflict | Action::Unresolved => {
                                prop_assert!(!file.conflicts.is_empty());
                                let now = String::from_utf8_lossy(&after[path]).into_owned();
                                prop_assert!(now.contains("<<<<<<< yours\n"), "{}", now);
                            }
                            Action::Remove => prop_assert!(!after.contains_key(path)),
                            _ => {}
                        }
                    }
                    // The base store holds exactly the recorded versions.
                    let stored: Vec<String> = common::base_pack(dir).into_keys().collect();
                    let mut want: Vec<String> = recorded(dir).into_values().collect();
                    want.sort();
                    want.dedup();
                    prop_assert_eq!(stored, want);
                    // Every file of the tree is in the new manifest.
                    let now = recorded(dir);
                    for path in tree.paths() {
                        prop_assert!(now.contains_key(path));
                    }
                }
            }
        }
    }

    /// A file of six lines: the user edits some, archgen then changes
    /// others, never next to one the user edited. The merge keeps both.
    #[test]
    fn edits_to_lines_archgen_leaves_alone_survive(
        yours in proptest::collection::btree_set(0usize..6, 0..3),
        theirs in proptest::collection::btree_set(0usize..6, 0..3),
    ) {
        let theirs: Vec<usize> = theirs
            .into_iter()
            .filter(|t| yours.iter().all(|u| u.abs_diff(*t) >= 2))
            .collect();
        let lines = |changed: &dyn Fn(usize) -> Option<String>| -> String {
            (0..6).map(|i| changed(i).unwrap_or_else(|| format!("line {i}")) + "\n").collect()
        };
        let base = lines(&|_| None);
        let user = lines(&|i| yours.contains(&i).then(|| format!("user {i}")));
        let new = lines(&|i| theirs.contains(&i).then(|| format!("archgen {i}")));
        let want = lines(&|i| {
            if yours.contains(&i) {
                Some(format!("user {i}"))
            } else {
                theirs.contains(&i).then(|| format!("archgen {i}"))
            }
        });
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let mut tree = FileTree::new();
        tree.insert("f.txt", base).unwrap();
        write_tree(&tree, dir, "h", &WriteOptions::new()).unwrap();
        fs::write(dir.join("f.txt"), &user).unwrap();
        tree.replace("f.txt", new).unwrap();
        let report = write_tree(&tree, dir, "h", &WriteOptions::new()).unwrap();
        prop_assert!(!report.has_conflicts(), "{}", report);
        prop_assert_eq!(fs::read_to_string(dir.join("f.txt")).unwrap(), want);
        let expected = match (yours.is_empty(), theirs.is_empty()) {
            (true, _) => [Action::Update, Action::Unchanged],
            (false, true) => [Action::KeepEdited, Action::KeepEdited],
            (false, false) => [Action::Merge, Action::Merge],
        };
        prop_assert!(expected.contains(&report.action("f.txt").unwrap()));
    }
}
