//! `archgen generate`.

use crate::check::load;
use crate::cmd::CheckFormat;
use crate::exit::Exit;
use render::write::{write_tree, WriteOptions, NEW_SUFFIX};
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
}

pub fn run(args: &Args) -> Exit {
    let checked = match load(&args.spec, CheckFormat::Text) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let spec = &checked.spec;
    let engine = Engine::with_builtins();
    let mut options = Options::new().with_archgen_version(env!("CARGO_PKG_VERSION"));
    if let Some(stack) = &args.stack {
        options = options.with_stack(stack.clone());
    }
    if args.docs_only {
        options = options.with_backend(false);
    }
    let generated = match render::generate(spec, &engine, &options) {
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

    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&spec.product.name));
    let write_options = WriteOptions::for_render(&options)
        .with_dry_run(args.dry_run)
        .with_force(args.force);
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
        let n = report.count(render::write::Action::Conflict);
        let (files, verb) = if n == 1 {
            ("file", "was")
        } else {
            ("files", "were")
        };
        let left = if args.dry_run {
            "would be left"
        } else {
            "left"
        };
        eprintln!(
            "{n} {files} you edited {verb} kept and archgen's new version {left} beside it as `<file>{NEW_SUFFIX}`: merge them, or rerun with --force to overwrite your edits"
        );
        return Exit::Invalid;
    }
    Exit::Ok
}

/// The exit code for a failed generation: 1 when the spec asks for what
/// cannot be generated, 2 for the command line (an unknown stack) and
/// everything else.
fn exit_for(e: &RenderError) -> Exit {
    match e {
        RenderError::Stack(_) | RenderError::Vendor(_) | RenderError::Compliance(_) => {
            Exit::Invalid
        }
        _ => Exit::Usage,
    }
}
