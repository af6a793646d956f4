//! `compat-cli diff OLD NEW`: judges the changes between two schema files.

use std::io::Write;

use schema_core::{check, Options};

use crate::cli::DiffArgs;
use crate::input::read_schema;
use crate::output::{self, Rendered};
use crate::Outcome;

pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    let old = read_schema(&args.old, args.max_schema_bytes)?;
    let new = read_schema(&args.new, args.max_schema_bytes)?;
    let options = Options {
        mode: args.mode.into(),
        rules: args.rules.into(),
        witnesses: true,
        ..Options::default()
    };
    let report = check(&old, &new, options)?;
    let color = output::use_color(args.color);
    let text = output::render(
        args.format,
        &[Rendered {
            old: &old,
            new: &new,
            report: &report,
        }],
        color,
    )?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    Ok(if report.compatible {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
