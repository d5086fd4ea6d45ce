//! The three spec formats, read into one tree of spanned nodes.
//!
//! YAML, TOML and JSON parse into the same [`Node`] tree, each node with the
//! byte span it came from, so the decoder and the checks never care which
//! format a user chose. Limits guard against hostile input: nesting depth,
//! node count (YAML alias bombs) and numbers that do not fit.

mod json;
mod toml;
mod yaml;

use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// The deepest nesting a spec may use; real specs need five levels.
pub const MAX_DEPTH: usize = 64;

/// The most nodes a spec may expand to (YAML aliases included).
pub const MAX_NODES: usize = 1_000_000;

/// A spec file format, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `.yaml` or `.yml`.
    Yaml,
    /// `.toml`.
    Toml,
    /// `.json`.
    Json,
}

impl Format {
    /// The format a path's extension names, if any.
    ///
    /// ```
    /// use blueprint_core::spec::Format;
    /// assert_eq!(Format::from_path("clinic.yml".as_ref()), Some(Format::Yaml));
    /// assert_eq!(Format::from_path("clinic.txt".as_ref()), None);
    /// ```
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
            Format::Json => "JSON",
        }
    }
}

/// A value in a spec file, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// A map key with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl NodeKind {
    /// What a user would call this kind of value.
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "nothing (null)",
            NodeKind::Bool(_) => "true/false",
            NodeKind::Int(_) | NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "text",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
        }
    }
}

/// Parses text in a format into a node tree, or the diagnostics that say why
/// it is not one. Never panics, whatever the input.
pub(crate) fn parse(text: &str, format: Format) -> Result<Node, Vec<Diagnostic>> {
    let root = match format {
        Format::Yaml => yaml::parse(text),
        Format::Toml => toml::parse(text),
        Format::Json => json::parse(text),
    }?;
    let mut dups = Vec::new();
    find_duplicate_keys(&root, &mut dups);
    if dups.is_empty() {
        Ok(root)
    } else {
        Err(dups)
    }
}

fn find_duplicate_keys(node: &Node, out: &mut Vec<Diagnostic>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if entries[..i].iter().any(|(p, _)| p.name == k.name) {
                    out.push(
                        Diagnostic::error(
                            Code::DuplicateKey,
                            format!("`{}` is written twice in this map", k.name),
                        )
                        .with_label("written again here")
                        .with_hint(format!(
                            "keep one `{}`; a second one would silently replace the first",
                            k.name
                        ))
                        .spanned(k.span),
                    );
                }
                find_duplicate_keys(v, out);
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|n| find_duplicate_keys(n, out)),
        _ => {}
    }
}

/// Checks that nesting stays under [`MAX_DEPTH`] before a parser that
/// recurses sees the text: counts brackets and braces outside strings.
pub(crate) fn check_bracket_depth(text: &str, format: Format) -> Result<(), Box<Diagnostic>> {
    let mut depth = 0usize;
    let mut in_str: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    for (i, b) in text.bytes().enumerate() {
        if comment {
            if b == b'\n' {
                comment = false;
            }
            continue;
        }
        if let Some(q) = in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q == b'"' {
                escaped = true;
            } else if b == q || (b == b'\n' && format == Format::Toml) {
                in_str = None;
            }
            continue;
        }
        match b {
            b'"' => in_str = Some(b'"'),
            b'\'' if format == Format::Toml => in_str = Some(b'\''),
            b'#' if format == Format::Toml => comment = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Box::new(too_deep(Span::new(i, i + 1))));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NestingTooDeep,
        format!("lists and maps are nested more than {MAX_DEPTH} levels deep"),
    )
    .with_hint("a spec needs about five levels (entities → Patient → fields → email → type); check the file is a product spec")
    .spanned(span)
}

pub(crate) fn number_out_of_range(text: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NumberOutOfRange,
        format!("the number `{}` is too large to use", shorten(text)),
    )
    .with_hint("numbers in a spec must fit in 64 bits and be finite; write a smaller number")
    .spanned(span)
}

/// Cuts long text for a message.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Diagnostics made before a [`Source`](crate::source::Source) is at hand
/// carry their span here until they are placed.
pub(crate) trait Spanned {
    fn spanned(self, span: Span) -> Self;
}

impl Spanned for Diagnostic {
    fn spanned(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }
}
