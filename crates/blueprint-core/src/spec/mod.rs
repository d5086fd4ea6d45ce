//! The product spec: types, parsing and checking.
//!
//! [`parse_file`] reads a spec file (the extension picks YAML, TOML or JSON),
//! [`parse_str`] and [`parse_bytes`] read text already in memory. Each
//! reports every problem of the file at once, as [`Diagnostic`]s with file,
//! line, column and a hint; a spec that passes comes back as [`Checked`],
//! with any warnings. [`validate`] checks a spec built in code.
//!
//! Those check stack ids and integrations against archgen's own
//! ([`Known::builtin`]); the `*_with` variants ([`parse_file_with`],
//! [`parse_str_with`], [`parse_bytes_with`], [`validate_with`]) take a
//! [`Known`], so stacks and vendors an embedder registered are accepted too.

mod complete;
mod decode;
mod emit;
mod known;
mod model;
pub mod pattern;
mod payments;
mod validate;
mod vendors;

pub use crate::syntax::Format;
pub(crate) use complete::complete as complete_entities;
pub use complete::ownership_candidates;
pub use emit::to_yaml;
pub use known::{Known, BUILTIN_STACKS, BUILTIN_VENDOR_STACKS, BUILTIN_VENDOR_TABLES};
pub use model::*;
pub use payments::{
    Payment, PaymentCurrency, PaymentProblem, PaymentProblemKind, PaymentSets, DEFAULT_CURRENCY,
};
pub use vendors::{vendor, OptionKind, VendorInfo, VENDORS};

use crate::diag::{summary, Code, Diagnostic, Severity};
use crate::source::{Source, SourceMap, Span, MAX_SOURCE_BYTES};
use std::path::{Path, PathBuf};

/// A spec that passed every check.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The spec, with every default applied.
    pub spec: Spec,
    /// Warnings: the spec is usable, but something is probably not meant.
    pub warnings: Vec<Diagnostic>,
    /// The text the spec was read from.
    pub source: Source,
    /// Where each part of the spec was written.
    pub source_map: SourceMap,
}

/// A spec that failed its checks: every diagnostic found, errors first in
/// file order.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: the spec is not valid ({})", summary(.diagnostics))]
pub struct SpecErrors {
    /// The file's display name.
    pub file: String,
    /// Every problem found, errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The text, when it could be read, for rendering source lines.
    pub input: Option<Source>,
}

/// Why a spec file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The extension names no spec format.
    #[error("{}: archgen reads specs in .yaml, .yml, .toml or .json files", path.display())]
    UnsupportedFormat {
        /// The path as given.
        path: PathBuf,
    },
    /// The file was read, and the spec in it is not valid.
    #[error(transparent)]
    Invalid(#[from] SpecErrors),
}

/// Reads and checks a spec file; the extension picks the format.
///
/// ```
/// # let dir = std::env::temp_dir().join("archgen-doc-parse-file");
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("tasks.yaml");
/// # std::fs::write(&path, "spec_version: 1\nproduct: { name: tasks }\nentities: { Task: { fields: { title: string! } } }\n").unwrap();
/// let checked = blueprint_core::spec::parse_file(&path).expect("valid");
/// assert_eq!(checked.spec.product.name, "tasks");
/// ```
pub fn parse_file(path: &Path) -> Result<Checked, LoadError> {
    parse_file_with(path, known::builtin_ref())
}

/// Reads and checks a spec file, accepting the stacks and integrations in
/// `known`; see [`parse_file`].
///
/// ```
/// # let dir = std::env::temp_dir().join("archgen-doc-parse-file-with");
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("tasks.yaml");
/// # std::fs::write(&path, "spec_version: 1\nproduct: { name: tasks }\nstack: acme-catalog\nentities: { Task: { fields: { title: string! } } }\n").unwrap();
/// use blueprint_core::spec::{parse_file, parse_file_with, Known};
/// assert!(parse_file(&path).is_err());
/// let known = Known::builtin().with_stack("acme-catalog");
/// assert_eq!(parse_file_with(&path, &known).unwrap().spec.stack, "acme-catalog");
/// ```
///
/// # Errors
///
/// As [`parse_file`].
pub fn parse_file_with(path: &Path, known: &Known) -> Result<Checked, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::UnsupportedFormat {
        path: path.to_path_buf(),
    })?;
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > MAX_SOURCE_BYTES as u64 {
        return Err(too_large(&name, meta.len() as usize).into());
    }
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse_bytes_with(&name, &bytes, format, known)?)
}

