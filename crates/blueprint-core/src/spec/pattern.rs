//! Field patterns in the subset of regular expressions that every engine a
//! generated project meets reads alike: Rust's `regex` (Pydantic's
//! validator), JavaScript's `RegExp` with the `u` flag (typescript-fastify,
//! the clients, and the OpenAPI document's own dialect, ECMA-262) and
//! Python's `re` (the tests' and schemathesis's value generators).
//!
//! [`portable`] checks a spec's pattern and spells it so that all of them
//! read it the same way. What only some engines read, or read differently,
//! is refused with a reason and a way to write it (E305): inline flags,
//! Unicode and POSIX classes, nested classes and class operations, `\A`,
//! `\z` and word boundaries. What every engine can read once respelled is
//! respelled: `\d`, `\w` and `\s` become the ASCII classes `[0-9]`,
//! `[0-9A-Za-z_]` and `[\t\n\x0B\f\r ]` (Rust and Python read them as
//! Unicode classes, JavaScript as ASCII ones), a named group becomes a plain
//! group, an escaped character JavaScript does not take escaped becomes a
//! hex escape, a long or braced hex escape a short one, and a `]` or brace
//! that Rust reads as itself is escaped.

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassBracketed, ClassPerl, ClassPerlKind, ClassSet,
    ClassSetItem, GroupKind, HexLiteralKind, Literal, LiteralKind, SpecialLiteralKind,
};

/// Why a pattern cannot be enforced alike by every stack, and how to write
/// it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct PatternError {
    /// What is wrong, naming the construct.
    pub reason: String,
    /// How to write it so that every engine reads it alike.
    pub hint: String,
}

impl PatternError {
    fn new(reason: impl Into<String>, hint: impl Into<String>) -> PatternError {
        PatternError {
            reason: reason.into(),
            hint: hint.into(),
        }
    }
}

/// The hint of a pattern that does not parse at all.
const SYNTAX_HINT: &str = "use the common subset of regular expressions (no look-around or back-references); anchor with `^…$` to match the whole value";

/// The pattern spelled so that every engine reads it alike, or why it
/// cannot be.
///
/// ```
/// use blueprint_core::spec::pattern::portable;
/// assert_eq!(portable(r"^\d{3}-[\w.]+$").unwrap(), r"^[0-9]{3}-[0-9A-Za-z_.]+$");
/// assert_eq!(portable(r"^(?P<code>[A-Z]{2})$").unwrap(), r"^([A-Z]{2})$");
/// assert!(portable(r"(?i)^abc$").unwrap_err().reason.contains("inline flags"));
/// ```
pub fn portable(pattern: &str) -> Result<String, PatternError> {
    let reason = |e: &dyn std::fmt::Display| {
        let detail = e.to_string();
        detail
            .lines()
            .last()
            .unwrap_or("invalid")
            .trim()
            .trim_start_matches("error: ")
            .to_string()
    };
    let parsed = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| PatternError::new(reason(&e), SYNTAX_HINT))?;
    // The whole parse (to Rust's HIR) finds what the syntax alone does not,
    // such as a range whose ends are reversed.
    regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| PatternError::new(reason(&e), SYNTAX_HINT))?;
    let mut edits = Vec::new();
    walk(&parsed, &mut edits)?;
    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut at = 0;
    for edit in edits {
        out.push_str(&pattern[at..edit.start]);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(&pattern[at..]);
    Ok(out)
}

/// Text that replaces the bytes `start..end` of the pattern.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

impl Edit {
    fn of(span: &ast::Span, text: impl Into<String>) -> Edit {
        Edit {
            start: span.start.offset,
            end: span.end.offset,
            text: text.into(),
        }
    }
}

fn walk(node: &Ast, edits: &mut Vec<Edit>) -> Result<(), PatternError> {
    match node {
        Ast::Empty(_) | Ast::Dot(_) => Ok(()),
        Ast::Flags(_) => Err(flags()),
        Ast::Literal(literal) => {
            literal_edit(literal, false, edits);
            Ok(())
        }
        Ast::Assertion(assertion) => check_assertion(assertion),
        Ast::ClassUnicode(_) => Err(unicode_class()),
        Ast::ClassPerl(class) => {
            edits.push(Edit::of(&class.span, perl_class(class)));
            Ok(())
        }
        Ast::ClassBracketed(class) => bracketed(class, edits),
        Ast::Repetition(repetition) => walk(&repetition.ast, edits),
        Ast::Group(group) => {
            match &group.kind {
                GroupKind::CaptureIndex(_) => {}
                GroupKind::CaptureName { name, .. } => {
                    // `(?P<name>` or `(?<name>` up to its `>`: a plain group.
                    let end = name.span.end.offset + 1;
                    edits.push(Edit {
                        start: group.span.start.offset,
                        end,
                        text: "(".into(),
                    });
                }
                GroupKind::NonCapturing(flags_of) => {
                    if !flags_of.items.is_empty() {
                        return Err(flags());
                    }
                }
            }
            walk(&group.ast, edits)
        }
        Ast::Alternation(alternation) => alternation.asts.iter().try_for_each(|a| walk(a, edits)),
        Ast::Concat(concat) => concat.asts.iter().try_for_each(|a| walk(a, edits)),
    }
}

