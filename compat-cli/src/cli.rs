//! Command-line flags. Defaults follow DESIGN section 4: mode `full`, rules `events`, format
//! `human`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use schema_core::{Mode, Rules};

#[derive(Debug, Parser)]
#[command(
    name = "compat-cli",
    version,
    about = "schemagate: compatibility checks for JSON event schemas"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The dialect of schemas without `$schema`: draft-07 (the default, as Confluent reads
    /// them), draft-04, draft-06, 2019-09 or 2020-12. `check` also reads `dialect` from
    /// schemagate.toml; this flag wins.
    #[arg(long, global = true, env = "SCHEMAGATE_DEFAULT_DIALECT", value_parser = parse_dialect)]
    pub default_dialect: Option<schema_core::Draft>,
}

fn parse_dialect(s: &str) -> Result<schema_core::Draft, String> {
    schema_core::Draft::from_name(s).ok_or_else(|| {
        format!("unknown dialect {s:?}; expected draft-04, draft-06, draft-07, 2019-09 or 2020-12")
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diff two schema files and judge the changes.
    Diff(DiffArgs),
    /// Check every schema under the schema directory against a git ref (the CI step).
    Check(CheckArgs),
    /// Validate payloads (JSON files, NDJSON files or stdin) against a schema.
    Validate(ValidateArgs),
    /// Register a schema under a subject (any Confluent-API registry).
    Register(RegisterArgs),
    /// Register every new or changed schema of the schema directory, referenced ones first
    /// (the post-merge step); what is registered already is left alone.
    Publish(PublishArgs),
    /// Check event schemas for the rules that need no baseline.
    Lint(LintArgs),
    /// Gate a Redis Stream: validate each entry against the registry, pass valid entries to an
    /// output stream and dead-letter the others, acknowledging only what was written.
    Gate(GateArgs),
    /// Replay archived events (NDJSON, gzip'd or not, and folders of them) against a candidate
    /// schema: how many would it refuse, and where.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The registry, e.g. http://127.0.0.1:8081.
    #[arg(long, env = "SCHEMAGATE_REGISTRY")]
    pub registry: String,
    /// The subject to register under (Confluent's naming, e.g. `widgets.WidgetCreated`).
    #[arg(long)]
    pub subject: String,
    /// The schema file.
    pub file: PathBuf,
    /// Largest schema file read, in bytes (event schemas are kilobytes; this bounds time and
    /// memory on a wrong or hostile input).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_schema_bytes: u64,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The schema directory (default: `dir` in schemagate.toml, else `schemas`), relative to
    /// the repository root.
    pub dir: Option<String>,
    /// The registry, e.g. http://127.0.0.1:8081.
    #[arg(long, env = "SCHEMAGATE_REGISTRY")]
    pub registry: String,
    /// Say what would be registered, register nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Largest schema file read, in bytes (event schemas are kilobytes; this bounds time and
    /// memory on a wrong or hostile input).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_schema_bytes: u64,
    #[command(flatten)]
    pub auth: AuthArgs,
}

/// Credentials for the registry (shared with `registry-server import/export`).
pub use registry_client::Credentials as AuthArgs;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Schema files or directories (default: the schema directory of schemagate.toml, else `schemas`).
    pub paths: Vec<PathBuf>,
    /// Output format, as for `diff` and `check`: `human` (file:line:col: rule: message),
    /// `json`, `github` (workflow annotations) or `sarif`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Largest schema file read, in bytes (event schemas are kilobytes; this bounds time and
    /// memory on a wrong or hostile input).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_schema_bytes: u64,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The schema file to validate against (or `--registry URL --subject S` instead).
    #[arg(
        long,
        required_unless_present = "registry",
        conflicts_with = "registry"
    )]
    pub schema: Option<PathBuf>,
    /// Validate against the registered versions of `--subject` instead: each payload against the
    /// version whose `schema_version` it carries (or `--version`).
    #[arg(long, requires = "subject")]
    pub registry: Option<String>,
    /// The subject whose registered versions validate the payloads (with `--registry`).
    #[arg(long)]
    pub subject: Option<String>,
    /// One registered version (a number or `latest`) for every payload.
    #[arg(long, requires = "registry")]
    pub version: Option<String>,
    /// Payload files: `.json` holds one payload, anything else is NDJSON; `-` (or none) reads
    /// NDJSON from stdin.
    pub payloads: Vec<PathBuf>,
    /// Write each invalid payload with its errors as one JSON line here; the event is kept
    /// byte for byte (`payload` as written, `payload_raw` for text that is not JSON,
    /// `payload_base64` for bytes that are not UTF-8).
    #[arg(long)]
    pub dlq: Option<PathBuf>,
    /// The inputs are dead-letter files written by `--dlq`: validate (and route again) the
    /// events they hold, exactly as they first arrived. Line numbers are the records'.
    #[arg(long)]
    pub dead_letters: bool,
    /// Write each valid payload, exactly as read, as one line here.
    #[arg(long)]
    pub valid_out: Option<PathBuf>,
    /// A data contract's rule set (Confluent's `ruleSet` JSON) whose CEL domain rules run on
    /// every payload that passes `--schema`; with `--registry`, each version's own rule set
    /// runs. A failed rule does what its `onFailure` says: ERROR and DLQ make the payload
    /// invalid (and send it to `--dlq`), NONE lets it pass and prints the failure.
    #[arg(long, conflicts_with = "registry")]
    pub rule_set: Option<PathBuf>,
    /// Threads that validate NDJSON (default: one per core). The output is the same for any
    /// number: lines are reported and written in input order.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Largest schema file read, in bytes (event schemas are kilobytes; this bounds time and
    /// memory on a wrong or hostile input).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_schema_bytes: u64,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to compare with: a git ref (`origin/main`, a tag, a commit id), or
    /// `registry:URL` for the latest registered version of each subject (every version when
    /// the subject's level is transitive), judged at the registry's level for the subject.
    #[arg(long)]
    pub against: String,
    /// The schema directory, relative to the repository root (default: `dir` in
    /// schemagate.toml, else `schemas`).
    #[arg(long)]
    pub dir: Option<String>,
    /// Directions for every subject (default: schemagate.toml, else `full`).
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Rule set for every subject (default: schemagate.toml, else `events`).
    #[arg(long, value_enum)]
    pub rules: Option<RulesArg>,
    /// `human`, `json` (DESIGN section 4's object), `github` (workflow annotations) or `sarif`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Colors in human output: only on a terminal by default (and never with NO_COLOR set).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Event archives, one folder (or file) per subject (`DIR/SUBJECT`, NDJSON, gzip'd or
    /// not): each changed or added subject's archived events are replayed against its new
    /// schema, and an event it refuses fails the check beside the static verdict.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// With `--replay`: each archived line is an envelope and the event is this field.
    #[arg(long, requires = "replay", value_name = "FIELD")]
    pub replay_envelope: Option<String>,
    /// Credentials for `--against registry:URL`.
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Backward,
    Forward,
    Full,
    None,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Backward => Mode::Backward,
            ModeArg::Forward => Mode::Forward,
            ModeArg::Full => Mode::Full,
            ModeArg::None => Mode::None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesArg {
    Events,
    Standard,
    Lenient,
}

