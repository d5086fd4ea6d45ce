//! The writer: creating, regenerating, keeping the user's edits (merged
//! three-way, conflicts marked, or the new version beside them), removing
//! stale files, the base store, dry runs, force, and refusing unsafe paths.

mod common;

use render::write::{
    write_tree, Action, Manifest, WriteOptions, WriteReport, BASE_PACK, LEGACY_BASE_DIR,
    MANIFEST_PATH,
};
use render::{FileTree, RenderError};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn tree(files: &[(&str, &str)]) -> FileTree {
    let mut t = FileTree::new();
    for (p, c) in files {
        t.insert(*p, *c).unwrap();
    }
    t
}

fn write(t: &FileTree, dir: &Path) -> WriteReport {
    write_tree(t, dir, "hash-1", &WriteOptions::new()).unwrap()
}

fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap()
}

fn manifest(dir: &Path) -> Manifest {
    Manifest::from_json(&read(dir, MANIFEST_PATH)).unwrap()
}

fn m_hash(dir: &Path, rel: &str) -> String {
    manifest(dir).files[rel].clone()
}

/// The base store's entries by hash, as text.
fn store(dir: &Path) -> BTreeMap<String, String> {
    common::base_pack(dir)
        .into_iter()
        .map(|(hash, bytes)| (hash, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// The hashes in the base store, sorted.
fn bases(dir: &Path) -> Vec<String> {
    store(dir).into_keys().collect()
}

/// Every file under `dir`, relative, sorted, with `/`.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

#[test]
fn creates_files_and_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let t = tree(&[("a.txt", "A\n"), ("src/deep/b.txt", "B\n")]);
    let report = write_tree(
        &t,
        &out,
        "the-spec-hash",
        &WriteOptions::new().with_archgen_version("9.9.9"),
    )
    .unwrap();
    assert_eq!(report.count(Action::Create), 2);
    assert_eq!(read(&out, "src/deep/b.txt"), "B\n");
    let hash_a = "06f961b802bc46ee168555f066d28f4f0e9afdf3f88174c1ee6f9de004fc30a0";
    let hash_b = m_hash(&out, "src/deep/b.txt");
    let mut want = vec![
        ".archgen/base.pack".to_string(),
        ".archgen/manifest.json".to_string(),
        "a.txt".to_string(),
        "src/deep/b.txt".to_string(),
    ];
    want.sort();
    assert_eq!(listing(&out), want);
    assert_eq!(store(&out)[hash_a], "A\n");
    let mut want_bases = vec![hash_a.to_string(), hash_b];
    want_bases.sort();
    assert_eq!(bases(&out), want_bases);
    let m = manifest(&out);
    assert_eq!(m.archgen_version, "9.9.9");
    assert_eq!(m.spec_hash, "the-spec-hash");
    assert_eq!(
        m.files.keys().collect::<Vec<_>>(),
        ["a.txt", "src/deep/b.txt"]
    );
    // sha256("A\n")
    assert_eq!(
        m.files["a.txt"],
        "06f961b802bc46ee168555f066d28f4f0e9afdf3f88174c1ee6f9de004fc30a0"
    );
    assert_eq!(
        report.to_string(),
        "create     a.txt\ncreate     src/deep/b.txt\n"
    );
    assert!(
        report.summary().starts_with("2 created in "),
        "{}",
        report.summary()
    );
    // No temporary files are left behind.
    assert!(listing(&out).iter().all(|p| !p.contains("archgen-tmp")));
}

#[test]
fn regenerating_the_same_tree_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tree(&[("a.txt", "A\n"), ("b.txt", "B\n")]);
    write(&t, tmp.path());
    let before = fs::metadata(tmp.path().join(MANIFEST_PATH))
        .unwrap()
        .modified()
        .unwrap();
    let report = write(&t, tmp.path());
    assert_eq!(report.count(Action::Unchanged), 2);
    assert_eq!(report.files.len(), 2);
    assert_eq!(report.to_string(), "");
    assert!(report.summary().starts_with("2 unchanged"));
    let after = fs::metadata(tmp.path().join(MANIFEST_PATH))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "an unchanged manifest is not rewritten");
}

