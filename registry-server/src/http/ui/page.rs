//! The console's frame: the page layout, its stylesheet and its few lines of JavaScript (theme
//! and keyboard), compiled into the binary; and the pieces pages share (a schema with line
//! numbers, a JSON block).

use maud::{html, Markup, DOCTYPE};

/// Served at `/ui/assets/console.css`.
pub const CSS: &str = r#"
:root { --bg:#fbfbfa; --fg:#1d1f21; --muted:#6b7075; --line:#e3e3e0; --accent:#2458d3;
  --bad:#b3261e; --bad-bg:#fbe9e7; --ok:#1e7b34; --ok-bg:#e7f5ea; --code:#f2f2ef; --mark:#fff3c4; }
:root[data-theme=dark] { --bg:#16181b; --fg:#e6e6e3; --muted:#9aa0a6; --line:#2c3035;
  --accent:#8ab4f8; --bad:#f28b82; --bad-bg:#3a1f1d; --ok:#81c995; --ok-bg:#1c3324;
  --code:#1f2226; --mark:#4a4216; }
@media (prefers-color-scheme: dark) { :root:not([data-theme=light]) { --bg:#16181b;
  --fg:#e6e6e3; --muted:#9aa0a6; --line:#2c3035; --accent:#8ab4f8; --bad:#f28b82;
  --bad-bg:#3a1f1d; --ok:#81c995; --ok-bg:#1c3324; --code:#1f2226; --mark:#4a4216; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; gap:1rem; align-items:center; padding:.6rem 1rem;
  border-bottom:1px solid var(--line); flex-wrap:wrap; }
header .brand { font-weight:600; }
header nav { display:flex; gap:.8rem; flex:1; }
main { max-width:1200px; margin:0 auto; padding:1rem; }
a { color:var(--accent); }
a:focus, button:focus, input:focus, textarea:focus, select:focus { outline:2px solid var(--accent); outline-offset:1px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:500; }
.muted { color:var(--muted); }
td code { overflow-wrap:anywhere; }
.deleted { text-decoration:line-through; color:var(--muted); }
.tag { display:inline-block; padding:0 .4rem; border-radius:.6rem; background:var(--code); font-size:.85em; }
.bad { color:var(--bad); } .ok { color:var(--ok); }
.verdict { padding:.6rem .8rem; border-radius:.3rem; margin:.8rem 0; }
.verdict.bad { background:var(--bad-bg); } .verdict.ok { background:var(--ok-bg); }
pre, code, textarea { font:13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background:var(--code); padding:.6rem; overflow:auto; border-radius:.3rem; }
ol.src { background:var(--code); margin:0; padding:.5rem 0 .5rem 3.2rem; border-radius:.3rem; overflow:auto; }
ol.src li { white-space:pre; padding-right:.6rem; }
ol.src li::marker { color:var(--muted); font-size:.85em; }
ol.src li.hit { background:var(--mark); }
.cols { display:grid; grid-template-columns:1fr 1fr; gap:1rem; }
.cols > * { min-width:0; }
.diff .add { color:var(--ok); } .diff .del { color:var(--bad); }
form.inline { display:flex; gap:.5rem; flex-wrap:wrap; align-items:center; }
input, select, textarea, button { background:var(--bg); color:var(--fg); border:1px solid var(--line);
  border-radius:.3rem; padding:.35rem .5rem; }
textarea { width:100%; min-height:14rem; }
textarea.short { min-height:8rem; }
ol.src li .fold { cursor:pointer; color:var(--muted); margin-left:-1.1rem; width:1.1rem; display:inline-block; user-select:none; }
ol.src li.folded .fold::after { content:" …"; }
ol.src li.hidden { display:none; }
button { cursor:pointer; }
details summary { cursor:pointer; }
@media (max-width: 800px) { .cols { grid-template-columns:1fr; } th.wide, td.wide { display:none; }
  table { display:block; overflow-x:auto; } td a { word-break:break-word; }
  header nav { flex-basis:100%; } }
"#;

/// Served at `/ui/assets/console.js`: the theme switch (remembered) and `/` to search.
pub const JS: &str = r#"
(function () {
  var root = document.documentElement;
  var saved = localStorage.getItem('schemagate-theme');
  if (saved) root.setAttribute('data-theme', saved);
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'theme') {
      var next = root.getAttribute('data-theme') === 'dark' ? 'light' : 'dark';
      root.setAttribute('data-theme', next);
      localStorage.setItem('schemagate-theme', next);
    }
  });
  // Folding: a line that opens an object or array folds the lines up to its closing one; the
  // lines shown are worked out again after each toggle, so inner folds keep their state.
  function refresh(ol) {
    var until = 0;
    for (var li = ol.firstElementChild; li; li = li.nextElementSibling) {
      var n = +li.getAttribute('data-line'), hidden = n < until;
      li.classList.toggle('hidden', hidden);
      if (!hidden && li.classList.contains('folded')) until = +li.getAttribute('data-end');
    }
  }
  function fold(li, shut) {
    li.classList.toggle('folded', shut);
    li.querySelector('.fold').setAttribute('aria-expanded', shut ? 'false' : 'true');
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t && t.classList && t.classList.contains('fold')) {
      var li = t.parentElement; fold(li, !li.classList.contains('folded')); refresh(li.parentElement);
    }
    if (t && t.getAttribute && t.getAttribute('data-fold-all')) {
      var src = document.getElementById(t.getAttribute('data-fold-all'));
      var shut = t.getAttribute('data-shut') === '1';
      // The outermost block stays open, so folding all shows the top-level keywords.
      src.querySelectorAll('li[data-end]').forEach(function (li) { if (li.getAttribute('data-line') !== '1') fold(li, shut); });
      refresh(src);
    }
  });
  // A file chosen beside a text box is read into it (nothing is sent until the form is).
  document.addEventListener('change', function (e) {
    var into = e.target && e.target.getAttribute && e.target.getAttribute('data-into');
    var file = into && e.target.files && e.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { document.getElementById(into).value = reader.result; };
    reader.readAsText(file);
  });
  document.addEventListener('submit', function (e) {
    var m = e.target && e.target.getAttribute('data-confirm');
    if (m && !window.confirm(m)) e.preventDefault();
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target && e.target.tagName;
    if ((e.key === 'Enter' || e.key === ' ') && e.target.classList && e.target.classList.contains('fold')) {
      e.preventDefault(); e.target.click(); return;
    }
    if (e.key === '/' && t !== 'INPUT' && t !== 'TEXTAREA') {
      var q = document.getElementById('q');
      if (q) { e.preventDefault(); q.focus(); }
    }
  });
})();
"#;

