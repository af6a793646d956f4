//! Server configuration: flags with environment fallbacks and defaults that run with no setup
//! (127.0.0.1:8081, an SQLite file in the working directory).

use clap::Parser;

/// The command line: serving is the default; `export` and `import` move a registry.
#[derive(Debug, Parser)]
#[command(
    name = "registry-server",
    version,
    about = "schemagate: a Confluent-compatible registry of JSON event schemas"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the registry (the default).
    Serve,
    /// Manage API tokens (straight in the database of `--database-url`).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Write every subject version and config of a registry to one JSON file.
    Export {
        /// The registry to read (ours or any Confluent-API registry).
        #[arg(long)]
        from: String,
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        auth: RemoteAuth,
    },
    /// Copy a registry into another through IMPORT mode, keeping ids and versions (resumable).
    Import {
        /// A running registry to copy from.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        from: Option<String>,
        /// An export file to load instead.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
        /// The registry to copy into.
        #[arg(long)]
        to: String,
        /// Credentials for `--from`, when they differ from the target's: a bearer token.
        #[arg(long, env = "SCHEMAGATE_FROM_TOKEN", hide_env_values = true)]
        from_token: Option<String>,
        /// Credentials for `--from`: HTTP Basic `USER:PASSWORD`.
        #[arg(
            long,
            env = "SCHEMAGATE_FROM_BASIC_AUTH",
            hide_env_values = true,
            conflicts_with = "from_token"
        )]
        from_basic_auth: Option<String>,
        /// Credentials for the target (`--to`), as `compat-cli` takes them.
        #[command(flatten)]
        auth: RemoteAuth,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenAction {
    /// Create a token and print it (shown once; only its hash is stored).
    Create {
        /// Who or what holds it (shown in the audit log).
        #[arg(long)]
        name: String,
        /// read, write (register) or admin (config, mode, deletes, audit).
        #[arg(long, default_value = "read")]
        role: String,
        /// Limit it to subjects with this prefix, e.g. `widgets.*`.
        #[arg(long)]
        scope: Option<String>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id (servers drop it within `--token-refresh-ms`).
    Revoke {
        /// The token's id: the part after `sg_` up to the next `_`, as `token list` shows it.
        id: String,
    },
}

/// An SQLite file in the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://schemagate.db?mode=rwc";

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_LISTEN",
        default_value = "127.0.0.1:8081"
    )]
    pub listen: String,
    /// `sqlite://file.db` (the default, created if missing) or `postgres://…`.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL
    )]
    pub database_url: String,
    /// Largest request body accepted, in bytes.
    #[arg(
        long,
        global = true, env = "SCHEMAGATE_MAX_BODY", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Database connections per process.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_DB_CONNECTIONS",
        default_value_t = 8
    )]
    pub db_connections: u32,
    /// Serve HTTPS with this certificate chain (PEM); needs `--tls-key`.
    #[arg(long, global = true, env = "SCHEMAGATE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, global = true, env = "SCHEMAGATE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Serve without API tokens on a non-loopback address (refused otherwise).
    #[arg(long, global = true, env = "SCHEMAGATE_INSECURE")]
    pub insecure: bool,
    /// How often tokens are re-read from the database (a revocation takes effect within it).
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_TOKEN_REFRESH_MS",
        default_value_t = 5000
    )]
    pub token_refresh_ms: u64,
    /// A request running longer than this is answered 408.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_REQUEST_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub request_timeout_ms: u64,
    /// Requests served at once; more are shed with 503 and Retry-After, not queued.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_MAX_IN_FLIGHT",
        default_value_t = 512
    )]
    pub max_in_flight: usize,
    /// Largest schema accepted for registration, in bytes.
    #[arg(
        long,
        global = true, env = "SCHEMAGATE_MAX_SCHEMA_BYTES", default_value_t = 1024 * 1024)]
    pub max_schema_bytes: usize,
    /// Deepest nesting of a schema document accepted.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_MAX_SCHEMA_DEPTH",
        default_value_t = 64
    )]
    pub max_schema_depth: usize,
    /// Most `properties` entries, over the whole schema, accepted.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_MAX_SCHEMA_PROPERTIES",
        default_value_t = 10_000
    )]
    pub max_schema_properties: usize,
    /// The dialect of schemas without `$schema`: draft-07 (as Confluent reads them), or
    /// draft-04, draft-06, 2019-09, 2020-12. Shown by `GET /config`; keep it for the
    /// registry's lifetime, since it decides what stored schemas mean.
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_DEFAULT_DIALECT",
        default_value = "draft-07",
        value_parser = ["draft-04", "draft-06", "draft-07", "2019-09", "2020-12"]
    )]
    pub default_dialect: String,
    /// Log lines as `text` (colored only on a terminal) or `json` (one object per line).
    #[arg(
        long,
        global = true,
        env = "SCHEMAGATE_LOG_FORMAT",
        default_value = "text",
        value_parser = ["text", "json"]
    )]
    pub log_format: String,
}

impl Config {
    /// The configuration as printed once at start, without credentials.
    /// The database URL without credentials, for logs and messages.
    pub fn database(&self) -> String {
        crate::store::redact_url(&self.database_url)
    }

    /// The SQLite file the URL names, if it is an SQLite URL.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| path.into())
    }

    pub fn describe(&self) -> String {
        let db = self.database();
        format!(
            "listen={} database={} max_body_bytes={} db_connections={} request_timeout_ms={} max_in_flight={}",
            self.listen, db, self.max_body_bytes, self.db_connections, self.request_timeout_ms, self.max_in_flight
        )
    }
}

/// How export and import reach a registry: the same flags and variables as `compat-cli`.
pub use registry_client::Credentials as RemoteAuth;
