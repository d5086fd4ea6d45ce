//! What a write did (or, in a dry run, would do) to each file.

use std::fmt;
use std::path::PathBuf;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Action {
    /// A new file was written.
    Create,
    /// A generated file nobody edited got new content.
    Update,
    /// The file already had exactly this content.
    Unchanged,
    /// The user edited the file and archgen changed other lines of it: both
    /// were merged line-wise (from what archgen generated before) and the
    /// merge written.
    Merge,
    /// The user edited the file and archgen changed the same lines: the
    /// merge was written with conflict markers (`<<<<<<< yours` …
    /// `>>>>>>> archgen <version>`) for the user to resolve.
    Conflict,
    /// The file still holds conflict markers from an earlier run: left
    /// alone, not merged again, until the user resolves them.
    Unresolved,
    /// The user's file was kept and the new content written beside it as
    /// `<file>.archgen-new`: the user edited it (or it was never archgen's),
    /// archgen has something new to say, and there is no base to merge from
    /// (a project of an older archgen, a binary file), or an earlier
    /// `<file>.archgen-new` is still there.
    NewBeside,
    /// Like a conflict, but `--force` overwrote the user's file.
    Overwrite,
    /// The user edited a generated file and archgen has nothing new for it:
    /// left alone.
    KeepEdited,
    /// A file archgen no longer generates, unedited, was removed.
    Remove,
    /// A file archgen no longer generates was kept because the user edited
    /// it; it is the user's now.
    KeepStale,
}

impl Action {
    /// Every action, in report order.
    pub const ALL: [Action; 11] = [
        Action::Create,
        Action::Update,
        Action::Merge,
        Action::Overwrite,
        Action::Conflict,
        Action::Unresolved,
        Action::NewBeside,
        Action::Remove,
        Action::KeepStale,
        Action::KeepEdited,
        Action::Unchanged,
    ];

    /// A short word for the action, as the report's first column.
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Merge => "merge",
            Action::Conflict | Action::Unresolved | Action::NewBeside => "conflict",
            Action::Overwrite => "overwrite",
            Action::KeepEdited => "keep",
            Action::Remove => "remove",
            Action::KeepStale => "keep",
        }
    }

    /// Whether the user has something to resolve ([`Conflict`](Self::Conflict),
    /// [`Unresolved`](Self::Unresolved), [`NewBeside`](Self::NewBeside)).
    ///
    /// ```
    /// use render::write::Action;
    /// assert!(Action::Conflict.is_conflict() && !Action::Merge.is_conflict());
    /// ```
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            Action::Conflict | Action::Unresolved | Action::NewBeside
        )
    }

    fn counted(self, n: usize) -> String {
        let (one, many) = match self {
            Action::Create => ("created", "created"),
            Action::Update => ("updated", "updated"),
            Action::Unchanged => ("unchanged", "unchanged"),
            Action::Merge => ("merged with your edits", "merged with your edits"),
            Action::Conflict => ("with conflicts to resolve", "with conflicts to resolve"),
            Action::Unresolved => ("still in conflict", "still in conflict"),
            Action::NewBeside => (
                "new version beside your file",
                "new versions beside your files",
            ),
            Action::Overwrite => ("overwritten", "overwritten"),
            Action::KeepEdited => ("kept with your edits", "kept with your edits"),
            Action::Remove => ("removed", "removed"),
            Action::KeepStale => (
                "kept though no longer generated",
                "kept though no longer generated",
            ),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// One file's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAction {
    /// The path relative to the output directory.
    pub path: String,
    /// What happened to it.
    pub action: Action,
    /// For [`Action::Conflict`] and [`Action::Unresolved`], each conflict
    /// marked in the file (or, in a dry run, that would be); empty
    /// otherwise.
    pub conflicts: Vec<ConflictHunk>,
}

/// One conflict marked in a file: where it begins and its text, from the
/// `<<<<<<< yours` line to the `>>>>>>> archgen <version>` line.
///
/// ```
/// let hunk = render::write::ConflictHunk { line: 3, text: "<<<<<<< yours\n…".into() };
/// assert_eq!(hunk.line, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictHunk {
    /// The 1-based line of its `<<<<<<< yours` marker.
    pub line: usize,
    /// Its lines, markers included, each ending in a newline.
    pub text: String,
}

/// What [`write_tree`](crate::write::write_tree) did, file by file in path
/// order. Its `Display` lists every file that changed or needs the user's
/// attention (unchanged files are left out); [`summary`](Self::summary)
/// counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The output directory.
    pub out_dir: PathBuf,
    /// Whether this was a dry run (nothing was written).
    pub dry_run: bool,
    /// Every file's action, in path order.
    pub files: Vec<FileAction>,
}

impl WriteReport {
    /// How many files had this action.
    pub fn count(&self, action: Action) -> usize {
        self.files.iter().filter(|f| f.action == action).count()
    }

    /// The files with this action, in path order.
    pub fn with_action(&self, action: Action) -> impl Iterator<Item = &str> + '_ {
        self.files
            .iter()
            .filter(move |f| f.action == action)
            .map(|f| f.path.as_str())
    }

    /// The action for a path, if the write touched it.
    pub fn action(&self, path: &str) -> Option<Action> {
        self.files.iter().find(|f| f.path == path).map(|f| f.action)
    }

    /// Whether any conflict was left for the user to resolve (see
    /// [`Action::is_conflict`]).
    pub fn has_conflicts(&self) -> bool {
        self.conflicts().next().is_some()
    }

    /// The files with something for the user to resolve, in path order.
    pub fn conflicts(&self) -> impl Iterator<Item = &FileAction> + '_ {
        self.files.iter().filter(|f| f.action.is_conflict())
    }

    /// One line counting the actions, such as `3 created, 1 updated, 40
    /// unchanged in out/ (dry run: nothing written)`.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = Action::ALL
            .iter()
            .map(|a| (*a, self.count(*a)))
            .filter(|(_, n)| *n > 0)
            .map(|(a, n)| a.counted(n))
            .collect();
        let counts = if parts.is_empty() {
            "no files".to_string()
        } else {
            parts.join(", ")
        };
        let dry = if self.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        };
        format!("{counts} in {}{dry}", self.out_dir.display())
    }
}

impl fmt::Display for WriteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in self.files.iter().filter(|f| f.action != Action::Unchanged) {
            write!(f, "{:<10} {}", file.action.word(), file.path)?;
            match file.action {
                Action::Merge => write!(f, "  (your edits merged with archgen's changes)")?,
                Action::Conflict => {
                    write!(f, "  (conflict markers at {})", lines(&file.conflicts))?
                }
                Action::Unresolved => write!(
                    f,
                    "  (still has conflict markers at {}; resolve them first)",
                    lines(&file.conflicts)
                )?,
                Action::NewBeside => write!(
                    f,
                    "  (your edits kept; the new version is in {}{})",
                    file.path,
                    super::NEW_SUFFIX
                )?,
                Action::KeepEdited => write!(f, "  (edited by you; nothing new to merge)")?,
                Action::KeepStale => {
                    write!(f, "  (no longer generated; kept because you edited it)")?
                }
                _ => {}
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// `line 3` or `lines 3, 10`: where the conflicts begin.
fn lines(conflicts: &[ConflictHunk]) -> String {
    let list: Vec<String> = conflicts.iter().map(|c| c.line.to_string()).collect();
    let word = if list.len() == 1 { "line" } else { "lines" };
    format!("{word} {}", list.join(", "))
}
