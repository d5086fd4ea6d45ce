//! TOML into nodes, through toml-span (which keeps the span of every key and
//! value). Tables come back sorted by key; the nodes are put back in the
//! order they were written.

use super::{check_bracket_depth, number_out_of_range, Key, Node, NodeKind, Spanned};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use toml_span::value::{Value, ValueInner};

pub(crate) fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    check_bracket_depth(text, super::Format::Toml).map_err(|d| vec![*d])?;
    match toml_span::parse(text) {
        Ok(mut value) => convert(&mut value).map_err(|d| vec![*d]),
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
                toml_span::ErrorKind::InvalidNumber
                    if too_large(text.get(span.start..span.end)) =>
                {
                    return Err(vec![number_out_of_range(&text[span.start..span.end], span)]);
                }
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

fn convert(value: &mut Value<'_>) -> Result<Node, Box<Diagnostic>> {
    let span = Span::new(value.span.start, value.span.end);
    let kind = match value.take() {
        ValueInner::String(s) => NodeKind::Str(s.into_owned()),
        ValueInner::Integer(i) => NodeKind::Int(i),
        ValueInner::Float(f) if f.is_finite() => NodeKind::Float(f),
        ValueInner::Float(f) => return Err(Box::new(number_out_of_range(&f.to_string(), span))),
        ValueInner::Boolean(b) => NodeKind::Bool(b),
        ValueInner::Array(mut items) => {
            NodeKind::Seq(items.iter_mut().map(convert).collect::<Result<_, _>>()?)
        }
        ValueInner::Table(table) => {
            let mut entries: Vec<(Key, Node)> = Vec::with_capacity(table.len());
            for (k, mut v) in table {
                let key = Key {
                    name: k.name.into_owned(),
                    span: Span::new(k.span.start, k.span.end),
                };
                entries.push((key, convert(&mut v)?));
            }
            entries.sort_by_key(|(k, _)| k.span.start);
            NodeKind::Map(entries)
        }
    };
    Ok(Node { kind, span })
}

/// Whether a number the TOML parser refused is well formed but too large.
fn too_large(text: Option<&str>) -> bool {
    let Some(text) = text else { return false };
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    match digits.parse::<f64>() {
        Ok(f) => {
            !f.is_finite() || digits.parse::<i64>().is_err() && !digits.contains(['.', 'e', 'E'])
        }
        Err(_) => false,
    }
}
