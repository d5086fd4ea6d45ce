//! JSON into nodes, through jsonc-parser with every JSON5 and JSONC
//! extension turned off: a `.json` spec is strict JSON.

use super::{check_bracket_depth, number_out_of_range, Key, Node, NodeKind, Spanned};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{CollectOptions, ParseOptions};

pub(crate) fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    check_bracket_depth(text, super::Format::Json).map_err(|d| vec![*d])?;
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let result =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            let r = e.range();
            vec![Diagnostic::error(
                Code::Syntax,
                format!("this is not valid JSON: {}", e.kind()),
            )
            .with_label("here")
            .with_hint("check for a missing comma, quote or bracket around this place")
            .spanned(Span::new(r.start, r.end))]
        })?;
    match result.value {
        Some(v) => convert(v),
        None => Ok(Node {
            kind: NodeKind::Null,
            span: Span::new(0, 0),
        }),
    }
}

fn convert(value: Value<'_>) -> Result<Node, Vec<Diagnostic>> {
    let (kind, range) = match value {
        Value::StringLit(s) => (NodeKind::Str(s.value.into_owned()), s.range),
        Value::NumberLit(n) => {
            let span = Span::new(n.range.start, n.range.end);
            let kind = if let Ok(i) = n.value.parse::<i64>() {
                NodeKind::Int(i)
            } else {
                let is_integer = n.value.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                match n.value.parse::<f64>() {
                    Ok(f) if f.is_finite() && !is_integer => NodeKind::Float(f),
                    _ => return Err(vec![number_out_of_range(n.value, span)]),
                }
            };
            (kind, n.range)
        }
        Value::BooleanLit(b) => (NodeKind::Bool(b.value), b.range),
        Value::NullKeyword(n) => (NodeKind::Null, n.range),
        Value::Array(a) => {
            let items = a
                .elements
                .into_iter()
                .map(convert)
                .collect::<Result<Vec<_>, _>>()?;
            (NodeKind::Seq(items), a.range)
        }
        Value::Object(o) => {
            let mut entries = Vec::with_capacity(o.properties.len());
            for prop in o.properties {
                let key = match prop.name {
                    ObjectPropName::String(s) => Key {
                        name: s.value.into_owned(),
                        span: Span::new(s.range.start, s.range.end),
                    },
                    ObjectPropName::Word(w) => Key {
                        name: w.value.to_string(),
                        span: Span::new(w.range.start, w.range.end),
                    },
                };
                entries.push((key, convert(prop.value)?));
            }
            (NodeKind::Map(entries), o.range)
        }
    };
    Ok(Node {
        kind,
        span: Span::new(range.start, range.end),
    })
}
