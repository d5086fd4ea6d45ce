//! Diagnostics: what is wrong with a spec, where, and how to fix it.
//!
//! A [`Diagnostic`] is plain data (severity, stable [`Code`], message, file,
//! span, line, column, hint). [`render_text`] draws it the way rustc does,
//! with the source line and a caret; [`render_json`] gives the documented
//! machine format.

mod codes;

pub use codes::Code;

use crate::source::{Source, Span};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something `check` decided for the spec that its writer should know
    /// (an implied setting, a tightened default).
    Note,
    /// The spec is usable, but probably not what was meant.
    Warning,
    /// The spec cannot be used.
    Error,
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// The stable code, documented in `docs/errors.md`.
    pub code: Code,
    /// What is wrong, in product words.
    pub message: String,
    /// The file's display name.
    pub file: String,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column in characters, when the problem has a place.
    pub column: Option<usize>,
    /// How to fix it ("did you mean `Patient`?").
    pub hint: Option<String>,
    /// The byte span in the file.
    #[serde(skip)]
    pub span: Option<Span>,
    /// A short label drawn under the span.
    #[serde(skip)]
    pub label: Option<String>,
}

impl Diagnostic {
    /// An error with a code and message, not yet placed in a file.
    ///
    /// ```
    /// use blueprint_core::diag::{Code, Diagnostic, Severity};
    /// let d = Diagnostic::error(Code::NoEntities, "the spec declares no entity")
    ///     .with_hint("add an `entities:` map with at least one entity");
    /// assert_eq!(d.severity, Severity::Error);
    /// assert_eq!(d.code.as_str(), "E104");
    /// ```
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning with a code and message.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// A note with a code and message: something decided for the spec.
    pub fn note(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Note, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: String::new(),
            line: None,
            column: None,
            hint: None,
            span: None,
            label: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds an optional hint.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    /// Adds a label drawn under the span.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Places the diagnostic at a span (or nowhere) in a source.
    pub fn at(mut self, source: &Source, span: Option<Span>) -> Diagnostic {
        self.file = source.name.clone();
        let span = span.map(|s| source.snap(s));
        self.span = span;
        if let Some(span) = span {
            let (line, column) = source.line_col(span.start);
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders diagnostics like rustc, without colour: the message with its
/// code, the file, line and column, the source line with a caret under the
/// problem, and the hint.
///
/// ```
/// use blueprint_core::diag::{render_text, Code, Diagnostic};
/// use blueprint_core::source::{Source, Span};
/// let src = Source::new("spec.yaml", "spec_version: 2\n");
/// let d = Diagnostic::error(Code::UnsupportedSpecVersion, "spec_version 2 is not supported")
///     .at(&src, Some(Span::new(14, 15)));
/// let text = render_text(&[d], Some(&src));
/// assert!(text.contains("error[E103]"));
/// assert!(text.contains("spec.yaml:1:15"));
/// ```
pub fn render_text(diagnostics: &[Diagnostic], source: Option<&Source>) -> String {
    let renderer = Renderer::plain().term_width(100);
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
        let mut group = Group::with_title(title);
        match (source, d.span) {
            (Some(src), Some(span)) => {
                let span = clip_to_line(&src.text, src.snap(span));
                let mut ann = AnnotationKind::Primary.span(span.start..span.end);
                if let Some(label) = &d.label {
                    ann = ann.label(label.as_str());
                }
                group = group.element(
                    Snippet::source(src.text.as_str())
                        .path(d.file.as_str())
                        .annotation(ann),
                );
            }
            _ => {
                group = group.element(Level::NOTE.message(format!("in {}", d.file)));
            }
        }
        if let Some(hint) = &d.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// Keeps a span on its first line, so a caret never spans a whole map.
fn clip_to_line(text: &str, span: Span) -> Span {
    let end = text[span.start..span.end]
        .find('\n')
        .map(|i| span.start + i)
        .unwrap_or(span.end);
    if end == span.start {
        // An empty span still needs one column to point at.
        let next = text[span.start..]
            .chars()
            .next()
            .map(|c| span.start + c.len_utf8())
            .unwrap_or(span.start);
        Span::new(span.start, next)
    } else {
        Span::new(span.start, end)
    }
}

/// The machine format: a JSON array of objects with `severity`, `code`,
/// `message`, `file`, `line`, `column` and `hint`.
///
/// ```
/// use blueprint_core::diag::{render_json, Code, Diagnostic};
/// let json = render_json(&[Diagnostic::error(Code::NoEntities, "no entity")]);
/// assert_eq!(json[0]["code"], "E104");
/// ```
pub fn render_json(diagnostics: &[Diagnostic]) -> serde_json::Value {
    serde_json::to_value(diagnostics).unwrap_or_else(|_| serde_json::Value::Array(Vec::new()))
}

/// A one-line summary: `2 errors, 1 warning`, with `, 3 notes` when there
/// are notes.
///
/// ```
/// use blueprint_core::diag::{summary, Code, Diagnostic};
/// let d = [
///     Diagnostic::warning(Code::AmbiguousOwnership, "w"),
///     Diagnostic::note(Code::ImpliedOwnership, "n"),
/// ];
/// assert_eq!(summary(&d), "0 errors, 1 warning, 1 note");
/// ```
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning")
    );
    let notes = count(Severity::Note);
    if notes > 0 {
        out.push_str(&format!(", {}", plural(notes, "note")));
    }
    out
}
