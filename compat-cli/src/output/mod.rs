//! Every command's output, in every format: the commands judge and hand over what they found;
//! this module alone turns it into text, so a format means the same in `diff`, `check` and
//! `lint`. `human` is for people, `json` for tools (DESIGN section 4: one object holding the
//! verdict), `github` for workflow annotations and `sarif` for code scanning (both
//! from the same [`Annotation`]s).

mod annotation;
pub mod check;
mod github;
mod human;
pub mod lint;
mod sarif;

pub use annotation::{Annotation, RuleInfo, Severity};

use std::io::IsTerminal;

use schema_core::{Document, Report};

use crate::cli::{ColorArg, Format};

/// One compared pair and its verdict.
pub struct Rendered<'a> {
    pub old: &'a Document,
    pub new: &'a Document,
    pub report: &'a Report,
}

/// Whether human output gets colors: never with `NO_COLOR`, otherwise on a terminal.
pub fn use_color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    }
}

/// `diff`'s output: the reports of the compared pairs.
pub fn render(format: Format, items: &[Rendered<'_>], color: bool) -> anyhow::Result<String> {
    Ok(match format {
        Format::Human => human::render(items, color),
        Format::Json => {
            let mut text = if items.len() == 1 {
                serde_json::to_string_pretty(items[0].report)?
            } else {
                let reports: Vec<&Report> = items.iter().map(|i| i.report).collect();
                let compatible = reports.iter().all(|r| r.compatible);
                serde_json::to_string_pretty(
                    &serde_json::json!({"compatible": compatible, "reports": reports}),
                )?
            };
            text.push('\n');
            text
        }
        Format::Github => github::render(&annotation::of_changes(items).1),
        Format::Sarif => {
            let (rules, annotations) = annotation::of_changes(items);
            sarif::render(&rules, &annotations)?
        }
    })
}

/// A JSON object as the text printed: pretty, one trailing newline.
fn json_text(v: &serde_json::Value) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(v)?;
    text.push('\n');
    Ok(text)
}
