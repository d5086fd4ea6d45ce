//! Deciding what to do with each file, from the new tree, the disk and the
//! manifest of the last generation. Reads the disk, never writes it.

use super::base;
use super::fs::{OnDisk, Root};
use super::manifest::Manifest;
use super::merge::{self, Labels, Merged};
use super::report::{Action, ConflictHunk};
use super::NEW_SUFFIX;
use crate::generate::sha256_hex;
use crate::{FileTree, RenderError};

/// One file's decided action, with what to write and what to record.
pub(crate) struct Step<'a> {
    /// The path relative to the output directory.
    pub(crate) path: String,
    /// What to do.
    pub(crate) action: Action,
    /// The new generated contents (for files of the tree).
    pub(crate) generated: Option<&'a [u8]>,
    /// What a merge writes into the file ([`Action::Merge`],
    /// [`Action::Conflict`]).
    pub(crate) merged: Option<String>,
    /// Whether the file is written executable.
    pub(crate) executable: bool,
    /// The hash the next manifest records for the path, if any.
    pub(crate) record: Option<String>,
    /// Whether the generated contents go into the base store, under
    /// `record`, as the base of the next merge.
    pub(crate) keep_base: bool,
    /// Whether to remove `<path>.archgen-new`, left from an earlier conflict
    /// and now identical to the file.
    pub(crate) drop_beside: bool,
    /// The conflicts of a merge, or still marked in the file.
    pub(crate) conflicts: Vec<ConflictHunk>,
}

/// What is known of one file of the new tree, as hashes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'h> {
    /// The new content's hash.
    pub(crate) new: &'h str,
    /// The hash of the file on disk, if there is one.
    pub(crate) disk: Option<&'h str>,
    /// What the manifest says archgen last generated there.
    pub(crate) recorded: Option<&'h str>,
    /// Whether `--force` was given.
    pub(crate) force: bool,
    /// Whether `<file>.archgen-new` is on disk.
    pub(crate) beside: bool,
    /// Whether the file on disk holds conflict markers archgen wrote.
    pub(crate) marked: bool,
}

/// What the decision table says before any merge is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// This action, whatever the contents.
    Act(Action),
    /// The user and archgen both changed the file: merge it from the base
    /// ([`three_way`]).
    ThreeWay,
}

/// The decision table of a file of the new tree (the module docs of
/// [`write`](super) show it).
pub(crate) fn decide(f: Facts<'_>) -> Decision {
    use Action::*;
    let Some(disk) = f.disk else {
        return Decision::Act(Create);
    };
    Decision::Act(if disk == f.new {
        Unchanged
    } else if f.recorded == Some(disk) {
        Update
    } else if f.force {
        Overwrite
    } else if f.beside {
        // An earlier conflict's new version is still beside the file: that
        // merge is not finished, so nothing is merged over it.
        NewBeside
    } else if f.recorded.is_none() {
        // Not archgen's (never, or no longer): there is nothing to merge from.
        NewBeside
    } else if f.marked {
        Unresolved
    } else if f.recorded == Some(f.new) {
        KeepEdited
    } else {
        return Decision::ThreeWay;
    })
}

/// Merges the user's file with archgen's new version from the base: a
/// clean merge ([`Action::Merge`], or [`Action::KeepEdited`] when the
/// user's file already holds archgen's changes), one with conflicts
/// ([`Action::Conflict`] and where they begin), or, when there is no text
/// base or one side is not text, [`Action::NewBeside`].
pub(crate) fn three_way(
    base: Option<&str>,
    yours: &[u8],
    new: &[u8],
    labels: &Labels,
) -> (Action, Option<String>, Vec<ConflictHunk>) {
    let (Some(base), Some(yours_text), Some(new)) = (base, merge::text(yours), merge::text(new))
    else {
        return (Action::NewBeside, None, Vec::new());
    };
    match merge::merge(base, yours_text, new, labels) {
        Merged::Clean(text) if text.as_bytes() == yours => (Action::KeepEdited, None, Vec::new()),
        Merged::Clean(text) => (Action::Merge, Some(text), Vec::new()),
        Merged::Conflicts(text, lines) => (Action::Conflict, Some(text), lines),
    }
}

