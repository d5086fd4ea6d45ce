//! TOML into nodes, through toml-span (which keeps the span of every key and
//! value). Tables come back sorted by key; the nodes are put back in the
//! order they were written.

use super::{check_bracket_depth, Key, Node, NodeKind, Spanned};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use toml_span::value::{Value, ValueInner};

pub(crate) fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    check_bracket_depth(text, super::Format::Toml).map_err(|d| vec![*d])?;
    match toml_span::parse(text) {
        Ok(mut value) => Ok(convert(&mut value)),
        Err(e) => {
            let span = Span::new(e.span.start, e.span.end);
            let (code, hint) = match e.kind {
                toml_span::ErrorKind::DuplicateKey { .. } => (
                    Code::DuplicateKey,
                    "keep one of the two; a key may appear once per table",
                ),
                toml_span::ErrorKind::ExceededDepthLimit => (
                    Code::NestingTooDeep,
                    "a spec needs about five levels of tables",
                ),
                toml_span::ErrorKind::OutOfRange(_) => (
                    Code::NumberOutOfRange,
                    "numbers in a spec must fit in 64 bits and be finite",
                ),
                _ => (
                    Code::Syntax,
                    "check the `key = value` form and the quoting around this place",
                ),
            };
            Err(vec![Diagnostic::error(
                code,
                format!("this is not valid TOML: {e}"),
            )
            .with_label("here")
            .with_hint(hint)
            .spanned(span)])
        }
    }
}

fn convert(value: &mut Value<'_>) -> Node {
    let span = Span::new(value.span.start, value.span.end);
    let kind = match value.take() {
        ValueInner::String(s) => NodeKind::Str(s.into_owned()),
        ValueInner::Integer(i) => NodeKind::Int(i),
        ValueInner::Float(f) if f.is_finite() => NodeKind::Float(f),
        // Infinite and NaN floats are caught by the decoder's range check.
        ValueInner::Float(f) => NodeKind::Float(f),
        ValueInner::Boolean(b) => NodeKind::Bool(b),
        ValueInner::Array(mut items) => NodeKind::Seq(items.iter_mut().map(convert).collect()),
        ValueInner::Table(table) => {
            let mut entries: Vec<(Key, Node)> = table
                .into_iter()
                .map(|(k, mut v)| {
                    (
                        Key {
                            name: k.name.into_owned(),
                            span: Span::new(k.span.start, k.span.end),
                        },
                        convert(&mut v),
                    )
                })
                .collect();
            entries.sort_by_key(|(k, _)| k.span.start);
            NodeKind::Map(entries)
        }
    };
    Node { kind, span }
}
