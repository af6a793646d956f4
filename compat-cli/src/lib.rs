//! The library half of `compat-cli`: argument types ([`cli`]), subcommands, and output formats
//! ([`output`]). Every subcommand returns an [`Outcome`] that maps to the exit code.

pub mod archive;
pub mod check_cmd;
pub mod cli;
pub mod diff_cmd;
pub mod gate;
pub mod git;
pub mod input;
pub mod lint_cmd;
pub mod output;
pub mod publish_cmd;
pub mod register_cmd;
pub mod registry;
pub mod replay_cmd;
pub mod repo_config;
pub mod validate_cmd;
mod validate_jobs;

use std::process::ExitCode;

pub use cli::{Cli, Command};

/// What a subcommand found, as the exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: compatible, or all payloads valid.
    Clean = 0,
    /// 1: breaking changes or invalid payloads found.
    Findings = 1,
    /// 2: usage or input error.
    Error = 2,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(o as u8)
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    if let Some(d) = cli.default_dialect {
        input::set_default_dialect(d);
    }
    match cli.command {
        Command::Diff(args) => diff_cmd::run(&args),
        Command::Check(args) => check_cmd::run(&args),
        Command::Validate(args) => validate_cmd::run(&args),
        Command::Register(args) => register_cmd::run(&args),
        Command::Publish(args) => publish_cmd::run(&args),
        Command::Lint(args) => lint_cmd::run(&args),
        Command::Gate(args) => gate::run(&args),
        Command::Replay(args) => replay_cmd::run(&args),
    }
}