fn too_large(name: &str, len: usize) -> SpecErrors {
    let mut d = Diagnostic::error(
        Code::FileTooLarge,
        format!(
            "the file is {} bytes; archgen reads specs of at most {MAX_SOURCE_BYTES} bytes",
            len
        ),
    )
    .with_hint(
        "a product spec is a few kilobytes; check that the path names the spec and not a data file",
    );
    d.file = name.to_string();
    SpecErrors {
        file: name.to_string(),
        diagnostics: vec![d],
        input: None,
    }
}

/// Checks a spec from raw bytes: refuses files that are too large or not
/// UTF-8 (pointing at the first bad byte), then parses them.
///
/// ```
/// use blueprint_core::spec::{parse_bytes, Format};
/// let err = parse_bytes("bad.yaml", b"spec_version: 1\n\xff\xfe", Format::Yaml).unwrap_err();
/// assert_eq!(err.diagnostics[0].code.as_str(), "E002");
/// assert_eq!(err.diagnostics[0].line, Some(2));
/// ```
pub fn parse_bytes(name: &str, bytes: &[u8], format: Format) -> Result<Checked, SpecErrors> {
    parse_bytes_with(name, bytes, format, known::builtin_ref())
}

/// Checks a spec from raw bytes, accepting the stacks and integrations in
/// `known`; see [`parse_bytes`].
///
/// ```
/// use blueprint_core::spec::{parse_bytes_with, Format, Known};
/// let text = b"spec_version: 1\nproduct: { name: t1 }\nentities: { Task: { fields: { title: string } } }\n";
/// let err = parse_bytes_with("t.yaml", text, Format::Yaml, &Known::empty()).unwrap_err();
/// assert_eq!(err.diagnostics[0].code.as_str(), "E631");
/// ```
///
/// # Errors
///
/// As [`parse_bytes`].
pub fn parse_bytes_with(
    name: &str,
    bytes: &[u8],
    format: Format,
    known: &Known,
) -> Result<Checked, SpecErrors> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(too_large(name, bytes.len()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str_with(name, text, format, known),
        Err(e) => {
            let good = e.valid_up_to();
            // Show what can be shown: the text up to the bad byte.
            let text = String::from_utf8_lossy(&bytes[..good]).into_owned();
            let source = Source::new(name, text);
            let d = Diagnostic::error(Code::InvalidUtf8, "the file is not UTF-8 text")
                .with_label("this byte is not UTF-8")
                .with_hint("save the spec as UTF-8; if this is not a spec (an image, an archive), check the path")
                .at(&source, Some(Span::new(good, good)));
            Err(SpecErrors {
                file: name.to_string(),
                diagnostics: vec![d],
                input: Some(source),
            })
        }
    }
}

/// Checks a spec from text in memory.
///
/// ```
/// use blueprint_core::spec::{parse_str, Format};
/// let err = parse_str("x.yaml", "spec_version: 1\nproduct: { name: x1 }\nentities:\n  Task:\n    relations:\n      project: { to: Projekt }\n", Format::Yaml)
///     .unwrap_err();
/// let d = &err.diagnostics[0];
/// assert_eq!(d.code.as_str(), "E400");
/// assert_eq!((d.line, d.column), (Some(6), Some(22)));
/// ```
pub fn parse_str(name: &str, text: &str, format: Format) -> Result<Checked, SpecErrors> {
    parse_str_with(name, text, format, known::builtin_ref())
}

