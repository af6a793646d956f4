//! The gate's Redis side: the consumer group, reading new, pending and abandoned entries, and
//! writing a batch's verdicts together with their acknowledgements.
//!
//! A batch is written in one MULTI/EXEC: its `XADD`s, then one `XACK`. Redis runs a transaction
//! whole or, when the connection drops before `EXEC` arrives, not at all, so a gate killed at
//! any moment leaves each entry either written and acknowledged or neither (it is then read
//! again, by this gate after a restart or by another one claiming it). A transaction does not
//! stop at a failing command, so each write's answer is checked: an entry acknowledged but not
//! written (its stream was replaced by another type of key) is rescued to the dead-letter stream.
//! (A Lua script would stop at the failure instead, but copies every payload twice more and
//! halved the gate's throughput: bench/README.md.)

use std::time::Duration;

use anyhow::{bail, Context};
use redis::{Connection, RedisResult, Value};

use super::report::Reason;

/// One stream entry as read: its id, its fields in order and byte for byte, and how many times
/// the group has delivered it (1 for a first read).
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    /// `None` for an entry deleted from the stream while it was pending.
    pub fields: Option<Vec<(Vec<u8>, Vec<u8>)>>,
    pub deliveries: u64,
}

impl Entry {
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| v.as_slice())
    }
}

/// Where a judged entry goes.
pub enum Target {
    Output,
    DeadLetter,
    /// Nowhere: the entry vanished from the stream; it is only acknowledged.
    Nowhere,
}

/// A judged entry: where it goes and the fields written there.
pub struct Write {
    pub id: String,
    pub target: Target,
    /// Why it is dead-lettered (`None` for the output stream).
    pub reason: Option<Reason>,
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

pub struct Streams {
    con: Connection,
    pub stream: String,
    group: String,
    consumer: String,
    output: String,
    dead_letter: String,
    /// Where `XAUTOCLAIM` goes on from.
    claim_cursor: String,
}

impl Streams {
    pub fn connect(
        url: &str,
        stream: &str,
        group: &str,
        consumer: &str,
        output: &str,
        dead_letter: &str,
    ) -> anyhow::Result<Streams> {
        let client = redis::Client::open(url).with_context(|| format!("--redis {url}"))?;
        let con = client
            .get_connection_with_timeout(Duration::from_secs(10))
            .with_context(|| format!("connecting to Redis at {url}"))?;
        // Longer than any BLOCK the gate asks for: a read that outlives it means Redis is gone.
        con.set_read_timeout(Some(Duration::from_secs(30)))?;
        con.set_write_timeout(Some(Duration::from_secs(30)))?;
        let mut s = Streams {
            con,
            stream: stream.to_string(),
            group: group.to_string(),
            consumer: consumer.to_string(),
            output: output.to_string(),
            dead_letter: dead_letter.to_string(),
            claim_cursor: "0-0".into(),
        };
        for key in [stream, output, dead_letter] {
            let kind: String = redis::cmd("TYPE").arg(key).query(&mut s.con)?;
            if kind != "stream" && kind != "none" {
                bail!("{key} holds a Redis {kind}, not a stream");
            }
        }
        let created: redis::RedisResult<Value> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(stream)
            .arg(group)
            .arg("0")
            .arg("MKSTREAM")
            .query(&mut s.con);
        if let Err(e) = created {
            if e.code() != Some("BUSYGROUP") {
                return Err(e).context(format!("creating the consumer group {group} on {stream}"));
            }
        }
        Ok(s)
    }

    /// Entries no consumer of the group has read yet, waiting up to `block` for some.
    pub fn read_new(&mut self, count: u64, block: Duration) -> anyhow::Result<Vec<Entry>> {
        self.read_group(count, Some(block), ">")
    }

    /// Entries this consumer read and did not acknowledge (a previous run that died, or entries
    /// held back for a retry), after `after`, with their delivery counts.
    pub fn read_own_pending(&mut self, after: &str, count: u64) -> anyhow::Result<Vec<Entry>> {
        let mut entries = self.read_group(count, None, after)?;
        self.fill_deliveries(&mut entries)?;
        Ok(entries)
    }

    /// `XREADGROUP` in this group as this consumer: `>` for new entries, an id for its own
    /// pending ones after that id.
    fn read_group(
        &mut self,
        count: u64,
        block: Option<Duration>,
        from: &str,
    ) -> anyhow::Result<Vec<Entry>> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(&self.group)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(count);
        if let Some(block) = block {
            cmd.arg("BLOCK").arg(block.as_millis() as u64);
        }
        let reply: Value = cmd
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(from)
            .query(&mut self.con)?;
        stream_entries(reply)
    }

