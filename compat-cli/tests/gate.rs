//! `compat-cli gate` against a real `redis-server` and a real registry: killed with SIGKILL in
//! the middle of a run, it loses nothing and writes nothing twice unflagged; every kind of bad
//! entry gets a dead letter with its reason; a poison entry is parked instead of blocking.

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{cli, open_registry, text, Redis};
use redis::Value;

const SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "schema_version": {"type": "string", "const": "1.0.0"},
    "widget_id": {"type": "string"},
    "amount": {"type": "integer", "minimum": 0}
  },
  "required": ["schema_version", "widget_id", "amount"]
}"#;

fn register(base: &str, dir: &std::path::Path, subject: &str, schema: &str) {
    let file = dir.join(format!("{subject}.json"));
    std::fs::write(&file, schema).unwrap();
    let o = cli(&[
        "register",
        "--registry",
        base,
        "--subject",
        subject,
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

fn gate(redis: &Redis, base: &str, stream: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_compat-cli"));
    c.args([
        "gate",
        "--redis",
        &redis.url(),
        "--stream",
        stream,
        "--registry",
        base,
        "--progress-secs",
        "1",
    ])
    .args(extra);
    c
}

fn xlen(con: &mut redis::Connection, key: &str) -> u64 {
    redis::cmd("XLEN").arg(key).query(con).unwrap()
}

/// Every entry of a stream: (id, fields by name).
fn entries(con: &mut redis::Connection, key: &str) -> Vec<(String, HashMap<String, Vec<u8>>)> {
    let mut out = Vec::new();
    let mut from = "-".to_string();
    loop {
        let page: Value = redis::cmd("XRANGE")
            .arg(key)
            .arg(&from)
            .arg("+")
            .arg("COUNT")
            .arg(10_000)
            .query(con)
            .unwrap();
        let Value::Array(items) = page else {
            panic!("{page:?}")
        };
        if items.is_empty() {
            return out;
        }
        for item in items {
            let Value::Array(pair) = item else { panic!() };
            let [Value::BulkString(id), Value::Array(flat)] = &pair[..] else {
                panic!("{pair:?}")
            };
            let mut fields = HashMap::new();
            for kv in flat.chunks(2) {
                let [Value::BulkString(k), Value::BulkString(v)] = kv else {
                    panic!("{kv:?}")
                };
                fields.insert(String::from_utf8(k.clone()).unwrap(), v.clone());
            }
            let id = String::from_utf8(id.clone()).unwrap();
            from = format!("({id}");
            out.push((id, fields));
        }
    }
}

fn pending(con: &mut redis::Connection, stream: &str) -> i64 {
    let v: Value = redis::cmd("XPENDING")
        .arg(stream)
        .arg("schemagate")
        .query(con)
        .unwrap();
    match v {
        Value::Array(p) => match p.first() {
            Some(Value::Int(n)) => *n,
            _ => panic!("{p:?}"),
        },
        _ => panic!("{v:?}"),
    }
}

fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the gate did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn killed_three_times_the_gate_loses_nothing() {
    let Some(redis) = Redis::start("killed_three_times_the_gate_loses_nothing") else {
        return;
    };
    let (dir, _rt, base) = open_registry("gate-kill");
    register(&base, &dir, "widgets", SCHEMA);
    let mut con = redis.connect();

    // 100,000 entries, every 20th invalid; odd number spellings and key orders that a
    // re-serialization would change.
    const N: usize = 100_000;
    let mut sent: HashMap<String, (bool, Vec<u8>)> = HashMap::with_capacity(N);
    for chunk in 0..N / 1000 {
        let mut pipe = redis::pipe();
        let mut payloads = Vec::with_capacity(1000);
        for i in chunk * 1000..(chunk + 1) * 1000 {
            let valid = i % 20 != 7;
            let amount = if valid {
                format!("{i}")
            } else {
                format!("\"{i}\"")
            };
            let payload = format!(
                r#"{{"widget_id":"w{i}", "schema_version":"1.0.0","amount":{amount},"note":1E2,"big":123456789012345678901234567890,"z":-0}}"#
            );
            pipe.cmd("XADD")
                .arg("in")
                .arg("*")
                .arg("subject")
                .arg("widgets")
                .arg("payload")
                .arg(&payload);
            payloads.push((valid, payload.into_bytes()));
        }
        let ids: Vec<String> = pipe.query(&mut con).unwrap();
        for (id, p) in ids.into_iter().zip(payloads) {
            sent.insert(id, p);
        }
    }

    let metrics = dir.join("gate.prom");
    let extra = ["--batch", "500", "--metrics", metrics.to_str().unwrap()];
    let mut kills = 0;
    for threshold in [20_000, 45_000, 70_000] {
        let mut child = gate(&redis, &base, "in", &extra)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let done = xlen(&mut con, "in:valid") + xlen(&mut con, "in:dlq");
            if done >= threshold {
                break;
            }
            assert!(Instant::now() < deadline, "the gate made no progress");
            assert!(child.try_wait().unwrap().is_none(), "the gate stopped");
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL: no clean-up of any kind.
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        let done = xlen(&mut con, "in:valid") + xlen(&mut con, "in:dlq");
        assert!(
            done < N as u64,
            "kill {kills} came after the gate had finished"
        );
    }
    let mut last = gate(&redis, &base, "in", &[&extra[..], &["--drain"]].concat())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_exit(&mut last, Duration::from_secs(300));
    let mut log = String::new();
    std::io::Read::read_to_string(last.stderr.as_mut().unwrap(), &mut log).unwrap();
    // Invalid entries were found, so exit 1 (as `validate` does).
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(log.contains("dead-lettered"), "{log}");

    // Every entry is in exactly one of the two streams, byte for byte; a second copy is allowed
    // only where the entry was delivered more than once and says so.
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(N);
    let mut flagged = 0;
    for (stream, valid) in [("in:valid", true), ("in:dlq", false)] {
        for (_, fields) in entries(&mut con, stream) {
            let source = String::from_utf8(fields["schemagate-source"].clone()).unwrap();
            let (was_valid, payload) = &sent[&source];
            assert_eq!(
                *was_valid,
                valid,
                "{source} went to {stream}: {:?} {:?}",
                String::from_utf8_lossy(fields.get("schemagate-reason").map_or(&b""[..], |v| v)),
                String::from_utf8_lossy(fields.get("schemagate-errors").map_or(&b""[..], |v| v))
            );
            assert_eq!(&fields["payload"], payload, "{source}: bytes changed");
            assert_eq!(fields["subject"], b"widgets");
            if !valid {
                assert_eq!(fields["schemagate-reason"], b"invalid");
                let errors: serde_json::Value =
                    serde_json::from_slice(&fields["schemagate-errors"]).unwrap();
                assert_eq!(errors[0]["instance_pointer"], "/amount", "{errors}");
                assert_eq!(fields["schemagate-version"], b"1");
            }
            let n = seen.entry(source.clone()).or_default();
            *n += 1;
            let redelivered = fields.contains_key("schemagate-deliveries");
            if redelivered {
                flagged += 1;
            }
            assert!(*n == 1 || redelivered, "{source} written twice, unflagged");
        }
    }
    assert_eq!(seen.len(), N, "entries lost: {}", N - seen.len());
    let duplicates: u32 = seen.values().map(|n| n - 1).sum();
    println!("3 kills: {flagged} entries redelivered, {duplicates} written twice");
    // The batch script writes and acknowledges together, so a kill leaves no duplicate at all.
    assert_eq!(duplicates, 0);
    assert_eq!(xlen(&mut con, "in:dlq") as usize, N / 20);
    assert_eq!(xlen(&mut con, "in:valid") as usize, N - N / 20);
    assert_eq!(pending(&mut con, "in"), 0);
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(
        prom.contains(
            "schemagate_gate_entries_dead_lettered_total{stream=\"in\",reason=\"invalid\"}"
        ),
        "{prom}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn each_bad_entry_gets_its_reason_and_a_poison_entry_is_parked() {
    let Some(redis) = Redis::start("each_bad_entry_gets_its_reason_and_a_poison_entry_is_parked")
    else {
        return;
    };
    let (dir, _rt, base) = open_registry("gate-reasons");
    register(&base, &dir, "widgets", SCHEMA);
    let mut con = redis.connect();
    let add = |con: &mut redis::Connection, fields: &[(&str, &[u8])]| -> String {
        let mut c = redis::cmd("XADD");
        c.arg("ev").arg("*");
        for (k, v) in fields {
            c.arg(*k).arg(*v);
        }
        c.query(con).unwrap()
    };
    let ok = br#"{"schema_version":"1.0.0","widget_id":"a","amount":1}"#;
    // The poison entry: a consumer read it and died on it five times.
    let poison = add(&mut con, &[("subject", b"widgets"), ("payload", ok)]);
    let _: Value = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("ev")
        .arg("schemagate")
        .arg("0")
        .query(&mut con)
        .unwrap();
    let _: Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("schemagate")
        .arg("crashy")
        .arg("COUNT")
        .arg(1)
        .arg("STREAMS")
        .arg("ev")
        .arg(">")
        .query(&mut con)
        .unwrap();
    for _ in 0..4 {
        let _: Value = redis::cmd("XCLAIM")
            .arg("ev")
            .arg("schemagate")
            .arg("crashy")
            .arg(0)
            .arg(&poison)
            .query(&mut con)
            .unwrap();
    }
    let cases: Vec<(String, &str)> = vec![
        (
            add(&mut con, &[("subject", b"widgets"), ("payload", ok)]),
            "valid",
        ),
        (
            add(
                &mut con,
                &[("subject", b"widgets"), ("payload", b"{\"amount\": \xff}")],
            ),
            "not-json",
        ),
        (add(&mut con, &[("subject", b"widgets")]), "not-json"),
        (add(&mut con, &[("payload", ok)]), "unknown-subject"),
        (
            add(&mut con, &[("subject", b"nosuch"), ("payload", ok)]),
            "unknown-subject",
        ),
        (
            add(
                &mut con,
                &[
                    ("subject", b"widgets"),
                    (
                        "payload",
                        br#"{"schema_version":"9.9.9","widget_id":"a","amount":1}"#,
                    ),
                ],
            ),
            "unknown-version",
        ),
        (
            add(
                &mut con,
                &[
                    ("subject", b"widgets"),
                    (
                        "payload",
                        br#"{"schema_version":1,"widget_id":"a","amount":1}"#,
                    ),
                ],
            ),
            "unknown-version",
        ),
        (
            add(
                &mut con,
                &[
                    ("subject", b"widgets"),
                    (
                        "payload",
                        br#"{"schema_version":"1.0.0","widget_id":"a","amount":-1}"#,
                    ),
                ],
            ),
            "invalid",
        ),
    ];
    // Other consumers' entries are claimed after 50 ms idle; the poison one is past 5
    // deliveries once claimed. (`--drain` takes what is claimable when it starts.)
    std::thread::sleep(Duration::from_millis(100));
    let o = gate(
        &redis,
        &base,
        "ev",
        &["--drain", "--claim-idle-ms", "50", "--max-deliveries", "5"],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let mut by_source: HashMap<String, (String, HashMap<String, Vec<u8>>)> = HashMap::new();
    for stream in ["ev:valid", "ev:dlq"] {
        for (_, fields) in entries(&mut con, stream) {
            let source = String::from_utf8(fields["schemagate-source"].clone()).unwrap();
            let reason = fields
                .get("schemagate-reason")
                .map_or("valid".to_string(), |r| {
                    String::from_utf8(r.clone()).unwrap()
                });
            assert!(by_source.insert(source, (reason, fields)).is_none());
        }
    }
    for (id, want) in &cases {
        let (reason, fields) = &by_source[id];
        assert_eq!(reason, want, "{id}: {fields:?}");
    }
    let (reason, fields) = &by_source[&poison];
    assert_eq!(reason, "poison");
    assert_eq!(fields["payload"], ok);
    assert_eq!(fields["schemagate-deliveries"], b"6");
    // The undecodable payload is kept as it came, invalid UTF-8 and all.
    assert_eq!(by_source[&cases[1].0].1["payload"], b"{\"amount\": \xff}");
    assert_eq!(by_source.len(), cases.len() + 1);
    assert_eq!(pending(&mut con, "ev"), 0);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unusable_settings_are_refused_before_any_work() {
    let Some(redis) = Redis::start("unusable_settings_are_refused_before_any_work") else {
        return;
    };
    let mut con = redis.connect();
    let _: () = redis::cmd("SET")
        .arg("taken")
        .arg("x")
        .query(&mut con)
        .unwrap();
    let url = redis.url();
    let o = cli(&[
        "gate",
        "--redis",
        &url,
        "--stream",
        "ev",
        "--output",
        "taken",
        "--registry",
        "http://127.0.0.1:1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("taken holds a Redis string, not a stream"),
        "{}",
        text(&o)
    );
    let o = cli(&[
        "gate",
        "--redis",
        &url,
        "--stream",
        "ev",
        "--output",
        "ev",
        "--registry",
        "http://127.0.0.1:1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("three different streams"), "{}", text(&o));
    let o = cli(&[
        "gate",
        "--redis",
        "redis://127.0.0.1:1",
        "--stream",
        "ev",
        "--registry",
        "http://127.0.0.1:1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("connecting to Redis at redis://127.0.0.1:1"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_unreachable_registry_puts_verdicts_off_then_parks_them() {
    let Some(redis) = Redis::start("an_unreachable_registry_puts_verdicts_off_then_parks_them")
    else {
        return;
    };
    let mut con = redis.connect();
    let id: String = redis::cmd("XADD")
        .arg("ev")
        .arg("*")
        .arg("subject")
        .arg("widgets")
        .arg("payload")
        .arg(r#"{"amount":1}"#)
        .query(&mut con)
        .unwrap();
    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = gate(
        &redis,
        &format!("http://127.0.0.1:{port}"),
        "ev",
        &["--drain", "--max-deliveries", "3"],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("verdicts put off, retrying"),
        "{}",
        text(&o)
    );
    let dlq = entries(&mut con, "ev:dlq");
    assert_eq!(dlq.len(), 1);
    let fields = &dlq[0].1;
    assert_eq!(fields["schemagate-source"], id.as_bytes());
    assert_eq!(fields["schemagate-reason"], b"poison");
    assert_eq!(fields["schemagate-deliveries"], b"3");
    let errors = String::from_utf8_lossy(&fields["schemagate-errors"]).to_string();
    assert!(errors.contains("unreachable"), "{errors}");
    assert_eq!(xlen(&mut con, "ev:valid"), 0);
    assert_eq!(pending(&mut con, "ev"), 0);
}

#[test]
fn an_output_replaced_mid_run_sends_its_entries_to_the_dead_letter_stream() {
    let Some(redis) = Redis::start("an_output_replaced_mid_run") else {
        return;
    };
    let (dir, _rt, base) = open_registry("gate-replaced");
    register(&base, &dir, "widgets", SCHEMA);
    let mut con = redis.connect();
    let ok = r#"{"schema_version":"1.0.0","widget_id":"a","amount":1}"#;
    let add = |con: &mut redis::Connection| -> String {
        redis::cmd("XADD")
            .arg("ev")
            .arg("*")
            .arg("subject")
            .arg("widgets")
            .arg("payload")
            .arg(ok)
            .query(con)
            .unwrap()
    };
    add(&mut con);
    let metrics = dir.join("gate.prom");
    let mut child = gate(
        &redis,
        &base,
        "ev",
        &["--metrics", metrics.to_str().unwrap()],
    )
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while xlen(&mut con, "ev:valid") < 1 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    // Someone turns the output stream into a string while the gate runs.
    let _: () = redis::cmd("DEL").arg("ev:valid").query(&mut con).unwrap();
    let _: () = redis::cmd("SET")
        .arg("ev:valid")
        .arg("oops")
        .query(&mut con)
        .unwrap();
    let second = add(&mut con);
    while xlen(&mut con, "ev:dlq") < 1 {
        assert!(Instant::now() < deadline, "the entry was not rescued");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The metrics count it where it ended: dead-lettered as write-failed, not valid.
    let counted = |prom: &str| {
        prom.contains("schemagate_gate_entries_dead_lettered_total{stream=\"ev\",reason=\"write-failed\"} 1\n")
            && prom.contains("schemagate_gate_entries_valid_total{stream=\"ev\"} 1\n")
    };
    while !counted(&std::fs::read_to_string(&metrics).unwrap_or_default()) {
        assert!(
            Instant::now() < deadline,
            "{}",
            std::fs::read_to_string(&metrics).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let dlq = entries(&mut con, "ev:dlq");
    let fields = &dlq[0].1;
    assert_eq!(fields["schemagate-source"], second.as_bytes());
    assert_eq!(fields["schemagate-reason"], b"write-failed");
    assert_eq!(fields["payload"], ok.as_bytes());
    assert!(String::from_utf8_lossy(&fields["schemagate-write-error"]).contains("WRONGTYPE"));
    assert_eq!(pending(&mut con, "ev"), 0);
    std::fs::remove_dir_all(dir).ok();
}
