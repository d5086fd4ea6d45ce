//! A tiny render harness for the stack tests: renders planned files with
//! Handlebars in strict mode without HTML escaping, as the render engine
//! does, into memory or into a directory.

#![allow(dead_code)]

use std::path::Path;

use blueprint_core::graph::Blueprint;
use stacks::{Content, PlannedFile, Stack};

/// Loads an example or test spec and completes it with the compliance
/// stage, as the pipeline does.
pub fn blueprint(path: &Path) -> Blueprint {
    let checked = blueprint_core::spec::parse_file(path)
        .unwrap_or_else(|e| panic!("{} does not parse: {e:?}", path.display()));
    let mut bp = Blueprint::from_spec(&checked.spec);
    compliance::complete(&mut bp).expect("compliance completes");
    bp
}

/// The workspace root.
pub fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("workspace root")
}

/// Renders every planned file: `(path, text, executable)` in plan order.
pub fn render(stack: &dyn Stack, files: &[PlannedFile]) -> Vec<(String, String, bool)> {
    let mut hb = handlebars::Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    for t in stack.templates() {
        hb.register_template_string(&t.name, t.source.as_ref())
            .unwrap_or_else(|e| panic!("template {} does not parse: {e}", t.name));
    }
    files
        .iter()
        .map(|f| {
            let text = match &f.content {
                Content::Template { name, view } => hb
                    .render(name, &**view)
                    .unwrap_or_else(|e| panic!("{} ({name}) does not render: {e}", f.path)),
                Content::Derived { name, base, derive } => hb
                    .render(name, &derive.apply(base))
                    .unwrap_or_else(|e| panic!("{} ({name}) does not render: {e}", f.path)),
                Content::Text(t) => t.clone(),
                Content::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            };
            (f.path.clone(), text, f.executable)
        })
        .collect()
}

/// Writes rendered files under `dir`, leaving files whose content is
/// unchanged untouched (so tools that look at times skip work).
pub fn write(dir: &Path, rendered: &[(String, String, bool)]) {
    for (path, text, _) in rendered {
        let target = dir.join(path);
        if std::fs::read_to_string(&target).is_ok_and(|old| &old == text) {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        std::fs::write(&target, text).expect("write file");
    }
}