/// Checks a spec from text in memory, accepting the stacks and
/// integrations in `known`; see [`parse_str`] and [`Known`].
///
/// ```
/// use blueprint_core::spec::{parse_str_with, Format, Known};
/// let text = "spec_version: 1\nproduct: { name: t1 }\nstack: pyhton-fastapi\nentities: { Task: { fields: { title: string } } }\n";
/// let err = parse_str_with("t.yaml", text, Format::Yaml, &Known::builtin()).unwrap_err();
/// assert_eq!(err.diagnostics[0].code.as_str(), "E631");
/// assert_eq!(err.diagnostics[0].hint.as_deref(), Some("did you mean `python-fastapi`?"));
/// ```
///
/// # Errors
///
/// As [`parse_str`].
pub fn parse_str_with(
    name: &str,
    text: &str,
    format: Format,
    known: &Known,
) -> Result<Checked, SpecErrors> {
    let source = Source::new(name, text);
    let fail = |diags: Vec<Diagnostic>, source: Source| {
        // A note says what `check` decided for a spec that passes; on a
        // failing spec only errors and warnings are shown.
        let mut diagnostics: Vec<Diagnostic> = diags
            .into_iter()
            .filter(|d| d.severity != Severity::Note)
            .map(|d| {
                let span = d.span;
                d.at(&source, span)
            })
            .collect();
        diagnostics.sort_by_key(|d| (d.span.map(|s| s.start).unwrap_or(usize::MAX), !d.is_error()));
        SpecErrors {
            file: name.to_string(),
            diagnostics,
            input: Some(source),
        }
    };
    let root = match crate::syntax::parse(text, format) {
        Ok(root) => root,
        Err(diags) => return Err(fail(diags, source)),
    };
    let decoded = decode::decode(&root);
    let mut diags = decoded.diagnostics;
    diags.extend(validate::validate(&decoded.spec, &decoded.map, known));
    if diags.iter().any(Diagnostic::is_error) {
        return Err(fail(diags, source));
    }
    let mut warnings: Vec<Diagnostic> = diags
        .into_iter()
        .map(|d| {
            let span = d.span;
            d.at(&source, span)
        })
        .collect();
    sort_warnings(&mut warnings);
    Ok(Checked {
        spec: decoded.spec,
        warnings,
        source,
        source_map: decoded.map,
    })
}

/// Orders the diagnostics of a spec that passes: warnings before notes,
/// each in file order (those without a place last).
///
/// ```
/// use blueprint_core::diag::{Code, Diagnostic, Severity};
/// let mut d = vec![
///     Diagnostic::note(Code::ImpliedOwnership, "implied"),
///     Diagnostic::warning(Code::AmbiguousOwnership, "ambiguous"),
/// ];
/// blueprint_core::spec::sort_warnings(&mut d);
/// assert_eq!(d[0].severity, Severity::Warning);
/// ```
pub fn sort_warnings(warnings: &mut [Diagnostic]) {
    warnings.sort_by_key(|d| {
        (
            d.severity == Severity::Note,
            d.span.map(|s| s.start).unwrap_or(usize::MAX),
        )
    });
}

/// Checks a spec built in code (no file, so no places): every rule the
/// parser applies to meaning, names and references.
///
/// ```
/// use blueprint_core::spec::{parse_str, validate, Format};
/// let mut spec = parse_str("t.yaml", "spec_version: 1\nproduct: { name: t1 }\nentities: { Task: { fields: { title: string } } }\n", Format::Yaml)
///     .unwrap()
///     .spec;
/// // Only a note (N510: `create` of a shared entity is now for admins).
/// assert!(validate(&spec).iter().all(|d| !d.is_error()));
/// spec.product.name = "Bad Name".into();
/// assert!(validate(&spec).iter().any(|d| d.code.as_str() == "E200"));
/// ```
pub fn validate(spec: &Spec) -> Vec<Diagnostic> {
    validate_with(spec, known::builtin_ref())
}

/// Checks a spec built in code, accepting the stacks and integrations in
/// `known`; see [`validate`].
///
/// ```
/// use blueprint_core::builder::SpecBuilder;
/// use blueprint_core::spec::{validate, validate_with, Known};
/// let mut spec = SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
/// spec.stack = "acme-catalog".into();
/// assert!(validate(&spec).iter().any(|d| d.code.as_str() == "E631"));
/// let known = Known::builtin().with_stack("acme-catalog");
/// assert!(validate_with(&spec, &known).iter().all(|d| !d.is_error()));
/// ```
pub fn validate_with(spec: &Spec, known: &Known) -> Vec<Diagnostic> {
    let mut diags = validate::validate(spec, &SourceMap::default(), known);
    for d in &mut diags {
        if d.file.is_empty() {
            d.file = "<spec built in code>".to_string();
        }
    }
    diags
}
