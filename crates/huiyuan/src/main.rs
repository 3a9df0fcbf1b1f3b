//! `huiyuan`: parse the command line, set up logging, run the subcommand.

use clap::Parser as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    huiyuan::telemetry::init_logging();
    let cli = huiyuan::cli::Cli::parse();
    match huiyuan::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
