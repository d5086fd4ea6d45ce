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

/// Output format of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A summary for people.
    Text,
    /// The plan JSON documented in docs/plan-json.md.
    Json,
}

/// Output format of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// Output format of `compliance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComplianceFormat {
    /// A summary for the terminal.
    Text,
    /// The JSON documented in docs/compliance-json.md.
    Json,
    /// The compliance matrix an auditor reads.
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a spec and report every problem in it.
    #[command(
        after_help = "Examples:\n  archgen check examples/specs/clinic.yaml\n  archgen check spec.toml --format json"
    )]
    Check {
        /// The spec file (.yaml, .yml, .toml or .json).
        spec: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Show the blueprint a spec lowers to, compliance controls included.
    #[command(
        after_help = "Examples:\n  archgen plan examples/specs/tasks.yaml\n  archgen plan examples/specs/tasks.yaml --format json > plan.json"
    )]
    Plan {
        /// The spec file.
        spec: PathBuf,
        /// How to print the plan.
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Draw the blueprint as a Graphviz or Mermaid diagram.
    #[command(
        after_help = "Examples:\n  archgen graph examples/specs/clinic.yaml --format dot | dot -Tsvg > clinic.svg\n  archgen graph examples/specs/clinic.yaml --format mermaid"
    )]
    Graph {
        /// The spec file.
        spec: PathBuf,
        /// The diagram language.
        #[arg(long, value_enum)]
        format: GraphFormat,
    },
    /// Show the frameworks, PII inventory and controls a spec calls for.
    #[command(
        after_help = "Examples:\n  archgen compliance examples/specs/clinic.yaml\n  archgen compliance examples/specs/clinic.yaml --format markdown > COMPLIANCE.md"
    )]
    Compliance {
        /// The spec file.
        spec: PathBuf,
        /// How to print the analysis.
        #[arg(long, value_enum, default_value_t = ComplianceFormat::Text)]
        format: ComplianceFormat,
    },
    /// Write the architecture documents of a spec (no stack needed): the
    /// ArchiMate model, ADRs, diagrams, OpenAPI, compliance matrix and
    /// traceability, under `docs/`.
    #[command(
        after_help = "Example:\n  archgen docs examples/specs/clinic.yaml --out clinic\n  xmllint --noout clinic/docs/archimate/model.xml"
    )]
    Docs {
        /// The spec file (.yaml, .yml, .toml or .json).
        spec: PathBuf,
        /// The output directory [default: ./PRODUCT, the product name].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Show what would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite files you edited (conflicts) with archgen's version.
        #[arg(long)]
        force: bool,
    },
    /// Generate the backend and documents of a spec into a directory.
    ///
    /// Regenerating keeps your edits: archgen's changes to a file you edited
    /// are merged into it line by line; where you both changed the same
    /// lines, the file gets conflict markers (`<<<<<<< yours` …
    /// `>>>>>>> archgen`) to resolve, and the run exits 3. --force
    /// overwrites your edits instead.
    #[command(
        after_help = "Example:\n  archgen generate examples/specs/clinic.yaml --out clinic\n  archgen generate spec.yaml --dry-run\n\nExit codes: 0 written, 1 invalid spec or failed gate, 2 usage or I/O error, 3 written with conflicts to resolve"
    )]
    Generate {
        /// The spec file (.yaml, .yml, .toml or .json).
        spec: PathBuf,
        /// The stack to generate instead of the spec's `stack`.
        #[arg(long, value_name = "ID")]
        stack: Option<String>,
        /// The output directory [default: ./PRODUCT, the product name].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Show what would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite files you edited (conflicts) with archgen's version.
        #[arg(long)]
        force: bool,
        /// Run the quality gate on the project in a staging directory
        /// first, and write to --out only when it passes.
        #[arg(long)]
        verify: bool,
        /// With --verify: write the gate's report (JSON) to this file.
        #[arg(long, value_name = "FILE", requires = "verify")]
        report: Option<PathBuf>,
        /// With --verify: a PostgreSQL server to create the throwaway
        /// database on [default: DATABASE_URL, else a cluster of the gate's own].
        #[arg(long, value_name = "URL", requires = "verify")]
        database_url: Option<String>,
        /// With --verify: keep the database on that server afterwards.
        #[arg(long, requires = "verify")]
        keep_db: bool,
        /// With --verify: reuse nothing of an earlier gate run (every npm
        /// install and every check runs again).
        #[arg(long, requires = "verify")]
        fresh: bool,
        /// Migrate destructive schema steps (drop a table or column, narrow
        /// a type, tighten a bound, remove an enum value, make a column
        /// required without a default) instead of refusing the generation.
        #[arg(long)]
        allow_destructive: bool,
    },
    /// Show what the next `generate` into a directory would change: the
    /// schema steps of its migration (destructive, data-moving and
    /// irreversible ones flagged), the files added, changed and removed,
    /// and the API changes that break clients. Writes nothing.
    ///
    /// Exit code 0 when nothing breaks, 1 when a step is destructive or a
    /// client breaks (or the spec is invalid), 2 for usage or I/O errors.
    #[command(
        after_help = "Examples:\n  archgen diff spec.yaml --out clinic\n  archgen diff spec.yaml --out clinic --format json"
    )]
    Diff {
        /// The changed spec file.
        spec: PathBuf,
        /// The project directory generated before [default: ./PRODUCT].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The stack to generate instead of the spec's `stack`.
        #[arg(long, value_name = "ID")]
        stack: Option<String>,
        /// How to print the changes.
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Run a spec on this machine with demo data, and follow its saves.
    ///
    /// Generates the spec into archgen's cache, starts a throwaway
    /// PostgreSQL (or uses --database-url), installs, migrates, makes one
    /// account per role and demo rows, starts the app on 127.0.0.1, and
    /// prints the URLs (API, Swagger UI, the ArchiMate views and diagrams)
    /// and the accounts. Each save of the spec regenerates the project and
    /// restarts what changed, keeping the rows when the schema allows it;
    /// a spec with errors keeps the running version. Ctrl-C stops
    /// everything it started.
    #[command(
        after_help = "Examples:\n  archgen preview examples/specs/tasks.yaml\n  archgen preview spec.yaml --port 8000 --database-url postgresql://postgres@127.0.0.1:5432/postgres"
    )]
    Preview {
        /// The spec file (.yaml, .yml, .toml or .json).
        spec: PathBuf,
        /// The stack to generate instead of the spec's `stack`.
        #[arg(long, value_name = "ID")]
        stack: Option<String>,
        /// The app's port on 127.0.0.1 [default: a free one].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        port: Option<u16>,
        /// A PostgreSQL server to create the preview's databases on
        /// [default: DATABASE_URL, else a cluster of its own].
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// The seed of the demo rows (the same seed makes the same rows).
        #[arg(long, value_name = "N", default_value_t = 1)]
        seed: u64,
    },
    /// List the stacks archgen can generate, one id per line with its
    /// description.
    Stacks,
    /// Run the quality gate on a generated project: install, migrate,
    /// lint, test and run it against a throwaway PostgreSQL database, then
    /// check the running app against the backend contract.
    ///
    /// Exit code 0 when it passes, 1 when it fails, 2 when the gate cannot
    /// run (no PostgreSQL, the disk).
    #[command(
        after_help = "Examples:\n  archgen verify clinic --report clinic-gate.json\n  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres archgen verify clinic"
    )]
    Verify {
        /// The project directory.
        dir: PathBuf,
        /// The spec it was generated from [default: the one archgen kept in
        /// DIR/.archgen/spec.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Write the report (JSON) to this file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// A PostgreSQL server to create the throwaway database on
        /// [default: DATABASE_URL, else a cluster of the gate's own].
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// Keep the database on that server afterwards.
        #[arg(long)]
        keep_db: bool,
        /// Reuse nothing of an earlier run: every npm install, type check,
        /// lint and unit-test run happens again, even on files that passed.
        #[arg(long)]
        fresh: bool,
    },
}