#[test]
fn an_untouched_generated_file_is_updated() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tree(&[("a.txt", "A\n")]), tmp.path());
    let report = write(&tree(&[("a.txt", "A2\n")]), tmp.path());
    assert_eq!(report.action("a.txt"), Some(Action::Update));
    assert_eq!(read(tmp.path(), "a.txt"), "A2\n");
}

#[test]
fn an_edit_to_other_lines_is_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "one\ntwo\nthree\nfour\n")]), dir);
    fs::write(dir.join("a.txt"), "one, mine\ntwo\nthree\nfour\n").unwrap();
    let t = tree(&[("a.txt", "one\ntwo\nthree\nfour, new\n")]);
    let report = write(&t, dir);
    assert_eq!(report.action("a.txt"), Some(Action::Merge));
    assert!(!report.has_conflicts());
    assert_eq!(read(dir, "a.txt"), "one, mine\ntwo\nthree\nfour, new\n");
    assert!(!dir.join("a.txt.archgen-new").exists());
    assert!(
        report
            .to_string()
            .contains("merge      a.txt  (your edits merged with archgen's changes)"),
        "{report}"
    );
    assert!(report.summary().starts_with("1 merged with your edits"));
    // The manifest and the base store hold archgen's new version, so the
    // next run has nothing new to merge, and the store holds no older base.
    let hash = m_hash(dir, "a.txt");
    assert_eq!(store(dir)[&hash], "one\ntwo\nthree\nfour, new\n");
    assert_eq!(bases(dir), [hash]);
    let again = write(&t, dir);
    assert_eq!(again.action("a.txt"), Some(Action::KeepEdited));
    assert_eq!(read(dir, "a.txt"), "one, mine\ntwo\nthree\nfour, new\n");
    // And the one after merges from there.
    let t3 = tree(&[("a.txt", "one\ntwo\n2.5\nthree\nfour, new\n")]);
    assert_eq!(write(&t3, dir).action("a.txt"), Some(Action::Merge));
    assert_eq!(
        read(dir, "a.txt"),
        "one, mine\ntwo\n2.5\nthree\nfour, new\n"
    );
}

#[test]
fn an_edit_to_the_same_lines_is_a_conflict_marked_in_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_tree(
        &tree(&[("a.txt", "A\nkeep\n"), ("b.txt", "B\n")]),
        dir,
        "h",
        &WriteOptions::new().with_archgen_version("1.0.0"),
    )
    .unwrap();
    fs::write(dir.join("a.txt"), "mine\nkeep\n").unwrap();
    fs::write(dir.join("b.txt"), "mine too\n").unwrap();

    // a.txt has new content on the edited line: a conflict. b.txt has none:
    // the edit is simply kept.
    let t = tree(&[("a.txt", "A2\nkeep\n"), ("b.txt", "B\n")]);
    let options = WriteOptions::new().with_archgen_version("2.0.0");
    let report = write_tree(&t, dir, "h", &options).unwrap();
    assert_eq!(report.action("a.txt"), Some(Action::Conflict));
    assert_eq!(report.action("b.txt"), Some(Action::KeepEdited));
    assert!(report.has_conflicts());
    assert_eq!(
        report
            .conflicts()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["a.txt"]
    );
    assert_eq!(report.files[0].conflicts.len(), 1);
    assert_eq!(report.files[0].conflicts[0].line, 1);
    assert_eq!(
        report.files[0].conflicts[0].text,
        "<<<<<<< yours\nmine\n||||||| archgen 1.0.0 (previous)\nA\n=======\nA2\n>>>>>>> archgen 2.0.0\n"
    );
    assert_eq!(
        read(dir, "a.txt"),
        "<<<<<<< yours\nmine\n||||||| archgen 1.0.0 (previous)\nA\n=======\nA2\n>>>>>>> archgen 2.0.0\nkeep\n"
    );
    assert!(!dir.join("a.txt.archgen-new").exists());
    assert_eq!(read(dir, "b.txt"), "mine too\n");
    let shown = report.to_string();
    assert!(
        shown.contains("conflict   a.txt  (conflict markers at line 1)"),
        "{shown}"
    );

    // Run after run, markers left in the file are not merged again, even
    // when archgen has news: the file stays as it is.
    let marked = read(dir, "a.txt");
    let t3 = tree(&[("a.txt", "A2\nkeep\nA3\n"), ("b.txt", "B\n")]);
    let report = write_tree(&t3, dir, "h", &options).unwrap();
    assert_eq!(report.action("a.txt"), Some(Action::Unresolved));
    assert!(report.has_conflicts());
    assert_eq!(read(dir, "a.txt"), marked);
    assert!(
        report.to_string().contains(
            "conflict   a.txt  (still has conflict markers at line 1; resolve them first)"
        ),
        "{report}"
    );

    // Once resolved, archgen's news since the conflict are merged in.
    fs::write(dir.join("a.txt"), "mine and A2\nkeep\n").unwrap();
    let report = write_tree(&t3, dir, "h", &options).unwrap();
    assert_eq!(report.action("a.txt"), Some(Action::Merge));
    assert_eq!(read(dir, "a.txt"), "mine and A2\nkeep\nA3\n");
    assert!(!report.has_conflicts());
}

