//! `archgen diff`: what the next `generate` into a directory would change.
//! The JSON it prints is documented in docs/diff-json.md.

use crate::check::load;
use crate::cmd::{CheckFormat, PlanFormat};
use crate::exit::Exit;
use render::evolve::{api_breaks, ApiBreak};
use render::write::{write_tree, Action, WriteOptions, SPEC_PATH};
use render::{Engine, Options};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The version of the JSON `diff --format json` prints.
const DIFF_FORMAT: u32 = 1;

pub fn run(
    engine: &Engine,
    spec_path: &Path,
    out: Option<PathBuf>,
    stack: Option<String>,
    format: PlanFormat,
) -> Exit {
    let checked = match load(engine, spec_path, CheckFormat::Text) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let spec = &checked.spec;
    let out_dir = out.unwrap_or_else(|| PathBuf::from(&spec.product.name));
    let history = match render::write::read_history(&out_dir) {
        Ok(history) => history,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let first = history.is_none();
    let mut options = Options::new()
        .with_archgen_version(env!("CARGO_PKG_VERSION"))
        .with_history(history)
        // Every step is shown; the destructive ones are flagged.
        .with_allow_destructive(true);
    if let Some(stack) = stack {
        options = options.with_stack(stack);
    }
    let generated = match render::generate(spec, engine, &options) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return crate::generate::exit_for(&e);
        }
    };
    let report = match write_tree(
        &generated.tree,
        &out_dir,
        &generated.spec_hash,
        &WriteOptions::for_render(&options).with_dry_run(true),
    ) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    let mut conflicts = Vec::new();
    for f in &report.files {
        match f.action {
            Action::Create => added.push(f.path.clone()),
            Action::Update | Action::Overwrite => changed.push(f.path.clone()),
            Action::Conflict => conflicts.push(f.path.clone()),
            Action::Remove => removed.push(f.path.clone()),
            _ => {}
        }
    }
    let breaks = match previous_model(engine, &out_dir) {
        Ok(Some(old)) => {
            let new = model::AppModel::from_blueprint(&generated.blueprint);
            api_breaks(&old, &new, &model::schema::Hints::of(spec))
        }
        Ok(None) => Vec::new(),
        Err(code) => return code,
    };
    let steps = generated
        .evolution
        .as_ref()
        .map(|e| e.steps.as_slice())
        .unwrap_or_default();
    let revision = generated
        .evolution
        .as_ref()
        .and_then(|e| e.revision.clone());
    // Steps without a revision: the stack keeps none, so a database made
    // by the last generation must be made again.
    let new_database = !steps.is_empty() && revision.is_none();
    let destructive = new_database
        || steps
            .iter()
            .any(|s| s.safety == model::schema::Safety::Destructive);
    match format {
        PlanFormat::Json => {
            let value = json!({
                "format": DIFF_FORMAT,
                "out_dir": out_dir.display().to_string(),
                "first_generation": first,
                "schema": {
                    "revision": revision,
                    "needs_new_database": new_database,
                    "steps": steps.iter().map(step_json).collect::<Vec<_>>(),
                },
                "files": {
                    "added": added,
                    "changed": changed,
                    "removed": removed,
                    "conflicts": conflicts,
                },
                "breaking": breaks,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        PlanFormat::Text => print_text(
            &out_dir,
            first,
            steps,
            revision.as_ref(),
            [&added, &changed, &removed, &conflicts],
            &breaks,
        ),
    }
    if destructive || !breaks.is_empty() {
        Exit::Invalid
    } else {
        Exit::Ok
    }
}

fn step_json(step: &model::schema::Step) -> Value {
    let kind = serde_json::to_value(&step.change)
        .ok()
        .and_then(|v| v.get("kind").cloned())
        .unwrap_or(Value::Null);
    json!({
        "kind": kind,
        "summary": step.summary,
        "safety": step.safety,
        "destructive": step.safety == model::schema::Safety::Destructive,
        "data_moving": step.safety == model::schema::Safety::DataMoving,
        "reversible": step.reversible,
    })
}

fn print_text(
    out_dir: &Path,
    first: bool,
    steps: &[model::schema::Step],
    revision: Option<&render::evolve::RevisionRecord>,
    files: [&Vec<String>; 4],
    breaks: &[ApiBreak],
) {
    println!("archgen diff: {}", out_dir.display());
    if first {
        println!("schema: first generation (the initial migration creates it)");
    } else if steps.is_empty() {
        println!("schema: no change, no new migration");
    } else {
        match revision {
            Some(r) => println!(
                "schema: {} step(s), in migration {} ({})",
                steps.len(),
                r.id,
                r.path
            ),
            None => println!(
                "schema: {} step(s); the stack keeps no migration revisions, so every database made by the last generation must be made again [DESTRUCTIVE]",
                steps.len()
            ),
        }
        for s in steps {
            let mut flags = Vec::new();
            match s.safety {
                model::schema::Safety::Destructive => flags.push("DESTRUCTIVE"),
                model::schema::Safety::DataMoving => flags.push("data-moving"),
                model::schema::Safety::Safe => {}
            }
            if !s.reversible {
                flags.push("irreversible");
            }
            if flags.is_empty() {
                println!("  {}", s.summary);
            } else {
                println!("  {} [{}]", s.summary, flags.join(", "));
            }
        }
    }
    let [added, changed, removed, conflicts] = files;
    println!(
        "files: {} added, {} changed, {} removed, {} in conflict with your edits",
        added.len(),
        changed.len(),
        removed.len(),
        conflicts.len()
    );
    for (sign, list) in [
        ("+", added),
        ("~", changed),
        ("-", removed),
        ("!", conflicts),
    ] {
        for path in list {
            println!("  {sign} {path}");
        }
    }
    if breaks.is_empty() {
        println!("api: no change breaks clients");
    } else {
        println!("api: {} change(s) break clients", breaks.len());
        for b in breaks {
            println!("  BREAKING {}", b.summary);
        }
    }
}

/// The model of the spec the directory was last generated from, when
/// archgen kept it.
fn previous_model(engine: &Engine, out_dir: &Path) -> Result<Option<model::AppModel>, Exit> {
    let path = out_dir.join(SPEC_PATH);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return Err(Exit::Usage);
        }
    };
    let checked = match engine.parse_str(
        &path.display().to_string(),
        &text,
        blueprint_core::spec::Format::Yaml,
    ) {
        Ok(checked) => checked,
        Err(_) => {
            eprintln!(
                "warning: the spec archgen kept in `{}` no longer checks; API changes are not compared",
                path.display()
            );
            return Ok(None);
        }
    };
    match engine.complete(&checked.spec) {
        Ok((bp, _)) => Ok(Some(model::AppModel::from_blueprint(&bp))),
        Err(e) => {
            eprintln!("error: {e}");
            Err(Exit::Usage)
        }
    }
}