fn flags() -> PatternError {
    PatternError::new(
        "inline flags such as `(?i)` are not read by every engine (JavaScript has none)",
        "spell the cases out, as in `[Aa]` or `[A-Za-z]`, instead of a flag",
    )
}

fn unicode_class() -> PatternError {
    PatternError::new(
        r"Unicode classes such as `\p{L}` are not read by every engine (Python's `re` has none)",
        "list the characters or ranges, as in `[A-Za-zÀ-ÖØ-öø-ÿ]`",
    )
}

fn check_assertion(assertion: &Assertion) -> Result<(), PatternError> {
    match assertion.kind {
        AssertionKind::StartLine | AssertionKind::EndLine => Ok(()),
        AssertionKind::StartText | AssertionKind::EndText => Err(PatternError::new(
            r"`\A` and `\z` are not read by JavaScript",
            "anchor with `^` and `$`: a pattern is matched against the whole value, not lines",
        )),
        _ => Err(PatternError::new(
            r"word boundaries such as `\b` depend on what a word character is, which engines disagree on",
            "write out the characters on each side instead",
        )),
    }
}

/// The ASCII class a Perl class is read as, without its brackets.
fn perl_items(kind: &ClassPerlKind) -> &'static str {
    match kind {
        ClassPerlKind::Digit => "0-9",
        ClassPerlKind::Word => "0-9A-Za-z_",
        ClassPerlKind::Space => r"\t\n\x0B\f\r ",
    }
}

/// A Perl class outside brackets, as a bracketed ASCII class.
fn perl_class(class: &ClassPerl) -> String {
    let negated = if class.negated { "^" } else { "" };
    format!("[{negated}{}]", perl_items(&class.kind))
}

fn bracketed(class: &ClassBracketed, edits: &mut Vec<Edit>) -> Result<(), PatternError> {
    match &class.kind {
        ClassSet::BinaryOp(_) => Err(nested()),
        ClassSet::Item(item) => class_item(item, true, edits),
    }
}

fn nested() -> PatternError {
    PatternError::new(
        "nested classes and class operations (`&&`, `--`, `~~`) are read by Rust's engine alone",
        "write one class with all its characters and ranges, as in `[b-df-hj-np-tv-z]`",
    )
}

fn class_item(item: &ClassSetItem, first: bool, edits: &mut Vec<Edit>) -> Result<(), PatternError> {
    match item {
        ClassSetItem::Empty(_) => Ok(()),
        ClassSetItem::Literal(literal) => {
            if first && literal.kind == LiteralKind::Verbatim && literal.c == ']' {
                edits.push(Edit::of(&literal.span, r"\]"));
            } else {
                literal_edit(literal, true, edits);
            }
            Ok(())
        }
        ClassSetItem::Range(range) => {
            literal_edit(&range.start, true, edits);
            literal_edit(&range.end, true, edits);
            Ok(())
        }
        ClassSetItem::Ascii(_) => Err(PatternError::new(
            "POSIX classes such as `[[:alpha:]]` mean something else to Python and JavaScript",
            "write the range itself, as in `[A-Za-z]` for `[[:alpha:]]`",
        )),
        ClassSetItem::Unicode(_) => Err(unicode_class()),
        ClassSetItem::Perl(class) => {
            if class.negated {
                return Err(PatternError::new(
                    r"a negated class such as `\D` inside `[…]` cannot be written for every engine",
                    r"give it a class of its own, as in `[^0-9]` for `\D`",
                ));
            }
            edits.push(Edit::of(&class.span, perl_items(&class.kind)));
            Ok(())
        }
        ClassSetItem::Bracketed(_) => Err(nested()),
        ClassSetItem::Union(union) => union
            .items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| class_item(item, first && i == 0, edits)),
    }
}

/// Characters JavaScript takes escaped in `u` mode (its syntax characters
/// and `/`), outside a class and in one.
const JS_ESCAPABLE: &str = r"^$\.*+?()[]{}|/";

