//! Long lines laid out as `ruff format` lays them out, so that the
//! generated project passes `ruff format --check` for any spec, whatever
//! the length of its names.
//!
//! The templates write each statement on one line, or already split the
//! way the formatter keeps it. A spec with long names makes some of those
//! lines longer than the project's line length ([`LINE_LENGTH`]); [`fit`]
//! splits exactly those lines, with the formatter's rules (the ones `black`
//! introduced and `ruff format` follows):
//!
//! - a line is split at its **last** bracket pair with something inside
//!   (a `def` or `class` line at its **first**); if the part before that
//!   bracket would still be too long, an earlier bracket of the same chain
//!   whose head fits is taken instead;
//! - the content goes on one indented line of its own when it fits there
//!   ("hugging"), unless it is a collection display (tuple, list, set,
//!   dict) holding a comma, or already ends with a comma (the "magic
//!   trailing comma"): those are exploded one item a line, each followed by
//!   a comma, as is content too long for one line;
//! - every line made is laid out again the same way;
//! - `from m import a as b` too long gets parentheses and one name a line.
//!
//! Lines inside triple-quoted strings and lines with a comment are left as
//! they are, as the formatter leaves them.

/// The project's line length (`[tool.ruff] line-length` in the generated
/// `pyproject.toml`).
pub const LINE_LENGTH: usize = 100;

/// How deep splits nest before [`fit`] gives up on a line (the formatter's
/// output for generated code never comes near it).
const MAX_DEPTH: usize = 8;

/// Lays out every line of a Python module longer than [`LINE_LENGTH`] as
/// `ruff format` would, and leaves every other line as it is.
///
/// ```
/// use stacks::python_fastapi::layout::fit;
///
/// let module = format!("app.include_router({}.router, prefix=API_PREFIX)\n", "a".repeat(60));
/// assert_eq!(
///     fit(&module),
///     format!("app.include_router(\n    {}.router, prefix=API_PREFIX\n)\n", "a".repeat(60))
/// );
/// assert_eq!(fit("x = f(a, b)\n"), "x = f(a, b)\n");
/// ```
pub fn fit(source: &str) -> String {
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut out = String::with_capacity(source.len() + source.len() / 16);
    let mut in_string: Option<&'static str> = None;
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        at += 1;
        let (text, newline) = match line.strip_suffix('\n') {
            Some(t) => (t, "\n"),
            None => (line, ""),
        };
        let starts_in_string = in_string.is_some();
        let scan = scan(text, in_string);
        in_string = scan.open_string;
        if starts_in_string
            || scan.open_string.is_some()
            || scan.comment
            || width(text) <= LINE_LENGTH
        {
            out.push_str(line);
            continue;
        }
        if let Some((wrapped, used)) = wrap_right_hand_side(text, &lines[at..]) {
            out.push_str(&fit(&wrapped));
            at += used;
            continue;
        }
        for piece in split_line(text, 0) {
            out.push_str(&piece);
            out.push('\n');
        }
        if newline.is_empty() {
            out.pop();
        }
    }
    out
}

/// `target = call(` too long, whose arguments follow one a line up to a
/// `)` at the statement's indentation: the formatter puts the call in
/// parentheses of its own, indented, rather than split the target:
///
/// ```text
/// name: Mapped[int | None] = (
///     mapped_column(
///         sa.Integer(),
///     )
/// )
/// ```
///
/// Gives the new text of the statement and how many of the `rest` lines
/// it took.
fn wrap_right_hand_side(text: &str, rest: &[&str]) -> Option<(String, usize)> {
    let indent = text.len() - text.trim_start().len();
    let pad = &text[..indent];
    let content = text[indent..].trim_end();
    let opener = content.chars().next_back()?;
    let closer = match opener {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        _ => return None,
    };
    let (target, call) = content.rsplit_once(" = ")?;
    let callee = &call[..call.len() - 1];
    if callee.is_empty()
        || !callee
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        || width(pad) + width(target) + " = (".len() > LINE_LENGTH
    {
        return None;
    }
    let end = rest.iter().position(|line| {
        let body = line.trim_end_matches('\n');
        body.len() - body.trim_start().len() == indent && body.trim_start().starts_with(closer)
    })?;
    let mut wrapped = format!("{pad}{target} = (\n{pad}    {call}\n");
    for line in &rest[..=end] {
        let body = line.trim_end_matches('\n');
        if body.trim().is_empty() {
            wrapped.push('\n');
        } else {
            wrapped.push_str(&format!("    {body}\n"));
        }
    }
    wrapped.push_str(&format!("{pad})"));
    if rest[end].ends_with('\n') {
        wrapped.push('\n');
    }
    Some((wrapped, end + 1))
}

