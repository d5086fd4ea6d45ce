//! YAML into nodes, through saphyr's event parser.
//!
//! Scalars resolve by the YAML 1.2 core schema (quoted scalars are always
//! text). Anchors and aliases work, with every alias counted towards
//! [`MAX_NODES`] so an alias bomb stops early; merge keys (`<<`) merge maps.

use super::{number_out_of_range, too_deep, Key, Node, NodeKind, Spanned, MAX_DEPTH, MAX_NODES};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Turns the character offsets saphyr reports into byte offsets.
struct Offsets<'a> {
    text: &'a str,
    table: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            v.push(text.len());
            v
        });
        Offsets { text, table }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.text.len()),
            Some(t) => t.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
        count: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        merged: Vec<(Key, Node)>,
        key: Option<Key>,
        count: usize,
    },
}

pub(crate) fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut total = 0usize;

    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                let at = offsets.byte(e.marker().index());
                return Err(vec![Diagnostic::error(
                    Code::Syntax,
                    format!("this is not valid YAML: {}", e.info()),
                )
                .with_label("here")
                .with_hint("check the indentation and the `key: value` form around this place")
                .spanned(Span::new(at, at))]);
            }
        };
        let span = offsets.span(&span);
        // A finished node and how many nodes it holds.
        let done: Option<(Node, usize, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(vec![Diagnostic::error(
                        Code::UnsupportedYaml,
                        "the file holds more than one YAML document",
                    )
                    .with_hint("a spec is one document: remove the second `---` and what follows, or move it to its own file")
                    .spanned(span)]);
                }
                None
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((node, count)) => {
                    let mut node = node.clone();
                    node.span = span;
                    Some((node, *count, 0))
                }
                None => {
                    return Err(vec![Diagnostic::error(
                        Code::Syntax,
                        "this alias names no anchor",
                    )
                    .with_hint("define the anchor (`&name`) before using it (`*name`)")
                    .spanned(span)])
                }
            },
            Event::Scalar(value, style, anchor, tag) => {
                let tag = match tag {
                    None => None,
                    Some(t) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => {
                        Some(t.suffix.clone())
                    }
                    Some(t) if t.handle == "!" && t.suffix.is_empty() => Some("str".to_string()),
                    Some(t) => {
                        return Err(vec![unsupported_tag(
                            &format!("{}{}", t.handle, t.suffix),
                            span,
                        )])
                    }
                };
                let kind = resolve_scalar(&value, style, tag.as_deref(), span)?;
                Some((Node { kind, span }, 1, anchor))
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "seq", span)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(vec![too_deep(span)]);
                }
                stack.push(Frame::Seq {
                    start: span.start,
                    anchor,
                    items: Vec::new(),
                    count: 1,
                });
                None
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "map", span)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(vec![too_deep(span)]);
                }
                stack.push(Frame::Map {
                    start: span.start,
                    anchor,
                    entries: Vec::new(),
                    merged: Vec::new(),
                    key: None,
                    count: 1,
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                    count,
                }) => Some((
                    Node {
                        kind: NodeKind::Seq(items),
                        span: Span::new(start, span.end),
                    },
                    count,
                    anchor,
                )),
                _ => return Err(vec![internal(span)]),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    start,
                    anchor,
                    mut entries,
                    merged,
                    count,
                    ..
                }) => Some((
                    Node {
                        kind: NodeKind::Map({
                            for (k, v) in merged {
                                if !entries.iter().any(|(e, _)| e.name == k.name) {
                                    entries.push((k, v));
                                }
                            }
                            entries
                        }),
                        span: Span::new(start, span.end),
                    },
                    count,
                    anchor,
                )),
                _ => return Err(vec![internal(span)]),
            },
        };
        let Some((node, count, anchor)) = done else {
            continue;
        };
        total = total.saturating_add(count);
        if total > MAX_NODES {
            return Err(vec![Diagnostic::error(
                Code::TooManyNodes,
                format!("the spec expands to more than {MAX_NODES} values"),
            )
            .with_hint("YAML aliases (`*name`) copy what their anchor holds; nested aliases multiply. Write the values out or use fewer aliases")
            .spanned(node.span)]);
        }
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), count));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq {
                items, count: c, ..
            }) => {
                *c = c.saturating_add(count);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                merged,
                key,
                count: c,
                ..
            }) => {
                *c = c.saturating_add(count);
                match key.take() {
                    None => *key = Some(key_of(node)?),
                    Some(k) if k.name == "<<" => merge(merged, node)?,
                    Some(k) => entries.push((k, node)),
                }
            }
        }
    }
    Ok(root.unwrap_or(Node {
        kind: NodeKind::Null,
        span: Span::new(0, 0),
    }))
}

