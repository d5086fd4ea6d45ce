//! The command line: arguments and dispatch.

use crate::exit::Exit;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// archgen: plan a product as an architecture, infer its compliance
/// controls, and generate a backend that is proven to run.
#[derive(Debug, Parser)]
#[command(name = "archgen", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Diagnostics drawn with the source line and a caret.
    Text,
    /// A JSON array of diagnostics.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a spec and report every problem in it.
    #[command(
        after_help = "Example:\n  archgen check examples/specs/clinic.yaml\n  archgen check spec.toml --format json"
    )]
    Check {
        /// The spec file (.yaml, .yml, .toml or .json).
        spec: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Generate the backend and documents of a spec into a directory.
    ///
    /// Regenerating keeps your edits: a file you changed is left alone and
    /// archgen's new version is written beside it as `<file>.archgen-new`
    /// (a conflict, exit code 1) unless --force is given.
    #[command(
        after_help = "Example:\n  archgen generate examples/specs/clinic.yaml --out clinic\n  archgen generate spec.yaml --dry-run"
    )]
    Generate {
        /// The spec file (.yaml, .yml, .toml or .json).
        spec: PathBuf,
        /// The stack to generate instead of the spec's `stack`.
        #[arg(long, value_name = "ID")]
        stack: Option<String>,
        /// The output directory [default: ./<product name>].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Show what would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite files you edited (conflicts) with archgen's version.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check { spec, format } => crate::check::run(&spec, format),
        Command::Generate {
            spec,
            stack,
            out,
            dry_run,
            force,
        } => crate::generate::run(&crate::generate::Args {
            spec,
            stack,
            out,
            dry_run,
            force,
        }),
    }
}
