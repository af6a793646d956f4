//! End-to-end tests of `compat-cli diff`: the binary runs on fixture files in `tests/data`
//! (relative paths, color off, so snapshots are stable) and its exit code and output are checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn run(args: &[&str]) -> Output {
    run_in(&data(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn breaking_change_human_output() {
    let o = run(&["diff", "exposure-v1.json", "exposure-v2.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    // the removal is located in the old file, the narrowing in the new one
    assert!(out.contains("--> exposure-v1.json:9:14"), "{out}");
    assert!(out.contains("--> exposure-v2.json:22:52"), "{out}");
    assert!(
        out.contains("help: mark it `\"deprecated\": true` instead of removing it"),
        "{out}"
    );
    assert!(out.contains("bump `schema_version` to 2.0.0"), "{out}");
    insta::assert_snapshot!("diff_human", out);
}

#[test]
fn breaking_change_json_output() {
    let o = run(&[
        "diff",
        "exposure-v1.json",
        "exposure-v2.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(v["compatible"], false);
    assert_eq!(v["mode"], "full");
    assert_eq!(v["rules"], "events");
    let changes = v["changes"].as_array().unwrap();
    let narrowed = changes
        .iter()
        .find(|c| c["kind"] == "max-length-decreased")
        .expect("max-length-decreased");
    assert_eq!(
        narrowed["new_pointer"],
        "/$defs/item/properties/item_id/maxLength"
    );
    assert_eq!(narrowed["instance_pointer"], "/items/-/item_id");
    assert_eq!(narrowed["line"], 22);
    assert_eq!(narrowed["breaks"], serde_json::json!(["backward"]));
    let item_id = narrowed["witness"]["instance"]["items"][0]["item_id"]
        .as_str()
        .expect("witness reaches into items[]");
    assert!(item_id.len() > 32);
    insta::assert_snapshot!("diff_json", stdout(&o));
}

#[test]
fn modes_select_directions() {
    // Adding `user_segment` to a closed model breaks forward only; removing `price` breaks backward.
    let back = run(&[
        "diff",
        "exposure-v1.json",
        "exposure-v2.json",
        "--mode",
        "backward",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&back)).unwrap();
    assert!(v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "property-added-to-closed-model"
            && c["breaks"] == serde_json::json!(["forward"])));
    let none = run(&[
        "diff",
        "exposure-v1.json",
        "exposure-v2.json",
        "--mode",
        "none",
    ]);
    assert_eq!(none.status.code(), Some(0), "mode none checks nothing");
}

#[test]
fn compatible_change_exits_zero() {
    let o = run(&["diff", "exposure-v1.json", "exposure-v1-described.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("compatible: 0 breaking change(s)"));
}

#[test]
fn github_annotations_land_on_lines() {
    let o = run(&[
        "diff",
        "exposure-v1.json",
        "exposure-v2.json",
        "--format",
        "github",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with(
            "::error file=exposure-v2.json,line=22,col=52,title=max-length-decreased::"
        )),
        "{out}"
    );
}

#[test]
fn sarif_is_2_1_0() {
    let o = run(&[
        "diff",
        "exposure-v1.json",
        "exposure-v2.json",
        "--format",
        "sarif",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "max-length-decreased"
        && r["level"] == "error"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 22));
}

/// Bad input: each gives exit 2 and a message naming the file and place, never a panic.
#[test]
fn bad_input_is_exit_2_with_a_place() {
    let cases: &[(&str, &str)] = &[
        ("broken.json", "broken.json:5:3: invalid JSON"),
        ("not-a-schema.json", "not a valid JSON Schema"),
        (
            "bad-keyword.json",
            "bad-keyword.json:4:19: not a valid JSON Schema at \"/properties/a/type\"",
        ),
        (
            "unknown-dialect.json",
            "unknown-dialect.json:1:13: unknown $schema",
        ),
        (
            "missing-ref.json",
            "missing-ref.json:4:10: $ref \"#/$defs/missing\" at \"/properties/a\" does not resolve",
        ),
        ("self-ref.json", "loops back to itself"),
        ("remote-ref.json", "remote references are never fetched"),
        ("no-such-file.json", "reading no-such-file.json"),
    ];
    for (file, expected) in cases {
        let o = run(&["diff", "exposure-v1.json", file]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{file}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{file}");
    }
    let o = run(&["diff", "exposure-v1.json"]);
    assert_eq!(o.status.code(), Some(2), "usage error");
    let o = run(&["diff", "a.json", "b.json", "--rules", "strictest"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Odd `$ref` fragments (a `%` escape cut by a multi-byte character, escapes that decode to no
/// UTF-8, stray `~`) are exit 2 with the file, line and pointer, in `diff` and in `lint`; none
/// panics.
#[test]
fn odd_pointers_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("schemagate-odd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let refs = [
        "#/%aé",
        "#/%",
        "#/%ff",
        "#/%C3",
        "#/~2",
        "#/$defs/a~",
        "#%2F",
        "#//",
        "#/%aé/%é",
    ];
    for (i, r) in refs.iter().enumerate() {
        let name = format!("odd-{i}.json");
        let schema = serde_json::json!({"properties": {"a": {"$ref": r}}});
        std::fs::write(dir.join(&name), schema.to_string()).unwrap();
        for cmd in [vec!["diff", &name, &name], vec!["lint", &name]] {
            let o = run_in(&dir, &cmd);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{cmd:?} {r}: {err}");
            assert!(!err.contains("panicked"), "{cmd:?} {r}: {err}");
            assert!(err.contains(&format!("{name}:1:")), "{cmd:?} {r}: {err}");
            assert!(err.contains("\"/properties/a"), "{cmd:?} {r}: {err}");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

/// A schema nested 10,000 levels deep is rejected by the parser's depth limit, not by a stack
/// overflow.
#[test]
fn deep_nesting_is_a_clean_error() {
    let dir = std::env::temp_dir().join(format!("schemagate-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let depth = 10_000;
    let text = format!("{}{{}}{}", "{\"items\":".repeat(depth), "}".repeat(depth));
    std::fs::write(dir.join("deep.json"), text).unwrap();
    std::fs::write(dir.join("ok.json"), "{}").unwrap();
    let o = run_in(&dir, &["diff", "ok.json", "deep.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("deep.json:1:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("recursion limit"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).ok();
}

/// A 50 MB schema is over the default size limit: exit 2 with the file and the limit named.
/// With the limit raised it is parsed and compared like any other.
#[test]
fn fifty_megabyte_schema() {
    let dir = std::env::temp_dir().join(format!("schemagate-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut props = serde_json::Map::new();
    let mut i = 0;
    let mut size = 0;
    while size < 50 * 1024 * 1024 {
        let p =
            serde_json::json!({"type": "string", "maxLength": 64, "description": "x".repeat(200)});
        size += 260;
        props.insert(format!("field_{i:07}"), p);
        i += 1;
    }
    let old = serde_json::json!({"type": "object", "properties": props});
    let mut new = old.clone();
    new["properties"]["field_0000001"]["maxLength"] = serde_json::json!(10);
    std::fs::write(dir.join("old.json"), serde_json::to_vec(&old).unwrap()).unwrap();
    std::fs::write(dir.join("new.json"), serde_json::to_vec(&new).unwrap()).unwrap();
    assert!(std::fs::metadata(dir.join("old.json")).unwrap().len() > 50_000_000);
    let o = run_in(&dir, &["diff", "old.json", "new.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("old.json: the file is"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--max-schema-bytes"), "{}", stderr(&o));
    let raised = [
        "diff",
        "old.json",
        "new.json",
        "--rules",
        "standard",
        "--format",
        "json",
        "--max-schema-bytes",
        "100000000",
    ];
    let o = run_in(&dir, &raised);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["changes"][0]["new_pointer"],
        "/properties/field_0000001/maxLength"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// A schema without `$schema` is draft-07 (tuple `items` is fine); `--default-dialect` reads it
/// as another dialect, where the same document is not a schema; `lint` asks for `$schema`.
#[test]
fn the_default_dialect_is_draft_07_and_settable() {
    let dir = std::env::temp_dir().join(format!("schemagate-dialect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("tuple.json"),
        r#"{"type": "object", "properties": {"pair": {"type": "array", "items": [{"type": "string"}, {"type": "number"}]}}}"#,
    )
    .unwrap();
    let o = run_in(
        &dir,
        &["diff", "tuple.json", "tuple.json", "--rules", "standard"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(
        &dir,
        &[
            "--default-dialect",
            "2020-12",
            "diff",
            "tuple.json",
            "tuple.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("tuple.json:1:"), "{}", stderr(&o));
    let o = run_in(
        &dir,
        &[
            "diff",
            "--default-dialect",
            "nineteen",
            "tuple.json",
            "tuple.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown dialect"), "{}", stderr(&o));
    let o = run_in(&dir, &["lint", "tuple.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(
            "tuple.json:1:1: dialect: declare the dialect with `$schema` (read as draft-07"
        ),
        "{}",
        stdout(&o)
    );
    std::fs::remove_dir_all(dir).ok();
}
