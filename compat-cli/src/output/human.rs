//! Human output: each breaking change with the schema lines around it (annotate-snippets), the
//! rule, a help line and the witness event; notes for compatible changes; a unified text diff of
//! the two files (similar); a summary line.

use std::fmt::Write;

use annotate_snippets::{Level, Renderer, Snippet};
use schema_core::{Change, Document, Side};

use super::Rendered;

pub fn render(items: &[Rendered<'_>], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let (mut breaking, mut notes) = (0, 0);
    for item in items {
        let checks = item.report.mode.checks();
        for change in &item.report.changes {
            if change.breaks_set().and(checks).any() {
                breaking += 1;
                render_breaking(&mut out, &renderer, item, change);
            }
        }
        for change in &item.report.changes {
            if !change.breaks_set().and(checks).any() {
                notes += 1;
                let _ = writeln!(
                    out,
                    "note[{}]: {} (at {})",
                    change.kind.id(),
                    change.message,
                    display_ptr(&change.new_pointer)
                );
            }
        }
        if let (Some(a), Some(b)) = (&item.old.source, &item.new.source) {
            if a != b {
                out.push('\n');
                out.push_str(&text_diff(a, b, &item.old.name, &item.new.name, color));
            }
        }
    }
    let verdict = if breaking == 0 {
        "compatible"
    } else {
        "incompatible"
    };
    match items.first() {
        Some(i) => {
            let (mode, rules) = (i.report.mode, i.report.rules);
            let _ = writeln!(out, "\n{verdict}: {breaking} breaking change(s), {notes} other change(s) (mode {mode}, rules {rules})");
        }
        None => {
            let _ = writeln!(out, "{verdict}: nothing changed");
        }
    }
    out
}

fn display_ptr(p: &str) -> &str {
    if p.is_empty() {
        "the root"
    } else {
        p
    }
}

fn render_breaking(out: &mut String, renderer: &Renderer, item: &Rendered<'_>, change: &Change) {
    let dirs: Vec<String> = change
        .breaks
        .iter()
        .map(|d| format!("{d:?}").to_lowercase())
        .collect();
    let title = change.message.clone();
    let label = format!("breaks {}", dirs.join(" and "));
    let in_old =
        change.file.as_deref() == Some(item.old.name.as_str()) && item.old.name != item.new.name;
    let (doc, ptr): (&Document, &str) = if in_old {
        (item.old, &change.old_pointer)
    } else {
        (item.new, &change.new_pointer)
    };
    let mut footers = vec![
        format!("rule: {} ({})", change.rule, change.kind.id()),
        format!("at: {}", display_ptr(ptr)),
    ];
    if !change.instance_pointer.is_empty() {
        footers.push(format!("event field: {}", change.instance_pointer));
    }
    let witness = change.witness.as_ref().map(|w| {
        let side = |s: Side| if s == Side::Old { "old" } else { "new" };
        format!(
            "witness: {} is valid under the {} schema and rejected by the {}",
            w.instance,
            side(w.valid_under),
            side(w.invalid_under)
        )
    });
    let mut message = Level::Error.title(&title).id(change.kind.id());
    let snippet_source;
    if let (Some(src), Some(off)) = (doc.source.as_deref(), doc.offset(ptr)) {
        snippet_source = src;
        let end = token_end(src, off);
        message = message.snippet(
            Snippet::source(snippet_source)
                .line_start(1)
                .origin(&doc.name)
                .fold(true)
                .annotation(Level::Error.span(off..end).label(&label)),
        );
    } else {
        footers.push(format!("in: {}", doc.name));
    }
    for f in &footers {
        message = message.footer(Level::Note.title(f));
    }
    if !change.help.is_empty() {
        message = message.footer(Level::Help.title(&change.help));
    }
    if let Some(w) = &witness {
        message = message.footer(Level::Note.title(w));
    }
    let _ = writeln!(out, "{}\n", renderer.render(message));
}

/// The end of the JSON token starting at `off` (clamped to its line), for the caret span.
fn token_end(src: &str, off: usize) -> usize {
    let rest = &src[off..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line = &rest[..line_end];
    let len = if let Some(inner) = line.strip_prefix('"') {
        inner.find('"').map(|i| i + 2).unwrap_or(line.len())
    } else {
        line.find([',', '}', ']']).unwrap_or(line.len())
    };
    off + len.max(1).min(line_end.max(1))
}

fn text_diff(a: &str, b: &str, an: &str, bn: &str, color: bool) -> String {
    let diff = similar::TextDiff::from_lines(a, b);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(an, bn)
        .to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|l| {
            if l.starts_with('+') && !l.starts_with("+++") {
                format!("\x1b[32m{l}\x1b[0m\n")
            } else if l.starts_with('-') && !l.starts_with("---") {
                format!("\x1b[31m{l}\x1b[0m\n")
            } else if l.starts_with("@@") {
                format!("\x1b[36m{l}\x1b[0m\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}