/// A whole page: header with navigation, the title, the content.
pub fn layout(title: &str, who: Option<&str>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · schemagate" }
                link rel="stylesheet" href="/ui/assets/console.css";
                script src="/ui/assets/console.js" defer {}
            }
            body {
                header {
                    span.brand { "schemagate" }
                    nav {
                        a href="/ui" accesskey="s" { "Subjects" }
                        a href="/ui/audit" accesskey="a" { "Audit" }
                        a href="/ui/tokens" accesskey="t" { "Tokens" }
                    }
                    @if let Some(who) = who {
                        span.muted { (who) }
                        form method="post" action="/ui/logout" { button type="submit" { "Sign out" } }
                    }
                    button #theme type="button" title="Dark or light" { "◐" }
                }
                main {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

/// Text with line numbers; the lines in `marked` (1-based) highlighted and given ids
/// `{id}-L{n}` so a change can link to them. Each line that opens a block gets a fold toggle.
pub fn numbered(id: &str, text: &str, marked: &[usize]) -> Markup {
    let ends = block_ends(text);
    html! {
        p.inline.muted {
            button type="button" data-fold-all=(id) data-shut="1" { "Fold all" }
            button type="button" data-fold-all=(id) data-shut="0" { "Unfold all" }
        }
        ol.src id=(id) {
            @for (i, line) in text.lines().enumerate() {
                @let n = i + 1;
                @let end = ends.get(i).copied().flatten();
                li id=(format!("{id}-L{n}")) data-line=(n) data-end=[end] class=[marked.contains(&n).then_some("hit")] {
                    @if end.is_some() { span.fold role="button" tabindex="0" aria-expanded="true" aria-label=(format!("fold lines {} to {}", n + 1, end.unwrap_or(n) - 1)) { "▾" } }
                    (line)
                }
            }
        }
    }
}

/// For each line of pretty-printed JSON, the line (1-based) that closes the block it opens, if
/// it opens one with something inside. In such text a line ending in `{` or `[` opens a block
/// and one starting with `}` or `]` closes one (a string cannot end a line there unquoted).
pub fn block_ends(text: &str) -> Vec<Option<usize>> {
    let mut ends = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        ends.push(None);
        let t = line.trim();
        if t.starts_with('}') || t.starts_with(']') {
            if let Some(start) = open.pop() {
                if i > start + 1 {
                    if let Some(e) = ends.get_mut(start) {
                        *e = Some(i + 1);
                    }
                }
            }
        }
        if t.ends_with('{') || t.ends_with('[') {
            open.push(i);
        }
    }
    ends
}

/// A JSON value as an indented block.
pub fn json_block(v: &impl serde::Serialize) -> Markup {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    html! { pre { (text) } }
}

/// A coloured unified diff.
pub fn text_diff(diff: &str) -> Markup {
    html! {
        pre.diff {
            @for line in diff.lines() {
                @if line.starts_with('+') && !line.starts_with("+++") {
                    span.add { (line) } "\n"
                } @else if line.starts_with('-') && !line.starts_with("---") {
                    span.del { (line) } "\n"
                } @else {
                    (line) "\n"
                }
            }
        }
    }
}

/// Page content as the response body.
pub fn html(m: Markup) -> axum::response::Html<String> {
    axum::response::Html(m.into_string())
}

#[cfg(test)]
mod tests {
    use super::block_ends;

    #[test]
    fn blocks_fold_to_their_closing_line() {
        let text = "{\n  \"a\": {\n    \"b\": [\n      1\n    ],\n    \"c\": {}\n  },\n  \"d\": \"{\",\n  \"e\": []\n}";
        // Line 1 closes at 10, line 2 at 7, line 3 at 5; `{}` and `[]` on one line and a
        // string holding a brace open nothing.
        assert_eq!(
            block_ends(text),
            [
                Some(10),
                Some(7),
                Some(5),
                None,
                None,
                None,
                None,
                None,
                None,
                None
            ]
        );
        // A block with nothing inside has nothing to fold; unbalanced text does not panic.
        assert_eq!(block_ends("[\n]"), [None, None]);
        assert_eq!(block_ends("}\n]\n{"), [None, None, None]);
    }
}