impl From<RulesArg> for Rules {
    fn from(r: RulesArg) -> Rules {
        match r {
            RulesArg::Events => Rules::Events,
            RulesArg::Standard => Rules::Standard,
            RulesArg::Lenient => Rules::Lenient,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: each finding at its place (for changes: source snippets, the fix, the
    /// witness and a text diff), colored on a terminal.
    Human,
    /// One JSON object holding the verdict (`compatible`, or `clean` for `lint`) and each
    /// finding with its place (DESIGN section 4).
    Json,
    /// GitHub Actions workflow annotations, one per finding, titled by rule id.
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old (registered) schema file.
    pub old: PathBuf,
    /// The new (candidate) schema file.
    pub new: PathBuf,
    /// Which directions must hold.
    #[arg(long, value_enum, default_value = "full")]
    pub mode: ModeArg,
    /// Which rule set judges the changes.
    #[arg(long, value_enum, default_value = "events")]
    pub rules: RulesArg,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Colors in human output: only on a terminal by default (and never with NO_COLOR set).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Largest schema file read, in bytes (event schemas are kilobytes; this bounds time and
    /// memory on a wrong or hostile input).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_schema_bytes: u64,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The Redis server, e.g. redis://127.0.0.1:6379 (rediss:// is not supported).
    #[arg(
        long,
        env = "SCHEMAGATE_REDIS",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis: String,
    /// The stream to read (the publisher's output, e.g. `stream:widgets:events`).
    #[arg(long)]
    pub stream: String,
    /// The consumer group the gate reads in; created (from the stream's start) if missing.
    #[arg(long, default_value = "schemagate")]
    pub group: String,
    /// This gate's name in the group. Keep it stable across restarts: a restarted gate first
    /// finishes the entries it had read and not acknowledged.
    #[arg(long, default_value = "gate-1")]
    pub consumer: String,
    /// Where valid entries go (default: STREAM:valid). Must live on the same Redis server.
    #[arg(long)]
    pub output: Option<String>,
    /// Where invalid and parked entries go (default: STREAM:dlq).
    #[arg(long)]
    pub dead_letter: Option<String>,
    /// The registry holding the subjects, e.g. http://127.0.0.1:8081.
    #[arg(long, env = "SCHEMAGATE_REGISTRY")]
    pub registry: String,
    /// The subject of every entry (or `--subject-field`).
    #[arg(long, conflicts_with = "subject_field")]
    pub subject: Option<String>,
    /// The entry field that names each entry's subject (its event type).
    #[arg(long, default_value = "subject")]
    pub subject_field: String,
    /// The entry field holding the event's JSON.
    #[arg(long, default_value = "payload")]
    pub payload_field: String,
    /// The payload field naming the schema version it was written with (none: latest).
    #[arg(long, default_value = "schema_version")]
    pub version_field: String,
    /// An entry delivered this many times without a verdict (the gate died on it, or the
    /// registry was unreachable each time) is parked in the dead-letter stream.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_deliveries: u64,
    /// Entries another consumer of the group has held this long (milliseconds) are claimed:
    /// its gate is presumed dead. Keep it well above the time a batch takes.
    #[arg(long, default_value_t = 60_000)]
    pub claim_idle_ms: u64,
    /// Entries read and written per round trip.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch: u64,
    /// Stop once the group has nothing left to read or retry (a backfill), instead of waiting
    /// for new entries.
    #[arg(long)]
    pub drain: bool,
    /// Write the gate's counters here in Prometheus' text format, every second (for
    /// node_exporter's textfile collector or any scraper that reads files).
    #[arg(long)]
    pub metrics: Option<PathBuf>,
    /// Seconds between progress lines on stderr when it is not a terminal (a terminal gets a
    /// live line).
    #[arg(long, default_value_t = 10)]
    pub progress_secs: u64,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The candidate schema file (sibling files it references are followed).
    #[arg(long)]
    pub schema: PathBuf,
    /// Archives: NDJSON files, gzip'd or not (told by their bytes), and folders of them.
    #[arg(required = true)]
    pub archives: Vec<PathBuf>,
    /// Each line is an envelope and the event is this top-level field (a JSON value, or a
    /// string holding the event's text).
    #[arg(long)]
    pub envelope: Option<String>,
    /// Replay only lines whose top-level FIELD holds the string VALUE (archives that mix
    /// subjects), e.g. `--only type=WidgetCreated`.
    #[arg(long, value_name = "FIELD=VALUE", value_parser = crate::replay_cmd::parse_only)]
    pub only: Option<(String, String)>,
    /// Refused events shown (all are counted).
    #[arg(long, default_value_t = 10)]
    pub examples: u64,
    /// Threads that validate (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Largest schema file read, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_schema_bytes: u64,
}
