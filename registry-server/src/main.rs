//! `registry-server`: thin binary. Parses the configuration and hands it to the library.

use clap::Parser;

// The registry allocates per request (bodies, answers); mimalloc serves that faster than the
// system allocator under concurrency (bench/README.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = registry_server::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if cli.config.log_format == "json" {
        logs.json().init();
    } else {
        // Colors only for a person at a terminal, never in a file or a log collector.
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init();
    }
    match registry_server::run_cli(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
