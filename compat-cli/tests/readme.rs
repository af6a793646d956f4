//! The README's examples are true: each command it shows with its output is run here and its
//! output found, word for word, in the README.

use std::process::Command;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_readme_diff_example_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (old, new) = (
        "schemas/recommendations/ExposureEvent.json",
        "docs/examples/ExposureEvent-narrowed.json",
    );
    assert!(
        readme.contains(&format!("compat-cli -- diff {old} {new}")),
        "the README shows another command"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(["diff", old, new])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    // The first finding, as far as its blank line.
    let first: String = text.split("\n\n").next().unwrap().to_string();
    assert!(first.starts_with("error[max-length-decreased]"), "{text}");
    assert!(
        readme.contains(&format!("```\n{first}\n```")),
        "the README's output differs from:\n{first}"
    );
}
