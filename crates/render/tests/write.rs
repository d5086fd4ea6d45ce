//! The writer: creating, regenerating, keeping the user's edits, removing
//! stale files, dry runs, force, and refusing unsafe paths.

use render::write::{write_tree, Action, Manifest, WriteOptions, WriteReport, MANIFEST_PATH};
use render::{FileTree, RenderError};
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
    assert_eq!(
        listing(&out),
        [".archgen/manifest.json", "a.txt", "src/deep/b.txt"]
    );
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
fn a_user_edit_is_kept_and_the_new_version_written_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "A\n"), ("b.txt", "B\n")]), dir);
    fs::write(dir.join("a.txt"), "mine\n").unwrap();
    fs::write(dir.join("b.txt"), "mine too\n").unwrap();

    // a.txt has new content: conflict. b.txt has none: the edit is simply kept.
    let t = tree(&[("a.txt", "A2\n"), ("b.txt", "B\n")]);
    let report = write(&t, dir);
    assert_eq!(report.action("a.txt"), Some(Action::Conflict));
    assert_eq!(report.action("b.txt"), Some(Action::KeepEdited));
    assert!(report.has_conflicts());
    assert_eq!(read(dir, "a.txt"), "mine\n");
    assert_eq!(read(dir, "a.txt.archgen-new"), "A2\n");
    assert_eq!(read(dir, "b.txt"), "mine too\n");
    let shown = report.to_string();
    assert!(
        shown.contains(
            "conflict   a.txt  (your edits kept; the new version is in a.txt.archgen-new)"
        ),
        "{shown}"
    );

    // Until the version beside it is deleted, the conflict stands.
    fs::write(dir.join("a.txt"), "mine, merged with A2\n").unwrap();
    let report = write(&t, dir);
    assert_eq!(report.action("a.txt"), Some(Action::Conflict));
    assert_eq!(read(dir, "a.txt"), "mine, merged with A2\n");

    // Once the user has merged and deleted it, the merge is left alone.
    fs::remove_file(dir.join("a.txt.archgen-new")).unwrap();
    let report = write(&t, dir);
    assert_eq!(report.action("a.txt"), Some(Action::KeepEdited));
    assert!(!report.has_conflicts());
    assert_eq!(read(dir, "a.txt"), "mine, merged with A2\n");
    assert!(!dir.join("a.txt.archgen-new").exists());
}

#[test]
fn taking_archgens_version_clears_the_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&tree(&[("a.txt", "A\n")]), dir);
    fs::write(dir.join("a.txt"), "mine\n").unwrap();
    let t = tree(&[("a.txt", "A2\n")]);
    assert!(write(&t, dir).has_conflicts());
    // The user takes archgen's version: copies it over, keeps the copy.
    fs::copy(dir.join("a.txt.archgen-new"), dir.join("a.txt")).unwrap();
    let report = write(&t, dir);
    assert_eq!(report.action("a.txt"), Some(Action::Unchanged));
    assert!(
        !dir.join("a.txt.archgen-new").exists(),
        "the identical copy is removed"
    );
    // A forced run clears a conflict's leftover too.
    fs::write(dir.join("a.txt"), "mine again\n").unwrap();
    let t3 = tree(&[("a.txt", "A3\n")]);
    assert!(write(&t3, dir).has_conflicts());
    write_tree(&t3, dir, "h", &WriteOptions::new().with_force(true)).unwrap();
    assert_eq!(read(dir, "a.txt"), "A3\n");
    assert!(!dir.join("a.txt.archgen-new").exists());
}

#[test]
fn a_file_never_generated_is_the_users() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("a.txt"), "hand written\n").unwrap();
    fs::write(dir.join("same.txt"), "S\n").unwrap();
    let report = write(&tree(&[("a.txt", "A\n"), ("same.txt", "S\n")]), dir);
    assert_eq!(report.action("a.txt"), Some(Action::Conflict));
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
        &tree(&[("a.txt", "A\n"), ("b.txt", "B\n"), ("c.txt", "C\n")]),
        &dir,
    );
    fs::write(dir.join("b.txt"), "mine\n").unwrap();
    let before = listing(&dir);
    let manifest_before = read(&dir, MANIFEST_PATH);
    let next = tree(&[("a.txt", "A2\n"), ("b.txt", "B2\n"), ("d.txt", "D\n")]);
    let dry = write_tree(&next, &dir, "h", &WriteOptions::new().with_dry_run(true)).unwrap();
    assert_eq!(listing(&dir), before);
    assert_eq!(read(&dir, MANIFEST_PATH), manifest_before);
    assert_eq!(read(&dir, "a.txt"), "A\n");
    let real = write(&next, &dir);
    assert_eq!(
        dry.files, real.files,
        "a dry run plans what the real run does"
    );
    assert_eq!(real.action("a.txt"), Some(Action::Update));
    assert_eq!(real.action("b.txt"), Some(Action::Conflict));
    assert_eq!(real.action("c.txt"), Some(Action::Remove));
    assert_eq!(real.action("d.txt"), Some(Action::Create));
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
