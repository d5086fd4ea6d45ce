//! A small XML writer: indented elements, attributes and text, with the
//! escaping XML 1.0 asks for. Characters XML 1.0 cannot carry at all (most
//! C0 controls) are dropped, so any spec text yields a well-formed file.

/// Builds an XML document as text, two spaces per level.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
    open: Vec<String>,
}

impl XmlWriter {
    /// A writer that starts with the XML declaration.
    pub fn new() -> XmlWriter {
        XmlWriter::with_capacity(0)
    }

    /// A writer that reserves room for about `bytes` of output up front, so
    /// a large document is not copied each time it outgrows its buffer.
    pub fn with_capacity(bytes: usize) -> XmlWriter {
        let mut out = String::with_capacity(bytes.max(64));
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        XmlWriter {
            out,
            open: Vec::new(),
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    /// Opens an element that will hold children.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.open.push(name.to_string());
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            self.indent();
            self.out.push_str("</");
            self.out.push_str(&name);
            self.out.push_str(">\n");
        }
    }

    /// An element with no children.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// An element holding only text.
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        push_escaped(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// The document, with every element still open closed.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

/// Whether XML 1.0 allows the character in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text content: `&`, `<`, `>`; drops characters XML cannot hold.
pub fn escape_text(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    push_escaped(&mut s, text, false);
    s
}

/// Escapes an attribute value: as text, plus quotes and the white space
/// that attribute normalization would otherwise turn into spaces.
pub fn escape_attr(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    push_escaped(&mut s, text, true);
    s
}

/// Appends `text` escaped for element content, or for an attribute value
/// when `attr`, to `out`.
fn push_escaped(out: &mut String, text: &str, attr: bool) {
    // Printable ASCII that needs no escape: the common case, copied whole.
    let plain =
        |b: u8| (0x20..0x7f).contains(&b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'');
    if text.bytes().all(plain) {
        out.push_str(text);
        return;
    }
    for c in text.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops() {
        assert_eq!(escape_text("a < b & c > d"), "a &lt; b &amp; c &gt; d");
        assert_eq!(
            escape_attr("say \"hi\"\n'x'"),
            "say &quot;hi&quot;&#10;&apos;x&apos;"
        );
        assert_eq!(escape_text("bell\u{7}here\u{FFFE}"), "bellhere");
    }

    #[test]
    fn nests_and_closes() {
        let mut w = XmlWriter::new();
        w.open("a", &[("id", "x&y")]);
        w.text("b", &[], "t");
        w.empty("c", &[]);
        let s = w.finish();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a id=\"x&amp;y\">\n  <b>t</b>\n  <c/>\n</a>\n"
        );
    }
}
