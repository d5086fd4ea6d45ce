//! Spec sources: the text a user wrote, byte spans into it, and the map from
//! places in a spec (`entities.Patient.fields.email`) to where they were
//! written.

use std::collections::HashMap;

/// The largest spec file archgen reads (4 MiB): far beyond any real product,
/// small enough that a mistaken path to a log file fails fast.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// A byte range in a source text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// A spec's text with its display name, ready to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The name shown in diagnostics, usually the path as the user gave it.
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// A source from text already in memory.
    ///
    /// ```
    /// let src = blueprint_core::source::Source::new("a.yaml", "a: 1\nb: 2\n");
    /// assert_eq!(src.line_col(5), (2, 1));
    /// ```
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Source {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut col_end = offset;
        while !self.text.is_char_boundary(col_end) {
            col_end -= 1;
        }
        let column = self.text[start..col_end].chars().count() + 1;
        (line + 1, column)
    }
}

/// One step of a path into a spec: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A path into a spec, such as `entities.Patient.fields.email`.
pub type Path = Vec<Seg>;

/// Builds a path from keys: `path(&["entities", "Patient"])`.
pub fn path(keys: &[&str]) -> Path {
    keys.iter().map(|k| Seg::Key((*k).to_string())).collect()
}

/// Where each part of a spec was written: the span of its key and of its
/// value. A spec built in code has an empty map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    entries: HashMap<Path, (Option<Span>, Span)>,
}

impl SourceMap {
    /// Records the spans of the item at `path`.
    pub fn insert(&mut self, path: Path, key: Option<Span>, value: Span) {
        self.entries.insert(path, (key, value));
    }

    /// The span of the value at `path`.
    pub fn value(&self, path: &[Seg]) -> Option<Span> {
        self.entries.get(path).map(|(_, v)| *v)
    }

    /// The span of the key at `path`, else of its value.
    pub fn key(&self, path: &[Seg]) -> Option<Span> {
        self.entries.get(path).map(|(k, v)| k.unwrap_or(*v))
    }

    /// The value span of the longest prefix of `path` that was written.
    pub fn nearest(&self, path: &[Seg]) -> Option<Span> {
        (0..=path.len()).rev().find_map(|n| self.value(&path[..n]))
    }

    /// How many places are recorded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let s = Source::new("x", "ab\nçd: 1\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(5), (2, 2));
        assert_eq!(s.line_col(999), (3, 1));
    }
}