#[test]
fn without_a_base_the_new_version_is_written_beside() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "A\n"), ("b.txt", "B\n")]), dir);
    // A project whose base store was lost.
    fs::remove_file(dir.join(BASE_PACK)).unwrap();
    fs::write(dir.join("a.txt"), "mine\n").unwrap();
    let t = tree(&[("a.txt", "A2\n"), ("b.txt", "B\n")]);
    let report = write(&t, dir);
    assert_eq!(report.action("a.txt"), Some(Action::NewBeside));
    assert!(report.has_conflicts());
    assert_eq!(read(dir, "a.txt"), "mine\n");
    assert_eq!(read(dir, "a.txt.archgen-new"), "A2\n");
    let shown = report.to_string();
    assert!(
        shown.contains(
            "conflict   a.txt  (your edits kept; the new version is in a.txt.archgen-new)"
        ),
        "{shown}"
    );
    // The store is filled again.
    assert_eq!(bases(dir).len(), 2);

    // Until the version beside it is deleted, the conflict stands, and the
    // file is not merged over it.
    fs::write(dir.join("a.txt"), "mine, merged with A2\n").unwrap();
    let t3 = tree(&[("a.txt", "A3\n"), ("b.txt", "B\n")]);
    let report = write(&t3, dir);
    assert_eq!(report.action("a.txt"), Some(Action::NewBeside));
    assert_eq!(read(dir, "a.txt"), "mine, merged with A2\n");
    assert_eq!(read(dir, "a.txt.archgen-new"), "A3\n", "refreshed");

    // Once the user has merged and deleted it, the merge is left alone.
    fs::write(dir.join("a.txt"), "mine, merged with A3\n").unwrap();
    fs::remove_file(dir.join("a.txt.archgen-new")).unwrap();
    let report = write(&t3, dir);
    assert_eq!(report.action("a.txt"), Some(Action::KeepEdited));
    assert!(!report.has_conflicts());
    assert_eq!(read(dir, "a.txt"), "mine, merged with A3\n");
    assert!(!dir.join("a.txt.archgen-new").exists());
}

