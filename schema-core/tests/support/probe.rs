//! The soundness probe: random instances of one schema, kept where its validator accepts them,
//! checked against the other schema wherever the engine calls a direction compatible.

use schema_core::validate::Compiled;
use schema_core::{check, Document, Draft, Mode, Options, Rules};
use serde_json::{json, Map, Value};

use super::as_seen_by;

pub const SAMPLES: usize = 400;

/// splitmix64: small, seeded, reproducible.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub struct Gen<'a> {
    pub doc: &'a Document,
    /// Names to sprinkle into objects (standard rules: names only the target declares).
    pub foreign: Vec<String>,
}

impl Gen<'_> {
    fn deref<'v>(&'v self, mut s: &'v Value) -> &'v Value {
        for _ in 0..16 {
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.doc.local_target(r))
            {
                Some(p) => s = self.doc.at(&p).unwrap_or(s),
                None => break,
            }
        }
        s
    }

    fn any(&self, rng: &mut Rng, depth: usize) -> Value {
        match rng.below(if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => json!(rng.chance(50)),
            2 => json!(rng.below(200) as i64 - 100),
            3 => json!((rng.below(2000) as f64 - 1000.0) / 7.0),
            4 => json!(["", "a", "abc", "x_1", "2024-01-01", "hello world"][rng.below(6)]),
            5 => Value::Array(
                (0..rng.below(3))
                    .map(|_| self.any(rng, depth + 1))
                    .collect(),
            ),
            _ => {
                let mut m = Map::new();
                for i in 0..rng.below(3) {
                    m.insert(format!("zz_k{i}"), self.any(rng, depth + 1));
                }
                Value::Object(m)
            }
        }
    }

    pub fn gen(&self, s: &Value, rng: &mut Rng, depth: usize) -> Value {
        if depth > 6 {
            return self.any(rng, depth);
        }
        let s = self.deref(s);
        let obj = match s {
            Value::Bool(_) => return self.any(rng, depth),
            Value::Object(o) => o,
            _ => return Value::Null,
        };
        if let Some(c) = obj.get("const") {
            if rng.chance(90) {
                return c.clone();
            }
        }
        if let Some(Value::Array(e)) = obj.get("enum") {
            if rng.chance(90) && !e.is_empty() {
                return e[rng.below(e.len())].clone();
            }
        }
        for kw in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = obj.get(kw) {
                if !alts.is_empty() && rng.chance(80) {
                    let mut v = self.gen(&alts[rng.below(alts.len())], rng, depth + 1);
                    if let (Value::Object(m), true) = (&mut v, obj.contains_key("properties")) {
                        if let Value::Object(own) = self.gen_typed(obj, "object", rng, depth) {
                            for (k, x) in own {
                                m.entry(k).or_insert(x);
                            }
                        }
                    }
                    return v;
                }
            }
        }
        if let Some(Value::Array(all)) = obj.get("allOf") {
            let mut acc = Map::new();
            let mut other = None;
            for b in all {
                match self.gen(b, rng, depth + 1) {
                    Value::Object(m) => acc.extend(m),
                    v => other = Some(v),
                }
            }
            if let Some(v) = other {
                return v;
            }
            if let Value::Object(own) = self.gen_typed(obj, "object", rng, depth) {
                for (k, x) in own {
                    acc.entry(k).or_insert(x);
                }
            }
            return Value::Object(acc);
        }
        let types: Vec<&str> = match obj.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => {
                let mut t = Vec::new();
                if obj.contains_key("properties")
                    || obj.contains_key("required")
                    || obj.contains_key("additionalProperties")
                {
                    t.push("object");
                }
                if obj.contains_key("items")
                    || obj.contains_key("prefixItems")
                    || obj.contains_key("contains")
                {
                    t.push("array");
                }
                if obj.contains_key("minLength")
                    || obj.contains_key("maxLength")
                    || obj.contains_key("pattern")
                {
                    t.push("string");
                }
                if obj.contains_key("minimum")
                    || obj.contains_key("maximum")
                    || obj.contains_key("multipleOf")
                {
                    t.push("number");
                }
                if t.is_empty() || rng.chance(20) {
                    return self.any(rng, depth);
                }
                t
            }
        };
        if types.is_empty() {
            return Value::Null;
        }
        let t = types[rng.below(types.len())];
        self.gen_typed(obj, t, rng, depth)
    }

    fn gen_typed(&self, obj: &Map<String, Value>, t: &str, rng: &mut Rng, depth: usize) -> Value {
        let num = |k: &str| obj.get(k).and_then(Value::as_f64);
        match t {
            "null" => Value::Null,
            "boolean" => json!(rng.chance(50)),
            "integer" | "number" => {
                let lo = num("minimum").or(num("exclusiveMinimum")).unwrap_or(-100.0);
                let hi = num("maximum")
                    .or(num("exclusiveMaximum"))
                    .unwrap_or(lo.max(0.0) + 100.0);
                let mut v = if rng.chance(20) {
                    [lo, hi, lo + 1.0, hi - 1.0][rng.below(4)]
                } else {
                    lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0)
                };
                if let Some(m) = num("multipleOf") {
                    v = (v / m).round() * m;
                }
                if t == "integer" || rng.chance(50) {
                    json!(v.round() as i64)
                } else {
                    json!(v)
                }
            }
            "string" => {
                if let Some(f) = obj.get("format").and_then(Value::as_str) {
                    let samples = [
                        "2024-01-01T00:00:00Z",
                        "2024-01-01",
                        "123e4567-e89b-12d3-a456-426614174000",
                        "user@example.com",
                        "https://example.com/x",
                        "12:00:00Z",
                    ];
                    if rng.chance(80) {
                        return json!(samples[rng.below(samples.len())]);
                    }
                    let _ = f;
                }
                let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
                let max = obj
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .map(|m| m as usize)
                    .unwrap_or(min + 12)
                    .max(min);
                let len = min + rng.below(max - min + 1);
                let alphabet = ["a", "b", "Z", "0", "_", "-", " "];
                if let Some(p) = obj.get("pattern").and_then(Value::as_str) {
                    if let Ok(re) = regex::Regex::new(p) {
                        let tries = [
                            "a",
                            "abc",
                            "A",
                            "0",
                            "a1",
                            "x_1",
                            "ab-12",
                            "S_a",
                            "I_1",
                            "2024-01-01",
                        ];
                        let fits: Vec<&&str> = tries.iter().filter(|s| re.is_match(s)).collect();
                        if !fits.is_empty() && rng.chance(80) {
                            return json!(fits[rng.below(fits.len())]);
                        }
                    }
                }
                json!((0..len)
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect::<String>())
            }
            "array" => {
                let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let max = obj
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .map(|m| m as usize)
                    .unwrap_or(min + 3)
                    .max(min);
                let len = min + rng.below(max - min + 1);
                let tuple = self.doc.draft < Draft::Draft202012;
                let prefix = if tuple {
                    obj.get("items").and_then(Value::as_array)
                } else {
                    obj.get("prefixItems").and_then(Value::as_array)
                };
                let rest = if tuple {
                    if prefix.is_some() {
                        obj.get("additionalItems")
                    } else {
                        obj.get("items")
                    }
                } else {
                    obj.get("items")
                };
                let mut out = Vec::new();
                for i in 0..len {
                    let s = prefix.and_then(|p| p.get(i)).or(rest);
                    out.push(match s {
                        Some(s) => self.gen(s, rng, depth + 1),
                        None => self.any(rng, depth + 1),
                    });
                }
                if let Some(c) = obj.get("contains") {
                    if rng.chance(60) {
                        out.push(self.gen(c, rng, depth + 1));
                    }
                }
                Value::Array(out)
            }
            _ => {
                let mut m = Map::new();
                let req: Vec<&str> = obj
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(Value::Object(props)) = obj.get("properties") {
                    for (k, ps) in props {
                        if req.contains(&k.as_str()) || rng.chance(50) {
                            m.insert(k.clone(), self.gen(ps, rng, depth + 1));
                        }
                    }
                }
                for r in &req {
                    if !m.contains_key(*r) {
                        m.insert(r.to_string(), self.any(rng, depth + 1));
                    }
                }
                if let Some(Value::Object(pats)) = obj.get("patternProperties") {
                    for (p, ps) in pats {
                        if let Ok(re) = regex::Regex::new(p) {
                            if let Some(k) = ["x_1", "S_a", "I_1", "a", "zz"]
                                .iter()
                                .find(|k| re.is_match(k))
                            {
                                if rng.chance(40) {
                                    m.insert(k.to_string(), self.gen(ps, rng, depth + 1));
                                }
                            }
                        }
                    }
                }
                if obj.get("additionalProperties") != Some(&Value::Bool(false)) && rng.chance(30) {
                    let v = match obj.get("additionalProperties") {
                        Some(ap) => self.gen(ap, rng, depth + 1),
                        None => self.any(rng, depth + 1),
                    };
                    m.insert("zz_extra".into(), v);
                }
                for f in &self.foreign {
                    if rng.chance(25) {
                        m.insert(f.clone(), self.any(rng, depth + 1));
                    }
                }
                Value::Object(m)
            }
        }
    }
}