    /// Entries other consumers have held for `idle` or longer, taken over by this one.
    pub fn claim_abandoned(&mut self, idle: Duration, count: u64) -> anyhow::Result<Vec<Entry>> {
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(&self.stream)
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(idle.as_millis() as u64)
            .arg(&self.claim_cursor)
            .arg("COUNT")
            .arg(count)
            .query(&mut self.con)?;
        let Value::Array(parts) = reply else {
            bail!("XAUTOCLAIM answered {reply:?}");
        };
        let mut parts = parts.into_iter();
        self.claim_cursor = parts.next().map(text).transpose()?.unwrap_or("0-0".into());
        let mut entries = match parts.next() {
            Some(v) => entry_list(v)?,
            None => Vec::new(),
        };
        self.fill_deliveries(&mut entries)?;
        Ok(entries)
    }

    /// Delivery counts from the group's pending list (a re-read does not return them).
    fn fill_deliveries(&mut self, entries: &mut [Entry]) -> anyhow::Result<()> {
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return Ok(());
        };
        let reply: Value = redis::cmd("XPENDING")
            .arg(&self.stream)
            .arg(&self.group)
            .arg(&first.id)
            .arg(&last.id)
            .arg(entries.len())
            .arg(&self.consumer)
            .query(&mut self.con)?;
        let Value::Array(rows) = reply else {
            bail!("XPENDING answered {reply:?}");
        };
        let mut counts = std::collections::HashMap::with_capacity(rows.len());
        for row in rows {
            let Value::Array(cols) = row else { continue };
            let mut cols = cols.into_iter();
            let (Some(id), Some(_owner), Some(_idle), Some(n)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let n = match n {
                Value::Int(n) => n.max(1) as u64,
                _ => 1,
            };
            counts.insert(text(id)?, n);
        }
        for e in entries {
            e.deliveries = counts.get(&e.id).copied().unwrap_or(1);
        }
        Ok(())
    }

    /// Writes a batch's verdicts and acknowledges its entries in one MULTI/EXEC. Answers the
    /// writes that failed and went to the dead-letter stream as `write-failed` instead.
    pub fn commit<'w>(&mut self, writes: &'w [Write]) -> anyhow::Result<Vec<&'w Write>> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        pipe.atomic().ignore_errors();
        let mut written = Vec::with_capacity(writes.len());
        for w in writes {
            let key = match w.target {
                Target::Nowhere => continue,
                Target::Output => &self.output,
                Target::DeadLetter => &self.dead_letter,
            };
            pipe.add_command(xadd(key, &w.fields));
            written.push(w);
        }
        pipe.cmd("XACK").arg(&self.stream).arg(&self.group);
        for w in writes {
            pipe.arg(&w.id);
        }
        let results: Vec<Value> = pipe
            .query(&mut self.con)
            .context("writing a batch to the output and dead-letter streams")?;
        let failed: Vec<(&'w Write, String)> = written
            .into_iter()
            .zip(&results)
            .filter_map(|(w, r)| match r {
                Value::ServerError(e) => Some((w, format!("{e:?}"))),
                _ => None,
            })
            .collect();
        if let Some(Value::ServerError(e)) = results.last() {
            anyhow::bail!("acknowledging a batch: {e:?}");
        }
        if failed.is_empty() {
            return Ok(Vec::new());
        }
        self.rescue(&failed)?;
        Ok(failed.into_iter().map(|(w, _)| w).collect())
    }

    /// Entries acknowledged whose write failed (a key turned into something else than a stream
    /// while the gate ran): written to the dead-letter stream with the error instead; if that
    /// fails too, the gate stops and names them (they are still in the source stream).
    fn rescue(&mut self, failed: &[(&Write, String)]) -> anyhow::Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic().ignore_errors();
        for (w, error) in failed {
            let mut fields = w.fields.clone();
            fields.push((b"schemagate-reason".to_vec(), b"write-failed".to_vec()));
            fields.push((
                b"schemagate-write-error".to_vec(),
                error.clone().into_bytes(),
            ));
            pipe.add_command(xadd(&self.dead_letter, &fields));
        }
        let results: RedisResult<Vec<Value>> = pipe.query(&mut self.con);
        let ok = results
            .as_ref()
            .is_ok_and(|r| r.iter().all(|v| !matches!(v, Value::ServerError(_))));
        let first = failed.first().map_or("", |(_, e)| e.as_str());
        if ok {
            eprintln!(
                "gate: {} entries could not be written ({}); they are in {} with reason write-failed",
                failed.len(),
                first,
                self.dead_letter
            );
            return Ok(());
        }
        let ids: Vec<&str> = failed.iter().map(|(w, _)| w.id.as_str()).collect();
        anyhow::bail!(
            "{} entries were acknowledged but could be written neither to their stream ({}) nor to {}: they are still in {} under ids {}",
            ids.len(),
            first,
            self.dead_letter,
            self.stream,
            ids.join(" ")
        )
    }

    /// Whether the group has entries it has not delivered yet: XINFO GROUPS' `lag` (Redis 7),
    /// or, where Redis cannot say (before 7, or after deletions), whether the group's last
    /// delivered id is behind the stream's last entry.
    pub fn has_undelivered(&mut self) -> anyhow::Result<bool> {
        let reply: Value = redis::cmd("XINFO")
            .arg("GROUPS")
            .arg(&self.stream)
            .query(&mut self.con)?;
        let Value::Array(groups) = reply else {
            return Ok(false);
        };
        for g in groups {
            let fields = match g {
                Value::Array(f) => f,
                Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
                _ => continue,
            };
            let mut name = None;
            let mut lag = None;
            let mut delivered = None;
            for pair in fields.chunks(2) {
                if let [k, v] = pair {
                    match text(k.clone())?.as_str() {
                        "name" => name = Some(text(v.clone())?),
                        "lag" => lag = Some(v.clone()),
                        "last-delivered-id" => delivered = Some(text(v.clone())?),
                        _ => {}
                    }
                }
            }
            if name.as_deref() != Some(self.group.as_str()) {
                continue;
            }
            if let Some(Value::Int(n)) = lag {
                return Ok(n > 0);
            }
            let newest: Value = redis::cmd("XREVRANGE")
                .arg(&self.stream)
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1)
                .query(&mut self.con)?;
            let newest = entry_list(newest)?.into_iter().next().map(|e| e.id);
            return Ok(match (newest, delivered) {
                (None, _) => false,
                (Some(n), Some(d)) => later(&n, &d),
                (Some(_), None) => true,
            });
        }
        Ok(false)
    }

    /// Entries of the whole group still pending (read by some consumer, not acknowledged).
    pub fn pending_in_group(&mut self) -> anyhow::Result<u64> {
        let reply: Value = redis::cmd("XPENDING")
            .arg(&self.stream)
            .arg(&self.group)
            .query(&mut self.con)?;
        match reply {
            Value::Array(parts) => match parts.into_iter().next() {
                Some(Value::Int(n)) => Ok(n.max(0) as u64),
                _ => Ok(0),
            },
            _ => Ok(0),
        }
    }
}

