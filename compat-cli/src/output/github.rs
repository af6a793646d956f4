//! GitHub Actions workflow commands: one `::error` per annotation that fails the command,
//! placed on its file and line so it lands on the pull request's diff; `::notice` for the rest.

use std::fmt::Write;

use super::annotation::{Annotation, Severity};

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

pub fn render(annotations: &[Annotation]) -> String {
    let mut out = String::new();
    for a in annotations {
        let mut props = Vec::new();
        if let Some(f) = &a.file {
            props.push(format!("file={}", escape(f, true)));
        }
        if let Some(l) = a.line {
            props.push(format!("line={l}"));
        }
        if let Some(col) = a.column {
            props.push(format!("col={col}"));
        }
        props.push(format!("title={}", escape(&a.rule, true)));
        let mut msg = a.message.clone();
        if !a.help.is_empty() && a.severity == Severity::Error {
            msg.push_str(&format!(" — {}", a.help));
        }
        if let Some(w) = a.properties.get("witness") {
            msg.push_str(&format!("\nwitness: {w}"));
        }
        let _ = writeln!(
            out,
            "::{} {}::{}",
            a.severity.github(),
            props.join(","),
            escape(&msg, false)
        );
    }
    out
}
