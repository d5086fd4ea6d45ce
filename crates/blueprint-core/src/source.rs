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

    /// The span widened to whole characters and cut to the text's length.
    pub fn snap(&self, span: Span) -> Span {
        let len = self.text.len();
        let mut start = span.start.min(len);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, len);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(start, end)
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

/// A path into a spec, such as `entities.Patient.fields.email`: cheap to
/// clone and hash, so every part of a spec can be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Path(String);

const KEY: char = '\u{1f}';
const INDEX: char = '\u{1e}';

impl Path {
    /// The top level of the spec.
    pub fn root() -> Path {
        Path(String::new())
    }

    /// The path of a map key below this one.
    pub fn key(&self, key: &str) -> Path {
        let mut p = self.clone();
        p.push_key(key);
        p
    }

    /// Descends into a map key.
    pub fn push_key(&mut self, key: &str) {
        self.0.push(KEY);
        self.0.push_str(key);
    }

    /// Descends into a list item.
    pub fn push_index(&mut self, index: usize) {
        self.0.push(INDEX);
        self.0.push_str(&index.to_string());
    }

    /// The path one step up, if any.
    pub fn parent(&self) -> Option<Path> {
        self.0
            .rfind([KEY, INDEX])
            .map(|i| Path(self.0[..i].to_string()))
    }

    /// The path as a user reads it: `` `entities.Patient.fields[0]` ``, or
    /// `the top level`.
    pub fn dotted(&self) -> String {
        if self.0.is_empty() {
            return "the top level".to_string();
        }
        let mut out = String::with_capacity(self.0.len() + 2);
        out.push('`');
        let mut first = true;
        let mut in_index = false;
        for c in self.0.chars() {
            match c {
                KEY => {
                    if in_index {
                        out.push(']');
                        in_index = false;
                    }
                    if !first {
                        out.push('.');
                    }
                    first = false;
                }
                INDEX => {
                    if in_index {
                        out.push(']');
                    }
                    out.push('[');
                    in_index = true;
                }
                c => out.push(c),
            }
        }
        if in_index {
            out.push(']');
        }
        out.push('`');
        out
    }
}

/// Builds a path from keys: `path(&["entities", "Patient"])`.
pub fn path(keys: &[&str]) -> Path {
    let mut p = Path::root();
    for k in keys {
        p.push_key(k);
    }
    p
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
    pub fn value(&self, path: &Path) -> Option<Span> {
        self.entries.get(path).map(|(_, v)| *v)
    }

    /// The span of the key at `path`, else of its value.
    pub fn key(&self, path: &Path) -> Option<Span> {
        self.entries.get(path).map(|(k, v)| k.unwrap_or(*v))
    }

    /// The value span of the longest prefix of `path` that was written.
    pub fn nearest(&self, path: &Path) -> Option<Span> {
        let mut at = Some(path.clone());
        while let Some(p) = at {
            if let Some(span) = self.value(&p) {
                return Some(span);
            }
            at = p.parent();
        }
        None
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
    fn paths_read_like_the_spec() {
        let mut p = path(&["entities", "Task", "access", "read"]);
        p.push_index(2);
        assert_eq!(p.dotted(), "`entities.Task.access.read[2]`");
        assert_eq!(
            p.parent(),
            Some(path(&["entities", "Task", "access", "read"]))
        );
        assert_eq!(Path::root().dotted(), "the top level");
    }

    #[test]
    fn spans_snap_to_characters() {
        let s = Source::new("x", "aé b");
        assert_eq!(s.snap(Span::new(2, 2)), Span::new(1, 3));
        assert_eq!(s.snap(Span::new(1, 2)), Span::new(1, 3));
        assert_eq!(s.snap(Span::new(9, 12)), Span::new(5, 5));
    }

    #[test]
    fn line_and_column_count_characters() {
        let s = Source::new("x", "ab\nçd: 1\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(5), (2, 2));
        assert_eq!(s.line_col(999), (3, 1));
    }
}