#[test]
fn a_binary_file_is_never_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut t = FileTree::new();
    t.insert("logo.bin", b"\x89PNG\0one\n".to_vec()).unwrap();
    write(&t, dir);
    assert!(bases(dir).is_empty(), "binary files have no base");
    fs::write(dir.join("logo.bin"), b"\x89PNG\0mine\n").unwrap();
    let mut t2 = FileTree::new();
    t2.insert("logo.bin", b"\x89PNG\0two\n".to_vec()).unwrap();
    let report = write(&t2, dir);
    assert_eq!(report.action("logo.bin"), Some(Action::NewBeside));
    assert_eq!(fs::read(dir.join("logo.bin")).unwrap(), b"\x89PNG\0mine\n");
    assert_eq!(
        fs::read(dir.join("logo.bin.archgen-new")).unwrap(),
        b"\x89PNG\0two\n"
    );
}

#[test]
fn a_corrupt_base_is_no_base() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "A\nB\nC\n")]), dir);
    assert_eq!(bases(dir), [m_hash(dir, "a.txt")]);
    // One byte of the entry's contents changed.
    let mut pack = fs::read(dir.join(BASE_PACK)).unwrap();
    let at = pack.len() - 3;
    pack[at] = b'X';
    fs::write(dir.join(BASE_PACK), pack).unwrap();
    fs::write(dir.join("a.txt"), "mine\nB\nC\n").unwrap();
    let report = write(&tree(&[("a.txt", "A\nB\nC2\n")]), dir);
    assert_eq!(report.action("a.txt"), Some(Action::NewBeside));
    assert_eq!(read(dir, "a.txt"), "mine\nB\nC\n");
}

#[test]
fn the_base_store_holds_exactly_the_manifests_bases() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Identical files share one entry.
    write(
        &tree(&[("a.txt", "same\n"), ("b.txt", "same\n"), ("c.txt", "C\n")]),
        dir,
    );
    assert_eq!(bases(dir).len(), 2);
    write(&tree(&[("a.txt", "A2\n"), ("c.txt", "C\n")]), dir);
    let mut want: Vec<String> = manifest(dir).files.values().cloned().collect();
    want.sort();
    assert_eq!(bases(dir), want, "old bases pruned");
    // One file holds them all: nothing else is written under .archgen.
    assert_eq!(
        listing(&dir.join(".archgen")),
        ["base.pack", "manifest.json"]
    );
}

#[test]
fn an_older_projects_base_files_are_read_then_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "one\ntwo\nthree\n")]), dir);
    // Older versions kept one file per base, named by its hash.
    let hash = m_hash(dir, "a.txt");
    fs::remove_file(dir.join(BASE_PACK)).unwrap();
    let legacy = dir.join(LEGACY_BASE_DIR);
    fs::create_dir_all(&legacy).unwrap();
    fs::write(legacy.join(&hash), "one\ntwo\nthree\n").unwrap();
    fs::write(legacy.join(".x.archgen-tmp-1"), "left over").unwrap();
    fs::write(legacy.join("notes.txt"), "not archgen's").unwrap();
    fs::write(dir.join("a.txt"), "one, mine\ntwo\nthree\n").unwrap();
    let report = write(&tree(&[("a.txt", "one\ntwo\nthree, new\n")]), dir);
    assert_eq!(report.action("a.txt"), Some(Action::Merge), "{report}");
    assert_eq!(read(dir, "a.txt"), "one, mine\ntwo\nthree, new\n");
    assert_eq!(bases(dir), [m_hash(dir, "a.txt")]);
    assert_eq!(
        listing(&legacy),
        ["notes.txt"],
        "archgen's objects and leftovers removed, others kept"
    );
    // Without a stranger's file the directory goes too.
    fs::remove_file(legacy.join("notes.txt")).unwrap();
    fs::write(legacy.join(&hash), "one\ntwo\nthree\n").unwrap();
    write(&tree(&[("a.txt", "one\ntwo\nthree, new\n")]), dir);
    assert!(!legacy.exists());
}

