//! Output formats. Each takes the judged reports (one per compared pair) and returns the text
//! to print; `human` is for people, `json` for tools (DESIGN section 4), `github` for workflow
//! annotations and `sarif` for code scanning.

mod github;
mod human;
mod sarif;

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
        Format::Github => github::render(items),
        Format::Sarif => sarif::render(items)?,
    })
}
