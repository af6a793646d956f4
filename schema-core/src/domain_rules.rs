//! Domain rules of a data contract that schemagate runs itself: conditions written in CEL
//! (Confluent's `ruleSet.domainRules` of type `CEL`, on the whole event as `message`, and
//! `CEL_FIELD`, on each field as `value` with its `name`), compiled once and evaluated on every
//! payload that passed its schema. A failed condition says which rule and what it asks for; what
//! happens then is the rule's `onFailure` (`ERROR` rejects, `DLQ` dead-letters, `NONE` records).
//!
//! Expressions come from whoever registers a schema, so they are bounded: their length, and the
//! nesting of comprehensions (`all`, `exists`, `map`, `filter`) whose cost multiplies with the
//! size of the payload.

use serde_json::Value;

/// The longest expression accepted.
pub const MAX_EXPR_BYTES: usize = 4096;
/// Comprehensions nested deeper than this are refused (each multiplies the cost by a list's
/// length).
pub const MAX_COMPREHENSION_DEPTH: usize = 2;
/// Fields visited per payload by a `CEL_FIELD` rule.
const MAX_FIELDS: usize = 10_000;

/// What a failed rule does with the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OnFailure {
    /// Reject it, naming the rule.
    Error,
    /// Send it to the dead-letter output.
    Dlq,
    /// Let it through and record the failure.
    None,
}

impl std::fmt::Display for OnFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OnFailure::Error => "ERROR",
            OnFailure::Dlq => "DLQ",
            OnFailure::None => "NONE",
        })
    }
}

impl OnFailure {
    /// Confluent's spelling; for rules that name two actions (`"DLQ,NONE"` for WRITEREAD),
    /// the first is the one for a write, which is what validation is. Absent means `ERROR`.
    pub fn parse(s: Option<&str>) -> Result<OnFailure, String> {
        let first = s.map(|s| s.split(',').next().unwrap_or("").trim());
        match first {
            None | Some("") | Some("ERROR") => Ok(OnFailure::Error),
            Some("DLQ") => Ok(OnFailure::Dlq),
            Some("NONE") => Ok(OnFailure::None),
            Some(other) => Err(format!("onFailure {other:?} is not ERROR, DLQ or NONE")),
        }
    }
}

/// One rule as a data contract writes it (the fields schemagate reads).
#[derive(Debug, Clone, Default)]
pub struct RuleSpec {
    pub name: String,
    /// `CEL`, `CEL_FIELD`; other types are not run here.
    pub rule_type: String,
    /// `CONDITION` or `TRANSFORM`; only conditions are run (a transform rewrites events, which a
    /// gate never does).
    pub kind: Option<String>,
    /// `WRITE`, `READ`, `WRITEREAD`, `UPGRADE`…; migration modes are not run.
    pub mode: Option<String>,
    pub expr: String,
    pub on_failure: Option<String>,
    pub disabled: bool,
    /// For `CEL_FIELD`: the field tags the rule applies to (none: every field).
    pub tags: Vec<String>,
}

/// A rule that does not compile, with where in its expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {rule:?}: {message}{}", location.map(|(l, c)| format!(" (expression line {l}, column {c})")).unwrap_or_default())]
pub struct RuleError {
    pub rule: String,
    pub message: String,
    /// Line and column in the expression, 1-based.
    pub location: Option<(usize, usize)>,
}

/// A rule the payload failed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Failure {
    pub rule: String,
    pub on_failure: OnFailure,
    /// The field the rule failed on (`CEL_FIELD`), as a JSON pointer; empty for the event.
    pub instance_pointer: String,
    pub message: String,
}

/// What happens to an event, given the rules it failed: the strongest action wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No rule failed.
    Pass,
    /// Only `NONE` rules failed: the event goes on, the failures are recorded.
    Record,
    /// A `DLQ` rule failed (and no `ERROR` rule).
    DeadLetter,
    /// An `ERROR` rule failed.
    Reject,
}

pub fn outcome(failures: &[Failure]) -> Outcome {
    failures
        .iter()
        .map(|f| match f.on_failure {
            OnFailure::Error => Outcome::Reject,
            OnFailure::Dlq => Outcome::DeadLetter,
            OnFailure::None => Outcome::Record,
        })
        .max()
        .unwrap_or(Outcome::Pass)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Message,
    Field,
}

struct Compiled {
    name: String,
    expr: String,
    scope: Scope,
    on_failure: OnFailure,
    tags: Vec<String>,
    program: cel::Program,
}