#[cfg(unix)]
#[test]
fn a_base_store_linked_out_is_refused_before_writing() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    for (link, target) in [
        (LEGACY_BASE_DIR, outside.clone()),
        (BASE_PACK, outside.join("pack")),
    ] {
        let dir = tmp.path().join("out");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join(".archgen")).unwrap();
        symlink(&target, dir.join(link)).unwrap();
        let err =
            write_tree(&tree(&[("a.txt", "A\n")]), &dir, "h", &WriteOptions::new()).unwrap_err();
        assert!(
            err.to_string().contains("symbolic link") || err.to_string().contains("regular file"),
            "{link}: {err}"
        );
        assert!(!dir.join("a.txt").exists());
        assert!(listing(&outside).is_empty());
    }
}

#[test]
fn a_file_never_generated_is_the_users() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("a.txt"), "hand written\n").unwrap();
    fs::write(dir.join("same.txt"), "S\n").unwrap();
    let report = write(&tree(&[("a.txt", "A\n"), ("same.txt", "S\n")]), dir);
    assert_eq!(report.action("a.txt"), Some(Action::NewBeside));
    assert_eq!(report.action("same.txt"), Some(Action::Unchanged));
    assert_eq!(read(dir, "a.txt"), "hand written\n");
    assert_eq!(read(dir, "a.txt.archgen-new"), "A\n");
    // An identical file is adopted into the manifest.
    assert!(manifest(dir).files.contains_key("same.txt"));
}

#[test]
fn stale_files_are_removed_only_when_unedited() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        &tree(&[
            ("keep.txt", "K\n"),
            ("old/gone.txt", "G\n"),
            ("old2/edited.txt", "E\n"),
        ]),
        dir,
    );
    fs::write(dir.join("old2/edited.txt"), "E, edited\n").unwrap();
    let report = write(&tree(&[("keep.txt", "K\n")]), dir);
    assert_eq!(report.action("old/gone.txt"), Some(Action::Remove));
    assert_eq!(report.action("old2/edited.txt"), Some(Action::KeepStale));
    assert!(
        !dir.join("old").exists(),
        "an emptied directory is removed too"
    );
    assert_eq!(read(dir, "old2/edited.txt"), "E, edited\n");
    // The kept file is the user's now: no longer in the manifest.
    assert_eq!(manifest(dir).files.keys().collect::<Vec<_>>(), ["keep.txt"]);
    assert!(report
        .to_string()
        .contains("keep       old2/edited.txt  (no longer generated; kept because you edited it)"));
}

#[test]
fn a_dry_run_writes_nothing_and_reports_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh");
    let t = tree(&[("a.txt", "A\n")]);
    let dry = write_tree(&t, &fresh, "h", &WriteOptions::new().with_dry_run(true)).unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.action("a.txt"), Some(Action::Create));
    assert!(!fresh.exists(), "not even the directory is created");
    assert!(dry.summary().ends_with("(dry run: nothing written)"));

    let dir = tmp.path().join("existing");
    write(
        &tree(&[
            ("a.txt", "A\n"),
            ("b.txt", "B\n"),
            ("c.txt", "C\n"),
            ("e.txt", "1\n2\n3\n"),
        ]),
        &dir,
    );
    fs::write(dir.join("b.txt"), "mine\n").unwrap();
    fs::write(dir.join("e.txt"), "1 mine\n2\n3\n").unwrap();
    let before = listing(&dir);
    let manifest_before = read(&dir, MANIFEST_PATH);
    let next = tree(&[
        ("a.txt", "A2\n"),
        ("b.txt", "B2\n"),
        ("d.txt", "D\n"),
        ("e.txt", "1\n2\n3 new\n"),
    ]);
    let dry = write_tree(&next, &dir, "h", &WriteOptions::new().with_dry_run(true)).unwrap();
    assert_eq!(listing(&dir), before, "not even the base store changes");
    assert_eq!(read(&dir, MANIFEST_PATH), manifest_before);
    assert_eq!(read(&dir, "a.txt"), "A\n");
    assert_eq!(read(&dir, "b.txt"), "mine\n");
    assert_eq!(read(&dir, "e.txt"), "1 mine\n2\n3\n");
    // The would-be conflicts are shown, with their lines.
    assert!(dry.has_conflicts());
    assert!(
        dry.to_string()
            .contains("conflict   b.txt  (conflict markers at line 1)"),
        "{dry}"
    );
    let real = write(&next, &dir);
    assert_eq!(
        dry.files, real.files,
        "a dry run plans what the real run does"
    );
    assert_eq!(real.action("a.txt"), Some(Action::Update));
    assert_eq!(real.action("b.txt"), Some(Action::Conflict));
    assert_eq!(real.action("c.txt"), Some(Action::Remove));
    assert_eq!(real.action("d.txt"), Some(Action::Create));
    assert_eq!(real.action("e.txt"), Some(Action::Merge));
    assert_eq!(read(&dir, "e.txt"), "1 mine\n2\n3 new\n");
}