/// The width of a line as the formatter counts it (characters; the
/// generated code is ASCII apart from text in strings).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// What scanning a line found.
struct Scan {
    /// The triple quote of a string still open at the end of the line.
    open_string: Option<&'static str>,
    /// Whether the line has a comment.
    comment: bool,
}

/// Follows strings and comments through a line, starting inside a
/// triple-quoted string when `open` says so.
fn scan(text: &str, open: Option<&'static str>) -> Scan {
    let bytes = text.as_bytes();
    let mut i = 0;
    if let Some(quote) = open {
        match find_close(text, 0, quote) {
            Some(end) => i = end,
            None => {
                return Scan {
                    open_string: open,
                    comment: false,
                }
            }
        }
    }
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                return Scan {
                    open_string: None,
                    comment: true,
                }
            }
            b'"' | b'\'' => {
                let quote = string_quote(text, i);
                match find_close(text, i + quote.len(), quote) {
                    Some(end) => i = end,
                    None if quote.len() == 3 => {
                        return Scan {
                            open_string: Some(quote),
                            comment: false,
                        }
                    }
                    // An unterminated single-quoted string: not Python the
                    // templates write; leave the line alone.
                    None => {
                        return Scan {
                            open_string: None,
                            comment: true,
                        }
                    }
                }
            }
            _ => i += 1,
        }
    }
    Scan {
        open_string: None,
        comment: false,
    }
}

/// The quote that opens a string at `at`: one of the four spellings.
fn string_quote(text: &str, at: usize) -> &'static str {
    let rest = &text[at..];
    if rest.starts_with("\"\"\"") {
        "\"\"\""
    } else if rest.starts_with("'''") {
        "'''"
    } else if rest.starts_with('"') {
        "\""
    } else {
        "'"
    }
}

/// The byte just past the quote that closes a string whose content starts
/// at `from`, honouring backslash escapes.
fn find_close(text: &str, from: usize, quote: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(quote.as_bytes()) {
            return Some(i + quote.len());
        }
        i += 1;
    }
    None
}

/// A bracket pair of a line: the byte offsets of the opening and the
/// closing bracket.
#[derive(Clone, Copy)]
struct Pair {
    open: usize,
    close: usize,
}