pub fn all_property_names(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    schema_core::subschemas::for_each_subschema(&doc.root, doc.draft, "", &mut |_, s| {
        if let Some(Value::Object(p)) = s.get("properties") {
            out.extend(p.keys().cloned());
        }
    });
    out.sort();
    out.dedup();
    out
}

/// Both directions. Returns (instances checked, counterexamples).
pub fn probe(
    old: &Document,
    new: &Document,
    options: Options,
    seed: u64,
    name: &str,
) -> (usize, Vec<String>) {
    probe_directions(old, new, options, seed, name, &[true, false])
}

/// The directions given (`true`: backward). Returns (instances checked, counterexamples).
pub fn probe_directions(
    old: &Document,
    new: &Document,
    options: Options,
    seed: u64,
    name: &str,
    directions: &[bool],
) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for &backward in directions {
        let mode = if backward {
            Mode::Backward
        } else {
            Mode::Forward
        };
        let report = check(
            old,
            new,
            Options {
                mode,
                witnesses: false,
                ..options
            },
        )
        .unwrap();
        if !report.compatible {
            continue;
        }
        // `standard` keeps Confluent's documented unsound verdicts (docs/confluent-exceptions.md).
        if options.rules != Rules::Events
            && report.changes.iter().any(|c| c.kind.confluent_exception())
        {
            continue;
        }
        let (src, dst) = if backward { (old, new) } else { (new, old) };
        let (Ok(vs), Ok(vd)) = (Compiled::new(src), Compiled::new(dst)) else {
            continue;
        };
        let foreign = if options.rules == Rules::Events {
            Vec::new()
        } else {
            all_property_names(dst)
        };
        let g = Gen { doc: src, foreign };
        let mut rng = Rng(seed);
        for _ in 0..SAMPLES {
            let inst = g.gen(&src.root, &mut rng, 0);
            if !vs.is_valid(&inst) {
                continue;
            }
            checked += 1;
            if !vd.is_valid(&as_seen_by(&inst, dst)) {
                bad.push(format!("{name} [{} {mode}]: {inst}", options.rules));
                break;
            }
        }
    }
    (checked, bad)
}

/// A counterexample to a compatible verdict of `mode` under `standard` (all instances), if the
/// probe finds one.
pub fn probe_counterexample(
    old: &Document,
    new: &Document,
    mode: Mode,
    seed: u64,
) -> Option<String> {
    let options = Options {
        rules: Rules::Standard,
        schema_version: false,
        ..Options::default()
    };
    let directions: &[bool] = match mode {
        Mode::Backward => &[true],
        Mode::Forward => &[false],
        _ => &[true, false],
    };
    let (_, bad) = probe_directions(old, new, options, seed, "", directions);
    bad.into_iter().next()
}
