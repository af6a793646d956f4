//! `compat-cli diff OLD NEW`: judges the changes between two schema files.

use std::io::Write;

use schema_core::{check_refs, Options};

use crate::cli::DiffArgs;
use crate::input::{located, read_schema, Siblings};
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
    let (old_refs, new_refs) = (
        Siblings::around(&args.old, args.max_schema_bytes),
        Siblings::around(&args.new, args.max_schema_bytes),
    );
    let report = check_refs(&old, &old_refs, &new, &new_refs, options).map_err(|e| {
        // Locate the error in whichever of the two files it concerns.
        let doc = [&old, &new]
            .into_iter()
            .find(|d| e.to_string().contains(&d.name))
            .unwrap_or(&new);
        located(e, &doc.name, doc.source.as_deref().unwrap_or(""))
    })?;
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
