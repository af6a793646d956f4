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
    /// Write every subject version and config of a registry to one JSON file.
    Export {
        /// The registry to read (ours or any Confluent-API registry).
        #[arg(long)]
        from: String,
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
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
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "SCHEMAGATE_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: String,
    /// `sqlite://file.db` (the default, created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://schemagate.db?mode=rwc"
    )]
    pub database_url: String,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SCHEMAGATE_MAX_BODY", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Database connections per process.
    #[arg(long, env = "SCHEMAGATE_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: u32,
}

impl Config {
    /// The configuration as printed once at start, without credentials.
    pub fn describe(&self) -> String {
        let db = match self.database_url.split_once('@') {
            Some((scheme_user, host)) => {
                let scheme = scheme_user.split("://").next().unwrap_or("db");
                format!("{scheme}://***@{host}")
            }
            None => self.database_url.clone(),
        };
        format!(
            "listen={} database={} max_body_bytes={} db_connections={}",
            self.listen, db, self.max_body_bytes, self.db_connections
        )
    }
}
