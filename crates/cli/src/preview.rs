//! `archgen preview`: generate a spec into archgen's cache, run it with
//! demo data, print where it is, and follow the spec file's saves
//! (`docs/preview.md`).

use crate::check::load;
use crate::cmd::CheckFormat;
use crate::exit::Exit;
use gate::preview::{Preview, PreviewOptions, Reloaded};
use gate::{Progress, StageReport, StageStatus};
use render::write::{write_tree, Action, WriteOptions};
use render::{Engine, Options, RenderError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

/// What the user asked `preview` for.
pub struct Args {
    pub spec: PathBuf,
    pub stack: Option<String>,
    pub port: Option<u16>,
    pub database_url: Option<String>,
    pub seed: u64,
}

/// Why a generation for the preview failed (the previous one keeps
/// running).
#[derive(Debug, thiserror::Error)]
enum GenerateError {
    /// The render failed.
    #[error("generation failed: {0}")]
    Render(#[from] RenderError),
    /// The project directory could not be written.
    #[error("cannot write the project into {dir}: {source}")]
    Write {
        dir: PathBuf,
        #[source]
        source: RenderError,
    },
}

/// A generation written to the preview directory.
struct Written {
    /// The paths the write changed.
    changed: Vec<String>,
    /// Why the database must be reset (a destructive schema change).
    reset: Option<String>,
}

/// Progress lines on stderr, `preview:` first.
struct Lines;

impl Progress for Lines {
    fn stage_started(&self, name: &str) {
        eprintln!("preview: {name} …");
    }

    fn stage_finished(&self, stage: &StageReport) {
        let mark = match stage.status {
            StageStatus::Passed => "ok",
            StageStatus::Failed => "FAILED",
            StageStatus::Skipped => "skipped",
        };
        eprintln!(
            "preview: {mark} {} ({:.1} s)",
            stage.name,
            stage.duration_ms as f64 / 1000.0
        );
    }

    fn note(&self, message: &str) {
        eprintln!("preview: {message}");
    }
}

pub fn run(engine: &Engine, args: &Args) -> Exit {
    let cancel = crate::verify::cancel_flag();
    let started = Instant::now();
    let checked = match load(engine, &args.spec, CheckFormat::Text) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let mut options = Options::new().with_archgen_version(env!("CARGO_PKG_VERSION"));
    if let Some(stack) = &args.stack {
        options = options.with_stack(stack.clone());
    }
    let stack_id = engine.stack_id_for(&checked.spec, &options).to_string();
    let Some(stack) = engine.stack(&stack_id) else {
        eprintln!(
            "error: unknown stack `{stack_id}`; `archgen stacks` lists the ones this archgen generates"
        );
        return Exit::Usage;
    };
    let dir = preview_dir(&gate::cache_dir(), &args.spec, &stack_id);
    eprintln!("preview: generating into {}", dir.display());
    let mut spec = checked.spec;
    spec.stack = stack_id.clone();
    // A start has a fresh database: the project is generated as a first
    // generation (one initial migration; the revisions of an earlier
    // session are removed), keeping the installed `.venv`.
    match generate_into(engine, &spec, &options, &dir, true) {
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                GenerateError::Render(e) => crate::generate::exit_for(&e),
                GenerateError::Write { .. } => Exit::Usage,
            };
        }
    }
    let project = match gate::Project::from_spec(&dir, &spec, engine) {
        Ok(project) => project,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let preview_options = PreviewOptions {
        database_url: crate::verify::database_url(args.database_url.clone()),
        port: args.port,
        cache_dir: None,
        seed: args.seed,
        cancel: cancel.clone(),
    };
    let mut preview = match Preview::start(&project, stack, &preview_options, &Lines) {
        Ok(preview) => preview,
        Err(gate::GateError::Interrupted) => {
            eprintln!("preview: interrupted; everything it started was stopped");
            return Exit::Ok;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    print_banner(&preview, &spec, &args.spec, started.elapsed());
    watch(
        engine,
        &spec,
        &options,
        &dir,
        &args.spec,
        &mut preview,
        &cancel,
    );
    drop(preview);
    eprintln!("preview: stopped the app, the docs site, the database and the PostgreSQL cluster");
    Exit::Ok
}

/// archgen's preview directory for a spec file and stack: one per spec
/// path (saves of the same file regenerate into it, so its migrations and
/// its `.venv` are kept), under the cache.
fn preview_dir(cache: &Path, spec: &Path, stack: &str) -> PathBuf {
    let absolute = std::fs::canonicalize(spec).unwrap_or_else(|_| spec.to_path_buf());
    let hash = absolute
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    cache.join("preview").join(format!("{hash:016x}-{stack}"))
}

/// Generates the spec into the preview directory: `fresh`, as a first
/// generation; else as a regeneration of what is there (a new migration
/// revision for the schema's change). A destructive change is generated
/// anyway, with the reason to reset the database.
fn generate_into(
    engine: &Engine,
    spec: &blueprint_core::spec::Spec,
    options: &Options,
    dir: &Path,
    fresh: bool,
) -> Result<Written, GenerateError> {
    let history = if fresh {
        None
    } else {
        render::write::read_history(dir)?
    };
    let options = options.clone().with_history(history);
    // A change the database cannot follow with its rows: the database is
    // made again.
    let refused = match render::generate(spec, engine, &options) {
        Ok(generated) => Ok(generated),
        Err(RenderError::Destructive { steps }) => {
            Err(format!("the change is destructive ({})", steps.join("; ")))
        }
        Err(RenderError::NoMigrations { stack, steps }) => Err(format!(
            "`{stack}` keeps no migration revisions, and the schema changed ({})",
            steps.join("; ")
        )),
        Err(e) => return Err(e.into()),
    };
    let (generated, reset) = match refused {
        Ok(generated) => (generated, None),
        Err(reason) => {
            eprintln!(
                "preview: {reason}: the database will be reset, and the demo rows made again"
            );
            let options = options.clone().with_allow_destructive(true);
            (render::generate(spec, engine, &options)?, Some(reason))
        }
    };
    for step in generated.evolution.iter().flat_map(|e| &e.steps) {
        eprintln!(
            "preview: schema: {} [{}]",
            step.summary,
            step.safety.as_str()
        );
    }
    let mut write_options = WriteOptions::for_render(&options)
        .with_force(true)
        .with_spec(generated.spec_yaml.as_str());
    if let Some(evolution) = &generated.evolution {
        write_options = write_options.with_snapshot(&evolution.snapshot);
    }
    let report = write_tree(&generated.tree, dir, &generated.spec_hash, &write_options).map_err(
        |source| GenerateError::Write {
            dir: dir.to_path_buf(),
            source,
        },
    )?;
    let changed = report
        .files
        .iter()
        .filter(|f| f.action != Action::Unchanged)
        .map(|f| f.path.clone())
        .collect();
    Ok(Written { changed, reset })
}

fn print_banner(preview: &Preview, spec: &blueprint_core::spec::Spec, path: &Path, took: Duration) {
    let api = preview.api_url();
    let site = preview.site_url();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "archgen preview: {} ({}) ready in {:.1} s",
        spec.product.name,
        spec.stack,
        took.as_secs_f64()
    );
    if let Some(admin) = preview.admin_url() {
        let _ = writeln!(out, "  Admin app      {admin}");
    }
    let _ = writeln!(out, "  API            {api}");
    let _ = writeln!(out, "  OpenAPI        {api}/openapi.json");
    let _ = writeln!(out, "  Swagger UI     {site}/docs");
    let _ = writeln!(out, "  Architecture   {site}/");
    if let Some(url) = preview.database_url() {
        let _ = writeln!(out, "  Database       {url}");
    }
    let _ = writeln!(out, "  Demo rows      {}", preview.seeded().total());
    let _ = writeln!(out, "  Accounts (role, email, password):");
    for account in preview.accounts() {
        let _ = writeln!(
            out,
            "    account {} {} {}",
            account.role, account.email, account.password
        );
    }
    let _ = writeln!(
        out,
        "Watching {} for changes; Ctrl-C stops everything.",
        path.display()
    );
    let _ = out.flush();
}

/// The spec file's modification time and length.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Polls the spec file until Ctrl-C: each save (a new modification time or
/// length, then new contents) is checked, generated and taken by the
/// running preview.
fn watch(
    engine: &Engine,
    first: &blueprint_core::spec::Spec,
    options: &Options,
    dir: &Path,
    path: &Path,
    preview: &mut Preview,
    cancel: &std::sync::atomic::AtomicBool,
) {
    let mut last_stamp = stamp(path);
    let mut last_text = std::fs::read_to_string(path).unwrap_or_default();
    let mut stack = first.stack.clone();
    let mut crashed = false;
    while !cancel.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(250));
        if !crashed && preview.app_exited() {
            crashed = true;
            eprintln!(
                "preview: the app stopped on its own; its log is {}; save the spec to start it again",
                preview.server_log().display()
            );
        }
        let now = stamp(path);
        if now == last_stamp {
            continue;
        }
        last_stamp = now;
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!(
                "preview: cannot read {}; keeping the running version",
                path.display()
            );
            continue;
        };
        if text == last_text && !crashed {
            continue;
        }
        last_text = text;
        let began = Instant::now();
        eprintln!("preview: {} changed", path.display());
        let Ok(checked) = load(engine, path, CheckFormat::Text) else {
            eprintln!("preview: the spec has errors; keeping the running version");
            continue;
        };
        let mut spec = checked.spec;
        if options.stack().is_none() && spec.stack != stack {
            eprintln!(
                "preview: the spec now names the stack `{}`; restart archgen preview to switch (keeping `{stack}`)",
                spec.stack
            );
        }
        spec.stack.clone_from(&stack);
        let written = match generate_into(engine, &spec, options, dir, false) {
            Ok(written) => written,
            Err(e) => {
                eprintln!("preview: {e}; keeping the running version");
                continue;
            }
        };
        let project = match gate::Project::from_spec(dir, &spec, engine) {
            Ok(project) => project,
            Err(e) => {
                eprintln!("preview: {e}; keeping the running version");
                continue;
            }
        };
        match preview.reload(&project, &written.changed, written.reset, &Lines) {
            Ok(done) => {
                crashed = false;
                report_reload(&done, began.elapsed(), written.changed.len(), preview);
            }
            Err(gate::GateError::Interrupted) => break,
            Err(e) => eprintln!("preview: {e}\npreview: fix the spec and save it again"),
        }
        stack = spec.stack;
    }
}

