//! `archgen`: the command-line front of the archgen library.
//!
//! The binary only parses arguments, calls the library, prints, and maps
//! outcomes to exit codes: 0 success, 1 an invalid spec (or a failed
//! quality gate), 2 a usage or I/O error, 3 a generation that left
//! conflicts in files you edited for you to resolve.

mod check;
mod cmd;
mod conflicts;
mod diff;
mod exit;
mod generate;
mod plan;
mod preview;
mod verify;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc in place of the system allocator: `generate` builds and drops
/// many small strings and maps, and glibc's malloc and free took about a
/// third of its time on large specs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    // One engine for every command: `check`, `plan`, `generate` and
    // `verify` accept what it registers and complete blueprints with its
    // compliance rules.
    let engine = render::Engine::with_builtins();
    let code = cmd::run(cli, &engine);
    ExitCode::from(code as u8)
}