fn key_of(node: Node) -> Result<Key, Vec<Diagnostic>> {
    let name = match node.kind {
        NodeKind::Str(s) => s,
        NodeKind::Int(i) => i.to_string(),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Null => "null".to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Seq(_) | NodeKind::Map(_) => {
            return Err(vec![Diagnostic::error(
                Code::WrongType,
                "a map key here is a list or a map",
            )
            .with_hint("keys in a spec are names; write `name: value`")
            .spanned(node.span)])
        }
    };
    Ok(Key {
        name,
        span: node.span,
    })
}

/// `<<: *base` or `<<: [*a, *b]`: entries not yet present are added.
fn merge(entries: &mut Vec<(Key, Node)>, node: Node) -> Result<(), Vec<Diagnostic>> {
    let maps = match node.kind {
        NodeKind::Map(m) => vec![m],
        NodeKind::Seq(items) => {
            let mut maps = Vec::new();
            for item in items {
                match item.kind {
                    NodeKind::Map(m) => maps.push(m),
                    _ => return Err(vec![merge_error(item.span)]),
                }
            }
            maps
        }
        _ => return Err(vec![merge_error(node.span)]),
    };
    for map in maps {
        for (k, v) in map {
            if !entries.iter().any(|(e, _)| e.name == k.name) {
                entries.push((k, v));
            }
        }
    }
    Ok(())
}

fn merge_error(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WrongType,
        "a merge key (`<<`) takes a map or a list of maps",
    )
    .with_hint("write `<<: *anchor` where the anchor names a map")
    .spanned(span)
}

fn check_collection_tag(
    tag: Option<&saphyr_parser::Tag>,
    expected: &str,
    span: Span,
) -> Result<(), Vec<Diagnostic>> {
    match tag {
        None => Ok(()),
        Some(t)
            if (t.handle == "!!" || t.handle == "tag:yaml.org,2002:") && t.suffix == expected =>
        {
            Ok(())
        }
        Some(t) => Err(vec![unsupported_tag(
            &format!("{}{}", t.handle, t.suffix),
            span,
        )]),
    }
}

fn unsupported_tag(tag: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnsupportedYaml,
        format!(
            "the YAML tag `{}` is not supported in a spec",
            super::shorten(tag)
        ),
    )
    .with_hint("remove the tag; a spec uses plain values, lists and maps")
    .spanned(span)
}

fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        "this YAML could not be read (unbalanced structure)",
    )
    .with_hint("check the indentation around this place")
    .spanned(span)
}

