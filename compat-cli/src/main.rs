//! `compat-cli`: thin binary. Parses flags and hands them to the library, which does the work;
//! exit codes follow DESIGN section 4 (0 compatible or valid, 1 breaking or invalid, 2 error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = compat_cli::Cli::parse();
    match compat_cli::run(cli) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            compat_cli::Outcome::Error.into()
        }
    }
}
