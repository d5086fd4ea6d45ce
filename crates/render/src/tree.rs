//! The in-memory file tree every stage fills before anything touches the
//! disk: relative paths to bytes, ordered by path.

use crate::RenderError;
use std::collections::{BTreeMap, BTreeSet};

/// A generated project in memory: safe relative paths to file contents,
/// iterated in path order so output is deterministic by construction.
///
/// ```
/// let mut tree = render::FileTree::new();
/// tree.insert("docs/adr/0001-stack.md", "# Stack\n").unwrap();
/// assert!(tree.insert("../escape.txt", "x").is_err());
/// assert!(tree.insert("/etc/passwd", "x").is_err());
/// assert_eq!(tree.paths().collect::<Vec<_>>(), vec!["docs/adr/0001-stack.md"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    files: BTreeMap<String, Vec<u8>>,
    executable: BTreeSet<String>,
}

impl FileTree {
    /// An empty tree.
    pub fn new() -> FileTree {
        FileTree::default()
    }

    /// Adds a file. The path must be relative, use `/`, and stay inside the
    /// tree (no `..`, no empty or `.` segments, no backslashes or NULs); a
    /// path given twice is an error, so two emitters never silently
    /// overwrite each other.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<Vec<u8>>,
    ) -> Result<(), RenderError> {
        let path = path.into();
        check_path(&path)?;
        if self.files.contains_key(&path) {
            return Err(RenderError::DuplicatePath { path });
        }
        self.files.insert(path, contents.into());
        Ok(())
    }

    /// Adds an executable file (a script); otherwise as [`insert`](Self::insert).
    ///
    /// ```
    /// let mut tree = render::FileTree::new();
    /// tree.insert_executable("scripts/test.sh", "#!/bin/sh\n").unwrap();
    /// assert!(tree.is_executable("scripts/test.sh"));
    /// ```
    pub fn insert_executable(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<Vec<u8>>,
    ) -> Result<(), RenderError> {
        let path = path.into();
        self.insert(path.clone(), contents)?;
        self.executable.insert(path);
        Ok(())
    }

    /// Whether a file is to be written executable.
    pub fn is_executable(&self, path: &str) -> bool {
        self.executable.contains(path)
    }

    /// Marks a present file executable or not; `false` when no file has
    /// this path.
    pub fn set_executable(&mut self, path: &str, executable: bool) -> bool {
        if !self.files.contains_key(path) {
            return false;
        }
        if executable {
            self.executable.insert(path.to_string());
        } else {
            self.executable.remove(path);
        }
        true
    }

    /// Adds or replaces a file (for emitters that deliberately refine one);
    /// a replaced file keeps its executable mark.
    pub fn replace(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<Vec<u8>>,
    ) -> Result<(), RenderError> {
        let path = path.into();
        check_path(&path)?;
        self.files.insert(path, contents.into());
        Ok(())
    }

    /// The contents of a file.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The contents of a file as text, if it is UTF-8.
    pub fn get_str(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Whether a file is present.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every path, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Moves every file of `other` into this tree (a path in both is an
    /// error).
    pub fn extend(&mut self, other: FileTree) -> Result<(), RenderError> {
        for (path, contents) in other.files {
            if other.executable.contains(&path) {
                self.insert_executable(path, contents)?;
            } else {
                self.insert(path, contents)?;
            }
        }
        Ok(())
    }
}

/// Checks that a path is a safe relative path inside the tree.
pub fn check_path(path: &str) -> Result<(), RenderError> {
    let bad = |reason: &str| {
        Err(RenderError::UnsafePath {
            path: path.to_string(),
            reason: reason.to_string(),
        })
    };
    if path.is_empty() {
        return bad("it is empty");
    }
    if path.starts_with('/') || path.contains(':') {
        return bad("it is absolute");
    }
    if path.contains('\\') || path.contains('\0') {
        return bad("it contains a backslash or NUL");
    }
    for seg in path.split('/') {
        match seg {
            "" => return bad("it has an empty segment"),
            "." | ".." => return bad("it has a `.` or `..` segment"),
            _ => {}
        }
    }
    Ok(())
}
