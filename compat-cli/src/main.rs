//! `compat-cli`: thin binary. Parses flags and hands them to the library, which does the work;
//! exit codes follow DESIGN section 4 (0 compatible or valid, 1 breaking or invalid, 2 error).

use std::process::ExitCode;

use clap::Parser;

// Payload validation allocates a `Value` tree per event; mimalloc makes that markedly cheaper
// than the system allocator (bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
