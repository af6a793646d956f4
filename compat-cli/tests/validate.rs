//! `compat-cli validate`: NDJSON streams and JSON files against a schema, with a broken line in
//! the middle, a dead-letter file and a valid-out file; every payload lands in exactly one of
//! them and the counts add up.

use std::process::Command;

use serde_json::Value;

#[test]
fn ndjson_with_dlq_and_valid_out() {
    let dir = std::env::temp_dir().join(format!("schemagate-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/widgets/WidgetCreated.json"
    );
    let ok = r#"{"schema_version":"1.0.0","event_id":"123e4567-e89b-12d3-a456-426614174000","occurred_at":"2026-11-24T12:00:00Z","widget_id":"123e4567-e89b-12d3-a456-426614174001","name":"a"}"#;
    let bad_color = ok.replace("\"name\":\"a\"", "\"name\":\"a\",\"color\":\"purple\"");
    let lines = [
        ok.to_string(),
        bad_color,
        "{\"schema_version\": \"1.0.0\", broken".to_string(),
        String::new(),
        ok.replace("\"a\"", "\"b\""),
    ];
    // A byte-order mark before the first line and a CRLF after it change nothing.
    std::fs::write(
        dir.join("events.ndjson"),
        format!("\u{feff}{}\r\n{}\n", lines[0], lines[1..].join("\n")),
    )
    .unwrap();
    std::fs::write(dir.join("one.json"), "{\n  \"name\": 5\n}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args([
            "validate",
            "--schema",
            schema,
            "events.ndjson",
            "one.json",
            "--dlq",
            "dlq.ndjson",
            "--valid-out",
            "valid.ndjson",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2 valid, 3 invalid"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("events.ndjson:2: /color:") && err.contains("(enum)"),
        "{err}"
    );
    assert!(err.contains("events.ndjson:3: /: not JSON"), "{err}");
    assert!(err.contains("one.json:1: /:"), "{err}");
    let valid = std::fs::read_to_string(dir.join("valid.ndjson")).unwrap();
    assert_eq!(
        valid.lines().collect::<Vec<_>>(),
        vec![lines[0].as_str(), lines[4].as_str()],
        "valid payloads exactly as read"
    );
    let dlq: Vec<Value> = std::fs::read_to_string(dir.join("dlq.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(dlq.len(), 3);
    assert_eq!(
        (
            dlq[0]["line"].as_u64(),
            dlq[0]["errors"][0]["instance_pointer"].as_str()
        ),
        (Some(2), Some("/color"))
    );
    assert_eq!(dlq[0]["payload"]["color"], "purple");
    assert_eq!(dlq[1]["line"], 3);
    assert_eq!(dlq[1]["payload_raw"], lines[2]);
    assert_eq!(dlq[2]["source"], "one.json");
    // Dead letters keep the event's bytes, and read back they are the events that arrived.
    let odd = [
        r#"{"schema_version":"1.0.0","n":123456789012345678901234567890,"z":-0,"e":1E2}"#,
        r#"{"name":"a","name":"b"}"#,
        "not json at all",
    ];
    let mut bytes = odd.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n\xff\xfe{}\n");
    std::fs::write(dir.join("odd.ndjson"), &bytes).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(["validate", "--schema", schema])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let first = run(&["odd.ndjson", "--dlq", "odd-dlq.ndjson"]);
    assert_eq!(first.status.code(), Some(1));
    let again = run(&[
        "--dead-letters",
        "odd-dlq.ndjson",
        "--dlq",
        "again-dlq.ndjson",
    ]);
    assert_eq!(
        (
            again.status.code(),
            String::from_utf8_lossy(&again.stdout).trim()
        ),
        (Some(1), "0 valid, 4 invalid"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let records = std::fs::read_to_string(dir.join("odd-dlq.ndjson")).unwrap();
    assert!(
        records.contains(r#""payload":{"schema_version":"1.0.0","n":123456789012345678901234567890,"z":-0,"e":1E2}"#),
        "{records}"
    );
    let events = |file: &str| -> Vec<Vec<u8>> {
        std::fs::read(dir.join(file))
            .unwrap()
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| schema_core::dead_letter::payload_of(l).unwrap())
            .collect()
    };
    let arrived: Vec<Vec<u8>> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(events("odd-dlq.ndjson"), arrived);
    assert_eq!(events("again-dlq.ndjson"), arrived);
    // an unreadable payload file is an input error
    let out = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .args(["validate", "--schema", schema, "missing.ndjson"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading missing.ndjson"));
    std::fs::remove_dir_all(dir).ok();
}

/// `validate --schema` and `diff` follow `$ref`s to sibling files.
#[test]
fn sibling_references_are_followed() {
    let dir = std::env::temp_dir().join(format!("schemagate-sib-{}", std::process::id()));
    for side in ["old", "new"] {
        std::fs::create_dir_all(dir.join(side)).unwrap();
        std::fs::write(
            dir.join(side).join("order.json"),
            r#"{"type": "object", "properties": {"total": {"$ref": "money.json#/$defs/Money"}}, "required": ["total"]}"#,
        )
        .unwrap();
        let amount = if side == "old" { "number" } else { "integer" };
        std::fs::write(
            dir.join(side).join("money.json"),
            format!(r#"{{"$defs": {{"Money": {{"type": "object", "properties": {{"amount": {{"type": "{amount}"}}}}, "required": ["amount"]}}}}}}"#),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("events.ndjson"),
        "{\"total\": {\"amount\": 3}}\n{\"total\": {\"amount\": 2.5}}\n{\"total\": {}}\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let o = run(&["validate", "--schema", "new/order.json", "events.ndjson"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("1 valid, 2 invalid"), "{out}");
    let o = run(&[
        "diff",
        "old/order.json",
        "new/order.json",
        "--rules",
        "standard",
        "--format",
        "json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("/total/amount"), "{out}");
    std::fs::remove_dir_all(dir).ok();
}

/// Through a symlinked folder, sibling references still resolve inside it.
#[test]
fn sibling_references_through_a_symlinked_folder() {
    let real = std::env::temp_dir().join(format!("schemagate-real-{}", std::process::id()));
    let link = std::env::temp_dir().join(format!("schemagate-link-{}", std::process::id()));
    std::fs::create_dir_all(&real).unwrap();
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    std::fs::write(
        real.join("order.json"),
        r#"{"type": "object", "properties": {"id": {"$ref": "ids.json"}}}"#,
    )
    .unwrap();
    std::fs::write(real.join("ids.json"), r#"{"type": "string"}"#).unwrap();
    std::fs::write(real.join("e.ndjson"), "{\"id\": \"a\"}\n{\"id\": 1}\n").unwrap();
    let (schema, events) = (link.join("order.json"), link.join("e.ndjson"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_compat-cli"))
        .arg("validate")
        .arg("--schema")
        .arg(&schema)
        .arg(&events)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("1 valid, 1 invalid"), "{out}");
    std::fs::remove_file(&link).ok();
    std::fs::remove_dir_all(&real).ok();
}

/// `--rule-set`: a data contract's CEL domain rules run on every payload that passes the
/// schema, each with its onFailure: ERROR and DLQ make it invalid and send it to `--dlq`
/// (named by the rule), NONE lets it pass and prints the failure. A rule that does not compile
/// stops the command with its place.
#[test]
fn cel_rules_from_a_rule_set() {
    let dir = std::env::temp_dir().join(format!("schemagate-validate-cel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("payment.json"),
        r#"{"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]}"#,
    )
    .unwrap();
    let rule = |name: &str, expr: &str, on_failure: &str| serde_json::json!({"name": name, "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": expr, "onFailure": on_failure});
    let rules = serde_json::json!({"domainRules": [
        rule("positiveAmount", "message.amount > 0", "ERROR"),
        rule("smallAmount", "message.amount < 1000", "DLQ"),
        rule("wholeAmount", "message.amount == double(int(message.amount))", "NONE"),
    ]});
    std::fs::write(dir.join("rules.json"), rules.to_string()).unwrap();
    std::fs::write(
        dir.join("payments.ndjson"),
        "{\"amount\": 5}\n{\"amount\": -1}\n{\"amount\": 5000}\n{\"amount\": 2.5}\n{\"amount\": \"x\"}\n",
    )
    .unwrap();
    let run = |rules: &str| {
        Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(["validate", "--schema", "payment.json", "--rule-set", rules])
            .args([
                "payments.ndjson",
                "--dlq",
                "dlq.ndjson",
                "--valid-out",
                "ok.ndjson",
            ])
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let out = run("rules.json");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2 valid, 3 invalid"
    );
    assert!(
        err.contains("payments.ndjson:2: /: ") && err.contains("(rule:positiveAmount)"),
        "{err}"
    );
    assert!(
        err.contains("payments.ndjson:4: ") && err.contains("(rule:wholeAmount)"),
        "{err}"
    );
    let dlq = std::fs::read_to_string(dir.join("dlq.ndjson")).unwrap();
    let records: Vec<Value> = dlq
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_line: Vec<(u64, String)> = records
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["errors"][0]["keyword"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        by_line,
        [
            (2, "rule:positiveAmount".to_string()),
            (3, "rule:smallAmount".into()),
            (5, "type".into())
        ]
    );
    assert!(records[1]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("onFailure DLQ"));
    assert_eq!(
        std::fs::read_to_string(dir.join("ok.ndjson")).unwrap(),
        "{\"amount\": 5}\n{\"amount\": 2.5}\n"
    );

    std::fs::write(
        dir.join("broken.json"),
        serde_json::json!({"domainRules": [rule("broken", "message.amount >", "ERROR")]})
            .to_string(),
    )
    .unwrap();
    let out = run("broken.json");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("\"broken\"") && err.contains("line 1, column"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// `--jobs N`: the same report, counts and files whatever the number of threads, over an input
/// of many batches (blank lines, CRLF, a byte-order mark, invalid and broken lines among them),
/// and again when the dead-letter file is read back.
#[test]
fn jobs_change_nothing_but_speed() {
    let dir = std::env::temp_dir().join(format!("schemagate-validate-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("s.json"),
        r#"{"type": "object", "properties": {"n": {"type": "integer", "maximum": 100000}}, "required": ["n"]}"#,
    )
    .unwrap();
    let mut text = String::from("\u{feff}");
    for i in 0..30_000u32 {
        match i % 97 {
            0 => text.push_str("{\"n\": \"x\"}\n"),
            1 => text.push_str("{broken\n"),
            2 => text.push('\n'),
            3 => text.push_str(&format!("{{\"n\": {}}}\r\n", i * 10)),
            _ => text.push_str(&format!("{{\"n\": {i}}}\n")),
        }
    }
    text.push_str("{\"n\": 1}"); // no final newline
    std::fs::write(dir.join("in.ndjson"), &text).unwrap();
    let run = |jobs: &str, tag: &str, input: &str, extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_compat-cli"))
            .args(["validate", "--schema", "s.json", "--jobs", jobs, input])
            .args([
                "--dlq",
                &format!("dlq-{tag}.ndjson"),
                "--valid-out",
                &format!("ok-{tag}.ndjson"),
            ])
            .args(extra)
            .current_dir(&dir)
            .output()
            .unwrap();
        let files: Vec<String> = [format!("dlq-{tag}.ndjson"), format!("ok-{tag}.ndjson")]
            .iter()
            .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
            .collect();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
            files,
        )
    };
    let one = run("1", "1", "in.ndjson", &[]);
    assert_eq!(one.0, Some(1));
    assert!(one.1.contains("invalid"), "{}", one.1);
    for jobs in ["2", "4"] {
        assert_eq!(run(jobs, jobs, "in.ndjson", &[]), one, "--jobs {jobs}");
    }
    let back_one = run("1", "b1", "dlq-1.ndjson", &["--dead-letters"]);
    let back_four = run("4", "b4", "dlq-1.ndjson", &["--dead-letters"]);
    assert_eq!(back_one, back_four);
    std::fs::remove_dir_all(dir).ok();
}