/// The domain rules of one schema version, compiled.
#[derive(Default)]
pub struct DomainRules {
    rules: Vec<Compiled>,
}

impl std::fmt::Debug for DomainRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| &r.name))
            .finish()
    }
}

impl DomainRules {
    /// Compiles every rule that is run here; refuses the first that does not compile.
    pub fn compile(specs: &[RuleSpec]) -> Result<DomainRules, RuleError> {
        let mut rules = Vec::new();
        for spec in specs {
            let scope = match spec.rule_type.as_str() {
                "CEL" => Scope::Message,
                "CEL_FIELD" => Scope::Field,
                _ => continue,
            };
            let fail = |message: String, location| RuleError {
                rule: spec.name.clone(),
                message,
                location,
            };
            let on_failure =
                OnFailure::parse(spec.on_failure.as_deref()).map_err(|m| fail(m, None))?;
            let program = compile_expr(&spec.expr).map_err(|(m, at)| fail(m, at))?;
            let runs = !spec.disabled
                && spec.kind.as_deref().is_none_or(|k| k == "CONDITION")
                && spec
                    .mode
                    .as_deref()
                    .is_none_or(|m| matches!(m, "WRITE" | "READ" | "WRITEREAD"));
            if runs {
                rules.push(Compiled {
                    name: spec.name.clone(),
                    expr: spec.expr.clone(),
                    scope,
                    on_failure,
                    tags: spec.tags.clone(),
                    program,
                });
            }
        }
        Ok(DomainRules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules `payload` fails (each rule at most once). `schema` supplies the field tags
    /// (`confluent:tags`) that `CEL_FIELD` rules select fields by.
    pub fn check(&self, payload: &Value, schema: &Value) -> Vec<Failure> {
        let mut out = Vec::new();
        for rule in &self.rules {
            let failure = match rule.scope {
                Scope::Message => {
                    let mut ctx = cel::Context::default();
                    match ctx.add_variable("message", payload) {
                        Ok(()) => verdict(rule, &ctx, ""),
                        Err(e) => Some(format!("the event cannot be read by CEL: {e}")),
                    }
                    .map(|m| (String::new(), m))
                }
                Scope::Field => check_fields(rule, payload, schema),
            };
            if let Some((instance_pointer, message)) = failure {
                out.push(Failure {
                    rule: rule.name.clone(),
                    on_failure: rule.on_failure,
                    instance_pointer,
                    message,
                });
            }
        }
        out
    }
}

/// A schema version's domain rules with the schema whose field tags `CEL_FIELD` rules select
/// by: what every place that validates payloads (the registry's endpoints, the edge layer, the
/// CLI) checks a schema-valid payload with.
#[derive(Debug, Default)]
pub struct Contract {
    rules: DomainRules,
    /// `Null` without rules.
    schema: Value,
}

impl Contract {
    pub fn new(rules: DomainRules, schema: &Value) -> Contract {
        let schema = if rules.is_empty() {
            Value::Null
        } else {
            schema.clone()
        };
        Contract { rules, schema }
    }

    /// Compiles `specs` for a schema.
    pub fn compile(specs: &[RuleSpec], schema: &Value) -> Result<Contract, RuleError> {
        Ok(Contract::new(DomainRules::compile(specs)?, schema))
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules a schema-valid payload fails.
    pub fn failures(&self, payload: &Value) -> Vec<Failure> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        self.rules.check(payload, &self.schema)
    }

    /// As [`Contract::failures`], from the payload's bytes (read only when there are rules; a
    /// payload that is not JSON has already failed its schema).
    pub fn failures_of_raw(&self, raw: &[u8]) -> Vec<Failure> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        match serde_json::from_slice::<Value>(raw) {
            Ok(v) => self.rules.check(&v, &self.schema),
            Err(_) => Vec::new(),
        }
    }
}

/// `None` when the condition holds, else why not.
fn verdict(rule: &Compiled, ctx: &cel::Context, at: &str) -> Option<String> {
    let place = if at.is_empty() {
        String::new()
    } else {
        format!(" at {at}")
    };
    match rule.program.execute(ctx) {
        Ok(cel::Value::Bool(true)) => None,
        Ok(cel::Value::Bool(false)) => Some(format!(
            "rule {:?} failed{place}: {} is false",
            rule.name, rule.expr
        )),
        Ok(other) => Some(format!(
            "rule {:?}{place}: {} gave {other:?}, not true or false",
            rule.name, rule.expr
        )),
        Err(e) => Some(format!(
            "rule {:?}{place}: {} could not be evaluated: {e}",
            rule.name, rule.expr
        )),
    }
}

/// A `CEL_FIELD` condition on every field it applies to, depth first; the first failure.
fn check_fields(rule: &Compiled, payload: &Value, schema: &Value) -> Option<(String, String)> {
    let mut stack = vec![(payload, Some(schema), String::new())];
    let mut visited = 0;
    while let Some((value, schema, ptr)) = stack.pop() {
        let Value::Object(fields) = value else {
            continue;
        };
        let props = schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object);
        for (name, v) in fields {
            visited += 1;
            if visited > MAX_FIELDS {
                return None;
            }
            let field_schema = props.and_then(|p| p.get(name));
            let tags: Vec<&str> = field_schema
                .and_then(|s| s.get("confluent:tags"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let here = format!("{ptr}/{}", crate::pointer::escape(name));
            let applies =
                rule.tags.is_empty() || rule.tags.iter().any(|t| tags.contains(&t.as_str()));
            if applies {
                let mut ctx = cel::Context::default();
                let bound = ctx
                    .add_variable("value", v)
                    .and_then(|()| ctx.add_variable("name", name.as_str()))
                    .and_then(|()| ctx.add_variable("typeName", type_name(v)))
                    .and_then(|()| ctx.add_variable("tags", &tags))
                    .and_then(|()| ctx.add_variable("message", payload));
                let failed = match bound {
                    Ok(()) => verdict(rule, &ctx, &here),
                    Err(e) => Some(format!("field {here} cannot be read by CEL: {e}")),
                };
                if let Some(m) = failed {
                    return Some((here, m));
                }
            }
            if v.is_object() {
                stack.push((v, field_schema, here));
            }
        }
    }
    None
}

/// Confluent's type names for a field's value.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(n) if n.is_i64() || n.is_u64() => "INT",
        Value::Number(_) => "DOUBLE",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "RECORD",
    }
}