#[test]
fn force_overwrites_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "A\n"), ("old.txt", "O\n")]), dir);
    fs::write(dir.join("a.txt"), "mine\n").unwrap();
    fs::write(dir.join("old.txt"), "mine\n").unwrap();
    fs::write(dir.join("user.txt"), "hand written\n").unwrap();
    let t = tree(&[("a.txt", "A2\n"), ("user.txt", "U\n")]);
    let report = write_tree(&t, dir, "h", &WriteOptions::new().with_force(true)).unwrap();
    assert_eq!(report.action("a.txt"), Some(Action::Overwrite));
    assert_eq!(report.action("user.txt"), Some(Action::Overwrite));
    assert_eq!(
        report.action("old.txt"),
        Some(Action::KeepStale),
        "force never removes an edited file"
    );
    assert_eq!(read(dir, "a.txt"), "A2\n");
    assert_eq!(read(dir, "user.txt"), "U\n");
    assert!(!dir.join("a.txt.archgen-new").exists());
    assert!(!report.has_conflicts());

    // A file left with conflict markers is overwritten too.
    fs::write(dir.join("a.txt"), "mine\n").unwrap();
    let t3 = tree(&[("a.txt", "A3\n"), ("user.txt", "U\n")]);
    assert_eq!(write(&t3, dir).action("a.txt"), Some(Action::Conflict));
    assert!(read(dir, "a.txt").contains("<<<<<<< yours"));
    let report = write_tree(&t3, dir, "h", &WriteOptions::new().with_force(true)).unwrap();
    assert_eq!(report.action("a.txt"), Some(Action::Overwrite));
    assert_eq!(read(dir, "a.txt"), "A3\n");
}

