//! `archgen generate`.

use crate::check::load;
use crate::cmd::CheckFormat;
use crate::exit::Exit;
use render::write::{write_tree, WriteOptions};
use render::{Engine, Options, RenderError};
use std::path::PathBuf;

/// What the user asked `generate` for.
pub struct Args {
    pub spec: PathBuf,
    pub stack: Option<String>,
    pub out: Option<PathBuf>,
    pub dry_run: bool,
    pub force: bool,
    /// Only the stack-independent documents (`archgen docs`).
    pub docs_only: bool,
    /// Run the quality gate in a staging directory first; write only when
    /// it passes.
    pub verify: bool,
    /// Where to write the gate's report (with `verify`).
    pub report: Option<PathBuf>,
    /// The database server for the gate (with `verify`).
    pub database_url: Option<String>,
    /// Keep the gate's database (with `verify`).
    pub keep_db: bool,
    /// The gate reuses nothing of an earlier run (with `verify`).
    pub fresh: bool,
    /// Migrate destructive schema steps (drop a column, narrow a type, …)
    /// instead of refusing them.
    pub allow_destructive: bool,
}

pub fn run(engine: &Engine, args: &Args) -> Exit {
    let checked = match load(engine, &args.spec, CheckFormat::Text) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let spec = &checked.spec;
    let mut options = Options::new().with_archgen_version(env!("CARGO_PKG_VERSION"));
    if let Some(stack) = &args.stack {
        options = options.with_stack(stack.clone());
    }
    if args.docs_only {
        options = options.with_backend(false);
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&spec.product.name));
    // What the last generation into the directory left: the schema the
    // database is at and the migrations that built it.
    let history = match render::write::read_history(&out_dir) {
        Ok(history) => history,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    options = options
        .with_history(history)
        .with_allow_destructive(args.allow_destructive);
    let generated = match render::generate(spec, engine, &options) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_for(&e);
        }
    };
    let stack = engine.stack_id_for(spec, &options);
    for id in generated
        .unserved_integrations
        .iter()
        .filter(|_| !args.docs_only)
    {
        eprintln!(
            "warning: the `{id}` integration is not generated: archgen has no `{id}` templates for the `{stack}` stack yet"
        );
    }

    if let Some(evolution) = &generated.evolution {
        for step in &evolution.steps {
            eprintln!("schema: {} [{}]", step.summary, step.safety.as_str());
        }
        if let Some(revision) = &evolution.revision {
            eprintln!(
                "schema: migration revision {} in {}",
                revision.id, revision.path
            );
        } else if !evolution.steps.is_empty() {
            eprintln!(
                "schema: `{}` keeps no migration revisions: the initial migration was written again, so every database made from the last one must be made again",
                evolution.snapshot.stack
            );
        }
    }
    if args.verify && !args.docs_only {
        let mut generated_spec = spec.clone();
        generated_spec.stack = stack.to_string();
        if let Err(code) = verify_staged(engine, args, &generated, &generated_spec, &options) {
            if code == Exit::Invalid {
                eprintln!(
                    "the quality gate failed: nothing was written to {}",
                    out_dir.display()
                );
            }
            return code;
        }
    }
    // The spec as generated (the stack chosen on the command line
    // included) is kept beside the manifest, so `archgen verify` can
    // rebuild the blueprint.
    let mut write_options = WriteOptions::for_render(&options)
        .with_dry_run(args.dry_run)
        .with_force(args.force)
        .with_spec(generated.spec_yaml.as_str());
    if let Some(evolution) = &generated.evolution {
        write_options = write_options.with_snapshot(&evolution.snapshot);
    }
    let report = match write_tree(
        &generated.tree,
        &out_dir,
        &generated.spec_hash,
        &write_options,
    ) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    print!("{report}");
    println!("{}", report.summary());
    if report.has_conflicts() {
        eprint!("{}", crate::conflicts::advice(&report));
        return Exit::Conflicts;
    }
    Exit::Ok
}

/// Renders into the stable staging directory of the spec, runs the gate
/// there, and says whether it passed (`Err(Exit::Invalid)` when not).
fn verify_staged(
    engine: &Engine,
    args: &Args,
    generated: &render::Generated,
    spec: &blueprint_core::spec::Spec,
    options: &Options,
) -> Result<(), Exit> {
    let staging = gate::staging_dir(&gate::cache_dir(), &generated.spec_hash, &spec.stack);
    // Held until the gate is done: a concurrent run of the same spec waits.
    let _held = gate::lock_staging(&staging, || {
        eprintln!(
            "gate: waiting for another archgen run staging {}",
            staging.display()
        );
    })
    .map_err(|e| {
        eprintln!("error: cannot lock {}: {e}", staging.display());
        Exit::Usage
    })?;
    eprintln!("gate: staging the project in {}", staging.display());
    let mut write_options = WriteOptions::for_render(options)
        .with_force(true)
        .with_spec(generated.spec_yaml.as_str());
    if let Some(evolution) = &generated.evolution {
        write_options = write_options.with_snapshot(&evolution.snapshot);
    }
    if let Err(e) = write_tree(
        &generated.tree,
        &staging,
        &generated.spec_hash,
        &write_options,
    ) {
        eprintln!("error: {e}");
        return Err(Exit::Usage);
    }
    let project = match gate::Project::from_spec(&staging, spec, engine) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(Exit::Usage);
        }
    };
    let report = crate::verify::gate(
        engine,
        &project,
        crate::verify::database_url(args.database_url.clone()),
        args.keep_db,
        args.fresh,
    )?;
    if let Some(path) = &args.report {
        crate::verify::write_report(path, &report)?;
    }
    crate::verify::print_summary(&report);
    if report.passed {
        Ok(())
    } else {
        Err(Exit::Invalid)
    }
}

/// The exit code for a failed generation: 1 when the spec asks for what
/// cannot be generated, 2 for the command line (an unknown stack) and
/// everything else.
pub(crate) fn exit_for(e: &RenderError) -> Exit {
    match e {
        RenderError::Stack(_)
        | RenderError::Vendor(_)
        | RenderError::Compliance(_)
        | RenderError::Destructive { .. }
        | RenderError::NoMigrations { .. }
        | RenderError::Diff(_) => Exit::Invalid,
        _ => Exit::Usage,
    }
}
