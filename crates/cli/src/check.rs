//! `archgen check`.

use crate::cmd::CheckFormat;
use crate::exit::Exit;
use blueprint_core::diag::{render_json, render_text, summary, Diagnostic, Severity};

/// `2 warnings`, or `1 warning, 3 notes` when `check` noted something.
fn warnings(diags: &[Diagnostic]) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let notes = diags
        .iter()
        .filter(|d| d.severity == Severity::Note)
        .count();
    let warnings = plural(diags.len() - notes, "warning");
    if notes == 0 {
        warnings
    } else {
        format!("{warnings}, {}", plural(notes, "note"))
    }
}
use blueprint_core::spec::{Checked, LoadError};
use render::Engine;
use std::path::Path;

/// Loads a spec, checked against what the engine registers, printing its
/// diagnostics; `Err` carries the exit code.
pub fn load(engine: &Engine, path: &Path, format: CheckFormat) -> Result<Checked, Exit> {
    match engine.parse_file(path) {
        Ok(checked) => {
            if !checked.warnings.is_empty() {
                print_diagnostics(&checked.warnings, Some(&checked.source), format, true);
            }
            Ok(checked)
        }
        Err(LoadError::Invalid(errors)) => {
            print_diagnostics(&errors.diagnostics, errors.input.as_ref(), format, false);
            if format == CheckFormat::Text {
                eprintln!(
                    "{}: invalid spec ({})",
                    errors.file,
                    summary(&errors.diagnostics)
                );
            }
            Err(Exit::Invalid)
        }
        Err(other) => {
            eprintln!("error: {other}");
            Err(Exit::Usage)
        }
    }
}

fn print_diagnostics(
    diags: &[Diagnostic],
    source: Option<&blueprint_core::source::Source>,
    format: CheckFormat,
    to_stderr_only: bool,
) {
    match format {
        CheckFormat::Text => eprint!("{}", render_text(diags, source)),
        CheckFormat::Json if !to_stderr_only => {
            println!(
                "{}",
                serde_json::to_string_pretty(&render_json(diags)).unwrap_or_default()
            )
        }
        CheckFormat::Json => {}
    }
}

pub fn run(engine: &Engine, path: &Path, format: CheckFormat) -> Exit {
    match load(engine, path, format) {
        Ok(checked) => {
            let spec = &checked.spec;
            match format {
                CheckFormat::Text => println!(
                    "{}: valid: product `{}`, {} entities, {} roles, {} integrations, {}",
                    path.display(),
                    spec.product.name,
                    spec.entities.len(),
                    spec.roles.len(),
                    spec.integrations.len(),
                    warnings(&checked.warnings),
                ),
                CheckFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&render_json(&checked.warnings))
                        .unwrap_or_default()
                ),
            }
            Exit::Ok
        }
        Err(code) => code,
    }
}