#[test]
fn escaping_paths_are_refused() {
    let mut t = FileTree::new();
    for bad in [
        "../up.txt",
        "a/../../up.txt",
        "/abs.txt",
        "a\\b.txt",
        "a//b.txt",
        "./a.txt",
        "C:/x",
    ] {
        assert!(
            matches!(t.insert(bad, "x"), Err(RenderError::UnsafePath { .. })),
            "{bad}"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let reserved = tree(&[(".archgen/manifest.json", "{}")]);
    let err = write_tree(&reserved, tmp.path(), "h", &WriteOptions::new()).unwrap_err();
    assert!(err.to_string().contains("reserved"), "{err}");
    let clash = tree(&[("a", "file"), ("a/b.txt", "inside")]);
    let err = write_tree(&clash, tmp.path(), "h", &WriteOptions::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("`a/b.txt` needs it to be a directory"),
        "{err}"
    );
    let case = tree(&[("Readme.md", "a"), ("README.md", "b")]);
    let err = write_tree(&case, tmp.path(), "h", &WriteOptions::new()).unwrap_err();
    assert!(err.to_string().contains("only in case"), "{err}");
    assert!(listing(tmp.path()).is_empty(), "nothing was written");
}

#[test]
fn a_manifest_pointing_outside_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir_all(dir.join(".archgen")).unwrap();
    fs::write(
        dir.join(MANIFEST_PATH),
        r#"{"format":1,"archgen_version":"0","spec_hash":"h","files":{"../victim.txt":"00"}}"#,
    )
    .unwrap();
    let err = write_tree(&tree(&[("a.txt", "A")]), &dir, "h", &WriteOptions::new()).unwrap_err();
    assert!(matches!(err, RenderError::Manifest { .. }), "{err}");
    assert!(err.to_string().contains("delete it"), "{err}");
    fs::write(dir.join(MANIFEST_PATH), "not json").unwrap();
    assert!(write_tree(&tree(&[("a.txt", "A")]), &dir, "h", &WriteOptions::new()).is_err());
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_output_directory_are_refused() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("victim.txt"), "precious\n").unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir(&dir).unwrap();

    // A directory link that leaves the output directory.
    symlink(&outside, dir.join("src")).unwrap();
    let err = write_tree(
        &tree(&[("src/victim.txt", "pwned\n"), ("a.txt", "A\n")]),
        &dir,
        "h",
        &WriteOptions::new(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("`src` is a symbolic link leading outside"),
        "{err}"
    );
    assert_eq!(read(&outside, "victim.txt"), "precious\n");
    assert!(
        !dir.join("a.txt").exists(),
        "nothing is written when a path is refused"
    );
    fs::remove_file(dir.join("src")).unwrap();

    // A file link, even inside, is refused: archgen writes regular files.
    symlink(outside.join("victim.txt"), dir.join("a.txt")).unwrap();
    let err = write_tree(&tree(&[("a.txt", "A\n")]), &dir, "h", &WriteOptions::new()).unwrap_err();
    assert!(err.to_string().contains("is a symbolic link"), "{err}");
    assert_eq!(read(&outside, "victim.txt"), "precious\n");
    fs::remove_file(dir.join("a.txt")).unwrap();

    // The manifest's directory as a link out is refused as well.
    symlink(&outside, dir.join(".archgen")).unwrap();
    assert!(write_tree(&tree(&[("a.txt", "A\n")]), &dir, "h", &WriteOptions::new()).is_err());
    fs::remove_file(dir.join(".archgen")).unwrap();

    // A link that stays inside is followed.
    fs::create_dir(dir.join("real")).unwrap();
    symlink(dir.join("real"), dir.join("alias")).unwrap();
    write_tree(
        &tree(&[("alias/x.txt", "X\n")]),
        &dir,
        "h",
        &WriteOptions::new(),
    )
    .unwrap();
    assert_eq!(read(&dir, "real/x.txt"), "X\n");
}

#[cfg(unix)]
#[test]
fn executables_keep_their_bit() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let mut t = FileTree::new();
    t.insert_executable("run.sh", "#!/bin/sh\n").unwrap();
    t.insert("plain.txt", "x").unwrap();
    write(&t, tmp.path());
    let mode = |p: &str| {
        fs::metadata(tmp.path().join(p))
            .unwrap()
            .permissions()
            .mode()
    };
    assert_ne!(mode("run.sh") & 0o111, 0);
    assert_eq!(mode("plain.txt") & 0o111, 0);
    // An update keeps the bit; an unchanged script that lost it gets it back.
    let mut t2 = FileTree::new();
    t2.insert_executable("run.sh", "#!/bin/sh\necho 2\n")
        .unwrap();
    write(&t2, tmp.path());
    assert_ne!(mode("run.sh") & 0o111, 0);
    fs::set_permissions(tmp.path().join("run.sh"), fs::Permissions::from_mode(0o644)).unwrap();
    write(&t2, tmp.path());
    assert_ne!(mode("run.sh") & 0o111, 0);
}

#[test]
fn the_output_directory_may_not_be_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    let err = write_tree(&tree(&[("a.txt", "A")]), &file, "h", &WriteOptions::new()).unwrap_err();
    assert!(err.to_string().contains("is a file"), "{err}");
}