/// Respells a literal that not every engine reads as Rust does.
fn literal_edit(literal: &Literal, in_class: bool, edits: &mut Vec<Edit>) {
    let c = literal.c;
    let text = match &literal.kind {
        LiteralKind::Verbatim => {
            // Rust reads a lone `]`, `{` or `}` as itself; JavaScript's `u`
            // mode refuses them outside a class.
            if !in_class && matches!(c, ']' | '{' | '}') {
                format!(r"\{c}")
            } else {
                return;
            }
        }
        LiteralKind::Meta | LiteralKind::Superfluous => {
            if JS_ESCAPABLE.contains(c) || (in_class && c == '-') {
                return;
            }
            // `\#`, `\&`, `\~`, `\-` outside a class: escapes JavaScript refuses.
            hex(c)
        }
        LiteralKind::HexFixed(HexLiteralKind::X | HexLiteralKind::UnicodeShort) => return,
        LiteralKind::HexFixed(HexLiteralKind::UnicodeLong) | LiteralKind::HexBrace(_) => hex(c),
        LiteralKind::Special(SpecialLiteralKind::Bell) => hex(c),
        LiteralKind::Special(SpecialLiteralKind::Space) => " ".to_string(),
        LiteralKind::Special(_) | LiteralKind::Octal => return,
    };
    edits.push(Edit::of(&literal.span, text));
}

/// A character as the short escape every engine reads, or itself past the
/// Basic Multilingual Plane (there is no escape all of them share there).
fn hex(c: char) -> String {
    let code = c as u32;
    if code <= 0xff {
        format!(r"\x{code:02X}")
    } else if code <= 0xffff {
        format!(r"\u{code:04X}")
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::portable;

    fn ok(pattern: &str) -> String {
        portable(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    #[test]
    fn portable_patterns_stay_as_written() {
        for p in [
            r"^[A-Z]{2}[0-9]+$",
            r"^(?:ab)+$",
            r"^\x41+\u00e9$",
            r"^[^\x00-\x1f]+$",
            r"^.+$",
            r"^[\[\]]+$",
            r"^a/b\/c$",
            r"^[a-]$",
            r"^\$\.\*\+\?\(\)\|\{\}$",
            r"^[\-a]$",
            r"^#[0-9a-fA-F]{6}$",
            r"^\+[1-9][0-9]{1,14}$",
            "^caf\u{e9}\t$",
            r"^a*?b+?c??$",
            r"^(a|b|)$",
        ] {
            assert_eq!(ok(p), p);
        }
    }

    #[test]
    fn perl_classes_become_ascii_classes() {
        assert_eq!(ok(r"^\d{3}-\d{4}$"), r"^[0-9]{3}-[0-9]{4}$");
        assert_eq!(
            ok(r"^\w+\W\S\D$"),
            r"^[0-9A-Za-z_]+[^0-9A-Za-z_][^\t\n\x0B\f\r ][^0-9]$"
        );
        assert_eq!(
            ok(r"^[\w.-]+@[\d\s]$"),
            r"^[0-9A-Za-z_.-]+@[0-9\t\n\x0B\f\r ]$"
        );
        assert_eq!(ok(r"^[^\d]$"), r"^[^0-9]$");
    }

    #[test]
    fn what_every_engine_reads_once_respelled_is_respelled() {
        assert_eq!(ok(r"^(?P<a>x)(?<b>y)$"), r"^(x)(y)$");
        assert_eq!(ok(r"^\#\&\~\-$"), r"^\x23\x26\x7E\x2D$");
        assert_eq!(ok(r"^[\&\~]$"), r"^[\x26\x7E]$");
        assert_eq!(
            ok(r"^\x{41}\u{e9}\U0001F600\a$"),
            "^\\x41\\xE9\u{1F600}\\x07$"
        );
        assert_eq!(ok(r"^[]a]$"), r"^[\]a]$");
        assert_eq!(ok(r"^a]b}$"), r"^a\]b\}$");
    }

    #[test]
    fn what_engines_read_differently_is_refused_with_a_way_out() {
        for (p, says) in [
            (r"(?i)^abc$", "inline flags"),
            (r"^(?i:abc)$", "inline flags"),
            (r"(?x)^a b$", "inline flags"),
            (r"^\p{Lu}$", "Unicode classes"),
            (r"^\pL+$", "Unicode classes"),
            (r"^[\p{L}a]$", "Unicode classes"),
            (r"^[[:alpha:]]+$", "POSIX classes"),
            (r"^[a-z&&[^aeiou]]$", "nested classes"),
            (r"^[a[b]]$", "nested classes"),
            (r"\Aabc\z", r"`\A` and `\z`"),
            (r"^a\b", "word boundaries"),
            (r"^a\B", "word boundaries"),
            (r"^\<a\>$", "word boundaries"),
            (r"^[\Da]$", "negated class"),
            (r"^a{,3}$", "repetition"),
            (r"^(a$", "unclosed group"),
            (r"^[z-a]$", "invalid"),
        ] {
            let e = portable(p).expect_err(p);
            assert!(e.reason.contains(says), "{p}: {} (wanted {says})", e.reason);
            assert!(!e.hint.is_empty());
        }
    }

    #[test]
    fn a_respelled_pattern_is_portable_as_it_stands() {
        for p in [r"^\d+\w?[\s\d]$", r"^(?P<a>\#)$", r"^\x{1F600}\a]$"] {
            let once = ok(p);
            assert_eq!(ok(&once), once);
        }
    }
}