/// Compiles one expression within the bounds, or says why not and where.
fn compile_expr(expr: &str) -> Result<cel::Program, (String, Option<(usize, usize)>)> {
    if expr.trim().is_empty() {
        return Err(("the expression is empty".into(), None));
    }
    if expr.len() > MAX_EXPR_BYTES {
        return Err((
            format!(
                "the expression is {} bytes; at most {MAX_EXPR_BYTES} are accepted",
                expr.len()
            ),
            None,
        ));
    }
    if let Some(at) = too_nested(expr) {
        return Err((
            format!("comprehensions (all, exists, exists_one, map, filter) nest deeper than {MAX_COMPREHENSION_DEPTH}"),
            Some(at),
        ));
    }
    // The parser recurses on nesting; a hostile expression gets a thread with room for it.
    let source = expr.to_string();
    let parsed = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            cel::Program::compile(&source).map_err(|e| {
                let first = e.errors.first();
                let at = first.and_then(|f| {
                    let (l, c) = f.pos;
                    (l > 0 && c >= 0).then_some((l as usize, c as usize + 1))
                });
                let msg = first.map_or_else(|| e.to_string(), |f| f.msg.clone());
                (msg, at)
            })
        })
        .map_err(|e| (format!("cannot start the compiler: {e}"), None))?
        .join()
        .map_err(|_| ("the expression could not be compiled".to_string(), None))?;
    parsed
}

