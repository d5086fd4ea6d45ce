//! The preview's documents site: a tiny HTTP server on loopback, in a
//! thread of the archgen process, over the project's `docs/` folder.
//!
//! - `/`: the ArchiMate views of `docs/archimate/model.xml`, each drawn as
//!   SVG from the layout the exchange file carries (nodes at their `x`,
//!   `y`, `w`, `h`, connections between them), the Mermaid diagrams of
//!   `docs/ARCHITECTURE.md`, and a list of every document;
//! - `/docs`: Swagger UI (its script from a CDN) over the app's
//!   `/openapi.json`, sending the session cookie and the CSRF header;
//! - `/files/<path>`: a file under `docs/`.
//!
//! Pages are made on each request from the files on disk, so a
//! regeneration shows at the next reload of the page.

use crate::GateError;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The running site; dropping it stops the server thread.
#[derive(Debug)]
pub struct Site {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Site {
    /// Serves `docs` on a free loopback port; `api_port` is the app's.
    ///
    /// ```no_run
    /// let site = gate::preview::site::Site::start(std::path::Path::new("tasks/docs"), 8000).unwrap();
    /// println!("{}", site.url());
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::Io`] when no loopback port can be bound.
    pub fn start(docs: &Path, api_port: u16) -> Result<Site, GateError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| GateError::io("cannot serve the documents on", "127.0.0.1", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| GateError::io("cannot serve the documents on", "127.0.0.1", e))?
            .port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let docs = docs.to_path_buf();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = handle(stream, &docs, api_port);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        });
        Ok(Site {
            port,
            stop,
            thread: Some(thread),
        })
    }

    /// The site's URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn handle(stream: TcpStream, docs: &Path, api_port: u16) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or("/");
    let (status, kind, body) = respond(path, docs, api_port);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// The answer to a path: status line, content type, body.
fn respond(path: &str, docs: &Path, api_port: u16) -> (&'static str, &'static str, Vec<u8>) {
    const HTML: &str = "text/html; charset=utf-8";
    match path {
        "/" | "/index.html" => ("200 OK", HTML, index(docs, api_port).into_bytes()),
        "/docs" | "/docs/" => ("200 OK", HTML, swagger(api_port).into_bytes()),
        _ => match path
            .strip_prefix("/files/")
            .and_then(|p| safe_join(docs, p))
        {
            Some(file) if file.is_file() => match std::fs::read(&file) {
                Ok(bytes) => ("200 OK", content_type(&file), bytes),
                Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec()),
            },
            _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
        },
    }
}

/// `docs` joined with a relative URL path, refusing anything that leaves it.
fn safe_join(docs: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| docs.join(rel))
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "xml" => "application/xml",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "html" => "text/html; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn index(docs: &Path, api_port: u16) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>archgen preview: architecture</title>\
         <style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1400px}svg{border:1px solid #ccc;max-width:100%;height:auto}\
         pre{background:#f6f6f6;padding:1rem;overflow:auto}</style></head><body>",
    );
    html.push_str(&format!(
        "<h1>Architecture</h1><p>API: <a href=\"http://127.0.0.1:{api_port}/openapi.json\">http://127.0.0.1:{api_port}</a> · \
         <a href=\"/docs\">Swagger UI</a> · <a href=\"/files/archimate/model.xml\">ArchiMate exchange file</a> (opens in Archi)</p>"
    ));
    let model =
        std::fs::read_to_string(docs.join("archimate").join("model.xml")).unwrap_or_default();
    let views = views(&model);
    if !views.is_empty() {
        html.push_str("<h2>ArchiMate views</h2><ul>");
        for (i, view) in views.iter().enumerate() {
            html.push_str(&format!(
                "<li><a href=\"#view-{i}\">{}</a></li>",
                escape(&view.name)
            ));
        }
        html.push_str("</ul>");
        for (i, view) in views.iter().enumerate() {
            html.push_str(&format!(
                "<h3 id=\"view-{i}\">{}</h3>{}",
                escape(&view.name),
                view.svg
            ));
        }
    }
    let architecture = std::fs::read_to_string(docs.join("ARCHITECTURE.md")).unwrap_or_default();
    let diagrams = mermaid_blocks(&architecture);
    if !diagrams.is_empty() {
        html.push_str("<h2>Diagrams (docs/ARCHITECTURE.md)</h2>");
        for diagram in &diagrams {
            html.push_str(&format!("<pre class=\"mermaid\">{}</pre>", escape(diagram)));
        }
        html.push_str(
            "<script type=\"module\">import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs';mermaid.initialize({startOnLoad:true});</script>",
        );
    }
    html.push_str("<h2>Documents</h2><ul>");
    for file in files(docs) {
        let rel = file
            .strip_prefix(docs)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        html.push_str(&format!(
            "<li><a href=\"/files/{0}\">{0}</a></li>",
            escape(&rel)
        ));
    }
    html.push_str("</ul></body></html>");
    html
}

fn swagger(api_port: u16) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>archgen preview: Swagger UI</title>\
         <link rel=\"stylesheet\" href=\"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css\"></head><body><div id=\"ui\"></div>\
         <script src=\"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js\"></script><script>\
         const api='http://127.0.0.1:{api_port}';\
         SwaggerUIBundle({{url:api+'/openapi.json',dom_id:'#ui',\
         requestInterceptor:(r)=>{{r.credentials='include';const m=document.cookie.match(/(?:^|; )csrf_token=([^;]*)/);if(m)r.headers['X-CSRF-Token']=decodeURIComponent(m[1]);\
         if(r.url.startsWith('/'))r.url=api+r.url;return r;}}}});</script></body></html>"
    )
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&d) {
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// The bodies of the ```` ```mermaid ```` blocks of a Markdown text.
fn mermaid_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start().starts_with("```mermaid") => current = Some(String::new()),
            Some(block) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// A view of the exchange file, drawn.
struct View {
    name: String,
    svg: String,
}

/// The views of an ArchiMate exchange file, each as SVG from its layout.
fn views(xml: &str) -> Vec<View> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].to_string())
    };
    let text_of = |s: &str, open: &str, close: &str| -> Option<String> {
        let start = s.find(open)?;
        let rest = &s[start..];
        let gt = rest.find('>')? + 1;
        let end = rest.find(close)?;
        (gt <= end).then(|| unescape(&rest[gt..end]))
    };
    // Element names by identifier.
    let mut names = std::collections::HashMap::new();
    for chunk in xml.split("<element ").skip(1) {
        if let (Some(id), Some(name)) = (
            attr(&format!(" {chunk}"), "identifier"),
            text_of(chunk, "<name", "</name>"),
        ) {
            names.insert(id, name);
        }
    }
    let mut out = Vec::new();
    for chunk in xml.split("<view ").skip(1) {
        let body = chunk.split("</view>").next().unwrap_or("");
        let name = text_of(body, "<name", "</name>").unwrap_or_else(|| "view".into());
        let mut boxes: Vec<(String, i64, i64, i64, i64, String, bool)> = Vec::new();
        for node in body.split("<node ").skip(1) {
            let tag = format!(" {}", node.split('>').next().unwrap_or(""));
            let num = |k: &str| {
                attr(&tag, k)
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0)
            };
            let id = attr(&tag, "identifier").unwrap_or_default();
            let label = attr(&tag, "elementRef")
                .and_then(|r| names.get(&r).cloned())
                .or_else(|| text_of(node, "<label", "</label>"))
                .unwrap_or_default();
            let is_label = attr(&tag, "xsi:type").as_deref() == Some("Label");
            boxes.push((id, num("x"), num("y"), num("w"), num("h"), label, is_label));
        }
        let width = boxes.iter().map(|b| b.1 + b.3).max().unwrap_or(0) + 24;
        let height = boxes.iter().map(|b| b.2 + b.4).max().unwrap_or(0) + 24;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" font-family=\"sans-serif\" font-size=\"11\">"
        );
        for conn in body.split("<connection ").skip(1) {
            let tag = format!(" {}", conn.split('>').next().unwrap_or(""));
            let centre = |k: &str| {
                let id = attr(&tag, k)?;
                boxes
                    .iter()
                    .find(|b| b.0 == id)
                    .map(|b| (b.1 + b.3 / 2, b.2 + b.4 / 2))
            };
            if let (Some((x1, y1)), Some((x2, y2))) = (centre("source"), centre("target")) {
                svg.push_str(&format!(
                    "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#888\"/>"
                ));
            }
        }
        for (_, x, y, w, h, label, is_label) in &boxes {
            if !*is_label {
                svg.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"#fffbe6\" stroke=\"#555\"/>"
                ));
            }
            // Cut to the box's width; the whole name shows on hover.
            let shown: String = label.chars().take((*w as usize / 6).max(4)).collect();
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\"><title>{}</title>{}</text>",
                x + 4,
                y + 14,
                escape(label),
                escape(&shown)
            ));
        }
        svg.push_str("</svg>");
        out.push(View { name, svg });
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_docs_folder() {
        let docs = Path::new("/p/docs");
        assert_eq!(
            safe_join(docs, "adr/README.md"),
            Some(docs.join("adr/README.md"))
        );
        assert_eq!(safe_join(docs, "../Makefile"), None);
        assert_eq!(safe_join(docs, "/etc/passwd"), None);
    }

    #[test]
    fn views_are_drawn_from_their_layout() {
        let xml = r#"<model><elements><element identifier="a" xsi:type="BusinessRole"><name xml:lang="en">member &amp; co</name></element></elements>
<views><diagrams><view identifier="v" xsi:type="Diagram"><name xml:lang="en">Overview</name>
<node identifier="n1" elementRef="a" xsi:type="Element" x="10" y="20" w="120" h="55"></node>
<node identifier="n2" xsi:type="Label" x="200" y="20" w="120" h="55"><label xml:lang="en">Roles</label></node>
<connection identifier="c" source="n1" target="n2"/></view></diagrams></views></model>"#;
        let views = views(xml);
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].name, "Overview");
        assert!(views[0].svg.contains("<title>member &amp; co</title>"));
        assert!(views[0].svg.contains("Roles"));
        assert!(views[0]
            .svg
            .contains("<line x1=\"70\" y1=\"47\" x2=\"260\" y2=\"47\""));
    }

    #[test]
    fn mermaid_blocks_are_found() {
        let md = "# A\n```mermaid\nflowchart LR\n  a-->b\n```\ntext\n```rust\nx\n```\n";
        assert_eq!(mermaid_blocks(md), ["flowchart LR\n  a-->b\n"]);
    }
}