/// Resolves a scalar by the YAML 1.2 core schema.
fn resolve_scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<&str>,
    span: Span,
) -> Result<NodeKind, Vec<Diagnostic>> {
    let plain = style == ScalarStyle::Plain;
    match tag {
        Some("str") => return Ok(NodeKind::Str(value.to_string())),
        Some("null") => return Ok(NodeKind::Null),
        Some("bool") | Some("int") | Some("float") | None => {}
        Some(other) => return Err(vec![unsupported_tag(&format!("!!{other}"), span)]),
    }
    if !plain && tag.is_none() {
        return Ok(NodeKind::Str(value.to_string()));
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" if tag.is_none() => return Ok(NodeKind::Null),
        "true" | "True" | "TRUE" => return Ok(NodeKind::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(NodeKind::Bool(false)),
        _ => {}
    }
    if let Some(kind) = resolve_int(value) {
        return kind.ok_or_else(|| vec![number_out_of_range(value, span)]);
    }
    if is_float(value) {
        let lower = value.to_ascii_lowercase();
        if lower.ends_with(".inf") || lower.ends_with(".nan") {
            return Err(vec![number_out_of_range(value, span)]);
        }
        return match value.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(NodeKind::Float(f)),
            _ => Err(vec![number_out_of_range(value, span)]),
        };
    }
    if tag.is_some() {
        return Err(vec![Diagnostic::error(
            Code::WrongType,
            format!("`{}` does not match its tag", super::shorten(value)),
        )
        .with_hint("remove the tag or fix the value")
        .spanned(span)]);
    }
    Ok(NodeKind::Str(value.to_string()))
}

/// `Some(Some(int))` for an integer, `Some(None)` for one too large, `None`
/// for text that is no integer.
fn resolve_int(v: &str) -> Option<Option<NodeKind>> {
    let (digits, radix) = if let Some(h) = v.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = v.strip_prefix("0o") {
        (o, 8)
    } else {
        (v, 10)
    };
    let body = if radix == 10 {
        digits.strip_prefix(['-', '+']).unwrap_or(digits)
    } else {
        digits
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(i64::from_str_radix(digits, radix).ok().map(NodeKind::Int))
}

fn is_float(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let body = lower.strip_prefix(['-', '+']).unwrap_or(&lower);
    if body == ".inf" || body == ".nan" {
        return true;
    }
    let (mantissa, exp) = match body.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let mantissa_ok = {
        let (int, frac) = match mantissa.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (mantissa, None),
        };
        let int_ok = int.chars().all(|c| c.is_ascii_digit());
        let frac_ok = frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit()));
        int_ok && frac_ok && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()))
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exp_ok && (mantissa.contains('.') || exp.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> NodeKind {
        parse(text).expect("parses").kind
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let NodeKind::Map(m) = kind("a: 1\nb: '1'\nc: 1.5\nd: true\ne: ~\nf: string!\ng: 0x1F\n")
        else {
            panic!("map expected")
        };
        let kinds: Vec<_> = m.into_iter().map(|(_, v)| v.kind).collect();
        assert_eq!(
            kinds,
            vec![
                NodeKind::Int(1),
                NodeKind::Str("1".into()),
                NodeKind::Float(1.5),
                NodeKind::Bool(true),
                NodeKind::Null,
                NodeKind::Str("string!".into()),
                NodeKind::Int(31),
            ]
        );
    }

    #[test]
    fn huge_numbers_are_errors() {
        let e = parse("a: 1e400").unwrap_err();
        assert_eq!(e[0].code, Code::NumberOutOfRange);
        let e = parse("a: 99999999999999999999999").unwrap_err();
        assert_eq!(e[0].code, Code::NumberOutOfRange);
    }

    #[test]
    fn alias_bombs_stop_early() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&s).unwrap_err();
        assert_eq!(e[0].code, Code::TooManyNodes);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let s = "[".repeat(100_000);
        let e = parse(&s).unwrap_err();
        assert!(matches!(e[0].code, Code::NestingTooDeep | Code::Syntax));
    }

    #[test]
    fn merge_keys_merge() {
        let NodeKind::Map(m) = kind("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n") else {
            panic!()
        };
        let NodeKind::Map(c) = &m[1].1.kind else {
            panic!()
        };
        let got: Vec<_> = c
            .iter()
            .map(|(k, v)| (k.name.as_str(), v.kind.clone()))
            .collect();
        assert_eq!(got, vec![("y", NodeKind::Int(3)), ("x", NodeKind::Int(1))]);
    }
}
