//! `archgen`: the command-line front of the archgen library.
//!
//! The binary only parses arguments, calls the library, prints, and maps
//! outcomes to exit codes: 0 success, 1 an invalid spec (or a generation
//! that left conflicts to merge), 2 a usage or I/O error.

mod check;
mod cmd;
mod exit;
mod generate;
mod plan;
mod verify;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    let code = cmd::run(cli);
    ExitCode::from(code as u8)
}