/// What to do with a file the manifest lists and the new tree lacks; `None`
/// when it is already gone.
pub(crate) fn decide_stale(disk: Option<&str>, recorded: &str) -> Option<Action> {
    match disk {
        None => None,
        Some(d) if d == recorded => Some(Action::Remove),
        Some(_) => Some(Action::KeepStale),
    }
}

fn disk_hash_of(root: &Root, rel: &str) -> Result<Option<String>, RenderError> {
    Ok(match root.inspect(rel)? {
        OnDisk::Missing => None,
        OnDisk::File(bytes) => Some(sha256_hex(&bytes)),
    })
}

/// Every step, in path order.
pub(crate) fn plan<'a>(
    tree: &'a FileTree,
    root: &Root,
    bases: &base::Bases<'_>,
    previous: Option<&Manifest>,
    force: bool,
    labels: &Labels,
) -> Result<Vec<Step<'a>>, RenderError> {
    let recorded = |path: &str| previous.and_then(|m| m.files.get(path)).map(String::as_str);
    use rayon::prelude::*;
    // Hashing, reading and merging are independent per file.
    let files: Vec<(&str, &[u8])> = tree.iter().collect();
    let mut steps = files
        .into_par_iter()
        .map(|(path, contents)| -> Result<Step<'a>, RenderError> {
            let new = sha256_hex(contents);
            let disk = match root.inspect(path)? {
                OnDisk::Missing => None,
                OnDisk::File(bytes) => Some(bytes),
            };
            let disk_hash = disk.as_deref().map(sha256_hex);
            let recorded = recorded(path);
            // The version beside the file, from an earlier conflict: its path
            // is checked like any other.
            let beside = disk_hash_of(root, &format!("{path}{NEW_SUFFIX}"))?;
            let edited = disk_hash
                .as_deref()
                .is_some_and(|d| d != new && Some(d) != recorded);
            let marked = match &disk {
                Some(bytes) if edited => {
                    merge::text(bytes).map(merge::conflicts).unwrap_or_default()
                }
                _ => Vec::new(),
            };
            let facts = Facts {
                new: &new,
                disk: disk_hash.as_deref(),
                recorded,
                force,
                beside: beside.is_some(),
                marked: !marked.is_empty(),
            };
            let (action, merged, conflicts) = match decide(facts) {
                Decision::Act(Action::Unresolved) => (Action::Unresolved, None, marked),
                Decision::Act(action) => (action, None, Vec::new()),
                Decision::ThreeWay => {
                    let base = match recorded {
                        Some(hash) => bases.read(hash)?,
                        None => None,
                    };
                    three_way(
                        base.as_deref(),
                        disk.as_deref().unwrap_or_default(),
                        contents,
                        labels,
                    )
                }
            };
            let writes_new = matches!(
                action,
                Action::Create | Action::Update | Action::Unchanged | Action::Overwrite
            );
            // A file still in conflict keeps its base: the user resolves
            // against it, and the next run merges archgen's news from there.
            let (record, keep_base) = if action == Action::Unresolved {
                (recorded.map(str::to_string), false)
            } else {
                (Some(new.clone()), base::keeps(contents))
            };
            Ok(Step {
                path: path.to_string(),
                action,
                generated: Some(contents),
                merged,
                executable: tree.is_executable(path),
                // Once the file holds the new content, a version beside it
                // with that same content has nothing left to merge.
                drop_beside: writes_new && beside.as_deref() == Some(new.as_str()),
                record,
                keep_base,
                conflicts,
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(previous) = previous {
        for (path, hash) in &previous.files {
            if tree.contains(path) {
                continue;
            }
            if let Some(action) = decide_stale(disk_hash_of(root, path)?.as_deref(), hash) {
                steps.push(Step {
                    path: path.clone(),
                    action,
                    generated: None,
                    merged: None,
                    executable: false,
                    record: None,
                    keep_base: false,
                    drop_beside: false,
                    conflicts: Vec::new(),
                });
            }
        }
    }
    steps.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'h>(
        new: &'h str,
        disk: Option<&'h str>,
        recorded: Option<&'h str>,
        force: bool,
    ) -> Facts<'h> {
        Facts {
            new,
            disk,
            recorded,
            force,
            beside: false,
            marked: false,
        }
    }

    #[test]
    fn the_decision_table() {
        use Action::*;
        use Decision::*;
        // (new, disk, recorded, force) → decision
        let cases = [
            ("n", None, None, false, Act(Create)),
            ("n", None, Some("o"), false, Act(Create)),
            ("n", Some("n"), None, false, Act(Unchanged)),
            ("n", Some("n"), Some("o"), false, Act(Unchanged)),
            ("n", Some("o"), Some("o"), false, Act(Update)),
            ("n", Some("u"), Some("o"), false, ThreeWay),
            ("n", Some("u"), None, false, Act(NewBeside)),
            ("n", Some("u"), Some("n"), false, Act(KeepEdited)),
            ("n", Some("u"), Some("o"), true, Act(Overwrite)),
            ("n", Some("u"), Some("n"), true, Act(Overwrite)),
            ("n", Some("u"), None, true, Act(Overwrite)),
        ];
        for (new, disk, recorded, force, want) in cases {
            assert_eq!(
                decide(facts(new, disk, recorded, force)),
                want,
                "{new} {disk:?} {recorded:?} {force}"
            );
        }
        assert_eq!(decide_stale(None, "o"), None);
        assert_eq!(decide_stale(Some("o"), "o"), Some(Remove));
        assert_eq!(decide_stale(Some("u"), "o"), Some(KeepStale));
    }

    #[test]
    fn an_earlier_conflict_stands_before_any_merge() {
        use Action::*;
        use Decision::*;
        let beside = |f: Facts<'static>| Facts { beside: true, ..f };
        let marked = |f: Facts<'static>| Facts { marked: true, ..f };
        // A version beside the file: no merge over an unfinished one.
        assert_eq!(
            decide(beside(facts("n", Some("u"), Some("o"), false))),
            Act(NewBeside)
        );
        assert_eq!(
            decide(beside(facts("n", Some("u"), Some("n"), false))),
            Act(NewBeside)
        );
        // Markers left in the file: not merged again, whatever archgen has.
        assert_eq!(
            decide(marked(facts("n", Some("u"), Some("o"), false))),
            Act(Unresolved)
        );
        assert_eq!(
            decide(marked(facts("n", Some("u"), Some("n"), false))),
            Act(Unresolved)
        );
        // A file that is not archgen's has no base, markers or not.
        assert_eq!(
            decide(marked(facts("n", Some("u"), None, false))),
            Act(NewBeside)
        );
        // Force and the plain cases still win.
        assert_eq!(
            decide(marked(facts("n", Some("u"), Some("o"), true))),
            Act(Overwrite)
        );
        assert_eq!(
            decide(beside(facts("n", Some("o"), Some("o"), false))),
            Act(Update)
        );
        assert_eq!(
            decide(marked(facts("n", Some("n"), Some("o"), false))),
            Act(Unchanged)
        );
    }

    #[test]
    fn the_merge_table() {
        use Action::*;
        let labels = Labels::new("1", "2");
        let base = "a\nb\nc\n";
        // (base, yours, new) → action
        let cases: [(Option<&str>, &[u8], &str, Action); 6] = [
            (Some(base), b"A\nb\nc\n", "a\nb\nC\n", Merge),
            (Some(base), b"a\nB\nc\n", "a\nb2\nc\n", Conflict),
            (Some(base), b"a\nb\nC\n", "a\nb\nC\n", KeepEdited),
            (None, b"A\nb\nc\n", "a\nb\nC\n", NewBeside),
            (Some(base), b"A\0\nb\nc\n", "a\nb\nC\n", NewBeside),
            (Some(base), &[0xff, b'\n'], "a\nb\nC\n", NewBeside),
        ];
        for (base, yours, new, want) in cases {
            let (action, merged, lines) = three_way(base, yours, new.as_bytes(), &labels);
            assert_eq!(action, want, "{base:?} {yours:?} {new:?}");
            assert_eq!(merged.is_some(), matches!(want, Merge | Conflict));
            assert_eq!(lines.is_empty(), want != Conflict);
        }
        let (_, merged, _) = three_way(Some(base), b"A\nb\nc\n", b"a\nb\nC\n", &labels);
        assert_eq!(merged.as_deref(), Some("A\nb\nC\n"));
    }
}