/// The bracket pairs of a line (outside strings) that are not inside
/// another pair of the line, in order.
fn top_pairs(text: &str) -> Vec<Pair> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut stack = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = string_quote(text, i);
                i = find_close(text, i + quote.len(), quote).unwrap_or(bytes.len());
                continue;
            }
            b'(' | b'[' | b'{' => stack.push(i),
            b')' | b']' | b'}' => {
                if let Some(open) = stack.pop() {
                    if stack.is_empty() {
                        pairs.push(Pair { open, close: i });
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    pairs
}

/// The items of a bracket's content: split at its top-level commas,
/// trimmed; the flag says whether the content ends with a comma.
fn items(body: &str) -> (Vec<String>, bool) {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = string_quote(body, i);
                i = find_close(body, i + quote.len(), quote).unwrap_or(bytes.len());
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(body[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let last = body[start..].trim();
    let magic = last.is_empty() && !out.is_empty();
    if !last.is_empty() {
        out.push(last.to_string());
    }
    (out, magic)
}

/// Whether the bracket at `open` follows a name or another bracket: a call
/// or a subscript, whose content may hug, rather than a display.
fn is_trailer(text: &str, open: usize) -> bool {
    text[..open]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ')' || c == ']')
}

/// Splits one line (without its newline) into the lines the formatter
/// makes of it.
fn split_line(text: &str, depth: usize) -> Vec<String> {
    if width(text) <= LINE_LENGTH || depth > MAX_DEPTH {
        return vec![text.to_string()];
    }
    let indent = text.len() - text.trim_start().len();
    let pad = &text[..indent];
    let content = &text[indent..];
    if let Some(lines) = split_import(pad, content) {
        return lines;
    }
    let pairs: Vec<Pair> = top_pairs(content)
        .into_iter()
        .filter(|p| !content[p.open + 1..p.close].trim().is_empty())
        .collect();
    let pair = if content.starts_with("def ")
        || content.starts_with("async def ")
        || content.starts_with("class ")
    {
        pairs.first().copied()
    } else {
        pairs
            .iter()
            .rev()
            .find(|p| width(pad) + width(&content[..=p.open]) <= LINE_LENGTH)
            .or(pairs.last())
            .copied()
    };
    let Some(pair) = pair else {
        return split_annotation(pad, content).unwrap_or_else(|| vec![text.to_string()]);
    };
    let head = &content[..=pair.open];
    let body = &content[pair.open + 1..pair.close];
    let tail = &content[pair.close..];
    let (items, magic) = items(body);
    let inner = format!("{pad}    ");
    let display_with_commas = !is_trailer(content, pair.open) && items.len() > 1;
    let mut lines = vec![format!("{pad}{head}")];
    let hugged = format!("{inner}{}", items.join(", "));
    if !magic && !display_with_commas && (width(&hugged) <= LINE_LENGTH || items.len() == 1) {
        lines.extend(split_line(&hugged, depth + 1));
    } else {
        for item in &items {
            lines.extend(split_line(&format!("{inner}{item},"), depth + 1));
        }
    }
    lines.push(format!("{pad}{tail}"));
    let mut out = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i == 0 {
            out.extend(split_line(&line, depth + 1));
        } else {
            out.push(line);
        }
    }
    out
}

/// `name: A | None = value` too long, with no bracket to split at: the
/// annotation goes in parentheses of its own when it has an operator to
/// split at (a bare name stays as it is, too long).
fn split_annotation(pad: &str, content: &str) -> Option<Vec<String>> {
    let (name, rest) = content.split_once(": ")?;
    let (annotation, value) = rest.split_once(" = ")?;
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') || !annotation.contains(" | ") {
        return None;
    }
    Some(vec![
        format!("{pad}{name}: ("),
        format!("{pad}    {annotation}"),
        format!("{pad}) = {value}"),
    ])
}

/// `from m import a as b, c` too long for the line: the names in
/// parentheses, one a line.
fn split_import(pad: &str, content: &str) -> Option<Vec<String>> {
    let rest = content.strip_prefix("from ")?;
    let (module, names) = rest.split_once(" import ")?;
    if names.starts_with('(') {
        return None;
    }
    let mut lines = vec![format!("{pad}from {module} import (")];
    for name in names.split(',') {
        lines.push(format!("{pad}    {},", name.trim()));
    }
    lines.push(format!("{pad})"));
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(n: usize) -> String {
        "a".repeat(n)
    }

    #[test]
    fn short_lines_are_kept() {
        let src = "def f(a, b):\n    return [a, b]\n";
        assert_eq!(fit(src), src);
    }

    #[test]
    fn a_call_hugs_its_arguments_when_they_fit() {
        let line = format!(
            "    app.include_router({}.router, prefix=API_PREFIX)\n",
            long(60)
        );
        assert_eq!(
            fit(&line),
            format!(
                "    app.include_router(\n        {}.router, prefix=API_PREFIX\n    )\n",
                long(60)
            )
        );
    }

    #[test]
    fn a_call_explodes_when_the_arguments_do_not_fit() {
        let line = format!(
            "        sa.Column(\"{}\", sa.DateTime(timezone=True), nullable=False),\n",
            long(70)
        );
        assert_eq!(
            fit(&line),
            format!(
                "        sa.Column(\n            \"{}\",\n            sa.DateTime(timezone=True),\n            nullable=False,\n        ),\n",
                long(70)
            )
        );
    }

    #[test]
    fn a_tuple_with_commas_explodes() {
        let line = format!("    \"Key\": (models.{}, {}),\n", long(45), long(45));
        assert_eq!(
            fit(&line),
            format!(
                "    \"Key\": (\n        models.{},\n        {},\n    ),\n",
                long(45),
                long(45)
            )
        );
    }

    #[test]
    fn a_subscript_in_an_annotation_splits_before_its_default() {
        let values: Vec<String> = (0..12).map(|i| format!("\"value{i}\"")).collect();
        let line = format!("    value: Literal[{}] = \"value0\"\n", values.join(", "));
        let mut want = "    value: Literal[\n".to_string();
        for v in &values {
            want.push_str(&format!("        {v},\n"));
        }
        want.push_str("    ] = \"value0\"\n");
        assert_eq!(fit(&line), want);
    }

    #[test]
    fn an_earlier_bracket_is_taken_when_the_head_would_be_too_long() {
        let line = format!("    x = f({})[b]\n", long(95));
        // The last bracket's head would be too long: split at the call.
        assert_eq!(
            fit(&line),
            format!("    x = f(\n        {}\n    )[b]\n", long(95))
        );
    }

    #[test]
    fn a_def_splits_at_its_parameters() {
        let line = format!("def f({}: int, b: int) -> list[int]:\n", long(80));
        assert_eq!(
            fit(&line),
            format!("def f(\n    {}: int, b: int\n) -> list[int]:\n", long(80))
        );
    }

    #[test]
    fn a_long_import_gets_parentheses() {
        let line = format!(
            "from pkg.services import {} as {}_service\n",
            long(40),
            long(40)
        );
        assert_eq!(
            fit(&line),
            format!(
                "from pkg.services import (\n    {} as {}_service,\n)\n",
                long(40),
                long(40)
            )
        );
    }

    #[test]
    fn strings_comments_and_docstrings_are_left_alone() {
        let docstring = format!("\"\"\"Doc\n{}(a, b)\n\"\"\"\n", long(120));
        assert_eq!(fit(&docstring), docstring);
        let comment = format!("f({}, b)  # why\n", long(120));
        assert_eq!(fit(&comment), comment);
        let in_string = format!("x = \"{}(a, b)\"\n", long(120));
        assert_eq!(fit(&in_string), in_string);
    }

    #[test]
    fn brackets_inside_strings_are_not_brackets() {
        let line = format!("    f(\"(\", {}, \")\")\n", long(95));
        assert_eq!(
            fit(&line),
            format!(
                "    f(\n        \"(\",\n        {},\n        \")\",\n    )\n",
                long(95)
            )
        );
    }

    #[test]
    fn a_magic_trailing_comma_explodes() {
        let line = format!("x = f({}, b,)\n", long(100));
        assert_eq!(
            fit(&line),
            format!("x = f(\n    {},\n    b,\n)\n", long(100))
        );
    }

    #[test]
    fn a_long_target_puts_the_call_in_parentheses() {
        let src = format!(
            "    {}: Mapped[int | None] = mapped_column(\n        sa.Integer(),\n        nullable=True,\n    )\n",
            long(70)
        );
        assert_eq!(
            fit(&src),
            format!(
                "    {}: Mapped[int | None] = (\n        mapped_column(\n            sa.Integer(),\n            nullable=True,\n        )\n    )\n",
                long(70)
            )
        );
    }

    #[test]
    fn a_long_union_annotation_gets_parentheses() {
        let line = format!("    {}: {} | None = None\n", long(50), long(50));
        assert_eq!(
            fit(&line),
            format!(
                "    {}: (\n        {} | None\n    ) = None\n",
                long(50),
                long(50)
            )
        );
        let bare = format!("    {}: {} = None\n", long(50), long(50));
        assert_eq!(fit(&bare), bare);
    }

    #[test]
    fn the_last_newline_is_kept_or_not() {
        let line = format!("f({}, b)", long(100));
        assert!(!fit(&line).ends_with('\n'));
    }
}