/// Runs a command with an engine: the specs it checks may name what the
/// engine registers, and its compliance rules complete every blueprint.
pub fn run(cli: Cli, engine: &render::Engine) -> Exit {
    match cli.command {
        Command::Check { spec, format } => crate::check::run(engine, &spec, format),
        Command::Stacks => {
            for id in engine.stack_ids() {
                let description = engine
                    .stack(id)
                    .map(|s| s.description())
                    .unwrap_or_default();
                println!("{id}\t{description}");
            }
            Exit::Ok
        }
        Command::Plan { spec, format } => crate::plan::run_plan(engine, &spec, format),
        Command::Graph { spec, format } => crate::plan::run_graph(engine, &spec, format),
        Command::Compliance { spec, format } => crate::plan::run_compliance(engine, &spec, format),
        Command::Generate {
            spec,
            stack,
            out,
            dry_run,
            force,
            verify,
            report,
            database_url,
            keep_db,
            fresh,
            allow_destructive,
        } => crate::generate::run(
            engine,
            &crate::generate::Args {
                spec,
                stack,
                out,
                dry_run,
                force,
                docs_only: false,
                verify,
                report,
                database_url,
                keep_db,
                fresh,
                allow_destructive,
            },
        ),
        Command::Diff {
            spec,
            out,
            stack,
            format,
        } => crate::diff::run(engine, &spec, out, stack, format),
        Command::Docs {
            spec,
            out,
            dry_run,
            force,
        } => crate::generate::run(
            engine,
            &crate::generate::Args {
                spec,
                stack: None,
                out,
                dry_run,
                force,
                docs_only: true,
                verify: false,
                report: None,
                database_url: None,
                keep_db: false,
                fresh: false,
                allow_destructive: false,
            },
        ),
        Command::Preview {
            spec,
            stack,
            port,
            database_url,
            seed,
        } => crate::preview::run(
            engine,
            &crate::preview::Args {
                spec,
                stack,
                port,
                database_url,
                seed,
            },
        ),
        Command::Verify {
            dir,
            spec,
            report,
            database_url,
            keep_db,
            fresh,
        } => crate::verify::run(
            engine,
            &crate::verify::Args {
                dir,
                spec,
                report,
                database_url,
                keep_db,
                fresh,
            },
        ),
    }
}
