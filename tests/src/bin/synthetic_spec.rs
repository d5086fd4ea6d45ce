//! Prints the synthetic spec of N entities the benchmarks use (see
//! `archgen_tests::synthetic_spec`): `synthetic_spec 500 > synthetic.yaml`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    match arg.as_deref().map(str::parse::<usize>) {
        Some(Ok(n)) if n > 0 => {
            print!("{}", archgen_tests::synthetic_spec(n));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: synthetic_spec N   (N entities, at least 1)");
            ExitCode::from(2)
        }
    }
}
