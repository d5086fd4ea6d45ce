//! Deciding what to do with each file, from the new tree, the disk and the
//! manifest of the last generation. Reads the disk, never writes it.

use super::fs::{OnDisk, Root};
use super::manifest::Manifest;
use super::report::Action;
use super::NEW_SUFFIX;
use crate::generate::sha256_hex;
use crate::{FileTree, RenderError};

/// One file's decided action, with what to write and what to record.
pub(crate) struct Step<'a> {
    /// The path relative to the output directory.
    pub(crate) path: String,
    /// What to do.
    pub(crate) action: Action,
    /// The new contents (for files of the tree).
    pub(crate) contents: Option<&'a [u8]>,
    /// Whether the file is written executable.
    pub(crate) executable: bool,
    /// The hash the next manifest records for the path, if any.
    pub(crate) record: Option<String>,
    /// Whether to remove `<path>.archgen-new`, left from an earlier conflict
    /// and now identical to the file.
    pub(crate) drop_beside: bool,
}

/// What to do with a file of the new tree.
///
/// `disk` is the hash of the file on disk, `recorded` what the manifest says
/// archgen last wrote (or offered) there.
pub(crate) fn decide(new: &str, disk: Option<&str>, recorded: Option<&str>, force: bool) -> Action {
    match disk {
        None => Action::Create,
        Some(d) if d == new => Action::Unchanged,
        Some(d) if recorded == Some(d) => Action::Update,
        Some(_) if force => Action::Overwrite,
        Some(_) if recorded == Some(new) => Action::KeepEdited,
        Some(_) => Action::Conflict,
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

fn disk_hash(root: &Root, rel: &str) -> Result<Option<String>, RenderError> {
    Ok(match root.inspect(rel)? {
        OnDisk::Missing => None,
        OnDisk::File(bytes) => Some(sha256_hex(&bytes)),
    })
}

/// Every step, in path order.
pub(crate) fn plan<'a>(
    tree: &'a FileTree,
    root: &Root,
    previous: Option<&Manifest>,
    force: bool,
) -> Result<Vec<Step<'a>>, RenderError> {
    let recorded = |path: &str| previous.and_then(|m| m.files.get(path)).map(String::as_str);
    use rayon::prelude::*;
    // Hashing and reading what is on disk is independent per file.
    let files: Vec<(&str, &[u8])> = tree.iter().collect();
    let mut steps = files
        .into_par_iter()
        .map(|(path, contents)| -> Result<Step<'a>, RenderError> {
            let new = sha256_hex(contents);
            let disk = disk_hash(root, path)?;
            let mut action = decide(&new, disk.as_deref(), recorded(path), force);
            // The version beside the file, from an earlier conflict: its path
            // is checked like any other.
            let beside = disk_hash(root, &format!("{path}{NEW_SUFFIX}"))?;
            if action == Action::KeepEdited && beside.is_some() {
                // Not merged yet: the conflict stands until the user deletes
                // the version beside the file.
                action = Action::Conflict;
            }
            let writes_new = matches!(
                action,
                Action::Create | Action::Update | Action::Unchanged | Action::Overwrite
            );
            Ok(Step {
                path: path.to_string(),
                action,
                contents: Some(contents),
                executable: tree.is_executable(path),
                // Once the file holds the new content, a version beside it
                // with that same content has nothing left to merge.
                drop_beside: writes_new && beside.as_deref() == Some(new.as_str()),
                record: Some(new),
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
            if let Some(action) = decide_stale(disk_hash(root, path)?.as_deref(), hash) {
                steps.push(Step {
                    path: path.clone(),
                    action,
                    contents: None,
                    executable: false,
                    record: None,
                    drop_beside: false,
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

    #[test]
    fn the_decision_table() {
        use Action::*;
        // (new, disk, recorded, force) → action
        let cases = [
            ("n", None, None, false, Create),
            ("n", None, Some("o"), false, Create),
            ("n", Some("n"), None, false, Unchanged),
            ("n", Some("n"), Some("o"), false, Unchanged),
            ("n", Some("o"), Some("o"), false, Update),
            ("n", Some("u"), Some("o"), false, Conflict),
            ("n", Some("u"), None, false, Conflict),
            ("n", Some("u"), Some("n"), false, KeepEdited),
            ("n", Some("u"), Some("o"), true, Overwrite),
            ("n", Some("u"), Some("n"), true, Overwrite),
            ("n", Some("u"), None, true, Overwrite),
        ];
        for (new, disk, recorded, force, want) in cases {
            assert_eq!(
                decide(new, disk, recorded, force),
                want,
                "{new} {disk:?} {recorded:?} {force}"
            );
        }
        assert_eq!(decide_stale(None, "o"), None);
        assert_eq!(decide_stale(Some("o"), "o"), Some(Remove));
        assert_eq!(decide_stale(Some("u"), "o"), Some(KeepStale));
    }
}
