//! GitHub Actions workflow commands: one `::error` per breaking change, placed on its file and
//! line so it lands on the pull request's diff; `::notice` for the other changes.

use std::fmt::Write;

use super::Rendered;

/// Escapes a workflow command's message (`%`, CR, LF) or property (also `:` and `,`).
fn escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn render(items: &[Rendered<'_>]) -> String {
    let mut out = String::new();
    for item in items {
        let checks = item.report.mode.checks();
        for c in &item.report.changes {
            let level = if c.breaks_set().and(checks).any() {
                "error"
            } else {
                "notice"
            };
            let mut props = Vec::new();
            if let Some(f) = &c.file {
                props.push(format!("file={}", escape(f, true)));
            }
            if let Some(l) = c.line {
                props.push(format!("line={l}"));
            }
            if let Some(col) = c.column {
                props.push(format!("col={col}"));
            }
            props.push(format!("title={}", escape(c.kind.id(), true)));
            let mut msg = c.message.clone();
            if !c.help.is_empty() && level == "error" {
                msg.push_str(&format!(" — {}", c.help));
            }
            if let Some(w) = &c.witness {
                msg.push_str(&format!("\nwitness: {}", w.instance));
            }
            let _ = writeln!(
                out,
                "::{level} {}::{}",
                props.join(","),
                escape(&msg, false)
            );
        }
    }
    out
}
