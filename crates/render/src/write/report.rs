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
    /// The user's file was kept and the new content written beside it as
    /// `<file>.archgen-new`: the user edited it (or it was never archgen's)
    /// and archgen has something new to say.
    Conflict,
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
    pub const ALL: [Action; 8] = [
        Action::Create,
        Action::Update,
        Action::Overwrite,
        Action::Conflict,
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
            Action::Conflict => "conflict",
            Action::Overwrite => "overwrite",
            Action::KeepEdited => "keep",
            Action::Remove => "remove",
            Action::KeepStale => "keep",
        }
    }

    fn counted(self, n: usize) -> String {
        let (one, many) = match self {
            Action::Create => ("created", "created"),
            Action::Update => ("updated", "updated"),
            Action::Unchanged => ("unchanged", "unchanged"),
            Action::Conflict => ("conflict", "conflicts"),
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

    /// Whether any conflict was left for the user to merge.
    pub fn has_conflicts(&self) -> bool {
        self.count(Action::Conflict) > 0
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
                Action::Conflict => write!(
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