/// An `XREADGROUP` reply (`[[stream, [entry…]]]`, or nil when nothing came) as entries.
fn stream_entries(reply: Value) -> anyhow::Result<Vec<Entry>> {
    let streams = match reply {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(s) => s,
        Value::Map(m) => m
            .into_iter()
            .map(|(k, v)| Value::Array(vec![k, v]))
            .collect(),
        other => bail!("XREADGROUP answered {other:?}"),
    };
    let mut out = Vec::new();
    for s in streams {
        let Value::Array(parts) = s else { continue };
        if let Some(list) = parts.into_iter().nth(1) {
            out.extend(entry_list(list)?);
        }
    }
    Ok(out)
}

/// `[[id, [field, value, …]], …]`; an entry deleted while pending has nil fields.
fn entry_list(list: Value) -> anyhow::Result<Vec<Entry>> {
    let Value::Array(items) = list else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Array(pair) = item else { continue };
        let mut pair = pair.into_iter();
        let Some(id) = pair.next() else { continue };
        let fields = match pair.next() {
            Some(Value::Array(flat)) => {
                let mut fields = Vec::with_capacity(flat.len() / 2);
                let mut flat = flat.into_iter();
                while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
                    fields.push((bytes(k)?, bytes(v)?));
                }
                Some(fields)
            }
            _ => None,
        };
        out.push(Entry {
            id: text(id)?,
            fields,
            deliveries: 1,
        });
    }
    Ok(out)
}

/// Whether stream id `a` comes after `b` (ids are `MS-SEQ`, compared as numbers).
fn later(a: &str, b: &str) -> bool {
    let parse = |id: &str| {
        let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
        (
            ms.parse::<u64>().unwrap_or(0),
            seq.parse::<u64>().unwrap_or(0),
        )
    };
    parse(a) > parse(b)
}

fn xadd(key: &str, fields: &[(Vec<u8>, Vec<u8>)]) -> redis::Cmd {
    let mut c = redis::cmd("XADD");
    c.arg(key).arg("*");
    for (k, v) in fields {
        c.arg(k.as_slice()).arg(v.as_slice());
    }
    c
}

fn bytes(v: Value) -> anyhow::Result<Vec<u8>> {
    match v {
        Value::BulkString(b) => Ok(b),
        Value::SimpleString(s) => Ok(s.into_bytes()),
        Value::Int(n) => Ok(n.to_string().into_bytes()),
        other => bail!("expected a string from Redis, got {other:?}"),
    }
}

fn text(v: Value) -> anyhow::Result<String> {
    String::from_utf8(bytes(v)?).context("a stream id that is not UTF-8")
}

#[cfg(test)]
mod tests {
    use super::later;

    #[test]
    fn stream_ids_compare_as_numbers() {
        assert!(later("1700000000001-0", "1700000000000-5"));
        assert!(later("10-0", "9-0"), "not as text");
        assert!(later("5-10", "5-9"));
        assert!(!later("5-9", "5-9"));
    }
}
