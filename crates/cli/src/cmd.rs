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
}

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check { spec, format } => crate::check::run(&spec, format),
    }
}