/// Where comprehensions first nest deeper than allowed, by reading the text: a comprehension
/// opens at `.all(`, `.exists(`, … and closes at its matching parenthesis. Strings are skipped.
fn too_nested(expr: &str) -> Option<(usize, usize)> {
    const MACROS: [&[u8]; 5] = [
        b".all(",
        b".exists(",
        b".exists_one(",
        b".map(",
        b".filter(",
    ];
    let b = expr.as_bytes();
    // For each open parenthesis: whether it opened a comprehension.
    let mut parens: Vec<bool> = Vec::new();
    let mut depth = 0;
    let (mut line, mut col) = (1, 0);
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        col += 1;
        if c == b'\n' {
            line += 1;
            col = 0;
        }
        match quote {
            // An escape: the next byte is text.
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'(' => {
                    let before = b.get(..=i).unwrap_or_default();
                    let opens = MACROS.iter().any(|m| before.ends_with(m));
                    parens.push(opens);
                    if opens {
                        depth += 1;
                        if depth > MAX_COMPREHENSION_DEPTH {
                            return Some((line, col));
                        }
                    }
                }
                b')' => depth -= usize::from(parens.pop() == Some(true)),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(name: &str, rule_type: &str, expr: &str, on_failure: &str) -> RuleSpec {
        RuleSpec {
            name: name.into(),
            rule_type: rule_type.into(),
            kind: Some("CONDITION".into()),
            mode: Some("WRITE".into()),
            expr: expr.into(),
            on_failure: Some(on_failure.into()),
            ..RuleSpec::default()
        }
    }

    #[test]
    fn message_conditions_pass_fail_and_name_the_rule() {
        let rules = DomainRules::compile(&[
            rule("positive", "CEL", "message.amount > 0", "ERROR"),
            rule(
                "currency",
                "CEL",
                "message.currency in ['EUR', 'USD']",
                "DLQ",
            ),
        ])
        .unwrap();
        let schema = json!({});
        assert!(rules
            .check(&json!({"amount": 5, "currency": "EUR"}), &schema)
            .is_empty());
        let failed = rules.check(&json!({"amount": -1, "currency": "GBP"}), &schema);
        let names: Vec<_> = failed
            .iter()
            .map(|f| (f.rule.as_str(), f.on_failure))
            .collect();
        assert_eq!(
            names,
            [("positive", OnFailure::Error), ("currency", OnFailure::Dlq)]
        );
        assert_eq!(outcome(&failed), Outcome::Reject);
        assert_eq!(outcome(&failed[1..]), Outcome::DeadLetter);
        assert_eq!(outcome(&[]), Outcome::Pass);
        assert!(
            failed[0].message.contains("message.amount > 0"),
            "{}",
            failed[0].message
        );
        // a missing field is a failure, not a pass
        let failed = rules.check(&json!({"currency": "EUR"}), &schema);
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0].message.contains("could not be evaluated"),
            "{}",
            failed[0].message
        );
    }

    #[test]
    fn field_conditions_select_fields_by_tag() {
        let rules = DomainRules::compile(&[RuleSpec {
            tags: vec!["PII".into()],
            ..rule("short", "CEL_FIELD", "size(value) <= 5", "ERROR")
        }])
        .unwrap();
        let schema = json!({"properties": {
            "name": {"type": "string", "confluent:tags": ["PII"]},
            "note": {"type": "string"},
            "inner": {"properties": {"email": {"confluent:tags": ["PII"]}}}
        }});
        let ok = json!({"name": "ann", "note": "a long note", "inner": {"email": "a@b"}});
        assert!(rules.check(&ok, &schema).is_empty());
        let bad = json!({"name": "ann", "inner": {"email": "someone@example.com"}});
        let failed = rules.check(&bad, &schema);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].instance_pointer, "/inner/email");
    }

    #[test]
    fn what_is_not_run_here_is_skipped_and_bad_rules_are_refused_with_a_place() {
        let skipped = DomainRules::compile(&[
            rule("j", "JSONATA", "$", "ERROR"),
            RuleSpec {
                disabled: true,
                ..rule("off", "CEL", "false", "ERROR")
            },
            RuleSpec {
                mode: Some("UPGRADE".into()),
                ..rule("migrate", "CEL", "false", "ERROR")
            },
        ])
        .unwrap();
        assert!(skipped.is_empty());
        let e = DomainRules::compile(&[rule("broken", "CEL", "message.amount >", "ERROR")])
            .unwrap_err();
        assert_eq!(e.rule, "broken");
        assert_eq!(e.location.map(|l| l.0), Some(1), "{e}");
        let e = DomainRules::compile(&[rule("x", "CEL", "true", "EXPLODE")]).unwrap_err();
        assert!(e.message.contains("EXPLODE"));
        let long = "a".repeat(MAX_EXPR_BYTES + 1);
        assert!(DomainRules::compile(&[rule("long", "CEL", &long, "ERROR")]).is_err());
        let nested = "message.a.all(x, message.b.all(y, message.c.all(z, x + y + z > 0)))";
        let e = DomainRules::compile(&[rule("nested", "CEL", nested, "ERROR")]).unwrap_err();
        assert_eq!(e.location.map(|l| l.0), Some(1), "{e}");
        assert!(DomainRules::compile(&[rule(
            "two",
            "CEL",
            "message.a.all(x, message.b.exists(y, x == y))",
            "ERROR"
        )])
        .is_ok());
        // a parenthesis inside a string is text
        assert!(DomainRules::compile(&[rule(
            "s",
            "CEL",
            "message.s == 'a.all(b.all(c.all('",
            "ERROR"
        )])
        .is_ok());
        let deep = "(".repeat(2000) + "true" + &")".repeat(2000);
        assert!(DomainRules::compile(&[rule("deep", "CEL", &deep, "ERROR")]).is_err());
    }
}