fn report_reload(done: &Reloaded, took: Duration, changed: usize, preview: &Preview) {
    let mut what = Vec::new();
    if done.installed {
        what.push("dependencies installed".to_string());
    }
    if let Some(reason) = &done.reset {
        what.push(format!("database reset ({reason})"));
    }
    if let Some(seeded) = &done.seeded {
        what.push(format!("{} demo rows made again", seeded.total()));
    }
    if done.admin_rebuilt {
        what.push("admin app rebuilt".to_string());
    }
    if done.restarted {
        what.push("migrated and restarted".to_string());
    } else {
        what.push("documents only: nothing restarted".to_string());
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "reloaded in {:.1} s: {changed} files changed, {}; API {}",
        took.as_secs_f64(),
        what.join(", "),
        preview.api_url()
    );
    if done.reset.is_some() {
        for account in preview.accounts() {
            let _ = writeln!(
                out,
                "    account {} {} {}",
                account.role, account.email, account.password
            );
        }
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_directory_per_spec_path_and_stack() {
        let cache = Path::new("/c");
        let a = preview_dir(cache, Path::new("/nowhere/a.yaml"), "python-fastapi");
        let b = preview_dir(cache, Path::new("/nowhere/b.yaml"), "python-fastapi");
        assert_ne!(a, b);
        assert_eq!(
            a,
            preview_dir(cache, Path::new("/nowhere/a.yaml"), "python-fastapi")
        );
        assert!(a.starts_with("/c/preview"));
        assert!(a.to_string_lossy().ends_with("-python-fastapi"));
    }
}
